//! Contracts and payments on budget lines when a department has several lines (issue 12): a
//! contract is on the line its process is planned on (`planning.budget.id`), a ledger payment
//! on the line it names (`PaymentMadeOnBudgetLine`), and where nothing links them to a line
//! the figure is "not attributable to a line", not 0.
//!
//! Public Works, fiscal year 2026, EUR: PW-ROADS (Roads, 04.5) approved 10,000 and PW-LIGHT
//! (Street lighting, 06.4) approved 5,000. Contracts, all signed 2026-02-01:
//! - L1 planned on PW-ROADS, 1,000; OCDS transaction 400 on 1 March, evidenced on the ledger by
//!   a payment of 400.00 on 3 March (counted once);
//! - L2 no planning link, 300; OCDS transaction 100 on 10 March;
//! - L3 no planning link, 500; a ledger payment of 200.00 from PW-LIGHT on 1 April.
//!
//! Hand-computed: PW-ROADS committed 1,000, paid 400. PW-LIGHT committed not attributable
//! (nothing planned on it, 800 of the department's commitments on no line), paid 200.
//! Department: committed 1,800 of which 800 not attributable; paid 700 (400 + 100 + 200) of
//! which 100 (L2's) not attributable.

use citytrace_reads::spending::{
    budget_vs_actual, BudgetFilter, BudgetLink, BudgetRules, BudgetScope, BudgetVsActual,
};
use serde_json::{json, Value};

use super::fixture::{at, d, eur, release, supplier, City, WORKS};

const PAVER: (&str, &str) = ("S9", "Paving Partners");

fn ocid(name: &str) -> String {
    format!("ocds-ctlines-{name}")
}

fn contracted(name: &str, planned_on: Option<&str>, value: &str, transactions: Value) -> Value {
    let mut body = json!({
        "tender": {"id": "t", "status": "complete", "procurementMethod": "open"},
        "parties": [supplier(PAVER)],
        "awards": [{"id": "a1", "status": "active", "date": "2026-02-01T00:00:00Z",
                    "value": eur(value), "suppliers": [{"id": PAVER.0, "name": PAVER.1}]}],
        "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "value": eur(value),
                       "dateSigned": "2026-02-01T00:00:00Z",
                       "implementation": {"transactions": transactions}}],
    });
    if let Some(line) = planned_on {
        body["planning"] = json!({"budget": {"id": line, "amount": eur(value)}});
    }
    release(
        &ocid(name),
        &format!("{name}-r1"),
        "2026-02-01T00:00:00Z",
        "contract",
        WORKS,
        body,
    )
}

fn transaction(id: &str, date: &str, value: &str) -> Value {
    json!({"id": id, "date": date, "value": eur(value)})
}

fn city() -> City {
    let city = City::new();
    city.ocds(vec![
        contracted(
            "l1",
            Some("PW-ROADS"),
            "1000",
            json!([transaction("l1-tx1", "2026-03-01T00:00:00Z", "400")]),
        ),
        contracted(
            "l2",
            None,
            "300",
            json!([transaction("l2-tx1", "2026-03-10T00:00:00Z", "100")]),
        ),
        contracted("l3", None, "500", json!([])),
    ]);
    city.budget(
        "\
PW-ROADS,2026,approved,,XI-CT-WORKS,Roads,04.5,31,,10000,EUR
PW-LIGHT,2026,approved,,XI-CT-WORKS,Street lighting,06.4,31,,5000,EUR
",
    );
    city.ledger_payment(
        "TREASURY-PAY-1",
        &ocid("l1"),
        "XI-CT-WORKS",
        40_000,
        "2026-03-03T09:00:00Z",
    );
    city.ledger_payment_on_line(
        "TREASURY-PAY-2",
        &ocid("l3"),
        "XI-CT-WORKS",
        20_000,
        "2026-04-01T09:00:00Z",
        Some("PW-LIGHT"),
    );
    city
}

fn rows(city: &City) -> Vec<BudgetVsActual> {
    let filter = BudgetFilter {
        fiscal_year: Some(2026),
        department_id: None,
    };
    let as_of = at("2026-07-01T00:00:00Z");
    budget_vs_actual(&mut city.conn(), &BudgetRules::default(), &filter, as_of).unwrap()
}

fn line<'a>(rows: &'a [BudgetVsActual], cofog: &str) -> &'a BudgetVsActual {
    rows.iter()
        .find(|r| matches!(&r.scope, BudgetScope::Line { cofog: c, .. } if c == cofog))
        .unwrap_or_else(|| panic!("no line {cofog}"))
}

#[test]
fn a_department_with_several_lines_gets_committed_and_paid_per_line() {
    let city = city();
    let rows = rows(&city);
    assert_eq!(rows.len(), 3, "the department and its two lines");
    let roads = line(&rows, "04.5");
    assert_eq!((&roads.committed, &roads.paid), (&d("1000"), &d("400")));
    assert_eq!((&roads.paid_ocds, &roads.paid_ledger), (&d("400"), &d("0")));
    assert_eq!(roads.contracts, vec![(ocid("l1"), "c1".to_string())]);
    let light = line(&rows, "06.4");
    assert_eq!((&light.paid, &light.paid_ledger), (&d("200"), &d("200")));
    assert!(!roads.committed_not_attributable && !roads.paid_not_attributable);
    assert!(!light.paid_not_attributable);
}

#[test]
fn what_nothing_links_to_a_line_is_not_attributable_not_zero() {
    let city = city();
    let rows = rows(&city);
    let department = rows
        .iter()
        .find(|r| r.scope == BudgetScope::Department)
        .unwrap();
    assert_eq!(
        (&department.committed, &department.unallocated_committed),
        (&d("1800"), &d("800"))
    );
    assert_eq!(
        (&department.paid, &department.unallocated_paid),
        (&d("700"), &d("100"))
    );
    let light = line(&rows, "06.4");
    assert!(light.committed.eq(&d("0")) && light.committed_not_attributable);
}

#[test]
fn the_money_trail_of_a_line_names_how_its_contracts_got_there() {
    let city = city();
    let trail = citytrace_reads::spending::follow_the_money(
        &mut city.conn(),
        2026,
        "PW-ROADS",
        &BudgetRules::default(),
        &citytrace_reads::spending::MoneyTrailLimits::default(),
    )
    .unwrap()
    .unwrap();
    let links: Vec<(String, BudgetLink)> = trail
        .processes
        .iter()
        .map(|p| (p.ocid.clone(), p.link))
        .collect();
    assert_eq!(
        links,
        vec![
            (ocid("l1"), BudgetLink::Planned),
            (
                ocid("l2"),
                BudgetLink::DepartmentYear { classifications: 2 }
            ),
            (
                ocid("l3"),
                BudgetLink::DepartmentYear { classifications: 2 }
            ),
        ]
    );
}
