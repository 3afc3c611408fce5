//! The product page's read (`/products/{code}` and its JSON twin).

use bigdecimal::BigDecimal;
use diesel::prelude::*;

use citytrace_schema::models::Product;
use citytrace_schema::schema::{lots, product_versions, products};

/// Everything the product page shows (but its list of lots).
#[derive(Debug, Clone)]
pub struct ProductData {
    pub product: Product,
    /// The imported row whose values the product holds now: (batch id, line).
    pub current_version: (Option<i64>, Option<i32>),
    /// Every imported version of its master data, in import order.
    pub versions: Vec<ProductVersion>,
    /// How many lots of it are registered.
    pub lots: i64,
}

/// One imported row of a product's master data.
#[derive(Debug, Clone, Queryable)]
pub struct ProductVersion {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub name: String,
    pub unit: String,
    pub epd_ref: Option<String>,
    pub gwp_per_unit: Option<BigDecimal>,
    pub min_temp_c: Option<BigDecimal>,
    pub max_temp_c: Option<BigDecimal>,
}

/// The product `code` with its versions and its number of lots; `None` when no product has
/// that code.
pub fn load_product(conn: &mut PgConnection, code: &str) -> QueryResult<Option<ProductData>> {
    let Some(product) = products::table
        .filter(products::code.eq(code))
        .select(Product::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let current_version: (Option<i64>, Option<i32>) = products::table
        .find(product.id)
        .select((products::version_batch_id, products::version_line))
        .first(conn)?;
    let versions: Vec<ProductVersion> = product_versions::table
        .filter(product_versions::code.eq(&product.code))
        .order((product_versions::batch_id, product_versions::line))
        .select((
            product_versions::batch_id,
            product_versions::line,
            product_versions::submitter,
            product_versions::name,
            product_versions::unit,
            product_versions::epd_ref,
            product_versions::gwp_per_unit,
            product_versions::min_temp_c,
            product_versions::max_temp_c,
        ))
        .load(conn)?;
    let lots: i64 = lots::table
        .filter(lots::product_id.eq(product.id))
        .count()
        .get_result(conn)?;
    Ok(Some(ProductData {
        product,
        current_version,
        versions,
        lots,
    }))
}
