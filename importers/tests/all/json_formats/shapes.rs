//! What a streamed file shows late: a bare record whose `ocid` or `compiledRelease` comes
//! after its releases, an EPCIS document whose `@context` comes after its events.

use citytrace_importers::json_format::CHUNK_ROWS;
use citytrace_importers::Format;
use citytrace_schema::models::{EpcisEvent, OcdsRelease};
use citytrace_schema::testing::reference_dir;
use serde_json::{json, Value};

use super::support::Fixture;

fn release(i: usize) -> Value {
    json!({"ocid": "ocds-late-1", "id": format!("r{i}"), "date": format!("2020-01-{:02}T00:00:00Z", 1 + i % 28),
           "tag": ["tender"], "tender": {"id": "T", "title": format!("Title {i}")}})
}

/// `{"releases": […], "ocid": …}`: the top-level `ocid` after the releases makes the file a
/// bare record, its releases compiled into one row.
#[test]
fn a_bare_record_whose_ocid_follows_its_releases_is_one_compiled_record() {
    let f = Fixture::new();
    let text = format!(
        "{{\"releases\": [{}, {}], \"ocid\": \"ocds-late-1\"}}",
        release(0),
        release(1)
    );
    let batch = f.imported(Format::Ocds, "record.json", text.as_bytes());
    let rows = OcdsRelease::of_batch(&mut f.db.conn(), batch).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].kind.as_str(),
            rows[0].line,
            rows[0].data["tender"]["title"].as_str()
        ),
        ("record", 1, Some("Title 1"))
    );
}

/// More releases than a chunk before a top-level `ocid`: read as a release package, which
/// cannot have one — refused, saying what to do.
#[test]
fn a_long_bare_record_whose_ocid_follows_its_releases_is_refused_saying_so() {
    let f = Fixture::new();
    let releases: Vec<String> = (0..CHUNK_ROWS + 1)
        .map(|i| release(i).to_string())
        .collect();
    let text = format!(
        "{{\"releases\": [{}], \"ocid\": \"ocds-late-1\"}}",
        releases.join(",")
    );
    let before = f.snapshot();
    let problems = f.invalid(Format::Ocds, "long.json", text.as_bytes());
    assert_eq!(
        problems,
        vec![(1, Some("ocid".into()), None, "`ocid` after a long `releases` list: read as a release package, which has no top-level `ocid`; a bare record gives its `ocid` or `compiledRelease` before its releases".into())]
    );
    assert_eq!(f.snapshot(), before);
}

/// GS1's rail example gives its `@context` (defining `rail:`) after its events: they get the
/// hash ids of the same document with the `@context` first.
#[test]
fn a_late_context_gives_the_events_the_hash_ids_of_an_early_one() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let path = reference.join("epcis/examples/Example-TransactionEvents-2020_07_03y.jsonld");
    let text = std::fs::read_to_string(path).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert!(text.find("\"@context\"").unwrap() > text.find("\"epcisBody\"").unwrap());
    let hashes = |f: &Fixture, batch: i64| -> Vec<String> {
        EpcisEvent::of_batch(&mut f.db.conn(), batch)
            .unwrap()
            .into_iter()
            .map(|(_, e)| e.event_hash)
            .collect()
    };
    let late = Fixture::new();
    let late_batch = late.imported(Format::Epcis, "late.jsonld", text.as_bytes());
    // serde_json writes keys in order: `@context` first.
    let early = Fixture::new();
    let early_batch = early.imported(
        Format::Epcis,
        "early.jsonld",
        &serde_json::to_vec(&value).unwrap(),
    );
    assert_eq!(hashes(&late, late_batch), hashes(&early, early_batch));
    assert!(!hashes(&late, late_batch).is_empty());
}

/// More events than a chunk before a `@context` defining a prefix they use: their hash ids
/// are computed already — refused, saying where the `@context` belongs.
#[test]
fn a_context_after_a_chunk_of_events_using_its_prefixes_is_refused() {
    let f = Fixture::new();
    let events: Vec<Value> = (0..CHUNK_ROWS + 1)
        .map(|i| json!({"type": "ObjectEvent", "eventTime": format!("2020-01-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60),
                        "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
                        "epcList": [format!("urn:epc:id:sgtin:4012345.011111.{i}")], "rail:car": i}))
        .collect();
    let text = format!(
        "{{\"epcisBody\": {{\"eventList\": {}}}, \"@context\": [{{\"rail\": \"urn:gs1:epcisapp:rail:\"}}]}}",
        serde_json::to_string(&events).unwrap()
    );
    let before = f.snapshot();
    let problems = f.invalid(Format::Epcis, "late.jsonld", text.as_bytes());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].1.as_deref(), Some("@context"));
    assert!(problems[0].3.contains("(rail)"), "{problems:?}");
    assert_eq!(f.snapshot(), before);
}
