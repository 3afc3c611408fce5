//! The spending overview's read (`/spending` and its JSON twin): budget vs actual of one
//! fiscal year per department and per program / COFOG line, the procurement red flags at a
//! glance, and the names of the parties they mention.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use citytrace_schema::schema::budget_lines;

use super::processes::{load_party_names, PartyName};
use super::red_flags::{
    page_of_flagged_processes, summarise_flagged_processes, ProcessFlagPage, ProcessWalk,
};
use super::{budget_vs_actual, BudgetFilter, BudgetVsActual};
use crate::SpendingSettings;

/// How many of the latest flagged processes the overview lists.
const FLAGGED_SHOWN: usize = 10;

/// Everything the overview shows for one fiscal year.
#[derive(Debug, Clone)]
pub struct SpendingOverview {
    /// The year shown: the one asked for, else the latest with budget lines (none: no lines).
    pub year: Option<i32>,
    /// The fiscal years with budget lines, latest first.
    pub years: Vec<i32>,
    /// Budget vs actual of the year, per department and per line.
    pub rows: Vec<BudgetVsActual>,
    /// The flagged processes: their count, per-rule counts and the latest ten.
    pub flagged: ProcessFlagPage,
    /// How many contracting processes there are.
    pub processes_total: usize,
    /// The flagged processes' buyers, by id.
    pub buyers: HashMap<i64, PartyName>,
    /// The departments of the rows, by id.
    pub departments: HashMap<i64, PartyName>,
}

/// The fiscal years with budget lines, latest first.
fn budget_years(conn: &mut PgConnection) -> QueryResult<Vec<i32>> {
    budget_lines::table
        .select(budget_lines::fiscal_year)
        .distinct()
        .order(budget_lines::fiscal_year.desc())
        .load(conn)
}

/// The overview of fiscal year `asked` (default: the latest with budget lines), as of `now`.
pub fn load_spending_overview(
    conn: &mut PgConnection,
    settings: &SpendingSettings,
    asked: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<SpendingOverview> {
    let years = budget_years(conn)?;
    let year = asked.or(years.first().copied());
    let rows = match year {
        Some(y) => budget_vs_actual(
            conn,
            &settings.budget,
            &BudgetFilter {
                fiscal_year: Some(y),
                department_id: None,
            },
            now,
        )?,
        None => Vec::new(),
    };
    let rules = &settings.red_flags;
    // Every process's flags, a chunk at a time, from one snapshot: the flagged ones' count and
    // per-rule counts, the latest ten of them, and how many processes there are (SQL).
    let (flagged, processes_total) =
        conn.build_transaction()
            .read_only()
            .repeatable_read()
            .run(|conn| {
                let flagged_only = ProcessWalk {
                    flagged_only: true,
                    ..Default::default()
                };
                let flagged =
                    summarise_flagged_processes(conn, rules, &flagged_only, FLAGGED_SHOWN)?;
                let all = page_of_flagged_processes(conn, rules, &ProcessWalk::default(), 0, 0)?;
                QueryResult::Ok((flagged, all.total))
            })?;
    let buyers = load_party_names(conn, flagged.processes.iter().filter_map(|p| p.buyer_id))?;
    let departments = load_party_names(conn, rows.iter().map(|r| r.department_id))?;
    Ok(SpendingOverview {
        year,
        years,
        rows,
        flagged,
        processes_total,
        buyers,
        departments,
    })
}
