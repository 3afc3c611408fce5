use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::procurement_budget_links;

/// A budget line a contracting process is planned on: OCDS `planning.budget.id`
/// (`source` = `budget`) or one `planning.budget.budgetBreakdown[]` (`breakdown`, with its
/// amount, period and source party's name).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_budget_links)]
pub struct ProcurementBudgetLink {
    pub ocid: String,
    pub budget_line_id: String,
    pub source: String,
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub source_party: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = procurement_budget_links, treat_none_as_default_value = false)]
pub struct NewProcurementBudgetLink {
    pub ocid: String,
    pub budget_line_id: String,
    pub source: String,
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub source_party: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementBudgetLink {
    pub fn copy_in(
        conn: &mut PgConnection,
        rows: &[NewProcurementBudgetLink],
    ) -> QueryResult<usize> {
        diesel::copy_from(procurement_budget_links::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The budget lines process `ocid` is planned on, by id.
    pub fn of_process(conn: &mut PgConnection, ocid: &str) -> QueryResult<Vec<Self>> {
        procurement_budget_links::table
            .filter(procurement_budget_links::ocid.eq(ocid))
            .order(procurement_budget_links::budget_line_id)
            .select(Self::as_select())
            .load(conn)
    }
}
