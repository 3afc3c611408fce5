//! The budget lines a process is planned on: `planning.budget.id`, and each
//! `planning.budget.budgetBreakdown[]` of the OCDS Budget Breakdown extension, with its amount,
//! period and source party.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{money, objects, path, text, time, Money};

/// Which field of `planning.budget` named a budget line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BudgetLinkSource {
    /// `planning.budget.id`.
    Budget,
    /// `planning.budget.budgetBreakdown[].id`.
    Breakdown,
}

impl BudgetLinkSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Budget => "budget",
            Self::Breakdown => "breakdown",
        }
    }
}

/// One budget line the process is planned on.
#[derive(Debug, Clone)]
pub(crate) struct BudgetLinkState {
    pub budget_line_id: String,
    pub source: BudgetLinkSource,
    pub amount: Money,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    /// `sourceParty.name` of a breakdown.
    pub source_party: Option<String>,
}

/// The budget lines of the compiled release: `planning.budget.id` first (with the budget's
/// amount), then the breakdowns in their order; an id named twice is kept once, first.
pub(crate) fn budget_links(compiled: &Map<String, Value>) -> Vec<BudgetLinkState> {
    let Some(budget) = path(compiled, &["planning", "budget"]).and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut links: Vec<BudgetLinkState> = Vec::new();
    if let Some(id) = text(budget, "id") {
        links.push(BudgetLinkState {
            budget_line_id: id,
            source: BudgetLinkSource::Budget,
            amount: money(budget.get("amount")),
            period_start: None,
            period_end: None,
            source_party: None,
        });
    }
    for part in objects(budget.get("budgetBreakdown")) {
        let Some(id) = text(part, "id") else { continue };
        if links.iter().any(|l| l.budget_line_id == id) {
            continue;
        }
        let period = part.get("period").and_then(Value::as_object);
        links.push(BudgetLinkState {
            budget_line_id: id,
            source: BudgetLinkSource::Breakdown,
            amount: money(part.get("amount")),
            period_start: period.and_then(|p| time(p, "startDate")),
            period_end: period.and_then(|p| time(p, "endDate")),
            source_party: part
                .get("sourceParty")
                .and_then(Value::as_object)
                .and_then(|p| text(p, "name")),
        });
    }
    links
}
