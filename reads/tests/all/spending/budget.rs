//! Budget vs actual from a budget file, OCDS releases and CityTreasury payments, imported through
//! the real importers into a real PostgreSQL: the city is described in `budget_city.rs`.

use citytrace_reads::spending::{
    budget_vs_actual, BudgetFilter, BudgetFlagKind, BudgetRules, BudgetScope, BudgetVsActual,
};
use serde_json::json;

use super::budget_city::{city, ocid};
use super::fixture::{at, d, eur, release, City, ENV};

/// During fiscal year 2026: the unspent flag is not judged yet.
const DURING: &str = "2026-07-01T00:00:00Z";
/// The first moment after fiscal year 2026 (fiscal years start in January by default).
const AFTER: &str = "2027-01-01T00:00:00Z";

fn year_2026() -> BudgetFilter {
    BudgetFilter {
        fiscal_year: Some(2026),
        department_id: None,
    }
}

fn compare(
    city: &City,
    rules: &BudgetRules,
    filter: &BudgetFilter,
    as_of: &str,
) -> Vec<BudgetVsActual> {
    budget_vs_actual(&mut city.conn(), rules, filter, at(as_of)).unwrap()
}

fn department_row<'a>(rows: &'a [BudgetVsActual], id: i64, currency: &str) -> &'a BudgetVsActual {
    rows.iter()
        .find(|r| {
            r.department_id == id && r.currency == currency && r.scope == BudgetScope::Department
        })
        .unwrap_or_else(|| panic!("no department row {id} {currency}"))
}

fn line_row<'a>(rows: &'a [BudgetVsActual], id: i64, cofog: &str) -> &'a BudgetVsActual {
    rows.iter()
        .find(|r| {
            r.department_id == id
                && matches!(&r.scope, BudgetScope::Line { cofog: c, .. } if c == cofog)
        })
        .unwrap_or_else(|| panic!("no line row {id} {cofog}"))
}

fn kinds(row: &BudgetVsActual) -> Vec<BudgetFlagKind> {
    row.flags.iter().map(|f| f.kind).collect()
}

fn figure<'a>(row: &'a BudgetVsActual, kind: BudgetFlagKind, name: &str) -> &'a str {
    let flag = row.flags.iter().find(|f| f.kind == kind).unwrap();
    let figure = flag.figures.iter().find(|f| f.name == name).unwrap();
    &figure.value
}

#[test]
fn an_empty_database_has_no_budget_rows() {
    let city = City::new();
    let rows = compare(
        &city,
        &BudgetRules::default(),
        &BudgetFilter::default(),
        AFTER,
    );
    assert!(rows.is_empty());
}

#[test]
fn budgets_commitments_and_payments_per_department_and_line() {
    let city = city();
    let env = city.party("XI-CT-ENV");
    let works = city.party("XI-CT-WORKS");
    let rows = compare(&city, &BudgetRules::default(), &year_2026(), DURING);
    // ENV: EUR department, its one line, GBP department; WORKS: EUR department, two lines.
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.fiscal_year == 2026));

    // Environment, EUR. Budget = EN-01's adjusted 330,000 (the revenue line RV-01 is no budget).
    // Committed = E1 200,000 + E2 130,000 = 330,000 (E3 is GBP, E4 is fiscal year 2025).
    // Paid = OCDS 60,000 (tx1) + ledger 40,000.00 (PAY-E1-2) = 100,000: the ledger copy of tx1
    // is left out, and E1's 1,000 GBP transaction is not in the contract's currency.
    let env_rows: Vec<&BudgetVsActual> = rows.iter().filter(|r| r.department_id == env).collect();
    let order: Vec<(&str, bool)> = env_rows
        .iter()
        .map(|r| (r.currency.as_str(), r.scope == BudgetScope::Department))
        .collect();
    assert_eq!(order, [("EUR", true), ("EUR", false), ("GBP", true)]);
    let total = department_row(&rows, env, "EUR");
    assert_eq!(total.department, "XI-CT-ENV");
    assert_eq!(total.approved, Some(d("300000")));
    assert_eq!(total.adjusted, Some(d("330000")));
    assert_eq!(total.budget, Some(d("330000")));
    assert_eq!(total.executed_reported, None);
    assert_eq!(total.committed, d("330000"));
    assert_eq!(total.paid, d("100000"));
    assert_eq!(total.paid_ocds, d("60000"));
    assert_eq!(total.paid_ledger, d("40000"));
    assert_eq!(total.unallocated_committed, d("0"));
    assert_eq!(total.unallocated_paid, d("0"));
    assert_eq!(
        total.contracts,
        [(ocid("e1"), "c1".to_owned()), (ocid("e2"), "c1".to_owned())]
    );
    // Committed 330,000 is exactly the budget: no overspend; the year is not over: no unspent.
    assert!(total.flags.is_empty(), "{:?}", total.flags);
    // Its only classification carries everything.
    let waste = line_row(&rows, env, "05.1");
    assert_eq!(
        waste.scope,
        BudgetScope::Line {
            cofog: "05.1".into(),
            program: Some("Waste collection".into()),
            budget_line_ids: vec!["EN-01".into()],
        }
    );
    assert_eq!(waste.budget, Some(d("330000")));
    assert_eq!(waste.committed, d("330000"));
    assert_eq!(waste.paid, d("100000"));
    assert_eq!(waste.paid_ledger, d("40000"));
    assert!(waste.flags.is_empty());

    // Environment, GBP: no budget in GBP. Committed E3 5,000, paid 2,000, none of it on a line.
    let pounds = department_row(&rows, env, "GBP");
    assert_eq!(pounds.budget, None);
    assert_eq!(pounds.approved, None);
    assert_eq!(pounds.committed, d("5000"));
    assert_eq!(pounds.paid, d("2000"));
    assert_eq!(pounds.paid_ocds, d("2000"));
    assert_eq!(pounds.unallocated_committed, d("5000"));
    assert_eq!(pounds.unallocated_paid, d("2000"));
    assert_eq!(kinds(pounds), [BudgetFlagKind::UnbudgetedSpending]);
    assert_eq!(
        figure(pounds, BudgetFlagKind::UnbudgetedSpending, "committed"),
        "5000"
    );
    assert_eq!(
        figure(pounds, BudgetFlagKind::UnbudgetedSpending, "paid"),
        "2000"
    );

    // Public Works, EUR: two classifications (04.5, 09.1), so W1 cannot be put on one line.
    // Budget = 1,000,000 (PW-01 approved) + 450,000 (PW-02 adjusted) = 1,450,000; approved in
    // all 500,000 + 1,000,000 = 1,500,000; adjusted 1,450,000 too (PW-01, not adjusted, keeps
    // its approved 1,000,000 in the adjusted total). Committed W1 800,000;
    // paid OCDS 200,000 + ledger PO-4711 25,000.00 = 225,000, all unallocated.
    let total = department_row(&rows, works, "EUR");
    assert_eq!(total.department, "XI-CT-WORKS");
    assert_eq!(total.budget, Some(d("1450000")));
    assert_eq!(total.approved, Some(d("1500000")));
    assert_eq!(total.adjusted, Some(d("1450000")));
    assert_eq!(total.executed_reported, Some(d("900000")));
    assert_eq!(total.committed, d("800000"));
    assert_eq!(total.unallocated_committed, d("800000"));
    assert_eq!(total.paid, d("225000"));
    assert_eq!(total.paid_ocds, d("200000"));
    assert_eq!(total.paid_ledger, d("25000"));
    assert_eq!(total.unallocated_paid, d("225000"));
    assert_eq!(total.contracts, [(ocid("w1"), "c1".to_owned())]);
    assert!(total.flags.is_empty());
    let bridges = line_row(&rows, works, "04.5");
    assert_eq!(bridges.budget, Some(d("1000000")));
    assert_eq!(bridges.executed_reported, Some(d("900000")));
    assert_eq!(bridges.committed, d("0"));
    assert_eq!(bridges.paid, d("0"));
    assert!(bridges.contracts.is_empty());
    let schools = line_row(&rows, works, "09.1");
    assert_eq!(schools.approved, Some(d("500000")));
    assert_eq!(schools.adjusted, Some(d("450000")));
    assert_eq!(schools.budget, Some(d("450000")));

    // The "Parks" payment names no party: it is nowhere. Every EUR payment counted sums to
    // 100,000 (ENV) + 225,000 (WORKS) = 325,000.
    let eur_paid: bigdecimal::BigDecimal = rows
        .iter()
        .filter(|r| r.scope == BudgetScope::Department && r.currency == "EUR")
        .map(|r| r.paid.clone())
        .sum();
    assert_eq!(eur_paid, d("325000"));
}

#[test]
fn after_the_year_unspent_budgets_are_flagged() {
    let city = city();
    let env = city.party("XI-CT-ENV");
    let works = city.party("XI-CT-WORKS");
    let rows = compare(&city, &BudgetRules::default(), &year_2026(), AFTER);
    // Environment: paid 100,000 of 330,000 = 30.303… % → 30.30 % < 85 %.
    let total = department_row(&rows, env, "EUR");
    assert_eq!(kinds(total), [BudgetFlagKind::Unspent]);
    assert_eq!(figure(total, BudgetFlagKind::Unspent, "budget"), "330000");
    assert_eq!(figure(total, BudgetFlagKind::Unspent, "paid"), "100000");
    assert_eq!(figure(total, BudgetFlagKind::Unspent, "paid %"), "30.3");
    assert_eq!(figure(total, BudgetFlagKind::Unspent, "threshold %"), "85");
    assert_eq!(
        figure(total, BudgetFlagKind::Unspent, "judged from"),
        "2027-01-01T00:00:00+00:00"
    );
    assert_eq!(
        kinds(line_row(&rows, env, "05.1")),
        [BudgetFlagKind::Unspent]
    );
    // GBP has no budget to leave unspent: still only unbudgeted spending.
    assert_eq!(
        kinds(department_row(&rows, env, "GBP")),
        [BudgetFlagKind::UnbudgetedSpending]
    );
    // Public Works: 225,000 of 1,450,000 = 15.517… % → 15.52 %. Its lines had nothing put on
    // them (W1 and PO-4711 count for the department only): 0 % each.
    let total = department_row(&rows, works, "EUR");
    assert_eq!(figure(total, BudgetFlagKind::Unspent, "paid %"), "15.52");
    for cofog in ["04.5", "09.1"] {
        let line = line_row(&rows, works, cofog);
        assert_eq!(kinds(line), [BudgetFlagKind::Unspent], "{cofog}");
        assert_eq!(figure(line, BudgetFlagKind::Unspent, "paid %"), "0");
    }
    // One second earlier the year is not over: no unspent flag anywhere.
    let rows = compare(
        &city,
        &BudgetRules::default(),
        &year_2026(),
        "2026-12-31T23:59:59Z",
    );
    assert!(rows.iter().all(|r| !r.has_flag(BudgetFlagKind::Unspent)));
}

#[test]
fn unspent_at_and_below_the_threshold() {
    let city = city();
    let env = city.party("XI-CT-ENV");
    let rules = BudgetRules::default();
    // 180,499.99 more paid on the ledger for E2 (one contract: paid under it): 100,000 +
    // 180,499.99 = 280,499.99; 85 % of 330,000 = 280,500: below by one cent → unspent.
    city.ledger_payment(
        "PAY-E2-1",
        &ocid("e2"),
        "Environment",
        18_049_999,
        "2026-10-01T10:00:00Z",
    );
    let rows = compare(&city, &rules, &year_2026(), AFTER);
    let line = line_row(&rows, env, "05.1");
    assert_eq!(line.paid, d("280499.99"));
    assert_eq!(line.paid_ledger, d("220499.99"));
    assert_eq!(kinds(line), [BudgetFlagKind::Unspent]);
    // 280,499.99 × 100 / 330,000 = 84.99999… % → 85.00 when rounded, yet below 85 exactly.
    assert_eq!(figure(line, BudgetFlagKind::Unspent, "paid %"), "85");
    // One cent more: exactly 85 % is not below 85 %.
    city.ledger_payment(
        "PAY-E2-2",
        &ocid("e2"),
        "Environment",
        1,
        "2026-10-02T10:00:00Z",
    );
    let rows = compare(&city, &rules, &year_2026(), AFTER);
    let line = line_row(&rows, env, "05.1");
    assert_eq!(line.paid, d("280500"));
    assert!(line.flags.is_empty(), "{:?}", line.flags);
    // From the settings: unspent below 90 % (297,000 of 330,000, so the 280,500 paid is below
    // it) and 30 grace days for late invoices: judged from 1 January 2027 + 30 days = 31 January.
    let grace: BudgetRules = serde_json::from_value(json!({
        "unspent_below_percent": 90,
        "unspent_grace_days": 30,
    }))
    .unwrap();
    let rows = compare(&city, &grace, &year_2026(), "2027-01-30T23:59:59Z");
    assert!(!line_row(&rows, env, "05.1").has_flag(BudgetFlagKind::Unspent));
    let rows = compare(&city, &grace, &year_2026(), "2027-01-31T00:00:00Z");
    let line = line_row(&rows, env, "05.1");
    assert_eq!(kinds(line), [BudgetFlagKind::Unspent]);
    assert_eq!(
        figure(line, BudgetFlagKind::Unspent, "judged from"),
        "2027-01-31T00:00:00+00:00"
    );
}

#[test]
fn overspend_at_and_above_the_tolerance() {
    let city = city();
    let env = city.party("XI-CT-ENV");
    let amend = |id: &str, value: &str| {
        city.ocds(vec![release(
            &ocid("e2"),
            id,
            "2026-09-01T00:00:00Z",
            "contractAmendment",
            ENV,
            json!({"contracts": [{"id": "c1", "value": eur(value)}]}),
        )]);
    };
    let strict = BudgetRules::default();
    let tolerant: BudgetRules =
        serde_json::from_value(json!({"overspend_tolerance_percent": 10})).unwrap();
    // E2 raised by one cent: committed 200,000 + 130,000.01 = 330,000.01 > 330,000.
    amend("e2-r2", "130000.01");
    let rows = compare(&city, &strict, &year_2026(), DURING);
    for row in [
        department_row(&rows, env, "EUR"),
        line_row(&rows, env, "05.1"),
    ] {
        assert_eq!(kinds(row), [BudgetFlagKind::Overspend]);
        assert_eq!(figure(row, BudgetFlagKind::Overspend, "budget"), "330000");
        assert_eq!(
            figure(row, BudgetFlagKind::Overspend, "committed"),
            "330000.01"
        );
        assert_eq!(figure(row, BudgetFlagKind::Overspend, "tolerance %"), "0");
        // Paid 100,000 is not over: only the committed figure is named.
        assert_eq!(row.flags[0].figures.len(), 3);
    }
    // With a 10 % tolerance the limit is 330,000 × 1.1 = 363,000.
    let rows = compare(&city, &tolerant, &year_2026(), DURING);
    assert!(department_row(&rows, env, "EUR").flags.is_empty());
    // E2 at 163,000: committed 363,000, exactly the limit → no flag.
    amend("e2-r3", "163000");
    let rows = compare(&city, &tolerant, &year_2026(), DURING);
    assert_eq!(department_row(&rows, env, "EUR").committed, d("363000"));
    assert!(department_row(&rows, env, "EUR").flags.is_empty());
    // 163,000.01: committed 363,000.01 > 363,000 → overspend, tolerance named.
    amend("e2-r4", "163000.01");
    let rows = compare(&city, &tolerant, &year_2026(), DURING);
    let total = department_row(&rows, env, "EUR");
    assert_eq!(kinds(total), [BudgetFlagKind::Overspend]);
    assert_eq!(
        figure(total, BudgetFlagKind::Overspend, "tolerance %"),
        "10"
    );
}

#[test]
fn filters_select_a_year_and_a_department() {
    let city = city();
    let env = city.party("XI-CT-ENV");
    let works = city.party("XI-CT-WORKS");
    // Without a year filter, E4 (signed 2025-12-31 23:00 UTC) is Environment's fiscal year
    // 2025, which has no budget: 40,000 of unbudgeted spending.
    let rows = compare(
        &city,
        &BudgetRules::default(),
        &BudgetFilter::default(),
        DURING,
    );
    let fy2025: Vec<&BudgetVsActual> = rows.iter().filter(|r| r.fiscal_year == 2025).collect();
    assert_eq!(fy2025.len(), 1);
    assert_eq!(fy2025[0].department_id, env);
    assert_eq!(fy2025[0].department, "XI-CT-ENV");
    assert_eq!(fy2025[0].committed, d("40000"));
    assert_eq!(fy2025[0].budget, None);
    assert_eq!(kinds(fy2025[0]), [BudgetFlagKind::UnbudgetedSpending]);
    // Years first: the 2025 row leads.
    assert_eq!(rows[0].fiscal_year, 2025);
    assert_eq!(rows.len(), 7);

    // Public Works only: its department row and two lines, the ledger payment naming no
    // process included.
    let filter = BudgetFilter {
        fiscal_year: Some(2026),
        department_id: Some(works),
    };
    let rows = compare(&city, &BudgetRules::default(), &filter, DURING);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.department_id == works));
    assert_eq!(rows[0].scope, BudgetScope::Department);
    assert_eq!(rows[0].paid, d("225000"));
    assert_eq!(rows[0].paid_ledger, d("25000"));
    // A year with no budget and no spending: nothing.
    let filter = BudgetFilter {
        fiscal_year: Some(2027),
        department_id: None,
    };
    assert!(compare(&city, &BudgetRules::default(), &filter, AFTER).is_empty());
}

#[test]
fn an_april_fiscal_year_moves_commitments_and_the_unspent_date() {
    let city = city();
    let env = city.party("XI-CT-ENV");
    // Fiscal years from April: fiscal year 2026 runs 2026-04-01 to 2027-04-01. E1 (signed
    // 2026-03-01) and E4 (2025-12-31) fall in fiscal year 2025; E2 (2026-06-01) stays in 2026.
    let rules: BudgetRules = serde_json::from_value(json!({"fiscal_year_start_month": 4})).unwrap();
    let rows = compare(&city, &rules, &BudgetFilter::default(), DURING);
    let fy2025 = rows
        .iter()
        .find(|r| r.fiscal_year == 2025 && r.department_id == env && r.currency == "EUR")
        .unwrap();
    // E1 200,000 + E4 40,000; E1's payments (60,000 + 40,000) follow their contract.
    assert_eq!(fy2025.committed, d("240000"));
    assert_eq!(fy2025.paid, d("100000"));
    assert_eq!(kinds(fy2025), [BudgetFlagKind::UnbudgetedSpending]);
    let line = line_row(&rows, env, "05.1");
    assert_eq!(line.committed, d("130000"));
    assert_eq!(line.paid, d("0"));
    // 1 January 2027 is inside fiscal year 2026 now: not judged for unspent yet.
    let rows = compare(&city, &rules, &year_2026(), AFTER);
    assert!(!line_row(&rows, env, "05.1").has_flag(BudgetFlagKind::Unspent));
    let rows = compare(&city, &rules, &year_2026(), "2027-04-01T00:00:00Z");
    assert!(line_row(&rows, env, "05.1").has_flag(BudgetFlagKind::Unspent));
}
