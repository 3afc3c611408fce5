//! Re-proving stored batches: every row of a batch read back from the database, encoded as its
//! importer encoded it (`proof::stored`), hashed into its leaf, and folded into the batch's
//! Merkle root — for `citytrace audit` (docs/verification.md).
//!
//! Rows are read a page at a time on the connection's thread while the previous page is hashed
//! on every core, so memory holds two pages whatever the batch's size. A batch whose rows give
//! the root the ledger anchored can have its leaves recorded ([`record`]); when a later audit
//! finds the rows changed, [`changes`] compares them with that record and names the lines.
//!
//! Nothing here asks a ledger: the caller says which root a batch was anchored with.

mod binary;
pub mod changes;
mod copy;
mod fast;
mod read;
pub mod record;

use std::ops::ControlFlow;
use std::sync::mpsc;

use diesel::pg::PgConnection;

use citytrace_schema::models::ImportBatch;

use crate::merkle::{Hash, RootBuilder};
use crate::proof::stored;
use crate::Format;
use read::{read_batches, Message, Page};

/// Why a batch could not be re-proved.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// A bug (a thread of the audit panicked), or the output could not be written. Nothing
    /// was recorded for the batch being proved.
    #[error("internal error while re-proving: {0}")]
    Internal(String),
}

/// A root the ledger anchored a batch with (the caller asked the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchoredRoot {
    pub root: Hash,
    pub rows: u64,
}

/// A batch to re-prove, and the anchored root to record its leaves against (None: do not
/// record them — not anchored, or recorded already).
#[derive(Debug, Clone)]
pub struct BatchToProve {
    pub batch: ImportBatch,
    pub record_against: Option<AnchoredRoot>,
}

/// What a batch's stored rows give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reproof {
    pub batch_id: i64,
    /// Rows read back.
    pub rows: u64,
    /// Their root, as the importer computes it (32 zero bytes for no rows).
    pub root: Hash,
    /// False when the batch's kind is not one this citytrace reads: nothing was read.
    pub known_kind: bool,
    /// True when the leaves were recorded (they gave the root they were to be recorded
    /// against).
    pub recorded: bool,
}

/// How to read and hash.
#[derive(Debug, Clone, Copy)]
pub struct ReproveOptions {
    /// Rows per query and per recorded chunk.
    pub page_rows: i64,
    /// Threads hashing each page (the reading thread is another).
    pub threads: usize,
}

impl Default for ReproveOptions {
    fn default() -> Self {
        Self {
            page_rows: 20_000,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// One page's rows as (line, leaf), in line order.
pub struct PageLeaves {
    pub lines: Vec<i64>,
    pub leaves: Vec<Hash>,
}

/// Hash every row of `page` into its leaf, on `threads` threads. Err: a thread panicked (an
/// encoder's bug), with its message.
pub fn page_leaves(page: &Page, threads: usize) -> Result<PageLeaves, AuditError> {
    let n = page.len();
    let lines: Vec<i64> = (0..n).map(|i| page.line(i)).collect();
    let part = n.div_ceil(threads.max(1)).max(1);
    let hash = |from: usize| -> Vec<Hash> {
        let mut scratch = Vec::with_capacity(512);
        (from..(from + part).min(n))
            .map(|i| page.leaf(i, &mut scratch))
            .collect()
    };
    let leaves = std::thread::scope(|scope| {
        let others: Vec<_> = (part..n)
            .step_by(part)
            .map(|from| scope.spawn(move || hash(from)))
            .collect();
        let mut leaves = hash(0);
        for other in others {
            leaves.extend(
                other
                    .join()
                    .map_err(|panic| AuditError::Internal(crate::panic_message(&*panic)))?,
            );
        }
        Ok::<_, AuditError>(leaves)
    })?;
    Ok(PageLeaves { lines, leaves })
}

/// Re-prove `batches` (the results in their order): read on `conn`, hash on other threads, record leaves on
/// `recorder` (when given) for the batches that name a root to record against. `progress`
/// gets the number of rows of each page once hashed.
pub fn reprove(
    conn: &mut PgConnection,
    recorder: Option<&mut PgConnection>,
    batches: &[BatchToProve],
    options: ReproveOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Reproof>, AuditError> {
    std::thread::scope(|scope| {
        let (pages, received) = mpsc::sync_channel::<Message>(1);
        let prover = scope.spawn(move || prove(received, recorder, batches, options, progress));
        let read = read_batches(conn, batches, options, &pages);
        drop(pages);
        let proved = prover
            .join()
            .unwrap_or_else(|panic| Err(AuditError::Internal(crate::panic_message(&*panic))));
        read?;
        proved
    })
}

/// The proving side: leaves, roots and leaf records, batch by batch.
fn prove(
    received: mpsc::Receiver<Message>,
    mut recorder: Option<&mut PgConnection>,
    batches: &[BatchToProve],
    options: ReproveOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Reproof>, AuditError> {
    let mut proofs: Vec<(usize, Reproof)> = Vec::with_capacity(batches.len());
    let mut current: Option<(usize, BatchProof)> = None;
    for message in received {
        match message {
            Message::Start(index) => {
                let b = &batches[index];
                let writer = match (b.record_against, recorder.as_deref_mut()) {
                    (Some(against), Some(conn)) => {
                        Some(record::LeafWriter::start(conn, b.batch.id, against)?)
                    }
                    _ => None,
                };
                current = Some((
                    index,
                    BatchProof {
                        batch: &b.batch,
                        builder: RootBuilder::new(),
                        writer,
                    },
                ));
            }
            Message::Page(page) => {
                let Some((_, proof)) = current.as_mut() else {
                    continue;
                };
                let pushed = page_leaves(&page, options.threads)
                    .and_then(|leaves| proof.push(&leaves, recorder.as_deref_mut()));
                if let Err(e) = pushed {
                    if let (Some((_, proof)), Some(conn)) =
                        (current.take(), recorder.as_deref_mut())
                    {
                        proof.abandon(conn);
                    }
                    return Err(e);
                }
                progress(page.len() as u64);
            }
            Message::End => {
                if let Some((index, proof)) = current.take() {
                    proofs.push((index, proof.finish(recorder.as_deref_mut())?));
                }
            }
        }
    }
    // The reading side stopped inside a batch (its error is reported): record nothing of it.
    if let (Some((_, proof)), Some(conn)) = (current.take(), recorder) {
        proof.abandon(conn);
    }
    // Read in another order (the bulk formats first): given back in the order asked.
    proofs.sort_by_key(|(index, _)| *index);
    Ok(proofs.into_iter().map(|(_, proof)| proof).collect())
}

/// One batch being proved.
struct BatchProof<'a> {
    batch: &'a ImportBatch,
    builder: RootBuilder,
    writer: Option<record::LeafWriter>,
}

impl BatchProof<'_> {
    fn push(
        &mut self,
        page: &PageLeaves,
        recorder: Option<&mut PgConnection>,
    ) -> Result<(), AuditError> {
        for leaf in &page.leaves {
            self.builder.push_leaf(*leaf);
        }
        if let (Some(writer), Some(conn)) = (self.writer.as_mut(), recorder) {
            writer.push(conn, page)?;
        }
        Ok(())
    }

    fn abandon(self, recorder: &mut PgConnection) {
        if let Some(writer) = self.writer {
            writer.abandon(recorder);
        }
    }

    fn finish(self, recorder: Option<&mut PgConnection>) -> Result<Reproof, AuditError> {
        let root = self.builder.root().unwrap_or_default();
        let rows = self.builder.len();
        let recorded = match (self.writer, recorder) {
            (Some(writer), Some(conn)) => writer.finish(conn, root, rows)?,
            _ => false,
        };
        Ok(Reproof {
            batch_id: self.batch.id,
            rows,
            root,
            known_kind: stored::format_of(&self.batch.kind).is_some(),
            recorded,
        })
    }
}

/// Write every stored row of `batch` as its canonical text, one row per line, to `out` (for
/// measuring the audit against hashing the same text with another tool). The number of rows.
pub fn write_canonical_rows(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    out: &mut impl std::io::Write,
) -> Result<u64, AuditError> {
    let Some(format) = stored::format_of(&batch.kind) else {
        return Ok(0);
    };
    let mut rows = 0;
    let mut failed = None;
    stored::for_each_page(conn, format, batch.id, 20_000, |page| {
        for i in 0..page.len() {
            let written = out
                .write_all(&page.canonical(i))
                .and_then(|()| out.write_all(b"\n"));
            if let Err(e) = written {
                failed = Some(e);
                return ControlFlow::Break(());
            }
        }
        rows += page.len() as u64;
        ControlFlow::Continue(())
    })?;
    match failed {
        Some(e) => Err(AuditError::Internal(format!(
            "writing the canonical rows of batch {}: {e}",
            batch.id
        ))),
        None => Ok(rows),
    }
}

/// The format of a batch, when this citytrace reads its kind.
pub fn format_of(batch: &ImportBatch) -> Option<Format> {
    stored::format_of(&batch.kind)
}
