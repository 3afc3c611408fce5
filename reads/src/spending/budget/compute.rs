//! The comparison itself: a pure function over the budget amounts, the contracts, their
//! payments and the ledger payments that name no known process.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::{BigDecimal, Zero};
use chrono::{DateTime, Duration, Utc};

use super::{BudgetFlag, BudgetFlagKind, BudgetRules, BudgetScope, BudgetVsActual};
use crate::spending::commitments::{
    place_commitments, place_process, Commitment, DepartmentKey, LineIndex, LineKey, Placement,
};
use crate::spending::money::{below_percent_of, exceeds_by_more_than, percent, FiscalCalendar};
use crate::spending::payments::Payment;
use crate::spending::{Figure, FigureReading, Money};

/// One amount of `budget_lines` (expenditure): a line, year and phase.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetAmount {
    pub fiscal_year: i32,
    pub budget_line_id: String,
    /// `proposed`, `approved`, `adjusted` or `executed`.
    pub phase: String,
    pub department_id: i64,
    pub department: String,
    pub program: Option<String>,
    pub cofog: String,
    pub amount: BigDecimal,
    pub currency: String,
}

/// A CityTreasury payment whose `contractRef` names no known process, put on the department
/// its `department` text names.
#[derive(Debug, Clone, PartialEq)]
pub struct UnlinkedPayment {
    pub department_id: i64,
    pub payment: Payment,
}

/// One budget line in one year and currency, its phases summed.
#[derive(Default)]
struct LineTotals {
    department: String,
    program: Option<String>,
    cofog: String,
    /// The phase the classification was read from (adjusted > approved > proposed > executed).
    rank: u8,
    approved: Option<BigDecimal>,
    adjusted: Option<BigDecimal>,
    executed: Option<BigDecimal>,
}

fn add(total: &mut Option<BigDecimal>, amount: &BigDecimal) {
    *total = Some(total.take().unwrap_or_default() + amount);
}

fn phase_rank(phase: &str) -> u8 {
    match phase {
        "adjusted" => 4,
        "approved" => 3,
        "proposed" => 2,
        _ => 1,
    }
}

fn new_row(key: &DepartmentKey, department: &str, scope: BudgetScope) -> BudgetVsActual {
    BudgetVsActual {
        fiscal_year: key.fiscal_year,
        department_id: key.department_id,
        department: department.to_owned(),
        scope,
        currency: key.currency.clone(),
        approved: None,
        adjusted: None,
        budget: None,
        executed_reported: None,
        committed: BigDecimal::zero(),
        paid: BigDecimal::zero(),
        paid_ocds: BigDecimal::zero(),
        paid_ocds_evidenced_on_ledger: BigDecimal::zero(),
        paid_ledger: BigDecimal::zero(),
        executed_not_evidenced: None,
        unallocated_committed: BigDecimal::zero(),
        unallocated_paid: BigDecimal::zero(),
        committed_not_attributable: false,
        paid_not_attributable: false,
        contracts: Vec::new(),
        flags: Vec::new(),
    }
}

/// Adds a line's phases to a row. The adjusted total is the budget as adjusted: once one of
/// the row's lines has an adjustment, every line counts in it with its adjusted amount, else
/// its approved amount (a line nobody adjusted keeps its approved budget); it is the same sum
/// as `budget`, and None while no line has an adjustment.
fn add_budget(row: &mut BudgetVsActual, line: &LineTotals) {
    if let Some(a) = &line.approved {
        add(&mut row.approved, a);
    }
    if let Some(b) = line.adjusted.as_ref().or(line.approved.as_ref()) {
        add(&mut row.budget, b);
    }
    if line.adjusted.is_some() || row.adjusted.is_some() {
        row.adjusted.clone_from(&row.budget);
    }
    if let Some(e) = &line.executed {
        add(&mut row.executed_reported, e);
    }
}

fn add_payment(row: &mut BudgetVsActual, payment: &Payment, unallocated: bool) {
    row.paid += &payment.amount;
    if payment.is_ledger() {
        row.paid_ledger += &payment.amount;
    } else {
        row.paid_ocds += &payment.amount;
        if payment.evidence.is_some() {
            row.paid_ocds_evidenced_on_ledger += &payment.amount;
        }
    }
    if unallocated {
        row.unallocated_paid += &payment.amount;
    }
}

/// Budget vs actual: department rows, then line rows, by year, department and currency.
pub fn compare(
    amounts: &[BudgetAmount],
    commitments: &[Commitment],
    payments: &[Payment],
    unlinked: &[UnlinkedPayment],
    rules: &BudgetRules,
    as_of: DateTime<Utc>,
) -> Vec<BudgetVsActual> {
    let calendar = FiscalCalendar::new(rules.fiscal_year_start_month);
    // Each budget line's phases, and its classification.
    let mut lines: BTreeMap<(i32, i64, String, String), LineTotals> = BTreeMap::new();
    for a in amounts {
        let key = (
            a.fiscal_year,
            a.department_id,
            a.budget_line_id.clone(),
            a.currency.clone(),
        );
        let line = lines.entry(key).or_default();
        let rank = phase_rank(&a.phase);
        if rank > line.rank {
            line.rank = rank;
            line.department.clone_from(&a.department);
            line.program.clone_from(&a.program);
            line.cofog.clone_from(&a.cofog);
        }
        match a.phase.as_str() {
            "approved" => add(&mut line.approved, &a.amount),
            "adjusted" => add(&mut line.adjusted, &a.amount),
            "executed" => add(&mut line.executed, &a.amount),
            _ => {}
        }
    }
    let mut line_rows: BTreeMap<LineKey, BudgetVsActual> = BTreeMap::new();
    let mut department_rows: BTreeMap<DepartmentKey, BudgetVsActual> = BTreeMap::new();
    for ((fiscal_year, department_id, line_id, currency), line) in &lines {
        let key = LineKey {
            fiscal_year: *fiscal_year,
            department_id: *department_id,
            program: line.program.clone(),
            cofog: line.cofog.clone(),
            currency: currency.clone(),
        };
        let row = line_rows.entry(key.clone()).or_insert_with(|| {
            let scope = BudgetScope::Line {
                cofog: line.cofog.clone(),
                program: line.program.clone(),
                budget_line_ids: Vec::new(),
            };
            new_row(&key.department(), &line.department, scope)
        });
        add_budget(row, line);
        if let BudgetScope::Line {
            budget_line_ids, ..
        } = &mut row.scope
        {
            budget_line_ids.push(line_id.clone());
        }
        let department = department_rows.entry(key.department()).or_insert_with(|| {
            new_row(&key.department(), &line.department, BudgetScope::Department)
        });
        add_budget(department, line);
    }

    // Commitments, on their line by the rules of `commitments`.
    let index = LineIndex::new(lines.iter().map(|((year, department, id, currency), l)| {
        let key = LineKey {
            fiscal_year: *year,
            department_id: *department,
            program: l.program.clone(),
            cofog: l.cofog.clone(),
            currency: currency.clone(),
        };
        (id.as_str(), key)
    }));
    let placements = place_commitments(commitments, &index, calendar);
    for c in commitments {
        let id = (c.ocid.clone(), c.contract_id.clone());
        let (Some(placement), Some(value)) = (placements.get(&id), &c.value) else {
            continue;
        };
        let department = department_rows
            .entry(placement.department.clone())
            .or_insert_with(|| new_row(&placement.department, "", BudgetScope::Department));
        department.committed += value;
        department.contracts.push(id.clone());
        match placement.line.as_ref().and_then(|k| line_rows.get_mut(k)) {
            Some(line) => {
                line.committed += value;
                line.contracts.push(id);
            }
            None => department.unallocated_committed += value,
        }
    }

    // Payments follow their contract (or their process).
    let mut process_placements: HashMap<String, Option<Placement>> = HashMap::new();
    for p in payments {
        let placement = match &p.contract_id {
            Some(contract_id) => placements
                .get(&(p.ocid.clone(), contract_id.clone()))
                .cloned(),
            None => process_placements
                .entry(p.ocid.clone())
                .or_insert_with(|| place_process(&p.ocid, commitments, &placements))
                .clone(),
        };
        let Some(placement) = placement else { continue };
        if p.currency.as_deref() != Some(placement.department.currency.as_str()) {
            continue;
        }
        let named = named_line(p, &placement.department, &index);
        let line = named
            .or(placement.line.as_ref())
            .and_then(|k| line_rows.get_mut(k));
        let unallocated = line.is_none();
        if let Some(line) = line {
            add_payment(line, p, false);
        }
        if let Some(department) = department_rows.get_mut(&placement.department) {
            add_payment(department, p, unallocated);
        }
    }
    for u in unlinked {
        let (Some(at), Some(currency)) = (u.payment.paid_at, u.payment.currency.clone()) else {
            continue;
        };
        let key = DepartmentKey {
            fiscal_year: calendar.year_of(at),
            department_id: u.department_id,
            currency,
        };
        let line = named_line(&u.payment, &key, &index).and_then(|k| line_rows.get_mut(k));
        let unallocated = line.is_none();
        if let Some(line) = line {
            add_payment(line, &u.payment, false);
        }
        let department = department_rows
            .entry(key.clone())
            .or_insert_with(|| new_row(&key, "", BudgetScope::Department));
        add_payment(department, &u.payment, unallocated);
    }
    mark_not_attributable(&department_rows, &mut line_rows);

    let mut rows: Vec<BudgetVsActual> = department_rows
        .into_values()
        .chain(line_rows.into_values())
        .collect();
    for row in &mut rows {
        row.flags = flags(row, rules, calendar, as_of);
        row.executed_not_evidenced = row.executed_reported.as_ref().map(|e| e - &row.paid);
    }
    rows.sort_by(|a, b| {
        (a.fiscal_year, a.department_id, &a.currency, &a.scope).cmp(&(
            b.fiscal_year,
            b.department_id,
            &b.currency,
            &b.scope,
        ))
    });
    rows
}

/// The budget line a payment names itself (the ledger's budget line id), when it is a line of
/// `department` (its year and currency).
fn named_line<'i>(
    payment: &Payment,
    department: &DepartmentKey,
    index: &'i LineIndex,
) -> Option<&'i LineKey> {
    index.line(department, payment.budget_line_id.as_deref()?)
}

/// A line that got nothing while its department has commitments (payments) that could not be
/// put on a line: its figure is not attributable, not zero.
fn mark_not_attributable(
    departments: &BTreeMap<DepartmentKey, BudgetVsActual>,
    lines: &mut BTreeMap<LineKey, BudgetVsActual>,
) {
    for (key, line) in lines.iter_mut() {
        let Some(department) = departments.get(&key.department()) else {
            continue;
        };
        line.committed_not_attributable =
            line.committed.is_zero() && !department.unallocated_committed.is_zero();
        line.paid_not_attributable = line.paid.is_zero() && !department.unallocated_paid.is_zero();
    }
}

fn flags(
    row: &BudgetVsActual,
    rules: &BudgetRules,
    calendar: FiscalCalendar,
    as_of: DateTime<Utc>,
) -> Vec<BudgetFlag> {
    const BUDGET_SOURCE: &str = "budget_lines.amount (adjusted phase, else approved)";
    // Amounts keep their exact plain value; the reading adds the row's currency.
    let in_currency = |figure: Figure, amount: &BigDecimal| {
        figure.with(FigureReading::Money(Money::new(
            amount.clone(),
            Some(row.currency.clone()),
        )))
    };
    let committed = || {
        in_currency(
            Figure::amount("committed", &row.committed, "procurement_contracts.value"),
            &row.committed,
        )
    };
    let paid = || {
        in_currency(
            Figure::amount(
                "paid",
                &row.paid,
                "procurement_transactions.value + treasury_payments.amount_minor",
            ),
            &row.paid,
        )
    };
    let budget_figure =
        |budget: &BigDecimal| in_currency(Figure::amount("budget", budget, BUDGET_SOURCE), budget);
    let mut flags = Vec::new();
    let Some(budget) = &row.budget else {
        if !row.committed.is_zero() || !row.paid.is_zero() {
            flags.push(BudgetFlag {
                kind: BudgetFlagKind::UnbudgetedSpending,
                figures: vec![committed(), paid()],
            });
        }
        return flags;
    };
    let tolerance = &rules.overspend_tolerance_percent;
    let mut over = Vec::new();
    if exceeds_by_more_than(&row.committed, budget, tolerance) {
        over.push(committed());
    }
    if exceeds_by_more_than(&row.paid, budget, tolerance) {
        over.push(paid());
    }
    if !over.is_empty() {
        let mut figures = vec![budget_figure(budget)];
        figures.extend(over);
        figures.push(Figure::amount(
            "tolerance %",
            tolerance,
            "settings: overspend_tolerance_percent",
        ));
        flags.push(BudgetFlag {
            kind: BudgetFlagKind::Overspend,
            figures,
        });
    }
    let judged_from = calendar
        .end_of(row.fiscal_year)
        .map(|end| end + Duration::days(i64::from(rules.unspent_grace_days)));
    let threshold = &rules.unspent_below_percent;
    if let Some(from) = judged_from {
        if budget > &BigDecimal::zero()
            && as_of >= from
            && below_percent_of(&row.paid, budget, threshold)
        {
            flags.push(BudgetFlag {
                kind: BudgetFlagKind::Unspent,
                figures: vec![
                    budget_figure(budget),
                    paid(),
                    Figure::amount(
                        "paid %",
                        &percent(&row.paid, budget).unwrap_or_default(),
                        "paid / budget",
                    ),
                    Figure::amount("threshold %", threshold, "settings: unspent_below_percent"),
                    Figure::time("judged from", from, "end of the fiscal year + grace days"),
                ],
            });
        }
    }
    flags
}
