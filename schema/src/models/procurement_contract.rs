use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::procurement_contracts;

/// A contract signed in a contracting process.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_contracts)]
pub struct ProcurementContract {
    pub ocid: String,
    pub contract_id: String,
    pub award_id: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub date_signed: Option<DateTime<Utc>>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_contracts, treat_none_as_default_value = false)]
pub struct NewProcurementContract {
    pub ocid: String,
    pub contract_id: String,
    pub award_id: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub date_signed: Option<DateTime<Utc>>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementContract {
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewProcurementContract]) -> QueryResult<usize> {
        diesel::copy_from(procurement_contracts::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_process(
        conn: &mut PgConnection,
        ocid: &str,
    ) -> QueryResult<Vec<ProcurementContract>> {
        procurement_contracts::table
            .filter(procurement_contracts::ocid.eq(ocid))
            .order(procurement_contracts::contract_id)
            .select(ProcurementContract::as_select())
            .load(conn)
    }
}
