use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::emission_reports;

/// Greenhouse-gas emissions a party reports for a scope, category and period, in kg CO2e.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = emission_reports)]
pub struct EmissionReport {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub party: String,
    pub party_id: i64,
    pub scope: i16,
    /// Scope 1: source type or none; scope 2: `location_based` / `market_based`; scope 3:
    /// the GHG Protocol category number `1`..`15`.
    pub category: Option<String>,
    pub activity: Option<String>,
    /// First and last day of the period, inclusive.
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kg_co2e: BigDecimal,
    pub method: String,
    pub source_document: String,
}

/// For binary COPY: every column given explicitly.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = emission_reports, treat_none_as_default_value = false)]
pub struct NewEmissionReport {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub party: String,
    pub party_id: i64,
    pub scope: i16,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kg_co2e: BigDecimal,
    pub method: String,
    pub source_document: String,
}

impl EmissionReport {
    /// Binary COPY of `rows` into emission_reports.
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewEmissionReport]) -> QueryResult<usize> {
        diesel::copy_from(emission_reports::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<EmissionReport>> {
        emission_reports::table
            .filter(emission_reports::batch_id.eq(batch_id))
            .order(emission_reports::line)
            .select(EmissionReport::as_select())
            .load(conn)
    }
}
