//! citytrace importers: bulk files in, validated row by row, loaded atomically, with a Merkle
//! receipt per batch that the indexer anchors on the city ledger.
//!
//! One module per input format. Every problem with the input is reported with its line,
//! column, value and reason, and any problem means nothing is written. The same file from the
//! same submitter again is a no-op that names the original batch. A bug that panics, or the
//! database going away, is an error too ([`ImportError::Internal`],
//! [`ImportError::ConnectionLost`]) and writes nothing either: the public entry points
//! ([`import_file_with_progress`], [`import_reader`]) catch both (`boundary.rs`).

pub mod audit;
mod boundary;
pub mod budget;
pub mod canonical;
pub mod cells;
pub mod csv_format;
pub mod csv_input;
pub mod emissions;
pub mod epcis;
pub mod error;
pub mod gs1;
pub mod json_format;
pub mod merkle;
pub mod ocds;
pub mod production;
pub mod products;
pub mod proof;
pub mod sensor_readings;
pub mod shipments;
pub mod site_position;
pub mod values;
pub mod waste;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use diesel::pg::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use boundary::panic_message;
use citytrace_schema::models::ImportBatch;

pub use csv_input::{Column, CsvOptions};
pub use error::{DbFailure, ImportError, RowError, RowErrors};

/// The formats citytrace imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Shipments,
    /// Product master data: declared unit, EPD carbon factor, cold-chain range and budget.
    Products,
    /// Cold-chain sensor readings.
    SensorReadings,
    /// OCDS 1.1 release or record packages (JSON).
    Ocds,
    /// EPCIS 2.0 JSON-LD capture documents.
    Epcis,
    /// Material transformations: output lots made from input lots.
    Production,
    /// Waste consignments leaving their producers (transfer notes).
    WasteTransfers,
    /// Waste consignments received or refused by facilities.
    WasteReceipts,
    /// Greenhouse-gas emissions by party, scope, category and period.
    Emissions,
    /// Budget lines by fiscal year and phase.
    Budget,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Shipments,
        Format::Products,
        Format::SensorReadings,
        Format::Ocds,
        Format::Epcis,
        Format::Production,
        Format::WasteTransfers,
        Format::WasteReceipts,
        Format::Emissions,
        Format::Budget,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Shipments => "shipments",
            Self::Products => "products",
            Self::SensorReadings => "sensor-readings",
            Self::Ocds => "ocds",
            Self::Epcis => "epcis",
            Self::Production => "production",
            Self::WasteTransfers => "waste-transfers",
            Self::WasteReceipts => "waste-receipts",
            Self::Emissions => "emissions",
            Self::Budget => "budget",
        }
    }

    /// Check a CSV file's rows on their own, without a database; None for the JSON formats.
    pub fn check_rows<R: Read>(
        self,
        input: R,
        options: CsvOptions,
    ) -> Option<Result<usize, RowErrors>> {
        use csv_format::check_rows;
        Some(match self {
            Self::Shipments => check_rows::<shipments::Shipments, _>(input, options),
            Self::Products => check_rows::<products::Products, _>(input, options),
            Self::SensorReadings => {
                check_rows::<sensor_readings::SensorReadings, _>(input, options)
            }
            Self::Production => check_rows::<production::Production, _>(input, options),
            Self::WasteTransfers => {
                check_rows::<waste::transfers::WasteTransfers, _>(input, options)
            }
            Self::WasteReceipts => check_rows::<waste::receipts::WasteReceipts, _>(input, options),
            Self::Emissions => check_rows::<emissions::Emissions, _>(input, options),
            Self::Budget => check_rows::<budget::Budget, _>(input, options),
            Self::Ocds | Self::Epcis => return None,
        })
    }

    /// The CSV columns of the format (none for the JSON formats).
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Shipments => shipments::COLUMNS,
            Self::Products => products::COLUMNS,
            Self::SensorReadings => sensor_readings::COLUMNS,
            Self::Production => production::COLUMNS,
            Self::WasteTransfers => waste::transfers::COLUMNS,
            Self::WasteReceipts => waste::receipts::COLUMNS,
            Self::Emissions => emissions::COLUMNS,
            Self::Budget => budget::COLUMNS,
            Self::Ocds | Self::Epcis => &[],
        }
    }
}

/// How to import a file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Who hands the file over: a party code, or `cli`. The same file from the same submitter
    /// is imported once.
    pub submitter: String,
    /// Validate and compute the receipt — database checks included — then write nothing.
    pub dry_run: bool,
    /// Import the valid rows and report the others (CSV formats); without it any problem means
    /// nothing is imported.
    pub skip_invalid: bool,
    pub csv: CsvOptions,
}

/// How far an import has got (for progress bars).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes: u64,
    /// The file's size (0 when unknown).
    pub size: u64,
    pub rows: u64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// A new batch: its rows are stored and it waits to be anchored. With `--skip-invalid`,
    /// `skipped` lists the rows left out.
    Imported {
        batch: BatchSummary,
        events: usize,
        #[serde(skip_serializing_if = "RowErrors::is_empty")]
        skipped: RowErrors,
    },
    /// This submitter imported this exact file before: nothing was written.
    AlreadyImported { batch: BatchSummary },
    /// `--dry-run`: the batch the file would make.
    Validated {
        rows: usize,
        merkle_root: String,
        sha256: String,
        #[serde(skip_serializing_if = "RowErrors::is_empty")]
        skipped: RowErrors,
    },
}

/// A batch as the CLI and the receipt show it.
#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub submitter: String,
    pub rows: i32,
    pub sha256: String,
    pub merkle_root: String,
}

impl From<&ImportBatch> for BatchSummary {
    fn from(b: &ImportBatch) -> Self {
        Self {
            id: b.id,
            kind: b.kind.clone(),
            file_name: b.file_name.clone(),
            submitter: b.submitter.clone(),
            rows: b.row_count,
            sha256: hex::encode(&b.sha256),
            merkle_root: citytrace_schema::hex0x(&b.merkle_root),
        }
    }
}

/// Import one file of `format` from `path`.
pub fn import_file(
    conn: &mut PgConnection,
    format: Format,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    import_file_with_progress(conn, format, path, options, &|_| {})
}

/// Import one file, telling `progress` how far it has got.
pub fn import_file_with_progress(
    conn: &mut PgConnection,
    format: Format,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    boundary::guard(conn, |conn| {
        import_path(conn, format, path, options, progress)
    })
}

fn import_path(
    conn: &mut PgConnection,
    format: Format,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    let read_error = |source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let sha256 = file_sha256(path).map_err(read_error)?;
    if !options.dry_run {
        if let Some(batch) = ImportBatch::find_by_file(conn, &options.submitter, &sha256)? {
            return Ok(ImportOutcome::AlreadyImported {
                batch: (&batch).into(),
            });
        }
    }
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let file = BufReader::with_capacity(1 << 20, File::open(path).map_err(read_error)?);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = csv_format::FileMeta {
        file_name: &file_name,
        sha256,
        size,
    };
    let result = read_and_load(conn, format, file, &meta, options, progress);
    concurrent_duplicate(conn, result, options, &sha256)
}

/// Import from a reader whose sha256 is already known (the upload page streams to disk first).
pub fn import_reader<R: Read + Send>(
    conn: &mut PgConnection,
    format: Format,
    input: R,
    meta: &csv_format::FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    boundary::guard(conn, |conn| {
        read_and_load(conn, format, input, meta, options, progress)
    })
}

/// [`import_reader`] inside the boundary.
fn read_and_load<R: Read + Send>(
    conn: &mut PgConnection,
    format: Format,
    input: R,
    meta: &csv_format::FileMeta<'_>,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    match format {
        Format::Products => {
            csv_format::import::<products::Products, _>(conn, input, meta, options, progress)
        }
        Format::SensorReadings => csv_format::import::<sensor_readings::SensorReadings, _>(
            conn, input, meta, options, progress,
        ),
        Format::Shipments => {
            csv_format::import::<shipments::Shipments, _>(conn, input, meta, options, progress)
        }
        Format::Production => {
            csv_format::import::<production::Production, _>(conn, input, meta, options, progress)
        }
        Format::WasteTransfers => csv_format::import::<waste::transfers::WasteTransfers, _>(
            conn, input, meta, options, progress,
        ),
        Format::WasteReceipts => csv_format::import::<waste::receipts::WasteReceipts, _>(
            conn, input, meta, options, progress,
        ),
        Format::Emissions => {
            csv_format::import::<emissions::Emissions, _>(conn, input, meta, options, progress)
        }
        Format::Budget => {
            csv_format::import::<budget::Budget, _>(conn, input, meta, options, progress)
        }
        // The JSON formats stream the same way (json_format.rs).
        Format::Ocds => json_format::import::<ocds::Ocds, _>(conn, input, meta, options, progress),
        Format::Epcis => {
            json_format::import::<epcis::Epcis, _>(conn, input, meta, options, progress)
        }
    }
}

/// The same file imported concurrently by the same submitter: theirs won, and this import is
/// the no-op that names their batch.
fn concurrent_duplicate(
    conn: &mut PgConnection,
    result: Result<ImportOutcome, ImportError>,
    options: &ImportOptions,
    sha256: &[u8; 32],
) -> Result<ImportOutcome, ImportError> {
    match result {
        Err(ImportError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            info,
        ))) if info.constraint_name() == Some("import_batches_submitter_sha256_key") => {
            let batch = ImportBatch::find_by_file(conn, &options.submitter, sha256)?
                .ok_or(DieselError::NotFound)?;
            Ok(ImportOutcome::AlreadyImported {
                batch: (&batch).into(),
            })
        }
        other => other,
    }
}

/// The sha256 of a file, read in 1 MiB blocks.
pub fn file_sha256(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}
