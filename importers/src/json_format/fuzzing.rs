//! Property tests' support for the JSON formats: how many cases a run tries, values a
//! publisher's file may hold where another was expected (boundary numbers, any Unicode, dates
//! and identifiers slightly wrong), and mutations of real example files (a node replaced,
//! removed, wrapped in a list or renamed; the text cut short or spliced).

use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::PathBuf;

use serde_json::{Map, Value};

/// Cases per property: `CITYTRACE_FUZZ_CASES` when set (a long run on demand), else `default`.
pub(crate) use citytrace_schema::testing::fuzz_cases;

/// A proptest configuration of [`fuzz_cases`]`(default)` cases; failures are not written to
/// files (each crasher found is kept as a named regression test instead).
pub(crate) fn config(default: u32) -> Config {
    Config {
        cases: fuzz_cases(default),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Numbers at the edges of what JSON readers, decimals and database columns hold.
pub(crate) fn boundary_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(serde_json::json!(0)),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(i64::MIN)),
        Just(serde_json::json!(i64::MAX)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!(i32::MAX as i64 + 1)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(-1e-308)),
        Just(serde_json::json!(5e-324)),
        Just(serde_json::json!(0.1)),
        Just(serde_json::json!(123_456_789_012_345.67)),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
    ]
}

/// Up to `max` characters of any kind (control characters, surrogate-free Unicode of every
/// plane): cheaper to generate than a regex class.
pub(crate) fn unicode(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=max).prop_map(String::from_iter)
}

/// Text a value may be: any Unicode, multi-byte characters where parsers cut, near-misses of
/// dates, codes and GS1 identifiers.
pub(crate) fn odd_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        unicode(24),
        Just(String::new()),
        Just("  ".to_string()),
        Just("é".repeat(7)),
        Just("2020-01-01T00:00:00Z".to_string()),
        Just("2020-01-01 00:00:00+01:00".to_string()),
        Just("2020-01-0é 00:00:00Z".to_string()),
        Just("0000-01-01T00:00:00Z".to_string()),
        Just("9999-12-31T23:59:59.999999+14:00".to_string()),
        Just("2020-02-30T25:61:00+15:00".to_string()),
        Just("2020-01-01T00:00:00.0000001Z".to_string()),
        Just("+01:00".to_string()),
        Just("+1é:00".to_string()),
        Just("eur".to_string()),
        Just("€UR".to_string()),
        Just("urn:epc:id:sgtin:4012345.011111.987".to_string()),
        Just("urn:epc:id:sgtin:4012345.01111é.987".to_string()),
        Just("https://id.gs1.org/01/04012345111118/21/é".to_string()),
        Just("https://id.gs1.org/253/401234500005é".to_string()),
        Just("urn:epcglobal:cbv:bizstep:shippingé".to_string()),
        Just("cbv:BizStep-".to_string()),
        Just("x\u{0}y".to_string()),
    ]
}

/// Any value a field may be given instead of the right one.
pub(crate) fn odd_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        boundary_number(),
        odd_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((unicode(8), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A change to a JSON document, at the node whose pre-order index is `at` modulo the count.
#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    Replace {
        at: usize,
        with: Value,
    },
    Remove {
        at: usize,
    },
    /// `x` becomes `[x]`.
    Wrap {
        at: usize,
    },
    /// An object's key renamed (a field misspelt, a key duplicated onto another).
    Rename {
        at: usize,
        key: String,
    },
}

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), odd_value()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        2 => any::<usize>().prop_map(|at| Mutation::Remove { at }),
        1 => any::<usize>().prop_map(|at| Mutation::Wrap { at }),
        1 => (any::<usize>(), prop_oneof![unicode(8), Just("id".to_string()), Just("ocid".to_string()), Just("type".to_string())])
            .prop_map(|(at, key)| Mutation::Rename { at, key }),
    ]
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// Apply `mutation` to `document` (the root itself is never removed or renamed).
pub(crate) fn apply(document: &mut Value, mutation: &Mutation) {
    let at = match mutation {
        Mutation::Replace { at, .. }
        | Mutation::Remove { at }
        | Mutation::Wrap { at }
        | Mutation::Rename { at, .. } => *at,
    };
    let target = at % count(document);
    let mut index = 0;
    visit(document, target, &mut index, mutation);
}

/// Walk to node `target` in pre-order; the parent applies removals and renames.
fn visit(node: &mut Value, target: usize, index: &mut usize, mutation: &Mutation) -> bool {
    if *index == target {
        match mutation {
            Mutation::Replace { with, .. } => *node = with.clone(),
            Mutation::Wrap { .. } => *node = Value::Array(vec![node.take()]),
            Mutation::Remove { .. } | Mutation::Rename { .. } => {}
        }
        return true;
    }
    *index += 1;
    match node {
        Value::Array(items) => {
            for i in 0..items.len() {
                let child = *index;
                if visit(&mut items[i], target, index, mutation) {
                    if child == target && matches!(mutation, Mutation::Remove { .. }) {
                        items.remove(i);
                    }
                    return true;
                }
            }
            false
        }
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let child = *index;
                let Some(value) = map.get_mut(&key) else {
                    continue;
                };
                if visit(value, target, index, mutation) {
                    if child == target {
                        match mutation {
                            Mutation::Remove { .. } => {
                                map.remove(&key);
                            }
                            Mutation::Rename { key: new, .. } => {
                                if let Some(v) = map.remove(&key) {
                                    map.insert(new.clone(), v);
                                }
                            }
                            _ => {}
                        }
                    }
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

/// A change to the text of a file.
#[derive(Debug, Clone)]
pub(crate) enum TextMutation {
    /// Cut the file at this fraction of its length (in thousandths).
    Truncate(u16),
    /// Insert these bytes at this fraction of its length.
    Insert(u16, Vec<u8>),
}

pub(crate) fn text_mutation() -> impl Strategy<Value = TextMutation> {
    prop_oneof![
        (0u16..1000).prop_map(TextMutation::Truncate),
        (
            0u16..1000,
            prop_oneof![
                prop::collection::vec(any::<u8>(), 1..6),
                Just(b",".to_vec()),
                Just(b"\"".to_vec()),
                Just(b"\\u0000".to_vec()),
                Just(b"\\ud800".to_vec()),
                Just(b"1e999".to_vec()),
                Just("é".as_bytes().to_vec()),
                Just(b"\xC3".to_vec()),
            ]
        )
            .prop_map(|(at, bytes)| TextMutation::Insert(at, bytes)),
    ]
}

pub(crate) fn apply_text(text: &[u8], mutation: &TextMutation) -> Vec<u8> {
    let at = |fraction: u16| text.len() * usize::from(fraction) / 1000;
    match mutation {
        TextMutation::Truncate(f) => text.get(..at(*f)).unwrap_or(text).to_vec(),
        TextMutation::Insert(f, bytes) => {
            let (head, tail) = text.split_at(at(*f).min(text.len()));
            [head, bytes.as_slice(), tail].concat()
        }
    }
}

/// Problems as a file's reader reports them: each located (a line, and a column or a JSON
/// path — a problem of the whole file has neither), none an internal error.
pub(crate) fn assert_located(errors: &crate::error::RowErrors) {
    assert!(!errors.errors.is_empty());
    for e in &errors.errors {
        assert!(e.line >= 1, "{e:?}");
        assert!(!e.reason.is_empty(), "{e:?}");
        assert!(
            !e.reason.starts_with("internal error"),
            "a check panicked: {e:?}"
        );
        if e.column.is_none() {
            assert_eq!(e.line, 1, "a problem without a column is the file's: {e:?}");
        }
    }
}

/// The reference folder's files under `folder` (searched recursively) whose extension is `ext`,
/// parsed, in path order; none when the reference folder is absent (`reference_dir` says so,
/// and fails under CI).
pub(crate) fn reference_examples(folder: &str, ext: &str) -> Vec<(PathBuf, Value)> {
    let Some(reference) = citytrace_schema::testing::reference_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut dirs = vec![reference.join(folder)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                let value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                out.push((path, value));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The file text of one of `examples` (the `pick`-th, wrapping), mutated as a JSON value, written
/// out pretty, then mutated as text; none when there are no examples.
pub(crate) fn mutated_example(
    examples: &[(PathBuf, Value)],
    pick: usize,
    mutations: &[Mutation],
    text_mutations: &[TextMutation],
) -> Option<Vec<u8>> {
    let mut value = examples.get(pick % examples.len().max(1))?.1.clone();
    for m in mutations {
        apply(&mut value, m);
    }
    let mut text = serde_json::to_vec_pretty(&value).unwrap();
    for m in text_mutations {
        text = apply_text(&text, m);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mutations_reach_every_node_and_keep_the_root() {
        let doc = json!({"a": [1, {"b": 2}], "c": "x"});
        assert_eq!(count(&doc), 6);
        let mut removed = doc.clone();
        apply(&mut removed, &Mutation::Remove { at: 3 });
        assert_eq!(removed, json!({"a": [1], "c": "x"}));
        let mut renamed = doc.clone();
        apply(
            &mut renamed,
            &Mutation::Rename {
                at: 4,
                key: "z".into(),
            },
        );
        assert_eq!(renamed, json!({"a": [1, {"z": 2}], "c": "x"}));
        let mut wrapped = doc.clone();
        apply(&mut wrapped, &Mutation::Wrap { at: 5 });
        assert_eq!(wrapped, json!({"a": [1, {"b": 2}], "c": ["x"]}));
        let mut root = doc.clone();
        apply(&mut root, &Mutation::Remove { at: 0 });
        assert_eq!(root, doc, "the root stays");
        assert_eq!(
            apply_text(b"abcd", &TextMutation::Insert(500, b"X".to_vec())),
            b"abXcd"
        );
        assert_eq!(apply_text(b"abcd", &TextMutation::Truncate(250)), b"a");
    }
}
