//! Loading what the comparison reads.

use std::collections::HashMap;

use diesel::prelude::*;

use super::compute::{BudgetAmount, UnlinkedPayment};
use super::BudgetFilter;
use crate::spending::payments::unlinked_ledger_payments;
use citytrace_schema::schema::{budget_lines, parties};

/// The expenditure amounts of `budget_lines` the filter selects (revenue lines are not
/// budgets to spend).
pub fn load_budget_amounts(
    conn: &mut PgConnection,
    filter: &BudgetFilter,
) -> QueryResult<Vec<BudgetAmount>> {
    use budget_lines as b;
    let mut query = b::table.filter(b::direction.eq("expenditure")).into_boxed();
    if let Some(department) = filter.department_id {
        query = query.filter(b::department_id.eq(department));
    }
    if let Some(year) = filter.fiscal_year {
        query = query.filter(b::fiscal_year.eq(year));
    }
    type Row = (
        i32,
        String,
        String,
        i64,
        String,
        Option<String>,
        String,
        bigdecimal::BigDecimal,
        String,
    );
    let rows: Vec<Row> = query
        .select((
            b::fiscal_year,
            b::budget_line_id,
            b::phase,
            b::department_id,
            b::department,
            b::program,
            b::cofog,
            b::amount,
            b::currency,
        ))
        .order((b::fiscal_year, b::department_id, b::budget_line_id, b::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| BudgetAmount {
            fiscal_year: r.0,
            budget_line_id: r.1,
            phase: r.2,
            department_id: r.3,
            department: r.4,
            program: r.5,
            cofog: r.6,
            amount: r.7,
            currency: r.8,
        })
        .collect())
}

/// Ledger payments naming no known process, on the department they name.
pub fn load_unlinked_payments(
    conn: &mut PgConnection,
    department: Option<i64>,
) -> QueryResult<Vec<UnlinkedPayment>> {
    Ok(unlinked_ledger_payments(conn, department)?
        .into_iter()
        .map(|(department_id, payment)| UnlinkedPayment {
            department_id,
            payment,
        })
        .collect())
}

/// Party codes of the given ids.
pub(super) fn department_codes(
    conn: &mut PgConnection,
    ids: impl Iterator<Item = i64>,
) -> QueryResult<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(i64, String)> = parties::table
        .filter(parties::id.eq_any(&ids))
        .select((parties::id, parties::code))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
