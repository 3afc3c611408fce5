//! The database side of the fuzzing, in batches: per CSV format, files of mutated rows of the
//! documented example (each row with its own natural key, then up to two cells changed as in
//! `fuzz_rows.rs`) imported into a real PostgreSQL — `fuzz_cases(10_000) / 20` rows per format,
//! 250 to a file. For every file:
//!
//! - imported as it is: every problem the rows have on their own (`Format::check_rows`, no
//!   database) is reported with its line, column and reason; a file with any problem is refused
//!   and every table is exactly as before (`TestDatabase::contents`);
//! - imported with `--skip-invalid`: the rows without a problem of their own are written
//!   unless the database refuses them (reported too), the batch counts exactly the rows stored,
//!   and its Merkle root is recomputed from the stored rows.
//!
//! A file that breaks a check is kept on disk and its path printed, to become a named test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use citytrace_importers::merkle::{leaf_hash, RootBuilder};
use citytrace_importers::proof::canonical_rows;
use citytrace_importers::{
    import_file, CsvOptions, Format, ImportError, ImportOptions, ImportOutcome, RowErrors,
};
use citytrace_schema::models::ImportBatch;
use citytrace_schema::testing::{fuzz_cases, TestDatabase};

use super::examples::{example, import_prerequisites, options};
use super::fuzz_rows::{apply, change, example_rows, Change};

const ROWS_PER_FILE: usize = 250;

/// The columns whose value is made unique per row (`-n` appended), so that rows do not
/// collide on their natural key, and the ones emptied.
fn keys(format: Format) -> (&'static [&'static str], &'static [&'static str]) {
    match format {
        Format::Shipments => (&["shipment_id", "lot_id"], &[]),
        Format::Products => (&["product"], &["gtin"]),
        Format::SensorReadings => (&["device_id"], &[]),
        Format::Production => (&["production_id", "output_lot"], &[]),
        Format::WasteTransfers => (&["consignment_id"], &["previous_consignment_id"]),
        Format::Emissions => (&["activity"], &[]),
        Format::Budget => (&["budget_line_id"], &[]),
        _ => (&[], &[]),
    }
}

/// A file of mutated example rows; row `n` of file `file` has key suffix `-{file}-{n}` (waste
/// receipts name consignment `WTN-F{file}-{n}`, transferred beforehand).
fn mutated_file(format: Format, file: usize, runner: &mut TestRunner) -> String {
    let columns: Vec<&str> = format.columns().iter().map(|c| c.name).collect();
    let (unique, emptied) = keys(format);
    let rows = example_rows(format);
    let changes = prop_oneof![
        1 => Just(Vec::new()),
        1 => prop::collection::vec((any::<usize>(), change()), 1..=2),
    ];
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&columns).unwrap();
    for n in 0..ROWS_PER_FILE {
        let (example, changes): (usize, Vec<(usize, Change)>) = (any::<usize>(), changes.clone())
            .new_tree(runner)
            .unwrap()
            .current();
        let mut cells = rows[example % rows.len()].clone();
        for (c, name) in columns.iter().enumerate() {
            if unique.contains(name) {
                cells[c] = format!("{}-{file}-{n}", cells[c]);
            } else if emptied.contains(name) {
                cells[c].clear();
            } else if format == Format::WasteReceipts && *name == "consignment_id" {
                cells[c] = format!("WTN-F{file}-{n}");
            }
        }
        for (column, change) in &changes {
            let column = column % cells.len();
            apply(&mut cells, column, change);
        }
        out.write_record(&cells).unwrap();
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
}

/// The consignments the receipts of file `file` name.
fn transfers_for_receipts(file: usize) -> String {
    let text = example(Format::WasteTransfers);
    let (header, rest) = text.split_once('\n').unwrap();
    let first = rest.lines().next().unwrap();
    let (_, fields) = first.split_once(',').unwrap();
    let mut out = format!("{header}\n");
    for n in 0..ROWS_PER_FILE {
        out.push_str(&format!("WTN-F{file}-{n},{fields}\n"));
    }
    out
}

type Problem = (u64, Option<String>, String);

fn listed(errors: &RowErrors) -> BTreeSet<Problem> {
    assert!(
        errors.total <= errors.errors.len(),
        "more problems than are kept: make the files smaller"
    );
    errors
        .errors
        .iter()
        .map(|e| (e.line, e.column.clone(), e.reason.clone()))
        .collect()
}

/// The rows a batch stored, re-proved: (their number, the root recomputed from them).
fn stored(db: &TestDatabase, batch_id: i64) -> (usize, [u8; 32]) {
    let conn = &mut db.conn();
    let batch = ImportBatch::find(conn, batch_id).unwrap();
    let rows = canonical_rows(conn, &batch).unwrap();
    let mut root = RootBuilder::new();
    rows.iter().for_each(|(_, c)| root.push_leaf(leaf_hash(c)));
    (rows.len(), root.root().unwrap_or_default())
}

/// Check one file; the rows it wrote.
fn check_file(db: &TestDatabase, format: Format, path: &Path) -> Result<usize, String> {
    let name = format.name();
    let bytes = std::fs::read(path).unwrap();
    let offline = match format
        .check_rows(bytes.as_slice(), CsvOptions::default())
        .unwrap()
    {
        Ok(_) => BTreeSet::new(),
        Err(errors) => listed(&errors),
    };
    let before = db.contents();
    let whole = import_file(&mut db.conn(), format, path, &options());
    match &whole {
        Err(ImportError::Invalid(errors)) => {
            let found = listed(errors);
            if let Some(missed) = offline.difference(&found).next() {
                return Err(format!("{name}: {missed:?} not reported"));
            }
            if db.contents() != before {
                return Err(format!("{name}: a refused file changed the database"));
            }
        }
        Ok(ImportOutcome::Imported { batch, .. }) if offline.is_empty() => {
            return Ok(batch.rows as usize)
        }
        other => return Err(format!("{name}: {other:?} with problems {offline:?}")),
    }
    let skip = ImportOptions {
        skip_invalid: true,
        ..options()
    };
    match import_file(&mut db.conn(), format, path, &skip) {
        Ok(ImportOutcome::Imported { batch, skipped, .. }) => {
            let found = listed(&skipped);
            if let Some(missed) = offline.difference(&found).next() {
                return Err(format!(
                    "{name}: {missed:?} not reported with --skip-invalid"
                ));
            }
            let left_out: BTreeSet<u64> = found.iter().map(|p| p.0).collect();
            let written = ROWS_PER_FILE - left_out.len();
            let (rows, root) = stored(db, batch.id);
            if batch.rows as usize != written || rows != written {
                return Err(format!(
                    "{name}: {written} rows to write, batch of {}, {rows} stored",
                    batch.rows
                ));
            }
            if citytrace_schema::hex0x(&root) != batch.merkle_root {
                return Err(format!(
                    "{name}: the stored rows do not re-prove the batch's root"
                ));
            }
            Ok(written)
        }
        // Nothing to write: then every row has its problem reported.
        Err(ImportError::Invalid(errors))
            if listed(&errors)
                .iter()
                .map(|p| p.0)
                .collect::<BTreeSet<_>>()
                .len()
                == ROWS_PER_FILE =>
        {
            Ok(0)
        }
        other => Err(format!("{name}: --skip-invalid gave {other:?}")),
    }
}

fn mutated_files_leave_the_database_consistent(format: Format) {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    import_prerequisites(&db, dir.path(), format);
    let files = (fuzz_cases(10_000) as usize / 20).div_ceil(ROWS_PER_FILE);
    let (mut runner, mut written) = (TestRunner::default(), 0);
    for file in 0..files {
        if format == Format::WasteReceipts {
            let path = dir.path().join(format!("transfers-{file}.csv"));
            std::fs::write(&path, transfers_for_receipts(file)).unwrap();
            let outcome = import_file(&mut db.conn(), Format::WasteTransfers, &path, &options());
            assert!(
                matches!(outcome, Ok(ImportOutcome::Imported { .. })),
                "{outcome:?}"
            );
        }
        let path: PathBuf = dir.path().join(format!("{}-{file}.csv", format.name()));
        std::fs::write(&path, mutated_file(format, file, &mut runner)).unwrap();
        match check_file(&db, format, &path) {
            Ok(rows) => written += rows,
            Err(problem) => {
                let kept = dir.keep();
                panic!(
                    "{problem}\nthe file: {}",
                    kept.join(path.file_name().unwrap()).display()
                );
            }
        }
    }
    // Half the rows are unchanged examples: most of them must have been written.
    assert!(
        written >= files * ROWS_PER_FILE / 4,
        "{}: only {written} rows of {} written",
        format.name(),
        files * ROWS_PER_FILE
    );
}

#[test]
fn mutated_shipments_files() {
    mutated_files_leave_the_database_consistent(Format::Shipments);
}

#[test]
fn mutated_products_files() {
    mutated_files_leave_the_database_consistent(Format::Products);
}

#[test]
fn mutated_sensor_readings_files() {
    mutated_files_leave_the_database_consistent(Format::SensorReadings);
}

#[test]
fn mutated_production_files() {
    mutated_files_leave_the_database_consistent(Format::Production);
}

#[test]
fn mutated_waste_transfers_files() {
    mutated_files_leave_the_database_consistent(Format::WasteTransfers);
}

#[test]
fn mutated_waste_receipts_files() {
    mutated_files_leave_the_database_consistent(Format::WasteReceipts);
}

#[test]
fn mutated_emissions_files() {
    mutated_files_leave_the_database_consistent(Format::Emissions);
}

#[test]
fn mutated_budget_files() {
    mutated_files_leave_the_database_consistent(Format::Budget);
}
