//! The audit's arguments and its conclusions about a batch, without a database or a node.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use citytrace_importers::audit::changes::{LineChange, Naming};
use citytrace_importers::audit::{AnchoredRoot, Reproof};
use citytrace_indexer::verify::audit::NodeAnchor;
use citytrace_schema::hex0x;
use citytrace_schema::models::ImportBatch;

use super::findings::{self, BatchFacts, IndexedAnchor, OnLedger};
use super::{parse_duration, parse_logs, LogSample};

#[test]
fn durations_read_as_documented() {
    for (text, seconds) in [
        ("90s", 90),
        ("15m", 900),
        ("15min", 900),
        ("1h", 3600),
        ("2d", 172_800),
        ("1h30m", 5400),
        (" 1h 30m ", 5400),
        ("0s", 0),
    ] {
        assert_eq!(
            parse_duration(text),
            Ok(Duration::from_secs(seconds)),
            "{text}"
        );
    }
    for text in [
        "",
        "h",
        "1",
        "1x",
        "-1h",
        "1.5h",
        "é",
        "1hé",
        "1 h",
        "99999999999999999999d",
        "213503982334602d",
    ] {
        assert_eq!(
            parse_duration(text),
            Err(format!(
                "{text:?}: a duration such as 90s, 15m, 1h, 2d or 1h30m"
            )),
            "{text}"
        );
    }
}

#[test]
fn any_text_is_a_duration_or_the_reason_it_is_not_and_sums_of_parts_read_back() {
    let cases = citytrace_schema::testing::fuzz_cases(10_000);
    let mut runner = TestRunner::new(Config::with_cases(cases));
    runner
        .run(&any::<String>(), |text| {
            if let Err(reason) = parse_duration(&text) {
                prop_assert!(reason.contains("a duration such as"), "{}", reason);
            }
            Ok(())
        })
        .unwrap();
    let unit = prop_oneof![
        Just(("s", 1u64)),
        Just(("sec", 1)),
        Just(("m", 60)),
        Just(("min", 60)),
        Just(("h", 3600)),
        Just(("d", 86_400))
    ];
    let mut runner = TestRunner::new(Config::with_cases(cases));
    runner
        .run(
            &proptest::collection::vec((0u64..100_000, unit), 1..5),
            |parts| {
                let text: String = parts.iter().map(|(n, (u, _))| format!("{n}{u}")).collect();
                let seconds: u64 = parts.iter().map(|(n, (_, s))| n * s).sum();
                prop_assert_eq!(parse_duration(&text), Ok(Duration::from_secs(seconds)));
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn a_log_sample_is_a_number_or_all() {
    assert_eq!(parse_logs("all"), Ok(LogSample::All));
    assert_eq!(parse_logs("0"), Ok(LogSample::Some(0)));
    assert_eq!(parse_logs("250"), Ok(LogSample::Some(250)));
    for bad in ["-1", "some", "", "1e3"] {
        assert_eq!(
            parse_logs(bad),
            Err(format!("{bad:?}: a number of logs, or all"))
        );
    }
}

fn batch(root: [u8; 32], rows: i32) -> ImportBatch {
    ImportBatch {
        id: 7,
        kind: "shipments".into(),
        file_name: "acme.csv".into(),
        sha256: vec![0; 32],
        submitter: "ACME".into(),
        row_count: rows,
        merkle_root: root.to_vec(),
        imported_at: Utc.with_ymd_and_hms(2026, 4, 12, 8, 0, 0).unwrap(),
    }
}

fn reproof(root: [u8; 32], rows: u64) -> Reproof {
    Reproof {
        batch_id: 7,
        rows,
        root,
        known_kind: true,
        recorded: false,
    }
}

fn event(root: [u8; 32], rows: u64) -> NodeAnchor {
    NodeAnchor {
        batch_id: 7,
        root,
        row_count: rows,
        uri: "citytrace:batch/7".into(),
        tx_hash: [0xab; 32],
        block_number: 12,
        block_hash: [0xbb; 32],
        log_index: 0,
    }
}

fn indexed(root: [u8; 32], rows: &str) -> IndexedAnchor {
    IndexedAnchor {
        batch_id: "7".into(),
        root: root.to_vec(),
        row_count: rows.into(),
        tx_hash: vec![0xab; 32],
        block_number: "12".into(),
    }
}

/// (check, expected, found) of each mismatch.
fn judged(facts: &BatchFacts) -> (Vec<(&'static str, String, String)>, Option<AnchoredRoot>) {
    let (found, to_name) = findings::batch_mismatches(facts);
    (
        found
            .into_iter()
            .map(|m| (m.check, m.expected, m.found))
            .collect(),
        to_name,
    )
}

const R: [u8; 32] = [0x11; 32];
const OTHER: [u8; 32] = [0x22; 32];

#[test]
fn an_anchored_batch_whose_rows_give_the_anchored_root_passes() {
    let (b, p, e, i) = (batch(R, 3), reproof(R, 3), event(R, 3), indexed(R, "3"));
    let facts = BatchFacts {
        batch: &b,
        reproof: &p,
        ledger: OnLedger::Anchored(&e),
        indexed: vec![&i],
    };
    assert_eq!(judged(&facts), (vec![], None));
}

#[test]
fn rows_changed_since_anchoring_are_judged_against_the_ledger_and_to_be_named() {
    let (b, p, e) = (batch(R, 3), reproof(OTHER, 3), event(R, 3));
    let facts = BatchFacts {
        batch: &b,
        reproof: &p,
        ledger: OnLedger::Anchored(&e),
        indexed: vec![],
    };
    let (found, to_name) = judged(&facts);
    assert_eq!(
        found,
        vec![(
            "rows",
            format!(
                "root {} over 3 rows, anchored on the ledger in transaction {} (block 12)",
                hex0x(&R),
                hex0x(&[0xab; 32])
            ),
            format!("root {} over 3 stored rows", hex0x(&OTHER)),
        )]
    );
    assert_eq!(to_name, Some(AnchoredRoot { root: R, rows: 3 }));
}

#[test]
fn a_stored_root_or_count_that_differs_from_the_ledger_is_named_as_such() {
    let (b, p, e) = (batch(OTHER, 4), reproof(R, 3), event(R, 3));
    let facts = BatchFacts {
        batch: &b,
        reproof: &p,
        ledger: OnLedger::Anchored(&e),
        indexed: vec![],
    };
    let (found, to_name) = judged(&facts);
    assert_eq!(to_name, None, "the rows are as anchored");
    assert_eq!(
        found,
        vec![
            (
                "stored_root",
                format!(
                    "import_batches.merkle_root {} (the root the ledger anchored)",
                    hex0x(&R)
                ),
                hex0x(&OTHER)
            ),
            (
                "stored_row_count",
                "import_batches.row_count 3 (the row count the ledger anchored)".into(),
                "4".into()
            ),
        ]
    );
}

#[test]
fn an_indexed_anchor_unlike_the_ledger_or_without_one_on_the_ledger_is_an_anchor_mismatch() {
    let (b, p, e, i) = (batch(R, 3), reproof(R, 3), event(R, 3), indexed(R, "4"));
    let copy = format!(
        "batch_anchors says batch 7 was anchored with root {} over 4 rows in transaction {} (block 12)",
        hex0x(&R),
        hex0x(&[0xab; 32])
    );
    let facts = BatchFacts {
        batch: &b,
        reproof: &p,
        ledger: OnLedger::Anchored(&e),
        indexed: vec![&i],
    };
    assert_eq!(
        judged(&facts).0,
        vec![(
            "anchor",
            format!(
                "the ledger's event: root {} over 3 rows in transaction {} (block 12)",
                hex0x(&R),
                hex0x(&[0xab; 32])
            ),
            copy.clone()
        )]
    );
    let facts = BatchFacts {
        batch: &b,
        reproof: &p,
        ledger: OnLedger::NotAnchored,
        indexed: vec![&i],
    };
    assert_eq!(
        judged(&facts).0,
        vec![(
            "anchor",
            "no anchor: the node has no BatchAnchored event for batch 7".into(),
            copy
        )]
    );
}

#[test]
fn before_anchoring_the_rows_are_judged_against_the_stored_root() {
    let (b, p) = (batch(R, 3), reproof(OTHER, 2));
    for (ledger, note) in [
        (OnLedger::NotAnchored, ""),
        (OnLedger::NotAsked, " as far as the audit could tell"),
    ] {
        let facts = BatchFacts {
            batch: &b,
            reproof: &p,
            ledger,
            indexed: vec![],
        };
        assert_eq!(
            judged(&facts),
            (
                vec![(
                    "rows",
                    format!("root {} over 3 rows (import_batches: what the importer computed; the batch is not anchored{note})", hex0x(&R)),
                    format!("root {} over 2 stored rows", hex0x(&OTHER)),
                )],
                None
            )
        );
    }
    let unknown = ImportBatch {
        kind: "spreadsheets".into(),
        ..batch(R, 3)
    };
    let p = Reproof {
        known_kind: false,
        ..reproof([0; 32], 0)
    };
    let facts = BatchFacts {
        batch: &unknown,
        reproof: &p,
        ledger: OnLedger::NotAnchored,
        indexed: vec![],
    };
    assert_eq!(
        judged(&facts).0,
        vec![(
            "rows",
            "a kind of batch this citytrace reads".into(),
            "kind \"spreadsheets\": its rows were not read".into()
        )]
    );
}

#[test]
fn a_batch_waits_for_its_anchor_up_to_the_threshold() {
    let b = batch(R, 3);
    let hour = Duration::from_secs(3600);
    let at = |h, m| Utc.with_ymd_and_hms(2026, 4, 12, h, m, 0).unwrap();
    assert_eq!(findings::unanchored(&b, at(9, 0), hour), None);
    let late = findings::unanchored(&b, at(11, 5), hour).unwrap();
    assert_eq!(late.check, "unanchored");
    assert_eq!(
        late.expected,
        "anchored on the ledger within 1 h of its import"
    );
    assert_eq!(
        late.found,
        "not anchored 3 h 5 min after its import (2026-04-12 08:00:00 UTC): the node has no BatchAnchored event for it; is `citytrace index` running with [anchoring]?"
    );
    assert_eq!(late.subject(), "batch 7 (shipments, acme.csv)");
}

#[test]
fn durations_read_in_their_two_largest_units() {
    let d = |s| findings::duration(Duration::from_secs(s));
    assert_eq!(d(0), "0 s");
    assert_eq!(d(45), "45 s");
    assert_eq!(d(3600), "1 h");
    assert_eq!(d(3900), "1 h 5 min");
    assert_eq!(d(90_061), "1 d 1 h");
}

#[test]
fn named_lines_say_what_was_anchored_and_what_is_stored() {
    let b = batch(R, 3);
    let anchored = AnchoredRoot { root: R, rows: 3 };
    let naming = Naming::Named {
        changes: vec![
            LineChange {
                line: 3,
                expected: Some([1; 32]),
                found: Some([2; 32]),
                found_row: Some("{\"line\":3}".into()),
            },
            LineChange {
                line: 4,
                expected: Some([3; 32]),
                found: None,
                found_row: None,
            },
            LineChange {
                line: 9,
                expected: None,
                found: Some([4; 32]),
                found_row: Some("{\"line\":9}".into()),
            },
        ],
        total: 5,
    };
    let named: Vec<(Option<i64>, String, String)> = findings::named_lines(&b, &naming, anchored)
        .into_iter()
        .map(|m| (m.line, m.expected, m.found))
        .collect();
    assert_eq!(
        named,
        vec![
            (
                Some(3),
                format!("the row the ledger anchored, leaf {}", hex0x(&[1; 32])),
                format!("leaf {} of the stored row {{\"line\":3}}", hex0x(&[2; 32]))
            ),
            (
                Some(4),
                format!("the row the ledger anchored, leaf {}", hex0x(&[3; 32])),
                "no row at line 4: it was deleted".into()
            ),
            (
                Some(9),
                "no row at line 9: the anchored batch has none".into(),
                format!("leaf {} of the stored row {{\"line\":9}}", hex0x(&[4; 32]))
            ),
            (
                None,
                "the rows the ledger anchored".into(),
                "2 more lines changed (not listed)".into()
            ),
        ]
    );
    assert_eq!(findings::unnamed_reason(&naming), None);
    assert_eq!(
        findings::unnamed_reason(&Naming::NoRecord).unwrap(),
        "no line can be named: the batch has no leaf record (it changed before an audit recorded its leaves)"
    );
}
