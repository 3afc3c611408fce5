//! `citytrace import FORMAT FILE`: validate a file row by row and load it atomically.

use std::path::PathBuf;
use std::process::ExitCode;

use citytrace_importers::{CsvOptions, Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

#[derive(clap::Args)]
#[command(
    after_help = "Formats are documented in docs/formats/<format>.md, with a template CSV.\n\
    Exit status: 0 imported (or already imported), 1 the file has problems (nothing was written), 2 usage."
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
    /// Validate and compute the receipt; write nothing.
    #[arg(long)]
    dry_run: bool,
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
    /// OCDS 1.1 release or record packages, JSON (docs/formats/ocds.md).
    Ocds,
    /// EPCIS 2.0 JSON-LD documents (docs/formats/epcis.md).
    Epcis,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Shipments => Format::Shipments,
            FormatArg::Ocds => Format::Ocds,
            FormatArg::Epcis => Format::Epcis,
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
    let pool = globals.open(DEFAULT_DATABASE, 1)?;
    let mut conn = pool.get()?;
    let options = ImportOptions {
        submitter: args.party.clone(),
        dry_run: args.dry_run,
        csv: CsvOptions {
            delimiter: args.delimiter,
        },
    };
    let result =
        citytrace_importers::import_file(&mut conn, args.format.into(), &args.file, &options);
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
                "\n{} problem{} in all. Fix the file and import it again.",
                errors.total,
                if errors.total == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
        (Err(e), _) => Err(e.into()),
    }
}

fn print_outcome(outcome: &ImportOutcome) {
    match outcome {
        ImportOutcome::Imported { batch, events } => {
            println!(
                "Imported batch {}: {} rows of {} from {}.",
                batch.id, batch.rows, batch.kind, batch.file_name
            );
            println!("  file sha256  {}", batch.sha256);
            println!("  Merkle root  {}", batch.merkle_root);
            println!("  events       {events} supply-chain events recorded");
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
        } => {
            println!("Valid: {rows} rows. Nothing was written (--dry-run).");
            println!("  file sha256  {sha256}");
            println!("  Merkle root  {merkle_root}");
        }
    }
}
