use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::procurement_processes;

/// A contracting process (one OCDS ocid): its tender as the merged releases state it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_processes)]
pub struct ProcurementProcess {
    pub ocid: String,
    pub tender_id: Option<String>,
    pub title: Option<String>,
    pub buyer_id: Option<i64>,
    pub procuring_entity_id: Option<i64>,
    pub procurement_method: Option<String>,
    pub procurement_method_details: Option<String>,
    pub main_procurement_category: Option<String>,
    pub tender_status: Option<String>,
    pub tender_value: Option<BigDecimal>,
    pub tender_currency: Option<String>,
    pub tender_period_start: Option<DateTime<Utc>>,
    pub tender_period_end: Option<DateTime<Utc>>,
    pub number_of_tenderers: Option<i32>,
    pub budget_amount: Option<BigDecimal>,
    pub budget_currency: Option<String>,
    pub release_count: i32,
    pub last_release_date: DateTime<Utc>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_processes, treat_none_as_default_value = false)]
pub struct NewProcurementProcess {
    pub ocid: String,
    pub tender_id: Option<String>,
    pub title: Option<String>,
    pub buyer_id: Option<i64>,
    pub procuring_entity_id: Option<i64>,
    pub procurement_method: Option<String>,
    pub procurement_method_details: Option<String>,
    pub main_procurement_category: Option<String>,
    pub tender_status: Option<String>,
    pub tender_value: Option<BigDecimal>,
    pub tender_currency: Option<String>,
    pub tender_period_start: Option<DateTime<Utc>>,
    pub tender_period_end: Option<DateTime<Utc>>,
    pub number_of_tenderers: Option<i32>,
    pub budget_amount: Option<BigDecimal>,
    pub budget_currency: Option<String>,
    pub release_count: i32,
    pub last_release_date: DateTime<Utc>,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementProcess {
    pub fn find(conn: &mut PgConnection, ocid: &str) -> QueryResult<Option<ProcurementProcess>> {
        procurement_processes::table
            .find(ocid)
            .select(ProcurementProcess::as_select())
            .first(conn)
            .optional()
    }

    pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
        procurement_processes::table.count().get_result(conn)
    }

    /// Serialise writers of process state until the caller's transaction ends (readers are
    /// not blocked): a process is rebuilt from all its releases, so two imports touching the
    /// same ocid must not interleave.
    pub fn lock_for_rebuild(conn: &mut PgConnection) -> QueryResult<()> {
        diesel::sql_query("LOCK TABLE procurement_processes IN SHARE ROW EXCLUSIVE MODE")
            .execute(conn)
            .map(|_| ())
    }

    /// Delete these processes and, by cascade, their parties, awards, contracts, amendments,
    /// transactions and bids.
    pub fn delete_all(conn: &mut PgConnection, ocids: &[&str]) -> QueryResult<usize> {
        diesel::delete(
            procurement_processes::table.filter(procurement_processes::ocid.eq_any(ocids)),
        )
        .execute(conn)
    }

    pub fn copy_in(conn: &mut PgConnection, rows: &[NewProcurementProcess]) -> QueryResult<usize> {
        diesel::copy_from(procurement_processes::table)
            .from_insertable(rows)
            .execute(conn)
    }
}
