//! The streaming import of the JSON formats (OCDS, EPCIS): one pass over the file, memory
//! bounded by a few chunks whatever the file's size.
//!
//! A reader thread walks the JSON text with serde_json (a visitor over the package's
//! `releases` or `records`, or the document's event list), holds one row — a release, a
//! record, an event — at a time, checks and normalises it (`ocds::clean`, `epcis::event`),
//! computes its Merkle leaf, and sends the valid rows on in chunks of [`CHUNK_ROWS`] (or about
//! [`CHUNK_BYTES`] of text), one chunk ahead of the database, with their problems and the
//! data-quality notes of the deviations it tolerated. The loading thread writes each chunk by
//! binary COPY in one transaction, as the CSV formats do (`csv_format`), and checks there what
//! needs the rows already written (an identity or hash id met before in the file). What needs
//! the whole file is done at the end, from the database: the state of every contracting
//! process an OCDS file touches is rebuilt from all its stored releases, ocid by ocid.
//!
//! Nothing is committed unless the reader ended cleanly and no problem was found anywhere in
//! the file: any problem rolls the whole transaction back, and every problem found is
//! reported (text problems at their line and column; problems in a row at the row's line — its
//! position in the file's list — and a JSON path). A panic while checking a row becomes a
//! problem of that row; a panic anywhere else rolls back before it resumes.

#[cfg(test)]
pub(crate) mod fuzzing;
mod reader;
mod value;

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver};

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::QueryResult;
use serde_json::Value;

use citytrace_schema::models::{DataQualityNote, ImportBatch, NewDataQualityNote, NoteKind};
use citytrace_schema::schema::import_batches;

use crate::csv_format::FileMeta;
use crate::error::{ImportError, RowError, RowErrors};
use crate::merkle::RootBuilder;
use crate::{BatchSummary, ImportOptions, ImportOutcome, Progress};

pub(crate) use reader::{ChunkWriter, JsonInput, Stopped, STOPPED};
pub use value::MAX_ROW_BYTES;
pub(crate) use value::{other_json_types, skip_map, skip_seq, KeySeed, Position, RowSeed};

/// Rows (releases, records, events) read and checked together and written in one chunk.
pub const CHUNK_ROWS: usize = 1_000;

/// Bytes of JSON text after which a chunk is sent, however few rows it holds.
pub const CHUNK_BYTES: u64 = 16 << 20;

/// Characters of a published value kept in a data-quality note.
const NOTE_VALUE_CHARS: usize = 200;

/// A tolerated deviation from the standard, found in row `line` at `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub line: u64,
    pub path: String,
    pub kind: NoteKind,
    /// The value as published: canonical JSON text, cut at 200 characters.
    pub original: String,
}

impl Note {
    pub fn new(line: u64, path: &str, kind: NoteKind, original: &Value) -> Self {
        let text =
            String::from_utf8_lossy(&crate::ocds::json::canonical_json(original)).into_owned();
        let original = crate::error::truncate(&text, NOTE_VALUE_CHARS);
        Self {
            line,
            path: path.to_string(),
            kind,
            original,
        }
    }
}

/// Rows read and checked on the reader thread, sent to the loading thread together.
#[derive(Debug)]
pub(crate) struct Chunk<T> {
    pub items: Vec<T>,
    pub errors: Vec<RowError>,
    pub notes: Vec<Note>,
    /// Rows read so far in the whole file, and the byte position reached.
    pub rows: u64,
    pub bytes: u64,
    /// The file's last chunk: the reader ended.
    pub last: bool,
}

impl<T> Default for Chunk<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            rows: 0,
            bytes: 0,
            last: false,
        }
    }
}

/// One JSON format: how its document is read, and how its chunks are written.
pub(crate) trait JsonFormat {
    type Item: Send;
    /// The batch kind (`import_batches.kind`).
    const KIND: &'static str;
    /// The problem of a file that holds no row at all.
    const EMPTY: &'static str;

    /// Walk the document, handing every row, problem and note to `out`. A problem that stops
    /// the reading (the JSON text itself) is returned.
    fn read<R: Read>(
        input: &mut JsonInput<R>,
        out: &mut ChunkWriter<'_, Self::Item>,
    ) -> Result<(), serde_json::Error>;

    /// Before the first chunk, in the transaction.
    fn begin(_conn: &mut PgConnection) -> QueryResult<()> {
        Ok(())
    }

    /// Check a chunk against the database and write its rows under `batch`, pushing their
    /// Merkle leaves in line order. Returns how many rows were written; problems go to
    /// `errors`.
    fn load_chunk(
        conn: &mut PgConnection,
        batch: &ImportBatch,
        items: Vec<Self::Item>,
        errors: &mut Vec<RowError>,
        root: &mut RootBuilder,
    ) -> QueryResult<usize>;

    /// After the last chunk, when no problem was found: what needs the whole file. Returns
    /// the number of supply-chain events recorded.
    fn finish(conn: &mut PgConnection, batch: &ImportBatch, written: usize) -> QueryResult<usize>;
}

/// Run `check` on one row; a panic becomes a problem of that row (at `line`, `path`), so a
/// defect of the checks refuses the file with a location instead of stopping the import.
pub(crate) fn guarded<T>(
    line: u64,
    path: &str,
    errors: &mut Vec<RowError>,
    check: impl FnOnce(&mut Vec<RowError>) -> Option<T>,
) -> Option<T> {
    let mut found = Vec::new();
    match catch_unwind(AssertUnwindSafe(|| check(&mut found))) {
        Ok(result) => {
            errors.append(&mut found);
            result
        }
        Err(panic) => {
            let message = crate::panic_message(&*panic);
            errors.push(RowError::new(
                line,
                Some(if path.is_empty() { "(document)" } else { path }),
                None,
                format!("internal error while reading this item: {message}; nothing was imported (please report it)"),
            ));
            None
        }
    }
}

/// The problem of a row that a check neither read nor refused (a defect of the check: a row
/// is never dropped silently).
pub(crate) fn unread(line: u64, path: &str) -> RowError {
    RowError::new(
        line,
        Some(if path.is_empty() { "(document)" } else { path }),
        None,
        "internal error: this item was neither read nor refused; nothing was imported (please report it)",
    )
}

/// Read the whole document on this thread, sending its chunks to `send`.
fn read_document<F: JsonFormat, R: Read>(input: R, send: impl FnMut(Chunk<F::Item>) -> bool) {
    let mut input = match reader::open(input) {
        Ok(input) => input,
        Err(e) => {
            let mut chunk = Chunk::default();
            chunk.errors.push(e);
            chunk.last = true;
            let mut send = send;
            send(chunk);
            return;
        }
    };
    let mut out = ChunkWriter::new(input.position.clone(), send);
    if let Err(e) = F::read(&mut input, &mut out) {
        if !e.to_string().starts_with(STOPPED) {
            out.error(input.located(&e));
        }
    }
    out.finish();
}

/// Why the transaction ends without committing.
enum Abort {
    Invalid(RowErrors),
    DryRun(Box<ImportOutcome>),
    Db(diesel::result::Error),
    /// The reader thread ended without sending the end of the file (it panicked).
    ReaderEnded,
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

/// Import a JSON file of format `F` (see the module docs).
pub(crate) fn import<F: JsonFormat, R: Read + Send>(
    conn: &mut PgConnection,
    input: R,
    meta: &FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    let mut reader_panic = None;
    let result = std::thread::scope(|scope| {
        // One chunk in the channel and one being read: memory holds at most three chunks.
        let (sender, chunks) = sync_channel::<Chunk<F::Item>>(1);
        let reader = scope
            .spawn(move || read_document::<F, R>(input, move |chunk| sender.send(chunk).is_ok()));
        conn.transaction::<ImportOutcome, Abort, _>(|conn| {
            let loaded = load_all::<F>(conn, chunks, meta, options, progress);
            // Commit only after the reader has ended cleanly.
            match reader.join() {
                Ok(()) => loaded,
                Err(panic) => {
                    reader_panic = Some(panic);
                    Err(Abort::ReaderEnded)
                }
            }
        })
    });
    if let Some(panic) = reader_panic {
        // Rolled back; the panic goes on to the import's boundary.
        std::panic::resume_unwind(panic);
    }
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Abort::DryRun(outcome)) => Ok(*outcome),
        Err(Abort::Invalid(errors)) => Err(ImportError::Invalid(errors)),
        Err(Abort::Db(e)) => Err(e.into()),
        Err(Abort::ReaderEnded) => Err(ImportError::Invalid({
            let mut errors = RowErrors::default();
            errors.push(RowError::file(
                "internal error: the file's reader stopped early; nothing was imported",
            ));
            errors
        })),
    }
}

/// The loading side of [`import`], inside its transaction.
fn load_all<F: JsonFormat>(
    conn: &mut PgConnection,
    chunks: Receiver<Chunk<F::Item>>,
    meta: &FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, Abort> {
    let batch = ImportBatch::insert(
        conn,
        &citytrace_schema::models::NewImportBatch {
            kind: F::KIND,
            file_name: meta.file_name,
            sha256: &meta.sha256,
            submitter: &options.submitter,
            row_count: 0,
            merkle_root: &[0u8; 32],
        },
    )?;
    F::begin(conn)?;
    let (mut errors, mut root) = (RowErrors::default(), RootBuilder::new());
    let (mut written, mut ended) = (0usize, false);
    for chunk in chunks {
        chunk.errors.into_iter().for_each(|e| errors.push(e));
        let rows = chunk.rows;
        if !chunk.items.is_empty() {
            let mut problems = Vec::new();
            written += F::load_chunk(conn, &batch, chunk.items, &mut problems, &mut root)?;
            problems.into_iter().for_each(|e| errors.push(e));
        }
        write_notes(conn, batch.id, chunk.notes)?;
        progress(Progress {
            bytes: chunk.bytes,
            size: meta.size,
            rows,
        });
        ended = chunk.last;
    }
    if !ended {
        return Err(Abort::ReaderEnded);
    }
    if written == 0 && errors.is_empty() {
        errors.push(RowError::file(F::EMPTY));
    }
    errors.sort();
    if !errors.is_empty() {
        return Err(Abort::Invalid(errors));
    }
    let events = F::finish(conn, &batch, written)?;
    let merkle_root = root.root().unwrap_or_default();
    diesel::update(import_batches::table.find(batch.id))
        .set((
            import_batches::merkle_root.eq(merkle_root.to_vec()),
            import_batches::row_count.eq(i32::try_from(written).unwrap_or(i32::MAX)),
        ))
        .execute(conn)?;
    if options.dry_run {
        return Err(Abort::DryRun(Box::new(ImportOutcome::Validated {
            rows: written,
            merkle_root: citytrace_schema::hex0x(&merkle_root),
            sha256: hex::encode(meta.sha256),
            skipped: RowErrors::default(),
        })));
    }
    let batch = ImportBatch::find(conn, batch.id)?;
    Ok(ImportOutcome::Imported {
        batch: BatchSummary::from(&batch),
        events,
        skipped: RowErrors::default(),
    })
}

fn write_notes(conn: &mut PgConnection, batch_id: i64, notes: Vec<Note>) -> QueryResult<usize> {
    let rows: Vec<NewDataQualityNote> = notes
        .into_iter()
        .map(|n| NewDataQualityNote {
            batch_id,
            line: i32::try_from(n.line).unwrap_or(i32::MAX),
            path: n.path,
            kind: n.kind.as_str().to_string(),
            original: n.original,
        })
        .collect();
    DataQualityNote::copy_in(conn, &rows)
}

/// Check a file of format `F` on its own, without a database (what needs the stored rows —
/// an identity or hash id met before — is left out): the number of valid rows, or the
/// problems.
pub(crate) fn check<F: JsonFormat, R: Read>(input: R) -> Result<usize, RowErrors> {
    let (mut valid, mut errors) = (0, RowErrors::default());
    read_document::<F, R>(input, |chunk| {
        valid += chunk.items.len();
        chunk.errors.into_iter().for_each(|e| errors.push(e));
        true
    });
    if valid == 0 && errors.is_empty() {
        errors.push(RowError::file(F::EMPTY));
    }
    errors.sort();
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}
