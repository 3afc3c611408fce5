//! Budget vs actual over hand-built budget amounts, contracts and payments.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};

use super::*;
use crate::spending::commitments::Commitment;
use crate::spending::payments::{Payment, PaymentSource};

fn d(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn amount(
    department: (i64, &str),
    line: &str,
    phase: &str,
    cofog: &str,
    value: &str,
) -> BudgetAmount {
    BudgetAmount {
        fiscal_year: 2026,
        budget_line_id: line.to_owned(),
        phase: phase.to_owned(),
        department_id: department.0,
        department: department.1.to_owned(),
        program: Some(format!("program {cofog}")),
        cofog: cofog.to_owned(),
        amount: d(value),
        currency: "EUR".into(),
    }
}

const WORKS: (i64, &str) = (10, "DEPT-WORKS");
const ENV: (i64, &str) = (20, "DEPT-ENV");

fn contract(ocid: &str, buyer: i64, signed: &str, value: &str, currency: &str) -> Commitment {
    Commitment {
        ocid: ocid.to_owned(),
        contract_id: "c1".into(),
        title: None,
        status: Some("active".into()),
        buyer_id: buyer,
        committed_at: Some(at(signed)),
        value: Some(d(value)),
        currency: Some(currency.to_owned()),
        budget_line_ids: Vec::new(),
    }
}

fn payment(ocid: &str, contract: Option<&str>, value: &str, ledger: bool, when: &str) -> Payment {
    Payment {
        ocid: ocid.to_owned(),
        contract_id: contract.map(str::to_owned),
        source: if ledger {
            PaymentSource::Ledger {
                payment_id: "0x01".into(),
                chain_id: 1,
                block_number: 1,
                tx_hash: "0x02".into(),
                log_index: 0,
                finality: "final".into(),
            }
        } else {
            PaymentSource::OcdsTransaction {
                transaction_id: "t1".into(),
                batch_id: 1,
                line: 1,
            }
        },
        paid_at: Some(at(when)),
        amount: d(value),
        currency: Some("EUR".into()),
        payee: None,
        budget_line_id: None,
        evidence: None,
    }
}

fn line<'a>(rows: &'a [BudgetVsActual], department: i64, cofog: &str) -> &'a BudgetVsActual {
    rows.iter()
        .find(|r| {
            r.department_id == department
                && matches!(&r.scope, BudgetScope::Line { cofog: c, .. } if c == cofog)
        })
        .unwrap()
}

fn department(rows: &[BudgetVsActual], id: i64, year: i32, currency: &str) -> BudgetVsActual {
    rows.iter()
        .find(|r| {
            r.department_id == id
                && r.fiscal_year == year
                && r.currency == currency
                && r.scope == BudgetScope::Department
        })
        .unwrap()
        .clone()
}

const DURING: &str = "2026-07-01T00:00:00Z";

#[test]
fn nothing_in_nothing_out() {
    let rows = compare(&[], &[], &[], &[], &BudgetRules::default(), at(DURING));
    assert!(rows.is_empty());
}

#[test]
fn budgets_are_adjusted_else_approved_per_line() {
    // Bridges: approved 1,000,000, adjusted 1,200,000, executed 900,000. Schools: approved
    // 500,000 only. Department budget = 1,200,000 + 500,000 = 1,700,000; approved in all
    // 1,500,000; adjusted in all 1,700,000 (Schools, not adjusted, keeps its approved figure).
    let amounts = vec![
        amount(WORKS, "PW-01", "approved", "04.5", "1000000"),
        amount(WORKS, "PW-01", "adjusted", "04.5", "1200000"),
        amount(WORKS, "PW-01", "executed", "04.5", "900000"),
        amount(WORKS, "PW-02", "approved", "09.1", "500000"),
        amount(WORKS, "PW-02", "proposed", "09.1", "650000"),
    ];
    let rows = compare(&amounts, &[], &[], &[], &BudgetRules::default(), at(DURING));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].scope, BudgetScope::Department);
    let total = department(&rows, 10, 2026, "EUR");
    assert_eq!(total.budget, Some(d("1700000")));
    assert_eq!(total.approved, Some(d("1500000")));
    assert_eq!(total.adjusted, Some(d("1700000")));
    assert_eq!(total.executed_reported, Some(d("900000")));
    assert_eq!(total.department, "DEPT-WORKS");
    let bridges = line(&rows, 10, "04.5");
    assert_eq!(bridges.budget, Some(d("1200000")));
    assert_eq!(
        bridges.scope,
        BudgetScope::Line {
            cofog: "04.5".into(),
            program: Some("program 04.5".into()),
            budget_line_ids: vec!["PW-01".into()],
        }
    );
    let schools = line(&rows, 10, "09.1");
    assert_eq!(schools.budget, Some(d("500000")));
    assert_eq!(schools.adjusted, None);
    // No spending during the year: no flag.
    assert!(rows.iter().all(|r| r.flags.is_empty()));
}

#[test]
fn a_line_without_an_adjustment_keeps_its_approved_figure_in_the_adjusted_total() {
    // Public Health as on the demo: one of three lines adjusted (546,000 against 500,000
    // approved), the others approved only (4,000,000 and 2,900,000). Adjusted in all:
    // 546,000 + 4,000,000 + 2,900,000 = 7,446,000, not 546,000. Without any adjustment there
    // is no adjusted total. The line row grouping two lines of one program does the same.
    const HEALTH: (i64, &str) = (30, "DEPT-HEALTH");
    let amounts = vec![
        amount(HEALTH, "PH-01", "approved", "07.4", "500000"),
        amount(HEALTH, "PH-01", "adjusted", "07.4", "546000"),
        amount(HEALTH, "PH-02", "approved", "07.4", "4000000"),
        amount(HEALTH, "PH-03", "approved", "07.3", "2900000"),
        amount(WORKS, "PW-01", "approved", "04.5", "1000"),
    ];
    let rows = compare(&amounts, &[], &[], &[], &BudgetRules::default(), at(DURING));
    let health = department(&rows, 30, 2026, "EUR");
    assert_eq!(health.approved, Some(d("7400000")));
    assert_eq!(health.adjusted, Some(d("7446000")));
    assert_eq!(health.budget, Some(d("7446000")));
    let prevention = line(&rows, 30, "07.4");
    assert_eq!(prevention.adjusted, Some(d("4546000")));
    assert_eq!(line(&rows, 30, "07.3").adjusted, None);
    assert_eq!(department(&rows, 10, 2026, "EUR").adjusted, None);
}

#[test]
fn a_department_with_one_line_gets_its_contracts_on_it() {
    // DEPT-ENV has one line (05.1, 300,000). Contract of 320,000 signed in 2026: on that line,
    // 320,000 > 300,000 → overspend (committed), on the line and the department.
    let amounts = vec![amount(ENV, "EN-01", "approved", "05.1", "300000")];
    let commitments = vec![contract(
        "ocds-env001-1",
        20,
        "2026-05-01T10:00:00Z",
        "320000",
        "EUR",
    )];
    let payments = vec![
        payment(
            "ocds-env001-1",
            Some("c1"),
            "100000",
            false,
            "2026-06-01T00:00:00Z",
        ),
        payment(
            "ocds-env001-1",
            Some("c1"),
            "50000",
            true,
            "2026-07-01T00:00:00Z",
        ),
    ];
    let rules = BudgetRules::default();
    let rows = compare(&amounts, &commitments, &payments, &[], &rules, at(DURING));
    let waste = line(&rows, 20, "05.1");
    assert_eq!(waste.committed, d("320000"));
    assert_eq!(waste.paid, d("150000"));
    assert_eq!(waste.paid_ocds, d("100000"));
    assert_eq!(waste.paid_ledger, d("50000"));
    assert_eq!(
        waste.contracts,
        vec![("ocds-env001-1".to_owned(), "c1".to_owned())]
    );
    let overspend = &waste.flags[0];
    assert_eq!(overspend.kind, BudgetFlagKind::Overspend);
    assert_eq!(overspend.figures[0].value, "300000");
    assert_eq!(overspend.figures[1].name, "committed");
    assert_eq!(overspend.figures[1].value, "320000");
    assert_eq!(
        overspend.figures.len(),
        3,
        "paid 150,000 is under the budget"
    );
    let total = department(&rows, 20, 2026, "EUR");
    assert_eq!(total.committed, d("320000"));
    assert_eq!(total.unallocated_committed, d("0"));
    assert!(total.has_flag(BudgetFlagKind::Overspend));

    // Exactly the budget is no overspend; with a 10 % tolerance, 330,000 is allowed.
    let exact = vec![contract(
        "ocds-env001-1",
        20,
        "2026-05-01T10:00:00Z",
        "300000",
        "EUR",
    )];
    let rows = compare(&amounts, &exact, &[], &[], &rules, at(DURING));
    assert!(!line(&rows, 20, "05.1").has_flag(BudgetFlagKind::Overspend));
    let tolerant = BudgetRules {
        overspend_tolerance_percent: d("10"),
        ..BudgetRules::default()
    };
    let rows = compare(&amounts, &commitments, &[], &[], &tolerant, at(DURING));
    assert!(!line(&rows, 20, "05.1").has_flag(BudgetFlagKind::Overspend));
}

#[test]
fn several_classifications_leave_contracts_on_the_department() {
    // DEPT-WORKS has two classifications in 2026: a contract of 800,000 cannot be put on one;
    // it counts for the department (unallocated), not for either line.
    let amounts = vec![
        amount(WORKS, "PW-01", "approved", "04.5", "1000000"),
        amount(WORKS, "PW-02", "approved", "09.1", "500000"),
    ];
    let commitments = vec![contract(
        "ocds-pw0001-1",
        10,
        "2026-03-10T00:00:00Z",
        "800000",
        "EUR",
    )];
    let payments = vec![payment(
        "ocds-pw0001-1",
        Some("c1"),
        "200000",
        false,
        DURING,
    )];
    let rows = compare(
        &amounts,
        &commitments,
        &payments,
        &[],
        &BudgetRules::default(),
        at(DURING),
    );
    let total = department(&rows, 10, 2026, "EUR");
    assert_eq!(total.committed, d("800000"));
    assert_eq!(total.unallocated_committed, d("800000"));
    assert_eq!(total.paid, d("200000"));
    assert_eq!(total.unallocated_paid, d("200000"));
    assert_eq!(line(&rows, 10, "04.5").committed, d("0"));
    assert_eq!(line(&rows, 10, "09.1").paid, d("0"));
    // 800,000 of 1,500,000: no flag.
    assert!(total.flags.is_empty());
}

#[test]
fn unspent_is_judged_after_the_year_ends() {
    // Budget 300,000; paid 150,000 = 50 % < 85 %.
    let amounts = vec![amount(ENV, "EN-01", "approved", "05.1", "300000")];
    let commitments = vec![contract(
        "ocds-env001-1",
        20,
        "2026-05-01T00:00:00Z",
        "300000",
        "EUR",
    )];
    let paid = |value: &str| vec![payment("ocds-env001-1", Some("c1"), value, false, DURING)];
    let rules = BudgetRules::default();
    // One second before 1 January 2027 the year is not over.
    let rows = compare(
        &amounts,
        &commitments,
        &paid("150000"),
        &[],
        &rules,
        at("2026-12-31T23:59:59Z"),
    );
    assert!(line(&rows, 20, "05.1").flags.is_empty());
    let rows = compare(
        &amounts,
        &commitments,
        &paid("150000"),
        &[],
        &rules,
        at("2027-01-01T00:00:00Z"),
    );
    let flag = &line(&rows, 20, "05.1").flags[0];
    assert_eq!(flag.kind, BudgetFlagKind::Unspent);
    assert_eq!(flag.figures[2].name, "paid %");
    assert_eq!(flag.figures[2].value, "50");
    // 255,000 is exactly 85 %: not below. 254,999.99 is.
    let rows = compare(
        &amounts,
        &commitments,
        &paid("255000"),
        &[],
        &rules,
        at("2027-02-01T00:00:00Z"),
    );
    assert!(line(&rows, 20, "05.1").flags.is_empty());
    let rows = compare(
        &amounts,
        &commitments,
        &paid("254999.99"),
        &[],
        &rules,
        at("2027-02-01T00:00:00Z"),
    );
    assert!(line(&rows, 20, "05.1").has_flag(BudgetFlagKind::Unspent));
    // 30 grace days: judged from 31 January 2027.
    let grace = BudgetRules {
        unspent_grace_days: 30,
        ..BudgetRules::default()
    };
    let rows = compare(
        &amounts,
        &commitments,
        &paid("150000"),
        &[],
        &grace,
        at("2027-01-30T23:59:59Z"),
    );
    assert!(line(&rows, 20, "05.1").flags.is_empty());
    let rows = compare(
        &amounts,
        &commitments,
        &paid("150000"),
        &[],
        &grace,
        at("2027-01-31T00:00:00Z"),
    );
    assert!(line(&rows, 20, "05.1").has_flag(BudgetFlagKind::Unspent));
}

#[test]
fn contracts_without_a_budget_and_those_that_commit_nothing() {
    let amounts = vec![amount(ENV, "EN-01", "approved", "05.1", "300000")];
    let mut cancelled = contract("ocds-env001-2", 20, "2026-05-01T00:00:00Z", "90000", "EUR");
    cancelled.status = Some("cancelled".into());
    let mut pending = contract("ocds-env001-3", 20, "2026-05-01T00:00:00Z", "80000", "EUR");
    pending.status = Some("pending".into());
    let mut undated = contract("ocds-env001-4", 20, "2026-05-01T00:00:00Z", "70000", "EUR");
    undated.committed_at = None;
    let commitments = vec![
        // Signed one second before 2026: fiscal year 2025, which has no budget.
        contract("ocds-env001-1", 20, "2025-12-31T23:59:59Z", "40000", "EUR"),
        // A GBP contract: the department has no GBP budget.
        contract("ocds-env001-5", 20, "2026-05-01T00:00:00Z", "1000", "GBP"),
        cancelled,
        pending,
        undated,
    ];
    let rows = compare(
        &amounts,
        &commitments,
        &[],
        &[],
        &BudgetRules::default(),
        at(DURING),
    );
    let fy2025 = department(&rows, 20, 2025, "EUR");
    assert_eq!(fy2025.committed, d("40000"));
    assert_eq!(fy2025.budget, None);
    assert_eq!(fy2025.flags[0].kind, BudgetFlagKind::UnbudgetedSpending);
    let gbp = department(&rows, 20, 2026, "GBP");
    assert_eq!(gbp.committed, d("1000"));
    assert!(gbp.has_flag(BudgetFlagKind::UnbudgetedSpending));
    // Cancelled, pending and undated contracts commit nothing.
    let eur = department(&rows, 20, 2026, "EUR");
    assert_eq!(eur.committed, d("0"));
    assert!(eur.flags.is_empty());
}

#[test]
fn the_fiscal_year_start_month_moves_contracts_between_years() {
    // Fiscal years from April: 31 March 2026 is in FY2025, 1 April 2026 in FY2026.
    let mut amounts = vec![amount(ENV, "EN-01", "approved", "05.1", "300000")];
    let mut fy2025 = amount(ENV, "EN-00", "approved", "05.1", "100000");
    fy2025.fiscal_year = 2025;
    amounts.push(fy2025);
    let commitments = vec![
        contract("ocds-env001-1", 20, "2026-03-31T23:00:00Z", "60000", "EUR"),
        contract("ocds-env001-2", 20, "2026-04-01T00:00:00Z", "70000", "EUR"),
    ];
    let rules = BudgetRules {
        fiscal_year_start_month: 4,
        ..BudgetRules::default()
    };
    let rows = compare(&amounts, &commitments, &[], &[], &rules, at(DURING));
    assert_eq!(department(&rows, 20, 2025, "EUR").committed, d("60000"));
    assert_eq!(department(&rows, 20, 2026, "EUR").committed, d("70000"));
}

#[test]
fn ledger_payments_naming_no_process_count_for_their_department() {
    // 20,000 EUR paid on the ledger by DEPT-WORKS with an unknown contract reference, in 2026.
    let amounts = vec![amount(WORKS, "PW-01", "approved", "04.5", "15000")];
    let unlinked = vec![UnlinkedPayment {
        department_id: 10,
        payment: payment("PO-4711", None, "20000", true, "2026-06-01T12:00:00Z"),
    }];
    let rows = compare(
        &amounts,
        &[],
        &[],
        &unlinked,
        &BudgetRules::default(),
        at(DURING),
    );
    let total = department(&rows, 10, 2026, "EUR");
    assert_eq!(total.paid, d("20000"));
    assert_eq!(total.paid_ledger, d("20000"));
    assert_eq!(total.unallocated_paid, d("20000"));
    // 20,000 > 15,000: overspend, by what was paid.
    let flag = &total.flags[0];
    assert_eq!(flag.kind, BudgetFlagKind::Overspend);
    assert_eq!(flag.figures[1].name, "paid");
    assert_eq!(line(&rows, 10, "04.5").paid, d("0"));
}

#[test]
fn ledger_payments_of_a_process_follow_its_contracts() {
    // A process with two contracts on DEPT-ENV's only line; a ledger payment naming the process
    // goes where both contracts are.
    let amounts = vec![amount(ENV, "EN-01", "approved", "05.1", "300000")];
    let mut second = contract("ocds-env001-1", 20, "2026-06-01T00:00:00Z", "50000", "EUR");
    second.contract_id = "c2".into();
    let commitments = vec![
        contract("ocds-env001-1", 20, "2026-05-01T00:00:00Z", "100000", "EUR"),
        second,
    ];
    let payments = vec![payment("ocds-env001-1", None, "30000", true, DURING)];
    let rows = compare(
        &amounts,
        &commitments,
        &payments,
        &[],
        &BudgetRules::default(),
        at(DURING),
    );
    assert_eq!(line(&rows, 20, "05.1").committed, d("150000"));
    assert_eq!(line(&rows, 20, "05.1").paid_ledger, d("30000"));
    assert_eq!(department(&rows, 20, 2026, "EUR").unallocated_paid, d("0"));
}
