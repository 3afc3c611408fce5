use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::production_runs;

/// A production run: one output lot made at a site from the lots in its inputs
/// (`production_inputs`), with the output product's EPD factor.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = production_runs)]
pub struct ProductionRun {
    pub id: i64,
    /// The file row that created the run.
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub production_code: String,
    pub output_lot_code: String,
    pub output_lot_id: i64,
    pub output_gtin: Option<String>,
    pub output_product: String,
    pub output_quantity: BigDecimal,
    pub output_unit: String,
    pub site: String,
    pub site_id: i64,
    pub produced_at: DateTime<Utc>,
    pub produced_offset: String,
    pub epd_reference: Option<String>,
    /// GWP (EN 15804 A1–A3) in kg CO2e per `declared_unit` of the output product.
    pub gwp_factor: Option<BigDecimal>,
    pub declared_unit: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = production_runs, treat_none_as_default_value = false)]
pub struct NewProductionRun {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub production_code: String,
    pub output_lot_code: String,
    pub output_lot_id: i64,
    pub output_gtin: Option<String>,
    pub output_product: String,
    pub output_quantity: BigDecimal,
    pub output_unit: String,
    pub site: String,
    pub site_id: i64,
    pub produced_at: DateTime<Utc>,
    pub produced_offset: String,
    pub epd_reference: Option<String>,
    pub gwp_factor: Option<BigDecimal>,
    pub declared_unit: Option<String>,
}

impl ProductionRun {
    /// Insert the runs not stored yet (by submitter and production code).
    /// In parts of 2,000 runs: 17 bind parameters each stay under PostgreSQL's 65,535.
    pub fn ensure_all(conn: &mut PgConnection, new: &[NewProductionRun]) -> QueryResult<usize> {
        let mut inserted = 0;
        for part in new.chunks(2_000) {
            inserted += diesel::insert_into(production_runs::table)
                .values(part)
                .on_conflict((production_runs::submitter, production_runs::production_code))
                .do_nothing()
                .execute(conn)?;
        }
        Ok(inserted)
    }

    /// The submitter's runs with these production codes.
    pub fn by_codes(
        conn: &mut PgConnection,
        submitter: &str,
        codes: &[&str],
    ) -> QueryResult<Vec<ProductionRun>> {
        production_runs::table
            .filter(production_runs::submitter.eq(submitter))
            .filter(production_runs::production_code.eq_any(codes))
            .select(ProductionRun::as_select())
            .load(conn)
    }

    /// The runs (of any submitter) that made these lots.
    pub fn by_output_lots(
        conn: &mut PgConnection,
        lot_ids: &[i64],
    ) -> QueryResult<Vec<ProductionRun>> {
        production_runs::table
            .filter(production_runs::output_lot_id.eq_any(lot_ids))
            .select(ProductionRun::as_select())
            .load(conn)
    }

    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<ProductionRun>> {
        production_runs::table
            .filter(production_runs::batch_id.eq(batch_id))
            .order(production_runs::line)
            .select(ProductionRun::as_select())
            .load(conn)
    }
}
