//! The overview's first table: per department and for the city, the budget (approved and
//! adjusted), what the department reports as executed, what it committed in published
//! contracts and what published payments evidence, with the gap between executed as reported
//! and paid as evidenced as a figure of its own. Each figure links to its evidence.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use serde::Serialize;

use citytrace_reads::spending::{city_totals, BudgetScope, BudgetVsActual, CityTotals};

use crate::fmt::money;
use crate::routes::spending::PartyLink;

/// One row: a department's figures, or the city's (`is_city`).
#[derive(Debug, Clone, Serialize)]
pub struct ExecutedRow {
    pub name: String,
    pub href: String,
    pub is_city: bool,
    pub currency: String,
    pub approved: String,
    pub adjusted: String,
    pub executed: String,
    pub committed: String,
    pub paid: String,
    /// What the paid figure is made of.
    pub paid_parts: String,
    pub gap: String,
    /// The budget rows (the department's lines in the table below).
    pub budget_href: String,
    /// The contracts committed.
    pub committed_href: String,
    /// The payments.
    pub paid_href: String,
}

/// An amount of the table, whose row names its currency once: `800 000.00`, or "not reported"
/// (which is not 0).
fn or_not_reported(v: Option<&BigDecimal>, _currency: &str) -> String {
    v.map_or_else(|| money(None, None), |v| crate::fmt::decimal(v, 2))
}

fn figure(v: &BigDecimal) -> String {
    crate::fmt::decimal(v, 2)
}

fn paid_parts(ocds: &BigDecimal, evidenced: &BigDecimal, ledger: &BigDecimal, c: &str) -> String {
    format!(
        "{} in OCDS transactions (of which {} evidenced on the ledger, counted once) + {} in ledger payments without an OCDS counterpart",
        money(Some(ocds), Some(c)),
        money(Some(evidenced), Some(c)),
        money(Some(ledger), Some(c)),
    )
}

/// The department rows of `rows` (one fiscal year), then the city's totals per currency.
pub fn executed_rows(
    rows: &[BudgetVsActual],
    departments: &HashMap<i64, PartyLink>,
) -> Vec<ExecutedRow> {
    let mut out: Vec<ExecutedRow> = rows
        .iter()
        .filter(|r| r.scope == BudgetScope::Department)
        .map(|r| department_row(r, departments.get(&r.department_id)))
        .collect();
    out.extend(city_totals(rows).iter().map(city_row));
    out
}

fn department_row(r: &BudgetVsActual, party: Option<&PartyLink>) -> ExecutedRow {
    let c = r.currency.as_str();
    let (name, href) = match party {
        Some(p) => (p.name.clone(), p.href.clone()),
        None => (
            r.department.clone(),
            super::super::party_href(&r.department),
        ),
    };
    ExecutedRow {
        committed_href: format!(
            "/spending/procurement?buyer={}&year={}",
            crate::listing::query::encode(&r.department),
            r.fiscal_year
        ),
        paid_href: format!("{href}#payments-h"),
        budget_href: format!("#department-{}-{}", r.department_id, r.currency),
        name,
        href,
        is_city: false,
        currency: r.currency.clone(),
        approved: or_not_reported(r.approved.as_ref(), c),
        adjusted: or_not_reported(r.adjusted.as_ref(), c),
        executed: or_not_reported(r.executed_reported.as_ref(), c),
        committed: figure(&r.committed),
        paid: figure(&r.paid),
        paid_parts: paid_parts(
            &r.paid_ocds,
            &r.paid_ocds_evidenced_on_ledger,
            &r.paid_ledger,
            c,
        ),
        gap: or_not_reported(r.executed_not_evidenced.as_ref(), c),
    }
}

fn city_row(t: &CityTotals) -> ExecutedRow {
    let c = t.currency.as_str();
    ExecutedRow {
        name: "The city".into(),
        href: String::new(),
        is_city: true,
        currency: t.currency.clone(),
        approved: or_not_reported(t.approved.as_ref(), c),
        adjusted: or_not_reported(t.adjusted.as_ref(), c),
        executed: or_not_reported(t.executed_reported.as_ref(), c),
        committed: figure(&t.committed),
        paid: figure(&t.paid),
        paid_parts: paid_parts(
            &t.paid_ocds,
            &t.paid_ocds_evidenced_on_ledger,
            &t.paid_ledger,
            c,
        ),
        gap: or_not_reported(t.executed_not_evidenced.as_ref(), c),
        budget_href: "#budget-h".into(),
        committed_href: format!("/spending/procurement?year={}", t.fiscal_year),
        paid_href: format!("/spending/procurement?year={}", t.fiscal_year),
    }
}
