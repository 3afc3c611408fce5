//! Property tests of the OCDS reader, without a database: releases and whole files of the
//! real examples (the reference folder's `ocds/examples`) mutated — types changed, fields
//! dropped or renamed, random Unicode, boundary numbers, the text cut or spliced — and the
//! tolerated slips applied where they may be. Each property runs `CITYTRACE_FUZZ_CASES` cases
//! (10,000 by default) and asserts no panic, valid input accepted (slips noted), invalid input
//! refused with a location.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::clean::Cleaner;
use crate::json_format::fuzzing::{
    apply, assert_located, config, mutated_example, mutation, reference_examples, text_mutation,
};

/// The real examples, parsed; none when the reference folder is absent (`reference_dir` says
/// so, and fails under CI).
fn examples() -> &'static [(PathBuf, Value)] {
    static EXAMPLES: OnceLock<Vec<(PathBuf, Value)>> = OnceLock::new();
    EXAMPLES.get_or_init(|| reference_examples("ocds/examples", "json"))
}

/// Every release of the examples: of release packages, records' embedded releases and
/// compiled releases, bare releases.
fn example_releases() -> &'static [Value] {
    static RELEASES: OnceLock<Vec<Value>> = OnceLock::new();
    RELEASES.get_or_init(|| {
        let mut out = Vec::new();
        for (_, doc) in examples() {
            let mut records: Vec<&Value> = doc
                .get("records")
                .and_then(Value::as_array)
                .map(|r| r.iter().collect())
                .unwrap_or_default();
            if doc.get("compiledRelease").is_some() {
                records.push(doc);
            }
            for record in records {
                out.extend(record.get("compiledRelease").cloned());
                let embedded = record.get("releases").and_then(Value::as_array);
                out.extend(
                    embedded
                        .into_iter()
                        .flatten()
                        .filter(|r| r.get("ocid").is_some())
                        .cloned(),
                );
            }
            if doc.get("records").is_none() && doc.get("compiledRelease").is_none() {
                match doc.get("releases").and_then(Value::as_array) {
                    Some(releases) => out.extend(releases.iter().cloned()),
                    None => out.push(doc.clone()),
                }
            }
        }
        out
    })
}

/// The harmless slips of docs/formats/ocds.md, each with where it may be made in the
/// fictional award release and how many notes it gives.
fn slips() -> Vec<(&'static str, Value)> {
    vec![
        ("/awards/0/date", json!("")),
        ("/awards/0/value/currency", json!("gbp")),
        ("/awards/0/value/amount", json!(" ")),
        ("/tender/numberOfTenderers", json!("")),
        (
            "/tender/tenderers",
            json!({"id": "GB-COH-11111111", "name": "AnyCorp Cycle Provision"}),
        ),
        ("/tender/title", json!(2010)),
        ("/tag", json!("award")),
        ("/parties/0/roles", json!("buyer")),
        ("/buyer", json!("")),
    ]
}

proptest! {
    #![proptest_config(config(10_000))]

    #[test]
    fn mutated_releases_are_cleaned_or_refused_with_a_path(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let releases = example_releases();
        if releases.is_empty() {
            return Ok(());
        }
        let mut value = releases[pick % releases.len()].clone();
        for m in &mutations {
            apply(&mut value, m);
        }
        let (mut errors, mut notes) = (Vec::new(), Vec::new());
        let clean = Cleaner::new(3, &mut errors, &mut notes).release(&value, "releases[2]", true);
        let under = |path: &str| path == "releases[2]" || path.starts_with("releases[2].") || path.starts_with("releases[2][");
        match clean {
            Some(clean) => {
                prop_assert!(errors.is_empty(), "{errors:?}");
                prop_assert!(!clean.ocid.is_empty() && clean.id.is_some() && !clean.date.is_empty());
                for key in ["ocid", "id", "date"] {
                    prop_assert!(clean.data.get(key).is_some_and(Value::is_string), "{key}");
                }
            }
            None => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert_eq!(e.line, 3);
                    prop_assert!(e.column.as_deref().is_some_and(under), "{e:?}");
                }
            }
        }
        for n in &notes {
            prop_assert!(n.line == 3 && under(&n.path), "{n:?}");
        }
    }

    #[test]
    fn mutated_ocds_files_are_read_or_refused_with_a_location(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 0..3),
        text_mutations in prop::collection::vec(text_mutation(), 0..2),
    ) {
        let Some(text) = mutated_example(examples(), pick, &mutations, &text_mutations) else {
            return Ok(());
        };
        match super::check(text.as_slice()) {
            Ok(rows) => prop_assert!(rows >= 1),
            Err(errors) => assert_located(&errors),
        }
    }
}

/// Every combination of the tolerated slips (2^9), made in the fictional award release where
/// each may be: the release is read, one note per slip, and the file is accepted.
#[test]
fn every_combination_of_tolerated_slips_is_read_and_each_slip_noted() {
    let Some((_, award)) = examples()
        .iter()
        .find(|(p, _)| p.ends_with("ocds-213czf-000-00001-04-award.json"))
    else {
        return;
    };
    let slips = slips();
    for combination in 0u32..(1 << slips.len()) {
        let mut release = award["releases"][0].clone();
        let mut made = 0;
        for (i, (pointer, slip)) in slips.iter().enumerate() {
            if combination & (1 << i) != 0 {
                *release.pointer_mut(pointer).unwrap() = slip.clone();
                made += 1;
            }
        }
        let (mut errors, mut notes) = (Vec::new(), Vec::new());
        let clean = Cleaner::new(1, &mut errors, &mut notes).release(&release, "releases[0]", true);
        assert!(
            clean.is_some() && errors.is_empty(),
            "{combination:b}: {errors:?}"
        );
        assert_eq!(notes.len(), made, "{combination:b}: {notes:?}");
        let package = json!({"releases": [release]});
        assert_eq!(
            super::check(serde_json::to_vec(&package).unwrap().as_slice()),
            Ok(1)
        );
    }
}

/// Unmutated, every example is read whole (the oracle the mutations start from), and so is
/// each one with its keys in another order.
#[test]
fn every_example_is_read_and_its_key_order_does_not_matter() {
    for (path, value) in examples() {
        let rows = super::check(std::fs::read(path).unwrap().as_slice())
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let sorted = serde_json::to_vec(value).unwrap();
        assert_eq!(
            super::check(sorted.as_slice()),
            Ok(rows),
            "{}",
            path.display()
        );
    }
}
