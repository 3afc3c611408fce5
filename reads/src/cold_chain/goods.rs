//! Which goods are the cold chain's and which are building materials: one rule, in Rust for a
//! loaded product ([`is_cold_chain_goods`]) and in SQL for the lists
//! ([`cold_chain_product_sql`]). A product is cold-chain goods when its stored
//! `material_class` is one of [`COLD_CHAIN_CLASSES`] (any case, spaces around ignored) or it
//! has a temperature range; anything else — a class such as cement or steel, or no class at
//! all — is a material (docs/explorer.md, "Materials or cold chain").

use citytrace_schema::models::Product;

/// The material classes of food and medicine (docs/formats/products.md).
pub const COLD_CHAIN_CLASSES: [&str; 2] = ["food", "pharmaceutical"];

/// Whether `product`'s lots belong under Cold chain rather than Materials.
pub fn is_cold_chain_goods(product: &Product) -> bool {
    let class = product
        .material_class
        .as_deref()
        .map(|c| c.trim().to_lowercase());
    product.min_temp_c.is_some()
        || product.max_temp_c.is_some()
        || class.is_some_and(|c| COLD_CHAIN_CLASSES.contains(&c.as_str()))
}

/// [`is_cold_chain_goods`] as an SQL condition on the product `p` (never NULL: a product
/// without a class is a material), for a list's `condition` (`concat!("NOT ", …)` for the
/// materials).
macro_rules! cold_chain_product_sql {
    () => {
        "(p.min_temp_c IS NOT NULL OR p.max_temp_c IS NOT NULL \
          OR coalesce(lower(btrim(p.material_class)) IN ('food', 'pharmaceutical'), false))"
    };
}
pub(crate) use cold_chain_product_sql;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_names_the_same_classes_as_the_rust() {
        let sql = cold_chain_product_sql!();
        let listed = COLD_CHAIN_CLASSES
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(sql.contains(&format!("IN ({listed})")), "{sql}");
    }
}
