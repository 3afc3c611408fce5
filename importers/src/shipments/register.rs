//! Registering what a chunk of shipment lines names: its sites (and where they are), its
//! products and its lots.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;

use citytrace_schema::models::{Lot, NewProduct, NewSite, Product, Site};

use super::ShipmentRecord;
use crate::csv_format::distinct;
use crate::gs1;
use crate::site_position;

/// Rows per statement when registering sites, products and lots (bind-parameter limit).
const STATEMENT_ROWS: usize = 5_000;

/// Register the sites the chunk names (a 13-digit valid code is also its GLN), placing those
/// without a position where the chunk's rows say they are; their ids.
pub(super) fn register_sites(
    conn: &mut PgConnection,
    chunk: &[ShipmentRecord],
) -> QueryResult<HashMap<String, i64>> {
    let codes: Vec<&str> = distinct(
        chunk
            .iter()
            .flat_map(|r| [r.from_site.as_str(), r.to_site.as_str()]),
    );
    let mut ids = HashMap::with_capacity(codes.len());
    for part in codes.chunks(STATEMENT_ROWS) {
        let new: Vec<NewSite> = part
            .iter()
            .map(|code| NewSite {
                code,
                name: code,
                kind: "other",
                gln: gs1::check_gln(code).ok().map(|_| *code),
                party_id: None,
                latitude: None,
                longitude: None,
            })
            .collect();
        Site::ensure_all(conn, &new)?;
        ids.extend(Site::ids_by_code(conn, part)?);
    }
    site_position::place(
        conn,
        chunk.iter().flat_map(|r| {
            [
                (ids.get(&r.from_site).copied(), r.from_position),
                (ids.get(&r.to_site).copied(), r.to_position),
            ]
            .into_iter()
            .filter_map(|(id, position)| Some((id?, position)))
        }),
    )?;
    Ok(ids)
}

/// Register the chunk's products and lots (a new lot: its first row's product, and that row's
/// origin site); each lot's id and its registered product's code.
pub(super) fn register_lots(
    conn: &mut PgConnection,
    chunk: &[ShipmentRecord],
    sites: &HashMap<String, i64>,
) -> QueryResult<HashMap<String, (i64, String)>> {
    let mut first_of_product: BTreeMap<&str, &ShipmentRecord> = BTreeMap::new();
    let mut first_of_lot: BTreeMap<&str, &ShipmentRecord> = BTreeMap::new();
    for r in chunk {
        first_of_product.entry(r.product_code()).or_insert(r);
        first_of_lot.entry(r.lot.as_str()).or_insert(r);
    }
    let products: Vec<(&str, &ShipmentRecord)> = first_of_product.into_iter().collect();
    let mut product_ids = HashMap::with_capacity(products.len());
    for part in products.chunks(STATEMENT_ROWS) {
        let new: Vec<NewProduct> = part
            .iter()
            .map(|(code, r)| NewProduct {
                code,
                gtin: r.gtin.as_deref(),
                name: &r.product,
                material_class: None,
                unit: &r.unit,
            })
            .collect();
        Product::ensure_all(conn, &new)?;
        let codes: Vec<&str> = part.iter().map(|(c, _)| *c).collect();
        product_ids.extend(Product::ids_by_code(conn, &codes)?);
    }
    let (mut codes, mut products, mut origins) = (Vec::new(), Vec::new(), Vec::new());
    for (code, r) in first_of_lot {
        codes.push(code);
        products.push(product_ids[r.product_code()]);
        origins.push(Some(sites[r.from_site.as_str()]));
    }
    Lot::register_all(conn, &codes, &products, &origins)
}
