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
//! - `--dry-run`: everything runs, database checks included, then rolls back;
//! - a panic on either thread, or the database connection lost: the transaction rolls back and
//!   the import ends with [`ImportError::Internal`] or [`ImportError::ConnectionLost`], naming
//!   the line reached.
//!
//! Rows are read and checked on a second thread, one chunk ahead of the database, which also
//! computes each valid row's Merkle leaf; the loading thread keeps the leaves of the rows it
//! wrote. Memory holds at most three chunks, the first [`crate::error::MAX_REPORTED_ERRORS`] problems and the
//! O(log n) Merkle stack, whatever the file size. The reader ends with an explicit end marker
//! (`reading.rs`) and the loading side commits only after receiving it and joining the reader
//! thread: a reader that stopped early can never pass for the end of the file.

mod reading;

use std::cell::Cell;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::FixedOffset;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use citytrace_schema::models::{ImportBatch, NewImportBatch};
use citytrace_schema::schema::import_batches;

use crate::boundary::{connection_lost, panic_message};
use crate::cells::Cells;
use crate::csv_input::{Column, CsvFile, CsvRow};
use crate::error::{ImportError, RowError, RowErrors};
use crate::merkle::RootBuilder;
use crate::{BatchSummary, ImportOptions, ImportOutcome, Progress};
use reading::{read_chunks, Parsed};

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

/// A checked row of a CSV format: the physical line it came from and the canonical encoding its
/// Merkle leaf is computed from (docs/verification.md). Implemented for the eight formats' records
/// at once by `csv_records!`.
pub trait CsvRecord {
    fn line(&self) -> u64;
    fn canonical(&self) -> Vec<u8>;
}

/// `CsvRecord` for records with a `line` field and an inherent `canonical()`.
macro_rules! csv_records {
    ($($record:ty),+ $(,)?) => {$(
        impl CsvRecord for $record {
            fn line(&self) -> u64 {
                self.line
            }

            fn canonical(&self) -> Vec<u8> {
                <$record>::canonical(self)
            }
        }
    )+};
}

csv_records!(
    crate::budget::BudgetRecord,
    crate::emissions::EmissionRecord,
    crate::production::ProductionRecord,
    crate::products::ProductRecord,
    crate::sensor_readings::ReadingRecord,
    crate::shipments::ShipmentRecord,
    crate::waste::receipts::ReceiptRecord,
    crate::waste::transfers::TransferRecord,
);

/// One CSV format: its columns, how a row is checked, encoded and written.
pub trait CsvFormat {
    type Record: CsvRecord + Send;
    /// The batch kind (`import_batches.kind`) and the format's name on the command line.
    const KIND: &'static str;
    /// The format's columns, in the documented order.
    const COLUMNS: &'static [Column];

    /// Read one row's values through `cells`, which records every problem; the record is kept
    /// only when there is none (see [`CsvFormat::parse`]).
    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<Self::Record>;

    /// Check one row on its own; push every problem, return the record when there is none.
    fn parse(
        row: &CsvRow,
        context: &RowContext,
        errors: &mut Vec<RowError>,
    ) -> Option<Self::Record> {
        let mut cells = Cells::new(row, Self::COLUMNS, context, errors);
        let record = Self::read(&mut cells, row);
        record.filter(|_| cells.ok())
    }

    /// The physical line the record came from.
    fn line(record: &Self::Record) -> u64 {
        record.line()
    }

    /// The canonical encoding its Merkle leaf is computed from (docs/verification.md).
    fn canonical(record: &Self::Record) -> Vec<u8> {
        record.canonical()
    }

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

/// The records of a chunk still marked ok (`ok[i]` for `chunk[i]`): those the database checks
/// let through.
pub fn accepted<'a, R>(chunk: &'a [R], ok: &'a [bool]) -> impl Iterator<Item = &'a R> + 'a {
    chunk.iter().zip(ok).filter(|(_, ok)| **ok).map(|(r, _)| r)
}

/// The rows to write for a chunk: one made by `row` from each accepted record.
pub fn new_rows<R, T>(chunk: &[R], ok: &[bool], row: impl FnMut(&R) -> T) -> Vec<T> {
    accepted(chunk, ok).map(row).collect()
}

/// Why the transaction ends without committing.
enum Abort {
    Invalid(RowErrors),
    DryRun(Box<ImportOutcome>),
    Db(diesel::result::Error),
    /// The reader's channel closed without its end marker: it stopped before the end of the
    /// file (it panicked; joining it says how).
    ReaderStopped,
    /// A panic on either side, at this line when known.
    Panic {
        line: Option<u64>,
        message: String,
    },
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

/// Import a CSV file of format `F` (see the module docs). Reading and checking rows runs on a
/// second thread, one chunk ahead of the database work. The transaction commits only when that
/// thread has sent its end marker and has been joined without a panic; a panic on either side,
/// or any error, rolls it back.
pub fn import<F: CsvFormat, R: Read + Send>(
    conn: &mut PgConnection,
    input: R,
    meta: &FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    let file = CsvFile::open(input, F::COLUMNS, options.csv).map_err(ImportError::Invalid)?;
    let context = RowContext {
        decimal_comma: file.delimiter == b';',
        default_offset: options.csv.default_offset,
    };
    // The line the reader is at, and the first line of the chunk being written.
    let (reading, loading) = (AtomicU64::new(1), Cell::new(None));
    let result = std::thread::scope(|scope| {
        // One chunk in the channel and one being read: memory holds at most three chunks.
        let (sender, chunks) = std::sync::mpsc::sync_channel::<Parsed<F>>(1);
        let reading = &reading;
        let reader = scope.spawn(move || read_chunks::<F, R>(file, context, sender, reading));
        conn.transaction::<ImportOutcome, Abort, _>(|conn| {
            let loaded = catch_unwind(AssertUnwindSafe(|| {
                load_all::<F>(conn, chunks, meta, options, progress, &loading)
            }));
            // The channel is closed on both sides now: the reader has ended or is ending.
            match (reader.join(), loaded) {
                (Err(panic), _) => Err(Abort::Panic {
                    line: Some(reading.load(Ordering::Relaxed)),
                    message: panic_message(&*panic),
                }),
                (Ok(()), Err(panic)) => Err(Abort::Panic {
                    line: loading.get(),
                    message: panic_message(&*panic),
                }),
                (Ok(()), Ok(loaded)) => loaded,
            }
        })
    });
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Abort::DryRun(outcome)) => Ok(*outcome),
        Err(Abort::Invalid(errors)) => Err(ImportError::Invalid(errors)),
        Err(Abort::Db(e)) if connection_lost(&e) => Err(ImportError::ConnectionLost {
            line: loading.get(),
        }),
        Err(Abort::Db(e)) => Err(e.into()),
        Err(Abort::ReaderStopped) => Err(ImportError::Internal {
            line: Some(reading.load(Ordering::Relaxed)),
            message: "the reader stopped before the end of the file".into(),
        }),
        Err(Abort::Panic { line, message }) => Err(ImportError::Internal { line, message }),
    }
}

/// The loading side of [`import`], inside its transaction.
fn load_all<F: CsvFormat>(
    conn: &mut PgConnection,
    chunks: std::sync::mpsc::Receiver<Parsed<F>>,
    meta: &FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
    loading: &Cell<Option<u64>>,
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
    let (mut rows, mut written, mut ended) = (0u64, 0usize, false);
    for chunk in chunks {
        if chunk.first_line > 0 {
            loading.set(Some(chunk.first_line));
        }
        ended = chunk.end;
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
    if !ended {
        return Err(Abort::ReaderStopped);
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
    let mut file = CsvFile::open(input, F::COLUMNS, options)?;
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

/// The rows `count_sql` (`SELECT count(*) AS n FROM … WHERE batch_id = $1`) counts for
/// `batch_id`: a format's supply-chain events ([`CsvFormat::events`]).
pub fn count_for_batch(
    conn: &mut PgConnection,
    count_sql: &str,
    batch_id: i64,
) -> QueryResult<usize> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(count_sql)
        .bind::<diesel::sql_types::BigInt, _>(batch_id)
        .get_result(conn)?;
    Ok(usize::try_from(count.n).unwrap_or(0))
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
