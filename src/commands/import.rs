//! `citytrace import FORMAT FILE`: validate a file row by row and load it atomically.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use citytrace_importers::{
    CsvOptions, Format, ImportError, ImportOptions, ImportOutcome, Progress,
};
use citytrace_schema::diesel::PgConnection;
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

#[derive(clap::Args)]
#[command(
    after_help = "Formats are documented in docs/formats/<format>.md, with a template CSV.\n\
    Any problem means nothing was written: the file's problems are listed by line and column; when the \
    database connection is lost the import says at which line — run it again.\n\
    Exit status: 0 imported (or already imported); 1 nothing was written (the file has problems, the \
    database connection was lost, or an internal error); 2 usage."
)]
pub struct ImportArgs {
    /// The file's format.
    #[arg(value_enum)]
    format: FormatArg,
    /// The file to import.
    file: PathBuf,
    /// Who hands the file over (a party code); the same file from the same party is imported once.
    #[arg(long, default_value = "cli", value_name = "CODE")]
    party: String,
    /// Validate — database checks included — and compute the receipt; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows and report the others (CSV formats). Without it, any problem
    /// means nothing is imported.
    #[arg(long)]
    skip_invalid: bool,
    /// The UTC offset of timestamps written without one (e.g. +01:00); without it such a
    /// timestamp is a problem.
    #[arg(long, value_name = "OFFSET", value_parser = citytrace_importers::values::parse_offset)]
    default_offset: Option<chrono::FixedOffset>,
    /// Field delimiter; detected from the header line (`,` or `;`) when not given.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// Output format.
    #[arg(long = "format", value_enum, default_value = "table", id = "output")]
    output: Output,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    /// Shipment lines (docs/formats/shipments.md).
    Shipments,
    /// Product master data: unit, EPD carbon factor, cold-chain range (docs/formats/products.md).
    Products,
    /// Cold-chain temperature logs (docs/formats/sensor-readings.md).
    SensorReadings,
    /// OCDS 1.1 release or record packages, JSON (docs/formats/ocds.md).
    Ocds,
    /// EPCIS 2.0 JSON-LD documents (docs/formats/epcis.md).
    Epcis,
    /// Material transformations: output lots from input lots (docs/formats/production.md).
    Production,
    /// Waste consignments leaving their producers (docs/formats/waste-transfers.md).
    WasteTransfers,
    /// Waste consignments received or refused (docs/formats/waste-receipts.md).
    WasteReceipts,
    /// Greenhouse-gas emissions by scope and period (docs/formats/emissions.md).
    Emissions,
    /// Budget lines by fiscal year and phase (docs/formats/budget.md).
    Budget,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Shipments => Format::Shipments,
            FormatArg::Products => Format::Products,
            FormatArg::SensorReadings => Format::SensorReadings,
            FormatArg::Ocds => Format::Ocds,
            FormatArg::Epcis => Format::Epcis,
            FormatArg::Production => Format::Production,
            FormatArg::WasteTransfers => Format::WasteTransfers,
            FormatArg::WasteReceipts => Format::WasteReceipts,
            FormatArg::Emissions => Format::Emissions,
            FormatArg::Budget => Format::Budget,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Output {
    Table,
    Json,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\\t" | "tab" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(format!("{other:?}: use , ; tab or |")),
    }
}

pub fn run(globals: &Globals, args: ImportArgs) -> anyhow::Result<ExitCode> {
    if !args.file.is_file() {
        anyhow::bail!("{} is not a file", args.file.display());
    }
    let mut conn = connect(globals)?;
    log_panics();
    let options = ImportOptions {
        submitter: args.party.clone(),
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        csv: CsvOptions {
            delimiter: args.delimiter,
            default_offset: args.default_offset,
        },
    };
    let bar = progress_bar(&args);
    let report = |p: Progress| {
        if let Some(bar) = &bar {
            bar.set_length(p.size);
            bar.set_position(p.bytes);
            bar.set_message(format!("{} rows", p.rows));
        }
    };
    let result = citytrace_importers::import_file_with_progress(
        &mut conn,
        args.format.into(),
        &args.file,
        &options,
        &report,
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match (result, args.output) {
        (Ok(outcome), Output::Json) => {
            println!("{}", serde_json::to_string_pretty(&outcome)?);
            Ok(ExitCode::SUCCESS)
        }
        (Ok(outcome), Output::Table) => {
            print_outcome(&outcome);
            Ok(ExitCode::SUCCESS)
        }
        (Err(ImportError::Invalid(errors)), Output::Json) => {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"outcome": "invalid", "problems": errors.total, "errors": errors.errors})
                )?
            );
            Ok(ExitCode::FAILURE)
        }
        (Err(ImportError::Invalid(errors)), Output::Table) => {
            eprintln!(
                "{} has problems; nothing was imported.\n",
                args.file.display()
            );
            eprint!("{}", errors.table());
            eprintln!(
                "\n{} problem{} in all. Fix the file and import it again{}.",
                errors.total,
                if errors.total == 1 { "" } else { "s" },
                if args.skip_invalid {
                    ""
                } else {
                    ", or import the valid rows with --skip-invalid"
                }
            );
            Ok(ExitCode::FAILURE)
        }
        (Err(e @ (ImportError::Internal { .. } | ImportError::ConnectionLost { .. })), output) => {
            if output == Output::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"outcome": "failed", "error": e.to_string()})
                    )?
                );
            }
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
        (Err(e), _) => Err(e.into()),
    }
}

/// One connection, not a pool: an import uses one, and a pool replaces a broken connection
/// (after the database went away) on a background thread, which raced the process's exit
/// inside libpq (an abort on the way out).
fn connect(globals: &Globals) -> anyhow::Result<PgConnection> {
    let (url, _) = globals
        .location(DEFAULT_DATABASE)?
        .ensure_available()
        .context("starting the database")?;
    let mut conn = citytrace_schema::database::connect(&url)?;
    let applied = citytrace_schema::database::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied database migrations");
    }
    Ok(conn)
}

/// The importers turn a panic into an internal error naming the line (nothing is written);
/// where it happened goes to the log, for a bug report, instead of a raw panic message.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        let message = citytrace_importers::panic_message(info.payload());
        tracing::error!(%location, "internal error: {message}");
    }));
}

/// A byte-based bar with rows, rows/s and ETA — only on a terminal, and only for files big
/// enough to take a while.
fn progress_bar(args: &ImportArgs) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    let big = std::fs::metadata(&args.file)
        .map(|m| m.len() > 4 << 20)
        .unwrap_or(false);
    if !(std::io::stderr().is_terminal() && big && args.output == Output::Table) {
        return None;
    }
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{bar:30}] {bytes}/{total_bytes} · {msg} · {bytes_per_sec} · ETA {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    Some(indicatif::ProgressBar::new(0).with_style(style))
}

fn print_outcome(outcome: &ImportOutcome) {
    match outcome {
        ImportOutcome::Imported {
            batch,
            events,
            skipped,
        } => {
            let plural = if batch.rows == 1 { "" } else { "s" };
            println!(
                "Imported batch {}: {} row{plural} of {} from {}.",
                batch.id, batch.rows, batch.kind, batch.file_name
            );
            println!("  file sha256  {}", batch.sha256);
            println!("  Merkle root  {}", batch.merkle_root);
            if *events > 0 {
                println!("  events       {events} supply-chain events");
            }
            print_skipped(skipped);
            println!("Queued for anchoring on the city ledger: `citytrace index` sends it; the batch page shows when it is anchored.");
        }
        ImportOutcome::AlreadyImported { batch } => {
            println!(
                "Already imported as batch {} ({} rows, Merkle root {}); nothing was written.",
                batch.id, batch.rows, batch.merkle_root
            );
        }
        ImportOutcome::Validated {
            rows,
            merkle_root,
            sha256,
            skipped,
        } => {
            println!("Valid: {rows} rows. Nothing was written (--dry-run).");
            println!("  file sha256  {sha256}");
            println!("  Merkle root  {merkle_root}");
            print_skipped(skipped);
        }
    }
}

fn print_skipped(skipped: &citytrace_importers::RowErrors) {
    if skipped.is_empty() {
        return;
    }
    println!(
        "\n{} problem{} left rows out (--skip-invalid):\n",
        skipped.total,
        if skipped.total == 1 { "" } else { "s" }
    );
    print!("{}", skipped.table());
    println!();
}
