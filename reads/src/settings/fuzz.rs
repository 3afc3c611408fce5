//! Property tests of the `[methods]` reader: mutations of the documented example and random
//! text never panic; each is either settings or an error naming the file, a line of the
//! document and a key. `CITYTRACE_FUZZ_CASES` raises the number of cases (10,000 by default).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::MethodSettings;
use crate::error::SettingsError;

const EXAMPLE: &str = include_str!("../../../docs/citytrace.example.toml");

fn cases() -> u32 {
    citytrace_schema::testing::fuzz_cases(10_000)
}

/// One edit of a document: where (a fraction of its length) and what.
#[derive(Debug, Clone)]
enum Edit {
    Insert(f64, String),
    Delete(f64, usize),
    ReplaceLine(f64, String),
    DuplicateLine(f64),
    Number(f64, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    let number = prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e309".to_string()),
        Just("-0.0".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("9223372036854775808".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\"12\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
    ];
    prop_oneof![
        (at.clone(), "\\PC{0,12}").prop_map(|(a, s)| Edit::Insert(a, s)),
        (at.clone(), 1..40usize).prop_map(|(a, n)| Edit::Delete(a, n)),
        (at.clone(), "[a-z_.\\[\\]=\" {},0-9é€\u{0}]{0,30}")
            .prop_map(|(a, s)| Edit::ReplaceLine(a, s)),
        at.clone().prop_map(Edit::DuplicateLine),
        (at, number).prop_map(|(a, n)| Edit::Number(a, n)),
    ]
}

/// The character boundary nearest below `fraction` of `text`'s length.
fn boundary(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let line_at = |f: f64, n: usize| ((n as f64) * f) as usize % n.max(1);
    match edit {
        Edit::Insert(f, s) => {
            let (head, tail) = text.split_at(boundary(text, *f));
            format!("{head}{s}{tail}")
        }
        Edit::Delete(f, n) => {
            let from = boundary(text, *f);
            let mut to = (from + n).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            let (head, _) = text.split_at(from);
            let (_, tail) = text.split_at(to);
            format!("{head}{tail}")
        }
        Edit::ReplaceLine(f, s) => {
            let i = line_at(*f, lines.len());
            lines[i] = s.clone();
            lines.join("\n")
        }
        Edit::DuplicateLine(f) => {
            let i = line_at(*f, lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
            lines.join("\n")
        }
        Edit::Number(f, n) => {
            // The value of the nearest `key = value` line at or after the chosen one.
            let start = line_at(*f, lines.len());
            let found = (start..lines.len())
                .chain(0..start)
                .find(|&i| lines[i].contains(" = ") && !lines[i].trim_start().starts_with('#'));
            if let Some(i) = found {
                let key = lines[i].split(" = ").next().unwrap_or("").to_string();
                lines[i] = format!("{key} = {n}");
            }
            lines.join("\n")
        }
    }
}

/// Settings, or an error naming this file, a line of the document and a non-empty key.
fn check(text: &str) -> Result<(), TestCaseError> {
    let file = Path::new("citytrace.toml");
    match MethodSettings::from_toml(text, file) {
        Ok(_) => Ok(()),
        Err(SettingsError::Invalid {
            file: named,
            line,
            key,
            reason,
        }) => {
            prop_assert_eq!(named.as_path(), file);
            prop_assert!(!key.is_empty(), "no key named for {:?}", reason);
            prop_assert!(!reason.is_empty());
            if let Some(line) = line {
                let lines = text.lines().count().max(1);
                prop_assert!(
                    (1..=lines + 1).contains(&line),
                    "line {} of a {}-line document",
                    line,
                    lines
                );
            }
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("unexpected error {other}"))),
    }
}

#[test]
fn mutations_of_the_example_are_settings_or_located_errors() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let edits = proptest::collection::vec(edit(), 1..4);
    runner
        .run(&edits, |edits| {
            let text = edits.iter().fold(EXAMPLE.to_string(), |t, e| apply(&t, e));
            check(&text)
        })
        .unwrap();
}

#[test]
fn random_text_is_settings_or_a_located_error() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let text = prop_oneof![
        "\\PC{0,200}",
        "(\\[methods(\\.[a-z_]{1,12}){0,3}\\]\n([a-z_]{1,20} = [-0-9.e\"a-z\\[\\], ]{0,20}\n){0,4}){1,4}",
    ];
    runner.run(&text, |text| check(&text)).unwrap();
}

/// A mutation of the example that reaches the validation after parsing still names its key.
#[test]
fn an_address_edited_into_garbage_names_its_key() {
    let text = EXAMPLE.replace(
        "city_beneficiary_addresses = []",
        "city_beneficiary_addresses = [\"0xé\"]",
    );
    assert_ne!(
        text, EXAMPLE,
        "the example no longer has the key this test edits"
    );
    match MethodSettings::from_toml(&text, Path::new("citytrace.toml")) {
        Err(SettingsError::Invalid { key, .. }) => {
            assert_eq!(key, "methods.carbon.city_beneficiary_addresses")
        }
        other => panic!("expected an invalid address, got {other:?}"),
    }
}

/// Found by the mutations above: a line that is only `=`, or an empty table header `[]`, gave an
/// error naming the empty key ("``"). They name the table they are in, else `methods`.
#[test]
fn an_empty_key_or_table_is_reported_under_a_named_key() {
    for (text, line) in [("=\n", 1), ("[]\n", 1), ("[methods.waste]\n= 1\n", 2)] {
        match MethodSettings::from_toml(text, Path::new("citytrace.toml")) {
            Err(SettingsError::Invalid { key, line: at, .. }) => {
                assert!(!key.is_empty(), "{text:?}");
                assert_eq!(at, Some(line), "{text:?}");
            }
            other => panic!("{text:?}: expected an error, got {other:?}"),
        }
    }
}
