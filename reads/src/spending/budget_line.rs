//! A budget line's read (`/spending/budget/{year}/{line}` and its JSON twin): the money trail
//! from the line (`follow_the_money`), the line's imported rows, and how far every batch they
//! come from can be trusted.

use std::collections::HashMap;

use diesel::prelude::*;

use citytrace_schema::models::{BudgetLine, TrustState};
use citytrace_schema::schema::budget_lines;

use super::{follow_the_money, MoneyTrail, PaymentSource};
use crate::trust::batch_trust;
use crate::SpendingSettings;

/// Everything the budget line's page shows.
#[derive(Debug, Clone)]
pub struct BudgetLineData {
    pub trail: MoneyTrail,
    /// The imported rows of the line (every phase, every submitter), in file order.
    pub phases: Vec<BudgetLine>,
    /// How far each batch the phases and the OCDS transactions come from can be trusted.
    pub trust: HashMap<i64, TrustState>,
}

/// The imported rows of expenditure budget line `line` of fiscal year `year`, in file order.
fn phase_rows(conn: &mut PgConnection, year: i32, line: &str) -> QueryResult<Vec<BudgetLine>> {
    budget_lines::table
        .filter(budget_lines::fiscal_year.eq(year))
        .filter(budget_lines::budget_line_id.eq(line))
        .order((budget_lines::batch_id, budget_lines::line))
        .select(BudgetLine::as_select())
        .load(conn)
}

/// Budget line `line` of fiscal year `year` with its money trail; `None` when there is no such
/// expenditure budget line.
pub fn load_budget_line(
    conn: &mut PgConnection,
    settings: &SpendingSettings,
    year: i32,
    line: &str,
) -> QueryResult<Option<BudgetLineData>> {
    let Some(trail) = follow_the_money(
        conn,
        year,
        line,
        &settings.budget,
        &settings.follow_the_money,
    )?
    else {
        return Ok(None);
    };
    let phases = phase_rows(conn, year, line)?;
    let transactions = trail
        .processes
        .iter()
        .flat_map(|p| &p.contracts)
        .flat_map(|c| &c.payments)
        .filter_map(|pay| match &pay.source {
            PaymentSource::OcdsTransaction { batch_id, .. } => Some(*batch_id),
            PaymentSource::Ledger { .. } => None,
        });
    let batches: Vec<i64> = phases
        .iter()
        .map(|r| r.batch_id)
        .chain(transactions)
        .collect();
    let trust = batch_trust(conn, batches)?;
    Ok(Some(BudgetLineData {
        trail,
        phases,
        trust,
    }))
}
