//! Follow the money: from one budget line to the contracts committed on it, their payments,
//! the shipments delivered under them (`shipment_lines.contract_ocid`), the lots delivered, and
//! each lot's origin site and the input lots it was made from (`lot_transformations`), as one
//! tree the explorer renders. Every level is bounded by [`MoneyTrailLimits`] and says when it
//! was cut.
//!
//! Embodied carbon is not part of the tree yet: each lot carries its id, for the carbon
//! computation (docs/methods/carbon.md) to be joined on.

mod load;
mod lots;

use std::collections::{BTreeMap, BTreeSet};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::budget::{load_budget_amounts, BudgetAmount, BudgetFilter, BudgetRules};
use super::commitments::{load_commitments, place_commitments, BudgetLink, LineIndex, LineKey};
use super::money::FiscalCalendar;
use super::payments::{payments_of, total_in, Payment, ProcessScope};

/// How far the tree goes: `[methods.spending.follow_the_money]` in `citytrace.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoneyTrailLimits {
    /// Contracting processes under the budget line.
    pub max_processes: usize,
    /// Shipment lines per process.
    pub max_shipment_lines: usize,
    /// Distinct lots per process.
    pub max_lots: usize,
    /// Levels of input lots below a delivered lot (0: none).
    pub max_input_depth: usize,
    /// Input lots shown per lot.
    pub max_inputs_per_lot: usize,
}

impl Default for MoneyTrailLimits {
    fn default() -> Self {
        Self {
            max_processes: 50,
            max_shipment_lines: 500,
            max_lots: 100,
            max_input_depth: 3,
            max_inputs_per_lot: 20,
        }
    }
}

/// The budget line the trail starts from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetLineSummary {
    pub fiscal_year: i32,
    pub budget_line_id: String,
    pub department_id: i64,
    pub department: String,
    pub program: Option<String>,
    pub cofog: String,
    pub currency: String,
    pub approved: Option<BigDecimal>,
    pub adjusted: Option<BigDecimal>,
    pub executed_reported: Option<BigDecimal>,
    /// How many budget classifications (program + COFOG) the department has that year and
    /// currency: with more than one, contracts cannot be put on one line
    /// ([`BudgetLink::DepartmentYear`]).
    pub department_classifications: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractTrail {
    pub contract_id: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub committed_at: Option<DateTime<Utc>>,
    pub suppliers: Vec<PartyRef>,
    pub payments: Vec<Payment>,
    /// The payments in the contract's currency, summed.
    pub paid: BigDecimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShipmentLineTrail {
    pub line: i32,
    pub line_no: i32,
    pub lot_id: i64,
    pub lot_code: String,
    pub product_name: String,
    pub quantity: BigDecimal,
    pub unit: String,
}

/// A shipment (one supplier's shipment id in one import batch) delivered under the process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShipmentTrail {
    pub batch_id: i64,
    pub submitter: String,
    pub shipment_code: String,
    pub purchase_order: Option<String>,
    pub from_site: Option<SiteRef>,
    pub to_site: Option<SiteRef>,
    pub shipped_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub lines: Vec<ShipmentLineTrail>,
}

/// An input lot a lot was made from (one `production_inputs` line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotInput {
    pub quantity: BigDecimal,
    pub unit: String,
    pub production_code: String,
    pub produced_at: DateTime<Utc>,
    pub lot: LotTrail,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotTrail {
    pub lot_id: i64,
    pub code: String,
    pub product: String,
    /// The product's declared unit.
    pub product_unit: String,
    pub supplier: Option<PartyRef>,
    pub origin_site: Option<SiteRef>,
    /// Quantities delivered under the process, per unit (delivered lots only).
    pub delivered: Vec<(BigDecimal, String)>,
    pub inputs: Vec<LotInput>,
    /// True when inputs exist beyond the depth or count limits.
    pub inputs_truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessTrail {
    pub ocid: String,
    pub title: Option<String>,
    /// How the process's contracts are tied to the budget line.
    pub link: BudgetLink,
    pub contracts: Vec<ContractTrail>,
    /// Ledger payments naming the process when it has several contracts.
    pub process_payments: Vec<Payment>,
    pub shipments: Vec<ShipmentTrail>,
    pub shipment_lines_truncated: bool,
    pub lots: Vec<LotTrail>,
    pub lots_truncated: bool,
}

/// The whole trail from one budget line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoneyTrail {
    pub budget_line: BudgetLineSummary,
    pub processes: Vec<ProcessTrail>,
    pub processes_truncated: bool,
}

fn summary(
    line_id: &str,
    amounts: &[BudgetAmount],
    classifications: usize,
) -> Option<BudgetLineSummary> {
    let rows: Vec<&BudgetAmount> = amounts
        .iter()
        .filter(|a| a.budget_line_id == line_id)
        .collect();
    let rank = |phase: &str| {
        ["executed", "proposed", "approved", "adjusted"]
            .iter()
            .position(|p| *p == phase)
    };
    let first = rows.iter().max_by_key(|a| rank(&a.phase))?;
    let sum = |phase: &str| -> Option<BigDecimal> {
        let matching: Vec<&BigDecimal> = rows
            .iter()
            .filter(|a| a.phase == phase && a.currency == first.currency)
            .map(|a| &a.amount)
            .collect();
        (!matching.is_empty()).then(|| matching.into_iter().sum())
    };
    Some(BudgetLineSummary {
        fiscal_year: first.fiscal_year,
        budget_line_id: line_id.to_owned(),
        department_id: first.department_id,
        department: first.department.clone(),
        program: first.program.clone(),
        cofog: first.cofog.clone(),
        currency: first.currency.clone(),
        approved: sum("approved"),
        adjusted: sum("adjusted"),
        executed_reported: sum("executed"),
        department_classifications: classifications,
    })
}

/// The trail from budget line `budget_line_id` of `fiscal_year`; None when no expenditure line
/// has that id in that year.
pub fn follow_the_money(
    conn: &mut PgConnection,
    fiscal_year: i32,
    budget_line_id: &str,
    rules: &BudgetRules,
    limits: &MoneyTrailLimits,
) -> QueryResult<Option<MoneyTrail>> {
    let Some(department_id) = load::department_of_line(conn, fiscal_year, budget_line_id)? else {
        return Ok(None);
    };
    let filter = BudgetFilter {
        fiscal_year: Some(fiscal_year),
        department_id: Some(department_id),
    };
    let amounts = load_budget_amounts(conn, &filter)?;
    let classification_of = |a: &BudgetAmount| LineKey {
        fiscal_year: a.fiscal_year,
        department_id: a.department_id,
        program: a.program.clone(),
        cofog: a.cofog.clone(),
        currency: a.currency.clone(),
    };
    let Some(probe) = summary(budget_line_id, &amounts, 0) else {
        return Ok(None);
    };
    let key = LineKey {
        fiscal_year,
        department_id,
        program: probe.program.clone(),
        cofog: probe.cofog.clone(),
        currency: probe.currency.clone(),
    };
    // The classification of each line, read from its highest phase (as budget vs actual does).
    let mut per_line: BTreeMap<&str, &BudgetAmount> = BTreeMap::new();
    for a in &amounts {
        let rank = |p: &str| {
            ["executed", "proposed", "approved", "adjusted"]
                .iter()
                .position(|x| *x == p)
        };
        let entry = per_line.entry(a.budget_line_id.as_str()).or_insert(a);
        if rank(&a.phase) > rank(&entry.phase) {
            *entry = a;
        }
    }
    let classifications: BTreeSet<LineKey> =
        per_line.values().map(|a| classification_of(a)).collect();
    let index = LineIndex::new(per_line.iter().map(|(id, a)| (*id, classification_of(a))));
    let department_classifications = classifications
        .iter()
        .filter(|k| k.department() == key.department())
        .count();
    let Some(budget_line) = summary(budget_line_id, &amounts, department_classifications) else {
        return Ok(None);
    };

    let commitments = load_commitments(conn, Some(department_id))?;
    let placements = place_commitments(
        &commitments,
        &index,
        FiscalCalendar::new(rules.fiscal_year_start_month),
    );
    // Contracts on this line, and (when the department has several classifications) the
    // department's contracts of the year that could not be put on a line.
    let mut by_process: BTreeMap<String, Vec<&super::Commitment>> = BTreeMap::new();
    let mut links: BTreeMap<String, BudgetLink> = BTreeMap::new();
    for c in &commitments {
        let Some(p) = placements.get(&(c.ocid.clone(), c.contract_id.clone())) else {
            continue;
        };
        let on_line = p.line.as_ref() == Some(&key);
        let on_department = p.line.is_none() && p.department == key.department();
        if on_line || on_department {
            by_process.entry(c.ocid.clone()).or_default().push(c);
            links.entry(c.ocid.clone()).or_insert(p.link);
        }
    }
    let processes_truncated = by_process.len() > limits.max_processes;
    let ocids: Vec<String> = by_process
        .keys()
        .take(limits.max_processes)
        .cloned()
        .collect();
    let mut payments: BTreeMap<String, Vec<Payment>> = BTreeMap::new();
    if !ocids.is_empty() {
        for p in payments_of(conn, &ProcessScope::Ocids(ocids.clone()))? {
            payments.entry(p.ocid.clone()).or_default().push(p);
        }
    }
    let titles = load::process_titles(conn, &ocids)?;
    let mut processes = Vec::new();
    for ocid in &ocids {
        let process_payments = payments.remove(ocid).unwrap_or_default();
        let mut contracts = Vec::new();
        for c in by_process.get(ocid).map(Vec::as_slice).unwrap_or_default() {
            let own: Vec<Payment> = process_payments
                .iter()
                .filter(|p| p.contract_id.as_deref() == Some(c.contract_id.as_str()))
                .cloned()
                .collect();
            let refs: Vec<&Payment> = own.iter().collect();
            let (paid, _) = total_in(&refs, c.currency.as_deref());
            contracts.push(ContractTrail {
                contract_id: c.contract_id.clone(),
                title: c.title.clone(),
                status: c.status.clone(),
                value: c.value.clone(),
                currency: c.currency.clone(),
                committed_at: c.committed_at,
                suppliers: load::contract_suppliers(conn, ocid, &c.contract_id)?,
                payments: own,
                paid,
            });
        }
        let unassigned: Vec<Payment> = process_payments
            .into_iter()
            .filter(|p| p.contract_id.is_none())
            .collect();
        let (shipments, shipment_lines_truncated) =
            load::shipments_under(conn, ocid, limits.max_shipment_lines)?;
        let (lots, lots_truncated) = lots::delivered_lots(conn, &shipments, limits)?;
        processes.push(ProcessTrail {
            ocid: ocid.clone(),
            title: titles.get(ocid).cloned().flatten(),
            link: links.get(ocid).copied().unwrap_or(BudgetLink::Line),
            contracts,
            process_payments: unassigned,
            shipments,
            shipment_lines_truncated,
            lots,
            lots_truncated,
        });
    }
    Ok(Some(MoneyTrail {
        budget_line,
        processes,
        processes_truncated,
    }))
}
