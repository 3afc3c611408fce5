use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::procurement_amendments;

/// An amendment of a tender, award or contract.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_amendments)]
pub struct ProcurementAmendment {
    pub ocid: String,
    /// `tender`, `award` or `contract`.
    pub scope: String,
    /// The award's or contract's id; empty for the tender.
    pub scope_id: String,
    pub position: i32,
    pub amendment_id: Option<String>,
    pub amendment_date: Option<DateTime<Utc>>,
    pub description: Option<String>,
    pub amends_release_id: Option<String>,
    pub release_id: Option<String>,
    pub value_before: Option<BigDecimal>,
    pub value_after: Option<BigDecimal>,
    pub currency: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_amendments, treat_none_as_default_value = false)]
pub struct NewProcurementAmendment {
    pub ocid: String,
    pub scope: String,
    pub scope_id: String,
    pub position: i32,
    pub amendment_id: Option<String>,
    pub amendment_date: Option<DateTime<Utc>>,
    pub description: Option<String>,
    pub amends_release_id: Option<String>,
    pub release_id: Option<String>,
    pub value_before: Option<BigDecimal>,
    pub value_after: Option<BigDecimal>,
    pub currency: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementAmendment {
    pub fn copy_in(
        conn: &mut PgConnection,
        rows: &[NewProcurementAmendment],
    ) -> QueryResult<usize> {
        diesel::copy_from(procurement_amendments::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_process(
        conn: &mut PgConnection,
        ocid: &str,
    ) -> QueryResult<Vec<ProcurementAmendment>> {
        procurement_amendments::table
            .filter(procurement_amendments::ocid.eq(ocid))
            .order((
                procurement_amendments::scope,
                procurement_amendments::scope_id,
                procurement_amendments::position,
            ))
            .select(ProcurementAmendment::as_select())
            .load(conn)
    }
}
