//! What the audit concludes about one batch from what it gathered: the batch's stored root and
//! row count, what its stored rows give, what the ledger's `BatchAnchored` event says and what
//! the database's indexed copy of that event says. The ledger is the authority once it has
//! spoken; before, the root the importer stored is. Each disagreement is a [`Mismatch`] that
//! names the batch, what was expected (and from where) and what was found.

use chrono::{DateTime, Utc};
use serde::Serialize;

use citytrace_importers::audit::changes::{LineChange, Naming};
use citytrace_importers::audit::{AnchoredRoot, Reproof};
use citytrace_indexer::verify::audit::NodeAnchor;
use citytrace_schema::hex0x;
use citytrace_schema::models::ImportBatch;

/// One thing the audit found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// `rows` (a batch's rows as a whole), `row` (one line), `stored_root`, `stored_row_count`,
    /// `anchor`, `unanchored` or `log`.
    pub check: &'static str,
    pub batch: Option<i64>,
    pub kind: Option<String>,
    pub file: Option<String>,
    pub line: Option<i64>,
    /// The indexed log's key (`log` mismatches).
    pub log: Option<String>,
    pub expected: String,
    pub found: String,
}

impl Mismatch {
    pub fn of_batch(
        check: &'static str,
        batch: &ImportBatch,
        expected: String,
        found: String,
    ) -> Self {
        Self {
            check,
            batch: Some(batch.id),
            kind: Some(batch.kind.clone()),
            file: Some(batch.file_name.clone()),
            line: None,
            log: None,
            expected,
            found,
        }
    }

    /// "batch 3 (shipments, acme.csv) line 7" / "log 31337:0x…:0".
    pub fn subject(&self) -> String {
        let mut subject = match (&self.batch, &self.log) {
            (Some(id), _) => match (&self.kind, &self.file) {
                (Some(kind), Some(file)) => format!("batch {id} ({kind}, {file})"),
                _ => format!("batch {id}"),
            },
            (None, Some(key)) => format!("log {key}"),
            (None, None) => "the database".to_string(),
        };
        if let Some(line) = self.line {
            subject.push_str(&format!(" line {line}"));
        }
        subject
    }
}

/// What the node said about a batch.
#[derive(Debug, Clone, Copy)]
pub enum OnLedger<'a> {
    /// The node was not asked (or did not answer).
    NotAsked,
    /// The node has no `BatchAnchored` event for the batch.
    NotAnchored,
    Anchored(&'a NodeAnchor),
}

/// The database's indexed copy of a `BatchAnchored` event (`batch_anchors`), numbers as text
/// so that any integer column type reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedAnchor {
    pub batch_id: String,
    pub root: Vec<u8>,
    pub row_count: String,
    pub tx_hash: Vec<u8>,
    pub block_number: String,
}

/// Everything known about one batch.
pub struct BatchFacts<'a> {
    pub batch: &'a ImportBatch,
    pub reproof: &'a Reproof,
    pub ledger: OnLedger<'a>,
    /// The indexed anchors naming this batch's id.
    pub indexed: Vec<&'a IndexedAnchor>,
}

/// The batch's mismatches, and — when its rows no longer give the root the ledger anchored —
/// that root, for naming the lines that changed.
pub fn batch_mismatches(facts: &BatchFacts) -> (Vec<Mismatch>, Option<AnchoredRoot>) {
    let BatchFacts { batch, reproof, .. } = facts;
    let mut found = Vec::new();
    if !reproof.known_kind {
        found.push(Mismatch::of_batch(
            "rows",
            batch,
            "a kind of batch this citytrace reads".into(),
            format!("kind {:?}: its rows were not read", batch.kind),
        ));
        return (found, None);
    }
    let rows_give = format!(
        "root {} over {} stored row{}",
        hex0x(&reproof.root),
        reproof.rows,
        plural(reproof.rows)
    );
    let mut to_name = None;
    match facts.ledger {
        OnLedger::Anchored(event) => {
            let anchored = format!(
                "root {} over {} row{}, anchored on the ledger in transaction {} (block {})",
                hex0x(&event.root),
                event.row_count,
                plural(event.row_count),
                hex0x(&event.tx_hash),
                event.block_number
            );
            if reproof.root != event.root || reproof.rows != event.row_count {
                found.push(Mismatch::of_batch("rows", batch, anchored, rows_give));
                to_name = Some(AnchoredRoot {
                    root: event.root,
                    rows: event.row_count,
                });
            }
            if batch.merkle_root.as_slice() != event.root {
                found.push(Mismatch::of_batch(
                    "stored_root",
                    batch,
                    format!(
                        "import_batches.merkle_root {} (the root the ledger anchored)",
                        hex0x(&event.root)
                    ),
                    hex0x(&batch.merkle_root),
                ));
            }
            if u64::try_from(batch.row_count).ok() != Some(event.row_count) {
                found.push(Mismatch::of_batch(
                    "stored_row_count",
                    batch,
                    format!(
                        "import_batches.row_count {} (the row count the ledger anchored)",
                        event.row_count
                    ),
                    batch.row_count.to_string(),
                ));
            }
        }
        OnLedger::NotAnchored | OnLedger::NotAsked => {
            if reproof.root != batch.merkle_root.as_slice()
                || u64::try_from(batch.row_count).ok() != Some(reproof.rows)
            {
                found.push(Mismatch::of_batch(
                    "rows",
                    batch,
                    format!(
                        "root {} over {} row{} (import_batches: what the importer computed; the batch is not anchored{})",
                        hex0x(&batch.merkle_root),
                        batch.row_count,
                        plural(batch.row_count.max(0) as u64),
                        if matches!(facts.ledger, OnLedger::NotAsked) { " as far as the audit could tell" } else { "" }
                    ),
                    rows_give,
                ));
            }
        }
    }
    found.extend(indexed_mismatches(facts));
    (found, to_name)
}

/// The database's indexed anchors of the batch against the node's event.
fn indexed_mismatches(facts: &BatchFacts) -> Vec<Mismatch> {
    let batch = facts.batch;
    let copy = |a: &IndexedAnchor| {
        format!(
            "batch_anchors says batch {} was anchored with root {} over {} rows in transaction {} (block {})",
            a.batch_id,
            hex0x(&a.root),
            a.row_count,
            hex0x(&a.tx_hash),
            a.block_number
        )
    };
    match facts.ledger {
        OnLedger::NotAsked => Vec::new(),
        OnLedger::NotAnchored => facts
            .indexed
            .iter()
            .map(|a| {
                Mismatch::of_batch(
                    "anchor",
                    batch,
                    format!(
                        "no anchor: the node has no BatchAnchored event for batch {}",
                        batch.id
                    ),
                    copy(a),
                )
            })
            .collect(),
        OnLedger::Anchored(event) => facts
            .indexed
            .iter()
            .filter(|a| {
                a.root != event.root
                    || a.row_count != event.row_count.to_string()
                    || a.tx_hash != event.tx_hash
                    || a.block_number != event.block_number.to_string()
            })
            .map(|a| {
                Mismatch::of_batch(
                    "anchor",
                    batch,
                    format!(
                        "the ledger's event: root {} over {} rows in transaction {} (block {})",
                        hex0x(&event.root),
                        event.row_count,
                        hex0x(&event.tx_hash),
                        event.block_number
                    ),
                    copy(a),
                )
            })
            .collect(),
    }
}

/// A batch the ledger anchored that the database does not have.
pub fn missing_batch(event: &NodeAnchor) -> Mismatch {
    Mismatch {
        check: "anchor",
        batch: i64::try_from(event.batch_id).ok(),
        kind: None,
        file: None,
        line: None,
        log: None,
        expected: format!(
            "batch {} in import_batches: the ledger anchored it with root {} over {} rows in transaction {} (block {})",
            event.batch_id,
            hex0x(&event.root),
            event.row_count,
            hex0x(&event.tx_hash),
            event.block_number
        ),
        found: format!("no batch {} in the database", event.batch_id),
    }
}

/// A batch still not anchored `waited` after its import, when `threshold` is the most it
/// should wait; None when it is within it.
pub fn unanchored(
    batch: &ImportBatch,
    now: DateTime<Utc>,
    threshold: std::time::Duration,
) -> Option<Mismatch> {
    let waited = now.signed_duration_since(batch.imported_at).to_std().ok()?;
    (waited > threshold).then(|| {
        Mismatch::of_batch(
            "unanchored",
            batch,
            format!("anchored on the ledger within {} of its import", duration(threshold)),
            format!(
                "not anchored {} after its import ({}): the node has no BatchAnchored event for it; is `citytrace index` running with [anchoring]?",
                duration(waited),
                batch.imported_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        )
    })
}

/// The batch-level `rows` mismatch made precise by the leaf record: one mismatch per line
/// that changed, or the reason no line can be named.
pub fn named_lines(batch: &ImportBatch, naming: &Naming, anchored: AnchoredRoot) -> Vec<Mismatch> {
    match naming {
        Naming::Named { changes, total } => {
            let mut named: Vec<Mismatch> =
                changes.iter().map(|c| line_mismatch(batch, c)).collect();
            let more = total.saturating_sub(changes.len() as u64);
            if more > 0 {
                named.push(Mismatch::of_batch(
                    "rows",
                    batch,
                    "the rows the ledger anchored".into(),
                    format!("{more} more line{} changed (not listed)", plural(more)),
                ));
            }
            if named.is_empty() {
                // The rows equal the record line for line, yet give another root: only a
                // record whose leaves do not fold to the root could do that, and it was checked.
                named.push(Mismatch::of_batch(
                    "rows",
                    batch,
                    format!("root {}", hex0x(&anchored.root)),
                    "rows equal to the leaf record, giving another root".into(),
                ));
            }
            named
        }
        Naming::NoRecord | Naming::RecordDoesNotHold(_) => Vec::new(),
    }
}

/// Why the lines of a changed batch cannot be named (None when they were).
pub fn unnamed_reason(naming: &Naming) -> Option<String> {
    match naming {
        Naming::Named { .. } => None,
        Naming::NoRecord => Some(
            "no line can be named: the batch has no leaf record (it changed before an audit recorded its leaves)".into(),
        ),
        Naming::RecordDoesNotHold(why) => Some(format!(
            "no line can be named: the batch's leaf record does not hold ({why}); it was altered too"
        )),
    }
}

fn line_mismatch(batch: &ImportBatch, change: &LineChange) -> Mismatch {
    let expected = match change.expected {
        Some(leaf) => format!("the row the ledger anchored, leaf {}", hex0x(&leaf)),
        None => format!(
            "no row at line {}: the anchored batch has none",
            change.line
        ),
    };
    let found = match (change.found, &change.found_row) {
        (Some(leaf), Some(row)) => format!("leaf {} of the stored row {row}", hex0x(&leaf)),
        (Some(leaf), None) => format!("leaf {}", hex0x(&leaf)),
        (None, _) => format!("no row at line {}: it was deleted", change.line),
    };
    Mismatch {
        line: Some(change.line),
        ..Mismatch::of_batch("row", batch, expected, found)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `1 h 5 min`, `45 s`, `2 d 3 h`.
pub fn duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes, seconds) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let parts: Vec<String> = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}
