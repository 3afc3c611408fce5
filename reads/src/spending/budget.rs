//! Budget vs actual per fiscal year, department, program and COFOG function: the approved and
//! adjusted budget (Fiscal Data Package phases of `budget_lines`) against what was committed
//! (the values of the buyer's contracts, linked as [`super::commitments`] explains) and what
//! was paid (OCDS transactions and CityTreasury ledger payments), with overspend, unspent and
//! unbudgeted-spending flags.

mod city;
mod compute;
mod load;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::settings::decimal;
use super::Figure;

pub use city::{city_totals, CityTotals};
pub use compute::{compare, BudgetAmount, UnlinkedPayment};
pub use load::{load_budget_amounts, load_unlinked_payments};

/// `[methods.spending.budget]` in `citytrace.toml`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetRules {
    /// The month fiscal years start in (1 = January); a fiscal year is named by the calendar
    /// year it starts in.
    pub fiscal_year_start_month: u32,
    /// Committed or paid may exceed the budget by this much (percent) before the overspend
    /// flag.
    #[serde(deserialize_with = "decimal")]
    pub overspend_tolerance_percent: BigDecimal,
    /// After the year (and the grace days) ends, paid below this share of the budget (percent)
    /// is flagged unspent. 85 is the lower bound of PEFA's PI-1/PI-2 outturn bands (score C:
    /// 85–115 %).
    #[serde(deserialize_with = "decimal")]
    pub unspent_below_percent: BigDecimal,
    /// Days after the end of the fiscal year before the unspent flag is judged (late invoices).
    pub unspent_grace_days: u32,
}

impl Default for BudgetRules {
    fn default() -> Self {
        Self {
            fiscal_year_start_month: 1,
            overspend_tolerance_percent: BigDecimal::from(0),
            unspent_below_percent: BigDecimal::from(85),
            unspent_grace_days: 0,
        }
    }
}

/// Which budgets to compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetFilter {
    pub fiscal_year: Option<i32>,
    pub department_id: Option<i64>,
}

/// What a row covers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BudgetScope {
    /// A department's whole budget in one year and currency, with the commitments and payments
    /// that could not be put on one of its lines.
    Department,
    /// One classification: program and COFOG function (the budget lines sharing them).
    Line {
        cofog: String,
        program: Option<String>,
        budget_line_ids: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetFlagKind {
    /// Committed or paid above the budget (adjusted, else approved) × (1 + tolerance).
    Overspend,
    /// After the year ended, paid below the unspent share of the budget.
    Unspent,
    /// Commitments or payments where no budget was approved.
    UnbudgetedSpending,
}

impl BudgetFlagKind {
    pub fn id(self) -> &'static str {
        match self {
            Self::Overspend => "overspend",
            Self::Unspent => "unspent",
            Self::UnbudgetedSpending => "unbudgeted_spending",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Overspend => "Committed or paid more than the budget",
            Self::Unspent => "Budget left largely unspent after the year ended",
            Self::UnbudgetedSpending => "Spending without an approved budget",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetFlag {
    pub kind: BudgetFlagKind,
    pub figures: Vec<Figure>,
}

/// One row of budget vs actual. Amounts are in `currency`, exact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetVsActual {
    pub fiscal_year: i32,
    pub department_id: i64,
    /// The department's party code.
    pub department: String,
    pub scope: BudgetScope,
    pub currency: String,
    /// Sum of the `approved` phase; None when no line has one.
    pub approved: Option<BigDecimal>,
    /// The budget as adjusted: per line its `adjusted` amount, else (a line nobody adjusted)
    /// its `approved` amount, summed; None when no line has an adjustment.
    pub adjusted: Option<BigDecimal>,
    /// The budget compared with: per line its adjusted amount, else its approved amount, summed.
    pub budget: Option<BigDecimal>,
    /// Sum of the `executed` phase as the finance department reports it.
    pub executed_reported: Option<BigDecimal>,
    /// Values of the contracts committed here.
    pub committed: BigDecimal,
    /// Payments under those contracts (and, on department rows, ledger payments naming no
    /// known process).
    pub paid: BigDecimal,
    /// The OCDS transactions paid here.
    pub paid_ocds: BigDecimal,
    /// Of `paid_ocds`: the transactions a ledger payment evidences (counted once, as the
    /// transaction).
    pub paid_ocds_evidenced_on_ledger: BigDecimal,
    /// Ledger payments with no OCDS counterpart (payments of their own).
    pub paid_ledger: BigDecimal,
    /// The gap between what the department reports as executed and what published payments
    /// evidence: `executed_reported − paid`; None when no line reports an executed amount.
    /// Positive: reported as spent without a published payment behind it.
    pub executed_not_evidenced: Option<BigDecimal>,
    /// Department rows: the part of `committed` / `paid` not attributable to one of its lines
    /// (nothing links those contracts or payments to a line).
    pub unallocated_committed: BigDecimal,
    pub unallocated_paid: BigDecimal,
    /// Line rows: nothing was put on this line while its department has commitments that are
    /// not attributable to a line, so `committed` (0) is "not attributable to a line", not 0.
    pub committed_not_attributable: bool,
    /// Line rows: the same for `paid`.
    pub paid_not_attributable: bool,
    /// (ocid, contract id) of the contracts committed here.
    pub contracts: Vec<(String, String)>,
    pub flags: Vec<BudgetFlag>,
}

impl BudgetVsActual {
    pub fn has_flag(&self, kind: BudgetFlagKind) -> bool {
        self.flags.iter().any(|f| f.kind == kind)
    }
}

/// Budget vs actual for the budgets `filter` selects, department rows first, then their lines;
/// the unspent flag is judged as of `as_of`.
pub fn budget_vs_actual(
    conn: &mut PgConnection,
    rules: &BudgetRules,
    filter: &BudgetFilter,
    as_of: DateTime<Utc>,
) -> QueryResult<Vec<BudgetVsActual>> {
    let amounts = load_budget_amounts(conn, filter)?;
    let commitments = super::commitments::load_commitments(conn, filter.department_id)?;
    let scope = match filter.department_id {
        Some(d) => super::payments::ProcessScope::Buyer(d),
        None => super::payments::ProcessScope::All,
    };
    let payments = super::payments::payments_of(conn, &scope)?;
    let unlinked = load_unlinked_payments(conn, filter.department_id)?;
    let mut rows = compare(&amounts, &commitments, &payments, &unlinked, rules, as_of);
    rows.retain(|r| filter.fiscal_year.is_none_or(|y| r.fiscal_year == y));
    let codes = load::department_codes(conn, rows.iter().map(|r| r.department_id))?;
    for row in &mut rows {
        if row.department.is_empty() {
            row.department = codes.get(&row.department_id).cloned().unwrap_or_default();
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
