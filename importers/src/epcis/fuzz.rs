//! Property tests of the EPCIS parsers, without a database: GS1 identifiers (EPC URIs, class
//! and pattern URIs, Digital Links), CBV values, the event hash's canonical forms, single
//! events and whole documents — GS1's examples mutated (types changed, fields dropped or
//! renamed, random Unicode, boundary numbers, the text cut or spliced). Each property runs
//! `CITYTRACE_FUZZ_CASES` cases (10,000 by default) and asserts no panic, valid input
//! accepted, invalid input refused with a location.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::cbv::{self, Vocabulary};
use super::epc;
use super::event;
use super::hash::{self, Namespaces, STANDARD_KEYS};
use crate::json_format::fuzzing::{
    apply, assert_located, config, mutated_example, mutation, odd_text, odd_value,
    reference_examples, text_mutation, unicode,
};

const VOCABULARIES: [Vocabulary; 5] = [
    Vocabulary::BizStep,
    Vocabulary::Disposition,
    Vocabulary::BizTransactionType,
    Vocabulary::SourceDestinationType,
    Vocabulary::ErrorReason,
];

/// GS1's EPCIS 2.0 examples (the reference folder's `epcis/examples`), parsed; none when the
/// folder is absent (`reference_dir` says so, and fails under CI).
fn examples() -> &'static [(PathBuf, Value)] {
    static EXAMPLES: OnceLock<Vec<(PathBuf, Value)>> = OnceLock::new();
    EXAMPLES.get_or_init(|| reference_examples("epcis/examples", "jsonld"))
}

/// Every event of the examples.
fn example_events() -> &'static [Value] {
    static EVENTS: OnceLock<Vec<Value>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        examples()
            .iter()
            .flat_map(|(_, doc)| {
                let body = doc.get("epcisBody");
                let list = body
                    .and_then(|b| b.get("eventList"))
                    .or_else(|| body.and_then(|b| b.pointer("/queryResults/resultsBody/eventList")))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                list.into_iter()
                    .chain(body.and_then(|b| b.get("event")).cloned())
            })
            .collect()
    })
}

/// An EPC URI, class or pattern URI, put together from plausible and odd parts.
fn epc_uri() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "id:sgtin",
        "id:sscc",
        "id:sgln",
        "id:grai",
        "id:giai",
        "id:gsrn",
        "id:gsrnp",
        "id:gdti",
        "id:cpi",
        "id:sgcn",
        "id:ginc",
        "id:gsin",
        "id:itip",
        "id:upui",
        "id:pgln",
        "class:lgtin",
        "idpat:sgtin",
        "idpat:grai",
        "idpat:gdti",
        "idpat:itip",
        "idpat:cpi",
        "id:usdod",
    ]);
    let part = prop_oneof![
        "[0-9]{0,14}",
        "[0-9A-Za-z%!'()*+,:;=_-]{0,22}",
        unicode(6),
        Just("*".to_string())
    ];
    (scheme, prop::collection::vec(part, 1..6))
        .prop_map(|(scheme, parts)| format!("urn:epc:{scheme}:{}", parts.join(".")))
}

/// A Digital Link on some domain, with numeric or short key names.
fn digital_link() -> impl Strategy<Value = String> {
    let host = prop_oneof![
        Just("id.gs1.org"),
        Just("example.com"),
        Just("é.example"),
        Just("")
    ];
    let key = prop::sample::select(vec![
        "01", "gtin", "00", "sscc", "414", "gln", "417", "253", "255", "401", "402", "8003",
        "8004", "8006", "8010", "8017", "8018", "10", "21", "22", "235", "254", "8011", "lot",
        "ser", "cpv",
    ]);
    let value = prop_oneof![
        "[0-9]{0,19}",
        ("[0-9]{12,14}", unicode(2)).prop_map(|(d, u)| d + &u),
        unicode(10),
    ];
    (
        host,
        prop::collection::vec((key, value), 0..4),
        "(\\?[a-z=]{0,8})?",
    )
        .prop_map(|(host, pairs, query)| {
            let path: String = pairs.iter().map(|(k, v)| format!("/{k}/{v}")).collect();
            format!("https://{host}{path}{query}")
        })
}

/// A CBV value in one of its spellings, with odd words.
fn cbv_value() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        prop::sample::select(cbv::BIZ_STEPS.to_vec()).prop_map(str::to_string),
        prop::sample::select(cbv::DISPOSITIONS.to_vec()).prop_map(str::to_string),
        unicode(12),
    ];
    let prefix = prop::sample::select(vec![
        "",
        "urn:epcglobal:cbv:bizstep:",
        "urn:epcglobal:cbv:disp:",
        "urn:epcglobal:cbv:btt:",
        "https://ref.gs1.org/cbv/BizStep-",
        "https://ref.gs1.org/cbv/Disp-",
        "http://ref.gs1.org/cbv/SDT-",
        "https://gs1.org/voc/ER-",
        "cbv:BizStep-",
        "cbv:",
        " ",
    ]);
    (prefix, word).prop_map(|(p, w)| format!("{p}{w}"))
}

/// An event object with standard keys and extensions holding odd values.
fn odd_event() -> impl Strategy<Value = Map<String, Value>> {
    let key = prop_oneof![
        prop::sample::select(STANDARD_KEYS.to_vec()).prop_map(str::to_string),
        Just("example:ext".to_string()),
        Just("rdfs:comment".to_string()),
        unicode(8),
    ];
    prop::collection::vec((key, odd_value()), 0..10)
        .prop_map(|entries| entries.into_iter().collect())
}

proptest! {
    #![proptest_config(config(10_000))]

    #[test]
    fn gs1_identifiers_never_panic_and_canonical_links_are_fixed_points(
        text in prop_oneof![epc_uri(), digital_link(), odd_text()]
    ) {
        if let Some(dl) = epc::digital_link(&text) {
            prop_assert!(dl.starts_with("https://id.gs1.org/"), "{dl}");
            prop_assert_eq!(epc::digital_link(&dl), Some(dl.clone()));
            let _ = epc::check_digit_problem(&dl);
            let _ = epc::trade_item(&dl);
            let _ = epc::location(&dl);
        }
        let _ = epc::is_gs1_epc_uri(&text);
        let _ = epc::on_gs1_resolver(&text);
    }

    #[test]
    fn cbv_values_never_panic_and_their_stored_form_round_trips(text in prop_oneof![cbv_value(), odd_text()]) {
        for vocabulary in VOCABULARIES {
            if let Ok(stored) = cbv::stored_form(vocabulary, &text) {
                prop_assert_eq!(cbv::stored_form(vocabulary, &stored), Ok(stored.clone()));
                let uri = cbv::web_uri(vocabulary, &stored);
                prop_assert_eq!(cbv::stored_form(vocabulary, &uri), Ok(stored));
            }
        }
        let term = cbv::gs1_term(&text);
        let _ = cbv::gs1_term_uri(&term);
        let _ = cbv::component_uri(&cbv::component(&text));
    }

    #[test]
    fn the_event_hash_canonicalisation_never_panics(event in odd_event(), text in odd_text(), context in odd_value()) {
        let mut namespaces = Namespaces::default();
        namespaces.add_context(&context);
        let pre = hash::pre_hash(&event, &namespaces);
        let id = hash::event_hash(&event, &namespaces);
        prop_assert!(id.starts_with("ni:///sha-256;") && id.ends_with("?ver=CBV2.0"), "{id}");
        prop_assert_eq!(pre, hash::pre_hash(&event, &namespaces), "deterministic");
        let _ = hash::canon(&text);
        let _ = hash::timestamp(&text);
    }

    #[test]
    fn mutated_events_are_read_or_refused_with_a_path(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let events = example_events();
        if events.is_empty() {
            return Ok(());
        }
        let mut value = events[pick % events.len()].clone();
        for m in &mutations {
            apply(&mut value, m);
        }
        let mut errors = Vec::new();
        let read = event::read(&value, "epcisBody.eventList[4]", 5, &Namespaces::default(), &mut errors);
        match read {
            Some(record) => {
                prop_assert!(errors.is_empty(), "{errors:?}");
                prop_assert!(record.event_hash.starts_with("ni:///sha-256;"));
                let _ = record.canonical();
            }
            None => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert_eq!(e.line, 5);
                    prop_assert!(e.column.as_deref().is_some_and(|c| c.starts_with("epcisBody.eventList[4]")), "{e:?}");
                }
            }
        }
    }

    #[test]
    fn mutated_epcis_documents_are_read_or_refused_with_a_location(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 0..3),
        text_mutations in prop::collection::vec(text_mutation(), 0..2),
    ) {
        let Some(text) = mutated_example(examples(), pick, &mutations, &text_mutations) else {
            return Ok(());
        };
        match super::check(text.as_slice()) {
            Ok(events) => prop_assert!(events >= 1),
            Err(errors) => assert_located(&errors),
        }
    }
}

/// Unmutated, every example is read whole (the oracle the mutations start from), and so is
/// each one reformatted with its keys in another order.
#[test]
fn every_example_is_read_and_its_key_order_does_not_matter() {
    for (path, value) in examples() {
        let compact = serde_json::to_vec(value).unwrap();
        let count = super::check(std::fs::read(path).unwrap().as_slice())
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert_eq!(
            super::check(compact.as_slice()),
            Ok(count),
            "{}",
            path.display()
        );
    }
}

/// Found by the property above: an event whose `type` (or `eventTime`, `eventTimeZoneOffset`,
/// `parentID`) was the empty string was neither read nor refused — dropped without a word.
#[test]
fn an_event_with_an_empty_required_field_is_refused_not_dropped() {
    let event = serde_json::json!({"type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:4012345.011111.987"]});
    for (key, reason) in [
        ("type", "an event needs its `type`"),
        ("eventTime", "an event needs its `eventTime`"),
        (
            "eventTimeZoneOffset",
            "an event needs its `eventTimeZoneOffset`, e.g. +01:00",
        ),
    ] {
        let mut empty = event.clone();
        empty[key] = Value::String(" ".into());
        let mut errors = Vec::new();
        let read = event::read(
            &empty,
            "epcisBody.eventList[0]",
            1,
            &Namespaces::default(),
            &mut errors,
        );
        assert!(read.is_none());
        let found: Vec<(Option<&str>, &str)> = errors
            .iter()
            .map(|e| (e.column.as_deref(), e.reason.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![(
                Some(format!("epcisBody.eventList[0].{key}").as_str()),
                reason
            )]
        );
    }
}

/// Found by the property above: a CPI pattern URI with a small letter in its part reference
/// converted to a Digital Link that is not canonical (`/8010/000000a`).
#[test]
fn cpi_part_references_hold_only_digits_capitals_and_hyphens() {
    assert_eq!(epc::digital_link("urn:epc:idpat:cpi:000000.a.*"), None);
    assert_eq!(epc::digital_link("urn:epc:id:cpi:0614141.a1.5"), None);
    assert_eq!(
        epc::digital_link("urn:epc:id:cpi:0614141.123ABC-4.123456789").as_deref(),
        Some("https://id.gs1.org/8010/0614141123ABC-4/8011/123456789")
    );
    assert_eq!(
        epc::digital_link("urn:epc:idpat:cpi:0614141.123ABC.*").as_deref(),
        Some("https://id.gs1.org/8010/0614141123ABC")
    );
}

/// Found by the property above: a GINC or serial with a character GS1 escapes (`*`, `(`)
/// converted to a Digital Link (`/401/000000%2A`) that was not read back as one.
#[test]
fn escaped_characters_in_digital_links_read_back() {
    for uri in [
        "urn:epc:id:ginc:000000.*",
        "urn:epc:id:sgtin:4012345.011111.A(1)",
        "urn:epc:id:giai:4000001.%2F1",
    ] {
        let dl = epc::digital_link(uri).unwrap_or_else(|| panic!("{uri}"));
        assert_eq!(epc::digital_link(&dl).as_ref(), Some(&dl), "{uri}");
    }
    assert_eq!(epc::digital_link("urn:epc:id:giai:4000001.%zz1"), None);
    assert_eq!(
        epc::digital_link("https://id.gs1.org/01/04012345111118/21/A%281%29").as_deref(),
        Some("https://id.gs1.org/01/04012345111118/21/A%281%29")
    );
}
