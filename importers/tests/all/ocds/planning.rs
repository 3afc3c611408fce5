//! `planning.budget`: the budget lines a process is planned on — `planning.budget.id` and the
//! Budget Breakdown extension's `budgetBreakdown[]` (id, amount, period, sourceParty) —
//! stored in `procurement_budget_links`, merged across releases by id like any list.

use citytrace_schema::models::{ProcurementBudgetLink, ProcurementProcess};
use citytrace_schema::testing::reference_dir;
use serde_json::json;

use super::{decimal, Fixture, FICTIONAL};

/// (id, source, amount, currency, period start, period end, source party).
type Link = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn links(f: &Fixture, ocid: &str) -> Vec<Link> {
    ProcurementBudgetLink::of_process(&mut f.db.conn(), ocid)
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.budget_line_id,
                l.source,
                l.amount.map(|a| a.normalized().to_string()),
                l.currency,
                l.period_start.map(|t| t.to_rfc3339()),
                l.period_end.map(|t| t.to_rfc3339()),
                l.source_party,
            )
        })
        .collect()
}

fn link(id: &str, source: &str, amount: Option<&str>, currency: Option<&str>) -> Link {
    (
        id.into(),
        source.into(),
        amount.map(Into::into),
        currency.map(Into::into),
        None,
        None,
        None,
    )
}

fn release(id: &str, date: &str, planning: serde_json::Value) -> serde_json::Value {
    json!({"ocid": "ocds-p-1", "id": id, "date": date, "tag": ["planning"],
           "initiationType": "tender", "buyer": {"id": "d1", "name": "Public Works"},
           "parties": [{"id": "d1", "name": "Public Works", "roles": ["buyer"]}],
           "planning": planning})
}

#[test]
fn the_fictional_planning_release_names_its_budget() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    f.imported(&reference.join(format!(
        "ocds/examples/fictional-1.1/{FICTIONAL}-01-planning.json"
    )));
    assert_eq!(
        links(&f, FICTIONAL),
        vec![link(
            "6801ad388f3a38b7740dde20108c58b35984ee91",
            "budget",
            Some("6700000"),
            Some("GBP")
        )]
    );
    let p = ProcurementProcess::find(&mut f.db.conn(), FICTIONAL)
        .unwrap()
        .unwrap();
    assert_eq!(p.budget_amount, decimal("6700000"));
}

#[test]
fn budget_breakdowns_are_budget_lines_merged_by_id() {
    let f = Fixture::new();
    let first = release(
        "r1",
        "2026-01-10T00:00:00Z",
        json!({"budget": {"id": 2026, "amount": {"amount": 300, "currency": "EUR"},
               "budgetBreakdown": [
                   {"id": "BL-ROADS", "amount": {"amount": 200.50, "currency": "eur"},
                    "period": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2026-12-31T00:00:00Z"},
                    "sourceParty": {"id": "d1", "name": "Public Works"}},
                   {"id": "BL-LIGHTS", "amount": {"amount": 99.5, "currency": "EUR"}}]}}),
    );
    let correction = release(
        "r2",
        "2026-02-01T00:00:00Z",
        json!({"budget": {"budgetBreakdown": [{"id": "BL-LIGHTS", "amount": {"amount": 120, "currency": "EUR"}}]}}),
    );
    let path = f.file("planning.json", &json!({"releases": [first, correction]}));
    f.imported(&path);
    let roads = (
        "BL-ROADS".to_string(),
        "breakdown".to_string(),
        Some("200.5".to_string()),
        Some("EUR".to_string()),
        Some("2026-01-01T00:00:00+00:00".to_string()),
        Some("2026-12-31T00:00:00+00:00".to_string()),
        Some("Public Works".to_string()),
    );
    assert_eq!(
        links(&f, "ocds-p-1"),
        vec![
            link("2026", "budget", Some("300"), Some("EUR")),
            link("BL-LIGHTS", "breakdown", Some("120"), Some("EUR")),
            roads,
        ]
    );
}

#[test]
fn a_budget_breakdown_without_id_is_refused_at_its_path() {
    let f = Fixture::new();
    let bad = release(
        "r1",
        "2026-01-10T00:00:00Z",
        json!({"budget": {"budgetBreakdown": [{"amount": {"amount": 1, "currency": "EUR"}}]}}),
    );
    let errors = f.invalid(
        "bad.json",
        &serde_json::to_vec(&json!({"releases": [bad]})).unwrap(),
    );
    assert_eq!(
        errors,
        vec![(
            1,
            Some("releases[0].planning.budget.budgetBreakdown[0].id".into()),
            None,
            "needs an `id`: objects in this list are merged across releases by id".into()
        )]
    );
    assert_eq!(f.counts(), [0; 8]);
}
