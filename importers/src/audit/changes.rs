//! Which lines of a batch changed since it was anchored: its stored rows compared, line by
//! line, with its leaf record — once the record has shown that its leaves give the root the
//! ledger anchored (so it holds the leaves of the rows as they were anchored, whoever wrote
//! it).
//!
//! Both sides are in line order and read a page (a few chunks) at a time: before a page of
//! stored rows is compared, the record is read up to the page's last line ([`fill_until`]);
//! the comparison itself ([`compare_page`]) is a merge of two sorted lists.

use std::collections::VecDeque;

use diesel::pg::PgConnection;
use serde::Serialize;

use citytrace_schema::models::ImportBatch;

use super::{record, AnchoredRoot, AuditError};
use crate::merkle::{self, Hash, RootBuilder};
use crate::proof::stored::{self, StoredPages};

/// Record chunks read per query.
const CHUNKS_PER_READ: i64 = 4;

/// One line whose stored row is not the row that was anchored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineChange {
    pub line: i64,
    /// The anchored row's leaf; None when the anchored batch had no row at this line.
    #[serde(with = "opt_hash")]
    pub expected: Option<Hash>,
    /// The stored row's leaf; None when no row is stored at this line.
    #[serde(with = "opt_hash")]
    pub found: Option<Hash>,
    /// The stored row's canonical text, when there is one.
    pub found_row: Option<String>,
}

/// What the record says about a batch whose rows no longer give the anchored root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// The record holds; these lines differ (the first `limit`), `total` in all.
    Named {
        changes: Vec<LineChange>,
        total: u64,
    },
    /// The batch has no leaf record: it changed before an audit recorded one.
    NoRecord,
    /// The record does not give the anchored root (it was altered too): why.
    RecordDoesNotHold(String),
}

/// How a stored line differs from the record (indexes into the page compared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineDiff {
    /// Row `row` of the page has another leaf than the record's.
    Changed { row: usize, expected: Hash },
    /// Row `row` of the page is at a line the record does not have.
    Added { row: usize },
    /// The record has a row at `line` that is not stored.
    Deleted { line: i64, expected: Hash },
}

/// Compare a page of stored rows `(line, leaf)` with the record's entries, which must hold
/// every recorded line up to the page's last (more is fine); the entries compared are taken
/// off `recorded`. Both sides in strictly increasing line order.
pub fn compare_page(stored: &[(i64, Hash)], recorded: &mut VecDeque<(i64, Hash)>) -> Vec<LineDiff> {
    let mut diffs = Vec::new();
    for (row, &(line, leaf)) in stored.iter().enumerate() {
        while let Some(&(at, expected)) = recorded.front() {
            if at >= line {
                break;
            }
            diffs.push(LineDiff::Deleted { line: at, expected });
            recorded.pop_front();
        }
        match recorded.front() {
            Some(&(at, expected)) if at == line => {
                if expected != leaf {
                    diffs.push(LineDiff::Changed { row, expected });
                }
                recorded.pop_front();
            }
            _ => diffs.push(LineDiff::Added { row }),
        }
    }
    diffs
}

/// Read `next_chunk` into `recorded` until it holds a line beyond `line` or the record ends.
/// Err: the record's own problem (a chunk missing or malformed).
pub fn fill_until<E>(
    recorded: &mut VecDeque<(i64, Hash)>,
    line: i64,
    mut next_chunk: impl FnMut() -> Result<Option<Vec<(i64, Hash)>>, E>,
) -> Result<(), E> {
    while recorded.back().is_none_or(|&(last, _)| last <= line) {
        match next_chunk()? {
            Some(chunk) if !chunk.is_empty() => recorded.extend(chunk),
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// Compare the stored rows of `batch` with its leaf record, which must give `anchored`.
pub fn changed_lines(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    anchored: AnchoredRoot,
    page_rows: i64,
    limit: usize,
) -> Result<Naming, AuditError> {
    if record::record_of(conn, batch.id)?.is_none() {
        return Ok(Naming::NoRecord);
    }
    if let Err(reason) = check_record(conn, batch.id, anchored)? {
        return Ok(Naming::RecordDoesNotHold(reason));
    }
    let Some(format) = stored::format_of(&batch.kind) else {
        return Ok(Naming::RecordDoesNotHold(format!(
            "batch {} has kind {:?}, which this citytrace cannot read",
            batch.id, batch.kind
        )));
    };
    let mut chunks = ChunkReader::new(batch.id);
    let mut recorded = VecDeque::new();
    let mut pages = StoredPages::new(format, batch.id, page_rows);
    let mut named = Named::new(limit);
    while let Some(page) = pages.next(conn)? {
        let texts: Vec<Vec<u8>> = (0..page.len()).map(|i| page.canonical(i)).collect();
        let rows: Vec<(i64, Hash)> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| (page.line(i), merkle::leaf_hash(text)))
            .collect();
        let last = rows.last().map_or(i64::MIN, |r| r.0);
        fill_until(&mut recorded, last, || chunks.next(conn))?;
        for diff in compare_page(&rows, &mut recorded) {
            named.push(diff, &rows, &texts);
        }
    }
    fill_until(&mut recorded, i64::MAX, || chunks.next(conn))?;
    for (line, expected) in recorded {
        named.push(LineDiff::Deleted { line, expected }, &[], &[]);
    }
    Ok(Naming::Named {
        changes: named.changes,
        total: named.total,
    })
}

/// Ok when the record's leaves, in order, give `anchored`'s root and row count, with lines
/// strictly increasing; else why not.
fn check_record(
    conn: &mut PgConnection,
    batch_id: i64,
    anchored: AnchoredRoot,
) -> Result<Result<(), String>, AuditError> {
    let mut builder = RootBuilder::new();
    let mut last: Option<i64> = None;
    let mut chunks = ChunkReader::new(batch_id);
    loop {
        let entries = match chunks.next(conn) {
            Ok(Some(entries)) => entries,
            Ok(None) => break,
            Err(ChunkError::Db(e)) => return Err(e.into()),
            Err(ChunkError::Record(reason)) => return Ok(Err(reason)),
        };
        for (line, leaf) in entries {
            if let Some(before) = last.filter(|l| *l >= line) {
                return Ok(Err(format!(
                    "its lines are out of order ({before} before {line})"
                )));
            }
            last = Some(line);
            builder.push_leaf(leaf);
        }
    }
    let root = builder.root().unwrap_or_default();
    if root != anchored.root || builder.len() != anchored.rows {
        return Ok(Err(format!(
            "its {} leaves give root {}, not the anchored root {} of {} rows",
            builder.len(),
            hex0x(&root),
            hex0x(&anchored.root),
            anchored.rows
        )));
    }
    Ok(Ok(()))
}

enum ChunkError {
    Db(diesel::result::Error),
    Record(String),
}

impl From<ChunkError> for AuditError {
    fn from(e: ChunkError) -> Self {
        match e {
            ChunkError::Db(e) => AuditError::Db(e),
            // Only reached after the record was checked whole: it changed while being read.
            ChunkError::Record(reason) => AuditError::Internal(format!(
                "the leaf record changed while it was read: {reason}"
            )),
        }
    }
}

/// The record's chunks in order, a few per query.
struct ChunkReader {
    batch_id: i64,
    next_chunk: i32,
    done: bool,
}

impl ChunkReader {
    fn new(batch_id: i64) -> Self {
        Self {
            batch_id,
            next_chunk: 0,
            done: false,
        }
    }

    /// The entries of the next few chunks; None at the end.
    fn next(&mut self, conn: &mut PgConnection) -> Result<Option<Vec<(i64, Hash)>>, ChunkError> {
        if self.done {
            return Ok(None);
        }
        let entries = record::read_chunks(conn, self.batch_id, self.next_chunk, CHUNKS_PER_READ)
            .map_err(ChunkError::Db)?
            .map_err(ChunkError::Record)?;
        self.next_chunk = self.next_chunk.saturating_add(CHUNKS_PER_READ as i32);
        if entries.is_empty() {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(entries))
    }
}

/// The changes found so far: the first `limit` kept, all counted.
struct Named {
    changes: Vec<LineChange>,
    total: u64,
    limit: usize,
}

impl Named {
    fn new(limit: usize) -> Self {
        Self {
            changes: Vec::new(),
            total: 0,
            limit,
        }
    }

    /// Keep `diff` (of a page of `rows` with their canonical `texts`).
    fn push(&mut self, diff: LineDiff, rows: &[(i64, Hash)], texts: &[Vec<u8>]) {
        self.total += 1;
        if self.changes.len() >= self.limit {
            return;
        }
        let found = |row: usize| {
            (
                rows.get(row).map(|r| r.1),
                texts
                    .get(row)
                    .map(|t| String::from_utf8_lossy(t).into_owned()),
            )
        };
        let change = match diff {
            LineDiff::Changed { row, expected } => {
                let (leaf, text) = found(row);
                LineChange {
                    line: rows.get(row).map_or(0, |r| r.0),
                    expected: Some(expected),
                    found: leaf,
                    found_row: text,
                }
            }
            LineDiff::Added { row } => {
                let (leaf, text) = found(row);
                LineChange {
                    line: rows.get(row).map_or(0, |r| r.0),
                    expected: None,
                    found: leaf,
                    found_row: text,
                }
            }
            LineDiff::Deleted { line, expected } => LineChange {
                line,
                expected: Some(expected),
                found: None,
                found_row: None,
            },
        };
        self.changes.push(change);
    }
}

fn hex0x(bytes: &[u8]) -> String {
    citytrace_schema::hex0x(bytes)
}

/// Serde helper: an optional 32-byte hash as 0x-prefixed hex or null.
mod opt_hash {
    use serde::Serializer;

    pub fn serialize<S: Serializer>(hash: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match hash {
            Some(h) => s.serialize_str(&super::hex0x(h)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests;
