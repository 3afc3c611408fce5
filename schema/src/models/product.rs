use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::products;

/// A kind of thing: GTIN when known, else a product code.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = products)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub gtin: Option<String>,
    pub name: String,
    pub material_class: Option<String>,
    pub unit: String,
    pub created_at: DateTime<Utc>,
    /// The EPD this product's carbon factor comes from, and its GWP (A1–A3) in kg CO2e per
    /// declared unit (`unit`).
    pub epd_ref: Option<String>,
    pub gwp_per_unit: Option<BigDecimal>,
    /// Cold chain: the allowed range, the excursion budget, the expected logging interval.
    pub min_temp_c: Option<BigDecimal>,
    pub max_temp_c: Option<BigDecimal>,
    pub max_excursion_minutes: Option<i32>,
    pub max_single_excursion_minutes: Option<i32>,
    pub logging_interval_minutes: Option<i32>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    pub code: &'a str,
    pub gtin: Option<&'a str>,
    pub name: &'a str,
    pub material_class: Option<&'a str>,
    pub unit: &'a str,
}

impl Product {
    pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Product> {
        products::table
            .find(id)
            .select(Product::as_select())
            .first(conn)
    }

    /// Insert the products not registered yet (by code).
    pub fn ensure_all(conn: &mut PgConnection, new: &[NewProduct<'_>]) -> QueryResult<usize> {
        diesel::insert_into(products::table)
            .values(new)
            .on_conflict(products::code)
            .do_nothing()
            .execute(conn)
    }

    pub fn ids_by_code(
        conn: &mut PgConnection,
        codes: &[&str],
    ) -> QueryResult<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = products::table
            .filter(products::code.eq_any(codes))
            .select((products::code, products::id))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }
}
