//! Files larger than two load chunks with a bad value in their last chunk: nothing is written
//! (every table as it was), the error names the row's line; the same for a value that used to
//! panic the reader.

use citytrace_importers::json_format::CHUNK_ROWS;
use citytrace_importers::Format;
use serde_json::{json, Value};

use super::support::Fixture;

fn release(i: usize) -> Value {
    json!({"ocid": format!("ocds-big-{}", i % 997), "id": format!("r{i}"), "date": "2020-01-01T00:00:00Z",
           "tag": ["award"], "awards": [{"id": format!("A{i}"), "value": {"amount": i, "currency": "EUR"}}]})
}

fn event(i: usize) -> Value {
    json!({"type": "ObjectEvent", "eventTime": format!("2020-01-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60),
           "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
           "epcList": [format!("urn:epc:id:sgtin:4012345.011111.{i}")]})
}

#[test]
fn an_ocds_file_of_three_chunks_with_a_bad_last_release_writes_nothing() {
    let f = Fixture::new();
    let n = 2 * CHUNK_ROWS + 500;
    let mut releases: Vec<Value> = (0..n).map(release).collect();
    releases[n - 1]["awards"][0]["value"]["amount"] = json!("ten");
    let before = f.snapshot();
    let problems = f.invalid(
        Format::Ocds,
        "big.json",
        &serde_json::to_vec(&json!({"releases": releases})).unwrap(),
    );
    assert_eq!(
        problems,
        vec![(
            n as u64,
            Some(format!("releases[{}].awards[0].value.amount", n - 1)),
            Some("ten".into()),
            "expected a number, found a string".into()
        )]
    );
    assert_eq!(f.snapshot(), before);

    // The same file without the bad value imports whole.
    releases[n - 1]["awards"][0]["value"]["amount"] = json!(1);
    f.imported(
        Format::Ocds,
        "big-fixed.json",
        &serde_json::to_vec(&json!({"releases": releases})).unwrap(),
    );
    assert_eq!(f.count("ocds_releases"), n as i64);
    assert_eq!(f.count("procurement_processes"), 997);
    assert_eq!(f.count("procurement_awards"), n as i64);
}

#[test]
fn an_epcis_file_of_three_chunks_with_a_bad_last_event_writes_nothing() {
    let f = Fixture::new();
    let n = 2 * CHUNK_ROWS + 500;
    let mut events: Vec<Value> = (0..n).map(event).collect();
    events[n - 1]["eventTime"] = json!("2020-01-01T00:00:00");
    let document = |events: &[Value]| {
        serde_json::to_vec(&json!({"type": "EPCISDocument", "epcisBody": {"eventList": events}}))
            .unwrap()
    };
    let before = f.snapshot();
    let problems = f.invalid(Format::Epcis, "big.jsonld", &document(&events));
    assert_eq!(
        problems,
        vec![(
            n as u64,
            Some(format!("epcisBody.eventList[{}].eventTime", n - 1)),
            Some("2020-01-01T00:00:00".into()),
            "no UTC offset: add Z or ±hh:mm, e.g. 2026-03-04T10:00:00+01:00".into()
        )]
    );
    assert_eq!(f.snapshot(), before);

    // A value that used to panic the reader (a Digital Link ending in a multi-byte
    // character), in the last chunk: refused the same way.
    events[n - 1] = event(n - 1);
    events[n - 1]["epcList"] = json!(["https://id.gs1.org/253/401234500005é"]);
    let problems = f.invalid(Format::Epcis, "big-dl.jsonld", &document(&events));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (problems[0].0, problems[0].1.as_deref()),
        (
            n as u64,
            Some(format!("epcisBody.eventList[{}].epcList[0]", n - 1).as_str())
        )
    );
    assert_eq!(f.snapshot(), before);

    events[n - 1] = event(n - 1);
    f.imported(Format::Epcis, "big-fixed.jsonld", &document(&events));
    assert_eq!(f.count("supply_events"), n as i64);
    assert_eq!(f.count("lots"), n as i64);
}
