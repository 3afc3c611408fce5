//! The line comparison against random records, edits, pages and chunkings: every edit is
//! found once, as what it was, and nothing else.

use std::collections::{BTreeMap, VecDeque};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::{compare_page, fill_until, LineDiff};
use crate::merkle::Hash;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Changed,
    Added,
    Deleted,
}

#[derive(Debug, Clone)]
enum Edit {
    Keep,
    Change(u8),
    Delete,
}

fn leaf(seed: u64) -> Hash {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(&seed.to_be_bytes());
    h
}

/// Run the comparison as `changed_lines` does: pages of `page` rows, the record read in chunks
/// of `chunk` entries up to each page's last line, what is left at the end deleted.
fn diffs(
    stored: &[(i64, Hash)],
    recorded: &[(i64, Hash)],
    page: usize,
    chunk: usize,
) -> Vec<(i64, Kind, Option<Hash>)> {
    let mut chunks = recorded.chunks(chunk.max(1)).map(<[_]>::to_vec);
    let mut buffer = VecDeque::new();
    let mut out = Vec::new();
    for rows in stored.chunks(page.max(1)) {
        let last = rows.last().map_or(i64::MIN, |r| r.0);
        fill_until::<()>(&mut buffer, last, || Ok(chunks.next())).unwrap();
        for diff in compare_page(rows, &mut buffer) {
            out.push(match diff {
                LineDiff::Changed { row, expected } => (rows[row].0, Kind::Changed, Some(expected)),
                LineDiff::Added { row } => (rows[row].0, Kind::Added, None),
                LineDiff::Deleted { line, expected } => (line, Kind::Deleted, Some(expected)),
            });
        }
    }
    fill_until::<()>(&mut buffer, i64::MAX, || Ok(chunks.next())).unwrap();
    out.extend(
        buffer
            .into_iter()
            .map(|(line, h)| (line, Kind::Deleted, Some(h))),
    );
    out
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => Just(Edit::Keep),
        2 => any::<u8>().prop_map(Edit::Change),
        2 => Just(Edit::Delete),
    ]
}

#[test]
fn every_changed_added_and_deleted_line_is_found_once_whatever_the_pages_and_chunks() {
    let cases = citytrace_schema::testing::fuzz_cases(10_000);
    let strategy = (
        proptest::collection::btree_set(-20i64..300, 0..60),
        proptest::collection::vec(edit(), 60),
        proptest::collection::btree_set(-40i64..340, 0..12),
        1usize..25,
        1usize..25,
    );
    let mut runner = TestRunner::new(Config::with_cases(cases));
    runner
        .run(&strategy, |(lines, edits, added, page, chunk)| {
            let recorded: Vec<(i64, Hash)> = lines.iter().map(|l| (*l, leaf(*l as u64))).collect();
            let mut stored: BTreeMap<i64, Hash> = BTreeMap::new();
            let mut expected = Vec::new();
            for ((line, anchored), edit) in recorded.iter().zip(&edits) {
                match edit {
                    Edit::Keep => {
                        stored.insert(*line, *anchored);
                    }
                    Edit::Change(b) => {
                        let mut other = *anchored;
                        other[31] = b.wrapping_add(1).max(1);
                        stored.insert(*line, other);
                        expected.push((*line, Kind::Changed, Some(*anchored)));
                    }
                    Edit::Delete => expected.push((*line, Kind::Deleted, Some(*anchored))),
                }
            }
            for line in added.iter().filter(|l| !lines.contains(l)) {
                stored.insert(*line, leaf((*line as u64).wrapping_add(1 << 40)));
                expected.push((*line, Kind::Added, None));
            }
            let stored: Vec<(i64, Hash)> = stored.into_iter().collect();
            let mut found = diffs(&stored, &recorded, page, chunk);
            found.sort();
            expected.sort();
            prop_assert_eq!(found, expected);
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_row_moved_to_another_line_is_deleted_there_and_added_here() {
    let recorded = vec![(2, leaf(2)), (3, leaf(3)), (4, leaf(4))];
    let stored = vec![(2, leaf(2)), (4, leaf(4)), (99, leaf(3))];
    assert_eq!(
        diffs(&stored, &recorded, 2, 1),
        vec![(3, Kind::Deleted, Some(leaf(3))), (99, Kind::Added, None)]
    );
}

#[test]
fn an_empty_record_makes_every_row_added_and_no_rows_make_every_record_deleted() {
    let rows = vec![(2, leaf(2)), (3, leaf(3))];
    assert_eq!(
        diffs(&rows, &[], 1, 1),
        vec![(2, Kind::Added, None), (3, Kind::Added, None)]
    );
    assert_eq!(
        diffs(&[], &rows, 1, 1),
        vec![
            (2, Kind::Deleted, Some(leaf(2))),
            (3, Kind::Deleted, Some(leaf(3)))
        ]
    );
}
