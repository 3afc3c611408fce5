//! Executed as reported beside paid as evidenced (issue 12): the budget file's `executed`
//! phase is what a department says it spent; paid is what published payments show (OCDS
//! transactions, and CityTreasury ledger payments with no OCDS counterpart — a ledger payment
//! that evidences an OCDS transaction is counted once, as the transaction). The gap between
//! the two is a figure of its own, per department and for the city.
//!
//! The city of `budget_city.rs` (fiscal year 2026, EUR), plus an `executed` row of 250,000 for
//! Environment's EN-01 in a second budget file. By hand:
//!
//! | | Environment | Public Works | city |
//! |---|---|---|---|
//! | approved | 300,000 | 1,500,000 | 1,800,000 |
//! | adjusted (a line not adjusted keeps its approved figure) | 330,000 | 450,000 + 1,000,000 | 1,780,000 |
//! | executed as reported | 250,000 | 900,000 | 1,150,000 |
//! | committed (E1 200,000 + E2 130,000; W1 800,000) | 330,000 | 800,000 | 1,130,000 |
//! | paid: OCDS transactions | 60,000 | 200,000 | 260,000 |
//! | … of which evidenced on the ledger (E1's tx1, its ledger copy not added) | 60,000 | 0 | 60,000 |
//! | paid: ledger payments without an OCDS counterpart | 40,000 | 25,000 | 65,000 |
//! | paid as evidenced | 100,000 | 225,000 | 325,000 |
//! | executed − paid | 150,000 | 675,000 | 825,000 |
//!
//! The GBP contract E3 (5,000, paid 2,000) makes a city total of its own, after the EUR one
//! (which has the larger budget), with no budget and no executed figure.

use citytrace_reads::spending::{
    budget_vs_actual, city_totals, BudgetFilter, BudgetRules, BudgetScope, BudgetVsActual,
};

use super::budget_city::city;
use super::fixture::{at, d};

fn rows_of_2026(city: &super::fixture::City) -> Vec<BudgetVsActual> {
    let filter = BudgetFilter {
        fiscal_year: Some(2026),
        department_id: None,
    };
    let as_of = at("2026-12-01T00:00:00Z");
    budget_vs_actual(&mut city.conn(), &BudgetRules::default(), &filter, as_of).unwrap()
}

fn department(rows: &[BudgetVsActual], id: i64) -> &BudgetVsActual {
    rows.iter()
        .find(|r| {
            r.department_id == id && r.currency == "EUR" && r.scope == BudgetScope::Department
        })
        .unwrap_or_else(|| panic!("no EUR department row for {id}"))
}

#[test]
fn executed_as_reported_stands_beside_paid_as_evidenced_with_the_gap_per_department() {
    let city = city();
    city.budget("EN-01,2026,executed,,XI-CT-ENV,Waste collection,05.1,22,,250000,EUR\n");
    let rows = rows_of_2026(&city);

    let env = department(&rows, city.party("XI-CT-ENV"));
    assert_eq!(env.executed_reported, Some(d("250000")));
    assert_eq!(env.committed, d("330000"));
    assert_eq!(env.paid, d("100000"));
    assert_eq!(env.paid_ocds, d("60000"));
    assert_eq!(env.paid_ocds_evidenced_on_ledger, d("60000"));
    assert_eq!(env.paid_ledger, d("40000"));
    assert_eq!(env.executed_not_evidenced, Some(d("150000")));

    let works = department(&rows, city.party("XI-CT-WORKS"));
    assert_eq!(works.adjusted, Some(d("1450000")));
    assert_eq!(works.executed_reported, Some(d("900000")));
    assert_eq!(works.paid, d("225000"));
    assert_eq!(works.paid_ocds_evidenced_on_ledger, d("0"));
    assert_eq!(works.executed_not_evidenced, Some(d("675000")));

    // The line that reports the executed amount carries the gap too; a line without one has
    // none (not 0).
    let bridges = rows
        .iter()
        .find(|r| matches!(&r.scope, BudgetScope::Line { cofog, .. } if cofog == "04.5"))
        .unwrap();
    assert_eq!(bridges.executed_not_evidenced, Some(d("900000")));
    let schools = rows
        .iter()
        .find(|r| matches!(&r.scope, BudgetScope::Line { cofog, .. } if cofog == "09.1"))
        .unwrap();
    assert_eq!(schools.executed_not_evidenced, None);
}

#[test]
fn the_city_totals_sum_the_departments_with_the_gap_of_its_own() {
    let city = city();
    city.budget("EN-01,2026,executed,,XI-CT-ENV,Waste collection,05.1,22,,250000,EUR\n");
    let totals = city_totals(&rows_of_2026(&city));
    assert_eq!(totals.len(), 2, "{totals:?}");
    let eur = &totals[0];
    assert_eq!((eur.fiscal_year, eur.currency.as_str()), (2026, "EUR"));
    assert_eq!(eur.departments, 2);
    assert_eq!(eur.approved, Some(d("1800000")));
    assert_eq!(eur.adjusted, Some(d("1780000")));
    assert_eq!(eur.budget, Some(d("1780000")));
    assert_eq!(eur.executed_reported, Some(d("1150000")));
    assert_eq!(eur.committed, d("1130000"));
    assert_eq!(eur.paid_ocds, d("260000"));
    assert_eq!(eur.paid_ocds_evidenced_on_ledger, d("60000"));
    assert_eq!(eur.paid_ledger, d("65000"));
    assert_eq!(eur.paid, d("325000"));
    assert_eq!(eur.paid_where_executed_reported, d("325000"));
    assert_eq!(eur.executed_not_evidenced, Some(d("825000")));

    let gbp = &totals[1];
    assert_eq!(gbp.currency, "GBP");
    assert_eq!(gbp.budget, None);
    assert_eq!(gbp.executed_reported, None);
    assert_eq!(gbp.executed_not_evidenced, None);
    assert_eq!(gbp.committed, d("5000"));
    assert_eq!(gbp.paid, d("2000"));
}

#[test]
fn a_department_without_an_executed_figure_adds_nothing_to_the_gap() {
    // Without the second budget file only Public Works reports an executed amount: the city's
    // gap is its 900,000 − 225,000, not 900,000 − 325,000.
    let city = city();
    let totals = city_totals(&rows_of_2026(&city));
    let eur = &totals[0];
    assert_eq!(eur.executed_reported, Some(d("900000")));
    assert_eq!(eur.paid, d("325000"));
    assert_eq!(eur.paid_where_executed_reported, d("225000"));
    assert_eq!(eur.executed_not_evidenced, Some(d("675000")));
    let rows = rows_of_2026(&city);
    let env = department(&rows, city.party("XI-CT-ENV"));
    assert_eq!(env.executed_not_evidenced, None);
}
