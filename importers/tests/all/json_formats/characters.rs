//! Characters PostgreSQL refuses (NUL) and multi-byte text where identifiers are parsed.

use citytrace_importers::Format;
use serde_json::json;

use super::support::Fixture;

/// The 1-based column just after the first `needle` on `line` (where the JSON reader stands
/// when it has read the string that ends there).
fn column_after(line: &str, needle: &str) -> String {
    (line.find(needle).unwrap() + needle.len()).to_string()
}

#[test]
fn a_nul_character_in_an_ocds_string_is_refused_with_its_line_and_column() {
    let f = Fixture::new();
    let release = r#"  {"ocid": "ocds-x-1", "id": "r1", "date": "2020-01-01T00:00:00Z", "tender": {"title": "a\u0000b"}}"#;
    let file = format!("{{\"releases\": [\n{release}\n]}}\n");
    let before = f.snapshot();
    let problems = f.invalid(Format::Ocds, "nul.json", file.as_bytes());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (line, column, _, reason) = &problems[0];
    assert_eq!(*line, 2);
    assert_eq!(
        column.as_deref(),
        Some(column_after(release, r#""a\u0000b""#).as_str())
    );
    assert!(reason.starts_with("contains a NUL character"), "{reason}");
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_nul_character_in_an_epcis_extension_is_refused_with_its_line_and_column() {
    let f = Fixture::new();
    let event = r#"    {"type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:4012345.011111.987"], "example:note": "x\u0000"}"#;
    let file = format!(
        "{{\"@context\": [{{\"example\": \"https://example.org/\"}}],\n  \"type\": \"EPCISDocument\",\n  \"epcisBody\": {{\"eventList\": [\n{event}\n]}}}}\n"
    );
    let before = f.snapshot();
    let problems = f.invalid(Format::Epcis, "nul.jsonld", file.as_bytes());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (line, column, _, reason) = &problems[0];
    assert_eq!(*line, 4);
    assert_eq!(
        column.as_deref(),
        Some(column_after(event, r#""x\u0000""#).as_str())
    );
    assert!(reason.starts_with("contains a NUL character"), "{reason}");
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_nul_character_in_a_key_is_refused_too() {
    let f = Fixture::new();
    let file = br#"{"releases": [{"ocid": "ocds-x-1", "id": "r1", "date": "2020-01-01T00:00:00Z", "a\u0000": 1}]}"#;
    let problems = f.invalid(Format::Ocds, "nul-key.json", file);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, 1);
    assert!(
        problems[0].3.starts_with("contains a NUL character"),
        "{problems:?}"
    );
}

/// Found in issue 10: a Digital Link ending in a multi-byte character panicked the reader
/// (`&value[..13]` cut inside the character). On GS1's own resolver domain it claims to be a
/// Digital Link, so it must be one: refused, located, nothing written.
#[test]
fn a_digital_link_ending_in_a_multibyte_character_is_refused_not_a_panic() {
    let f = Fixture::new();
    for (i, uri) in [
        "https://id.gs1.org/253/401234500005é",
        "https://id.gs1.org/255/401234500005é",
        "https://id.gs1.org/8003/0401234555555é",
    ]
    .into_iter()
    .enumerate()
    {
        let document = json!({"type": "EPCISDocument", "epcisBody": {"eventList": [{
            "type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE", "epcList": [uri]}]}});
        let before = f.snapshot();
        let problems = f.invalid(
            Format::Epcis,
            &format!("dl-{i}.jsonld"),
            &serde_json::to_vec(&document).unwrap(),
        );
        assert_eq!(
            problems,
            vec![(
                1,
                Some("epcisBody.eventList[0].epcList[0]".into()),
                Some(uri.into()),
                "not a valid GS1 Digital Link: a URI on id.gs1.org must name a GS1 key with the digits and length its application identifier requires".into()
            )]
        );
        assert_eq!(f.snapshot(), before);
    }
}
