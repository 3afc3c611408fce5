//! The streaming import of every CSV format: one pass over the file, constant memory.
//!
//! Rows are read and checked one at a time ([`CsvFormat::parse`]: required values, types,
//! codes, check digits); valid rows are gathered into chunks of [`CHUNK_ROWS`], and each chunk
//! is checked against the database and written by binary COPY ([`CsvFormat::load_chunk`]:
//! references resolved with set-based queries, natural keys checked — rows of earlier chunks
//! are already in the table, so duplicates within the file are found the same way; the
//! high-volume formats let the COPY's unique index find them, see [`copy_new_rows`]). The batch
//! row comes first and gets its row count and Merkle root at the end, all in one transaction:
//!
//! - any problem (without `--skip-invalid`): the transaction rolls back, nothing is written, and
//!   every problem found in the whole file is reported;
//! - `--skip-invalid`: the valid rows are written and the batch's root covers exactly them; the
//!   problems are reported with the receipt;
//! - `--dry-run`: everything runs, database checks included, then rolls back.
//!
//! Rows are read and checked on a second thread, one chunk ahead of the database, which also
//! computes each valid row's Merkle leaf; the loading thread keeps the leaves of the rows it
//! wrote. Memory holds at most three chunks, the first [`crate::error::MAX_REPORTED_ERRORS`] problems and the
//! O(log n) Merkle stack, whatever the file size.

use std::io::Read;

use chrono::FixedOffset;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use citytrace_schema::models::{ImportBatch, NewImportBatch};
use citytrace_schema::schema::import_batches;

use crate::csv_input::{Column, CsvFile, CsvRow};
use crate::error::{ImportError, RowError, RowErrors};
use crate::merkle::{leaf_hash, RootBuilder};
use crate::{BatchSummary, ImportOptions, ImportOutcome, Progress};

/// Valid rows checked against the database and written together.
pub const CHUNK_ROWS: usize = 20_000;

/// How a row is read: the file's conventions.
#[derive(Debug, Clone, Copy)]
pub struct RowContext {
    /// `;`-separated files (as Excel writes them where `,` is the decimal mark) accept `12,5`.
    pub decimal_comma: bool,
    /// The offset assumed for timestamps written without one (`--default-offset`); None: an
    /// offset is required.
    pub default_offset: Option<FixedOffset>,
}

/// The batch a chunk is written under.
#[derive(Debug, Clone)]
pub struct BatchContext {
    pub batch_id: i64,
    pub submitter: String,
}

/// One CSV format: its columns, how a row is checked, encoded and written.
pub trait CsvFormat {
    type Record: Send;
    /// The batch kind (`import_batches.kind`) and the format's name on the command line.
    const KIND: &'static str;

    fn columns() -> &'static [Column];

    /// Check one row on its own; push every problem, return the record when there is none.
    fn parse(
        row: &CsvRow,
        context: &RowContext,
        errors: &mut Vec<RowError>,
    ) -> Option<Self::Record>;

    /// The physical line the record came from.
    fn line(record: &Self::Record) -> u64;

    /// The canonical encoding its Merkle leaf is computed from (docs/verification.md).
    fn canonical(record: &Self::Record) -> Vec<u8>;

    /// Check a chunk against the database and write the records that pass, under `batch`.
    /// Returns, for each record, whether it was written; problems go to `errors`.
    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[Self::Record],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>>;

    /// Supply-chain events the written rows stand for (shown on the receipt); 0 by default.
    fn events(_conn: &mut PgConnection, _batch_id: i64) -> QueryResult<usize> {
        Ok(0)
    }
}

/// Why the transaction ends without committing.
enum Abort {
    Invalid(RowErrors),
    DryRun(Box<ImportOutcome>),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

/// The file being imported.
pub struct FileMeta<'a> {
    pub file_name: &'a str,
    pub sha256: [u8; 32],
    /// Its size in bytes, for progress (0 when unknown).
    pub size: u64,
}

/// Rows read and checked on the reader thread, sent to the loading thread together.
struct Parsed<F: CsvFormat> {
    records: Vec<F::Record>,
    /// Each record's Merkle leaf (computed while reading, off the database's critical path).
    leaves: Vec<[u8; 32]>,
    errors: Vec<RowError>,
    /// Rows read so far in the whole file, and the byte position reached.
    rows: u64,
    bytes: u64,
}

/// Read and check the file on its own thread, sending chunks of at most [`CHUNK_ROWS`] rows
/// (read, valid or not — so memory stays bounded when every row is wrong). Stops early when the
/// loading side hangs up.
fn read_chunks<F: CsvFormat, R: Read>(
    mut file: CsvFile<R>,
    context: RowContext,
    chunks: std::sync::mpsc::SyncSender<Parsed<F>>,
) {
    let empty = || Parsed::<F> {
        records: Vec::with_capacity(CHUNK_ROWS),
        leaves: Vec::with_capacity(CHUNK_ROWS),
        errors: Vec::new(),
        rows: 0,
        bytes: 0,
    };
    let (mut chunk, mut read, mut in_chunk) = (empty(), 0u64, 0usize);
    while let Some(row) = file.next_row() {
        read += 1;
        in_chunk += 1;
        match row {
            Err(e) => chunk.errors.push(e),
            Ok(row) => {
                if let Some(record) = F::parse(&row, &context, &mut chunk.errors) {
                    chunk.leaves.push(leaf_hash(&F::canonical(&record)));
                    chunk.records.push(record);
                }
            }
        }
        if in_chunk >= CHUNK_ROWS {
            (chunk.rows, chunk.bytes) = (read, file.position());
            if chunks.send(std::mem::replace(&mut chunk, empty())).is_err() {
                return;
            }
            in_chunk = 0;
        }
    }
    (chunk.rows, chunk.bytes) = (read, file.position());
    let _ = chunks.send(chunk);
}

/// Import a CSV file of format `F` (see the module docs). Reading and checking rows runs on a
/// second thread, one chunk ahead of the database work.
pub fn import<F: CsvFormat, R: Read + Send>(
    conn: &mut PgConnection,
    input: R,
    meta: &FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    let file = CsvFile::open(input, F::columns(), options.csv).map_err(ImportError::Invalid)?;
    let context = RowContext {
        decimal_comma: file.delimiter == b';',
        default_offset: options.csv.default_offset,
    };
    let result = std::thread::scope(|scope| {
        // One chunk in the channel and one being read: memory holds at most three chunks.
        let (sender, chunks) = std::sync::mpsc::sync_channel::<Parsed<F>>(1);
        scope.spawn(move || read_chunks::<F, R>(file, context, sender));
        conn.transaction::<ImportOutcome, Abort, _>(|conn| {
            load_all::<F>(conn, chunks, meta, options, progress)
        })
    });
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Abort::DryRun(outcome)) => Ok(*outcome),
        Err(Abort::Invalid(errors)) => Err(ImportError::Invalid(errors)),
        Err(Abort::Db(e)) => Err(e.into()),
    }
}

/// The loading side of [`import`], inside its transaction.
fn load_all<F: CsvFormat>(
    conn: &mut PgConnection,
    chunks: std::sync::mpsc::Receiver<Parsed<F>>,
    meta: &FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, Abort> {
    let batch = ImportBatch::insert(
        conn,
        &NewImportBatch {
            kind: F::KIND,
            file_name: meta.file_name,
            sha256: &meta.sha256,
            submitter: &options.submitter,
            row_count: 0,
            merkle_root: &[0u8; 32],
        },
    )?;
    let batch_context = BatchContext {
        batch_id: batch.id,
        submitter: options.submitter.clone(),
    };
    let (mut errors, mut root) = (RowErrors::default(), RootBuilder::new());
    let (mut rows, mut written) = (0u64, 0usize);
    for chunk in chunks {
        chunk.errors.into_iter().for_each(|e| errors.push(e));
        rows = chunk.rows;
        if !chunk.records.is_empty() {
            let mut problems = Vec::new();
            let stored = F::load_chunk(conn, &batch_context, &chunk.records, &mut problems)?;
            for (leaf, ok) in chunk.leaves.iter().zip(&stored) {
                if *ok {
                    root.push_leaf(*leaf);
                    written += 1;
                }
            }
            problems.into_iter().for_each(|e| errors.push(e));
        }
        progress(Progress {
            bytes: chunk.bytes,
            size: meta.size,
            rows,
        });
    }
    if rows == 0 && errors.is_empty() {
        errors.push(RowError::file(
            "the file has a header line but no data rows",
        ));
    } else if written == 0 && errors.is_empty() {
        errors.push(RowError::file("no row could be imported"));
    }
    errors.sort();
    if written == 0 || (!errors.is_empty() && !options.skip_invalid) {
        return Err(Abort::Invalid(errors));
    }
    let merkle_root = root.root().unwrap_or_default();
    diesel::update(import_batches::table.find(batch.id))
        .set((
            import_batches::merkle_root.eq(merkle_root.to_vec()),
            import_batches::row_count.eq(written as i32),
        ))
        .execute(conn)?;
    if options.dry_run {
        return Err(Abort::DryRun(Box::new(ImportOutcome::Validated {
            rows: written,
            merkle_root: citytrace_schema::hex0x(&merkle_root),
            sha256: hex::encode(meta.sha256),
            skipped: errors,
        })));
    }
    let batch = ImportBatch::find(conn, batch.id)?;
    let events = F::events(conn, batch.id)?;
    Ok(ImportOutcome::Imported {
        batch: BatchSummary::from(&batch),
        events,
        skipped: errors,
    })
}

/// Check every row of a file on its own, without a database (for documentation examples and
/// offline checks): the number of valid rows, or the problems.
pub fn check_rows<F: CsvFormat, R: Read>(
    input: R,
    options: crate::csv_input::CsvOptions,
) -> Result<usize, RowErrors> {
    let mut file = CsvFile::open(input, F::columns(), options)?;
    let context = RowContext {
        decimal_comma: file.delimiter == b';',
        default_offset: options.default_offset,
    };
    let (mut valid, mut errors, mut row_errors) = (0, RowErrors::default(), Vec::new());
    while let Some(row) = file.next_row() {
        match row {
            Ok(row) => {
                if F::parse(&row, &context, &mut row_errors).is_some() {
                    valid += 1;
                }
                row_errors.drain(..).for_each(|e| errors.push(e));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}

/// The distinct values of `items`, in the order first seen (for per-chunk reference lookups).
pub fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    items.filter(|i| seen.insert(*i)).collect()
}

/// Write a chunk's rows (`copy` writes those marked ok) when their natural key is new, finding
/// the ones already stored only when there are any. Nearly always every row is new, and the
/// natural key's unique index proves it while the COPY writes: so the COPY runs first, in a
/// savepoint; only when the index meets a stored row (lines sent again, in an earlier chunk or
/// file) is the savepoint rolled back, `reject_stored` asked which rows those are (it marks them
/// not ok, with their errors), and the rest written. One index probe per row instead of two.
pub fn copy_new_rows(
    conn: &mut PgConnection,
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
    reject_stored: impl FnOnce(&mut PgConnection, &mut [bool], &mut Vec<RowError>) -> QueryResult<()>,
    copy: impl Fn(&mut PgConnection, &[bool]) -> QueryResult<usize>,
) -> QueryResult<()> {
    match conn.transaction(|conn| copy(conn, ok)) {
        Ok(_) => return Ok(()),
        Err(DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e),
    }
    reject_stored(conn, ok, errors)?;
    copy(conn, ok).map(|_| ())
}
