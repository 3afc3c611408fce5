//! Publishers' harmless slips in OCDS (docs/formats/ocds.md, "Tolerated deviations"): read as
//! the standard means them, each recorded as a data-quality note on the batch — while data
//! that cannot be understood is still refused.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use citytrace_importers::Format;
use citytrace_schema::models::{
    DataQualityNote, ProcurementAmendment, ProcurementAward, ProcurementContract,
    ProcurementProcess,
};
use serde_json::json;

use super::support::Fixture;

/// (line, path, kind, original) of a batch's notes, by line and path (byte order).
fn notes(f: &Fixture, batch: i64) -> Vec<(i32, String, String, String)> {
    let mut notes: Vec<_> = DataQualityNote::of_batch(&mut f.db.conn(), batch)
        .unwrap()
        .into_iter()
        .map(|n| (n.line, n.path, n.kind, n.original))
        .collect();
    notes.sort();
    notes
}

fn note(line: i32, path: &str, kind: &str, original: &str) -> (i32, String, String, String) {
    (line, path.into(), kind.into(), original.into())
}

/// Found in issue 10: an award `date` that is the empty string refused the whole file.
#[test]
fn an_award_date_that_is_the_empty_string_is_read_as_absent_with_a_note() {
    let f = Fixture::new();
    let package = json!({"releases": [
        {"ocid": "ocds-x-1", "id": "r1", "date": "2020-01-01T00:00:00Z", "tag": ["award"],
         "awards": [{"id": "A1", "date": "", "value": {"amount": 10, "currency": "EUR"}}]}]});
    let batch = f.imported(
        Format::Ocds,
        "award.json",
        &serde_json::to_vec(&package).unwrap(),
    );
    let award = &ProcurementAward::of_process(&mut f.db.conn(), "ocds-x-1").unwrap()[0];
    assert_eq!((award.award_id.as_str(), award.award_date), ("A1", None));
    assert_eq!(award.value, Some(BigDecimal::from(10)));
    assert_eq!(
        notes(&f, batch),
        vec![note(
            1,
            "releases[0].awards[0].date",
            "empty_string",
            r#""""#
        )]
    );
}

/// Found in issue 10: `tender.amendment.changes` given as an object refused the whole file.
#[test]
fn amendment_changes_given_as_an_object_are_a_list_of_one_with_a_note() {
    let f = Fixture::new();
    let package = json!({"releases": [
        {"ocid": "ocds-x-2", "id": "r1", "date": "2020-01-01T00:00:00Z", "tag": ["tenderAmendment"],
         "tender": {"id": "T", "value": {"amount": 120, "currency": "EUR"},
                    "amendment": {"date": "2020-01-01T00:00:00Z", "rationale": "more work",
                                  "changes": {"property": "value", "former_value": {"amount": 100, "currency": "EUR"}}}}}]});
    let batch = f.imported(
        Format::Ocds,
        "changes.json",
        &serde_json::to_vec(&package).unwrap(),
    );
    let amendment = &ProcurementAmendment::of_process(&mut f.db.conn(), "ocds-x-2").unwrap()[0];
    assert_eq!(
        (
            amendment.description.as_deref(),
            amendment.value_before.clone()
        ),
        (Some("more work"), Some(BigDecimal::from(100)))
    );
    assert_eq!(
        notes(&f, batch),
        vec![note(
            1,
            "releases[0].tender.amendment.changes",
            "object_as_list",
            r#"{"former_value":{"amount":100,"currency":"EUR"},"property":"value"}"#
        )]
    );
}

#[test]
fn every_tolerated_deviation_is_read_and_noted_where_it_is() {
    let f = Fixture::new();
    let package = json!({"releases": [
        {"ocid": "ocds-x-3", "id": "r1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"],
         "tender": {"id": 7, "title": 42, "numberOfTenderers": "", "tenderPeriod": "",
                    "value": {"amount": 5, "currency": " gbp "}, "tenderers": {"id": "S1", "name": "Supplier"}}},
        {"ocid": "ocds-x-3", "id": "r2", "date": "2020-02-01T00:00:00Z", "tag": "contract",
         "parties": [{"id": "S1", "name": "Supplier", "roles": "supplier"}],
         "contracts": {"id": "C1", "value": {"amount": "", "currency": "EUR"}, "dateSigned": "  "}}]});
    let batch = f.imported(
        Format::Ocds,
        "slips.json",
        &serde_json::to_vec(&package).unwrap(),
    );
    assert_eq!(
        notes(&f, batch),
        vec![
            note(
                1,
                "releases[0].tender.numberOfTenderers",
                "empty_string",
                r#""""#
            ),
            note(
                1,
                "releases[0].tender.tenderPeriod",
                "empty_string",
                r#""""#
            ),
            note(
                1,
                "releases[0].tender.tenderers",
                "object_as_list",
                r#"{"id":"S1","name":"Supplier"}"#
            ),
            note(1, "releases[0].tender.title", "number_as_text", "42"),
            note(
                1,
                "releases[0].tender.value.currency",
                "currency_case",
                r#"" gbp ""#
            ),
            note(
                2,
                "releases[1].contracts",
                "object_as_list",
                r#"{"dateSigned":"  ","id":"C1","value":{"amount":"","currency":"EUR"}}"#
            ),
            note(
                2,
                "releases[1].contracts[0].dateSigned",
                "empty_string",
                r#""  ""#
            ),
            note(
                2,
                "releases[1].contracts[0].value.amount",
                "empty_string",
                r#""""#
            ),
            note(
                2,
                "releases[1].parties[0].roles",
                "string_as_list",
                r#""supplier""#
            ),
            note(2, "releases[1].tag", "string_as_list", r#""contract""#),
        ]
    );
    let c = &mut f.db.conn();
    let p = ProcurementProcess::find(c, "ocds-x-3").unwrap().unwrap();
    assert_eq!(
        (
            p.tender_id.as_deref(),
            p.title.as_deref(),
            p.number_of_tenderers,
            p.tender_currency.as_deref()
        ),
        (Some("7"), Some("42"), None, Some("GBP"))
    );
    let contract = &ProcurementContract::of_process(c, "ocds-x-3").unwrap()[0];
    assert_eq!(
        (
            contract.contract_id.as_str(),
            contract.value.clone(),
            contract.currency.as_deref(),
            contract.date_signed
        ),
        ("C1", None, Some("EUR"), None)
    );
}

#[test]
fn data_that_cannot_be_understood_is_still_refused() {
    let f = Fixture::new();
    let package = json!({"releases": [
        {"ocid": "ocds-x-4", "id": {"no": 1}, "date": "2020-01-01T00:00:00Z",
         "awards": [{"id": "A1", "value": {"amount": "1,000", "currency": "EUR"}},
                    {"id": true, "date": "yesterday"}],
         "contracts": [["C1"]]}]});
    let before = f.snapshot();
    let problems = f.invalid(
        Format::Ocds,
        "bad.json",
        &serde_json::to_vec(&package).unwrap(),
    );
    let located: Vec<(u64, &str, &str)> = problems
        .iter()
        .map(|(line, column, _, reason)| (*line, column.as_deref().unwrap_or(""), reason.as_str()))
        .collect();
    assert_eq!(
        located,
        vec![
            (
                1,
                "releases[0].awards[0].value.amount",
                "expected a number, found a string"
            ),
            (
                1,
                "releases[0].awards[1].date",
                "not an ISO 8601 date-time such as 2026-03-04T10:00:00+01:00"
            ),
            (
                1,
                "releases[0].awards[1].id",
                "expected an identifier (a string), found a boolean"
            ),
            (
                1,
                "releases[0].contracts[0]",
                "expected an object, found an array"
            ),
            (
                1,
                "releases[0].id",
                "expected an identifier (a string), found an object"
            ),
        ]
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn the_decimal_amounts_of_noted_releases_are_exact() {
    // A release with notes is otherwise read as usual: its amounts exact.
    let f = Fixture::new();
    let package = json!({"releases": [
        {"ocid": "ocds-x-5", "id": "r1", "date": "2020-01-01T00:00:00Z", "tag": "award",
         "awards": [{"id": "A1", "value": {"amount": 8923.94, "currency": "cad"}}]}]});
    f.imported(
        Format::Ocds,
        "exact.json",
        &serde_json::to_vec(&package).unwrap(),
    );
    let award = &ProcurementAward::of_process(&mut f.db.conn(), "ocds-x-5").unwrap()[0];
    assert_eq!(
        (award.value.clone(), award.currency.as_deref()),
        (Some(BigDecimal::from_str("8923.94").unwrap()), Some("CAD"))
    );
}
