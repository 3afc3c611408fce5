//! Every CSV format at more than two load chunks (issue 10): a bad value in the last chunk, a
//! value that once panicked the reader thread, and a reader that panics there — each leaves
//! every table as it was (the loading side commits only after the reader ended cleanly) and
//! names its line; the real binary exits 1.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use citytrace_importers::csv_format::{FileMeta, CHUNK_ROWS};
use citytrace_importers::{
    import_file, import_reader, Format, ImportError, ImportOptions, ImportOutcome,
};
use citytrace_schema::testing::TestDatabase;

use super::Sample;
use crate::support::{citytrace, text};

/// Rows of the large files: more than two chunks; the changed row is in the third.
const ROWS: usize = 2 * CHUNK_ROWS + 100;
const AT: usize = 2 * CHUNK_ROWS + 50;
const SUBMITTER: &str = "SUPPLIER";
const PANIC: &str = "the disk went away (a test reader that panics)";

fn options() -> ImportOptions {
    ImportOptions {
        submitter: SUBMITTER.into(),
        ..Default::default()
    }
}

/// The one problem of an import that must fail: (line, column, reason).
fn the_problem(result: Result<ImportOutcome, ImportError>) -> (u64, Option<String>, String) {
    match result {
        Err(ImportError::Invalid(e)) if e.total == 1 => {
            let e = &e.errors[0];
            (e.line, e.column.clone(), e.reason.clone())
        }
        other => panic!("expected one problem, got {other:?}"),
    }
}

/// A reader that panics after `left` bytes: a bug on the reading side, wherever it is.
struct PanicsAfter<R> {
    inner: R,
    left: usize,
}

impl<R: Read> Read for PanicsAfter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            panic!("{PANIC}");
        }
        let n = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..n])?;
        self.left -= n;
        Ok(n)
    }
}

fn import_prerequisites(db: &TestDatabase, dir: &Path, sample: &Sample) {
    for (i, (format, contents)) in sample.prerequisites(ROWS).into_iter().enumerate() {
        let path = dir.join(format!("before-{i}.csv"));
        std::fs::write(&path, contents).unwrap();
        let outcome = import_file(&mut db.conn(), format, &path, &options()).unwrap();
        assert!(
            matches!(outcome, ImportOutcome::Imported { .. }),
            "{outcome:?}"
        );
    }
}

/// A file of more than two chunks with a bad value in its last chunk, through the real binary:
/// exit status 1, the line, column and reason named, nothing written. Then, for the formats
/// that had one, a value that panicked the reader thread before issue 10, through the library.
fn a_large_file_writes_nothing(format: Format) {
    let sample = Sample::of(format);
    let (db, dir) = (TestDatabase::new(), tempfile::tempdir().unwrap());
    import_prerequisites(&db, dir.path(), sample);
    let contents = db.contents();
    let line = AT as u64 + 1;
    let name = format.name();

    let bad = dir.path().join("bad.csv");
    sample.write(&bad, ROWS, Some((AT, sample.bad.0)));
    let out = citytrace(
        Some(db.url()),
        &["import", name, bad.to_str().unwrap(), "--party", SUBMITTER],
        dir.path(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
    let named = format!("{line}  {}", sample.column);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&named) && l.contains(sample.bad.1)),
        "{name}: {stderr}"
    );
    assert_eq!(db.contents(), contents, "{name}: a refused file wrote rows");

    if let Some(value) = sample.panicked {
        let path = dir.path().join("panicked.csv");
        sample.write(&path, ROWS, Some((AT, value)));
        let (at, column, _) = the_problem(import_file(&mut db.conn(), format, &path, &options()));
        assert_eq!(
            (at, column.as_deref()),
            (line, Some(sample.column)),
            "{name}"
        );
        assert_eq!(db.contents(), contents, "{name}: {value:?} wrote rows");
    }
}

/// Found in issue 10, as a class: the reader thread stopping (here: a reader that panics) in
/// the third chunk, after two chunks were written, commits nothing — it used to look like the
/// end of the file.
#[test]
fn a_reader_that_panics_after_two_chunks_were_written_commits_nothing() {
    let sample = Sample::of(Format::Budget);
    let (db, dir) = (TestDatabase::new(), tempfile::tempdir().unwrap());
    let contents = db.contents();
    let valid = dir.path().join("valid.csv");
    sample.write(&valid, ROWS, None);
    let size = std::fs::metadata(&valid).unwrap().len() as usize;
    let reader = PanicsAfter {
        inner: File::open(&valid).unwrap(),
        left: size - 1000,
    };
    let meta = FileMeta {
        file_name: "valid.csv",
        sha256: [1; 32],
        size: 0,
    };
    let written = std::cell::Cell::new(0);
    let progress = |p: citytrace_importers::Progress| written.set(p.rows);
    match import_reader(
        &mut db.conn(),
        Format::Budget,
        reader,
        &meta,
        &options(),
        &progress,
    ) {
        Err(ImportError::Internal {
            line: Some(at),
            message,
        }) => {
            assert!(
                at > 2 * CHUNK_ROWS as u64 + 1 && at <= ROWS as u64 + 1,
                "line {at}"
            );
            assert_eq!(message, PANIC);
        }
        other => panic!("expected an internal error, got {other:?}"),
    }
    assert_eq!(
        written.get(),
        2 * CHUNK_ROWS as u64,
        "two chunks were written before the panic"
    );
    assert_eq!(db.contents(), contents, "a panicking reader wrote rows");
}

#[test]
fn a_large_shipments_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::Shipments);
}

#[test]
fn a_large_products_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::Products);
}

#[test]
fn a_large_sensor_readings_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::SensorReadings);
}

#[test]
fn a_large_production_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::Production);
}

#[test]
fn a_large_waste_transfers_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::WasteTransfers);
}

#[test]
fn a_large_waste_receipts_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::WasteReceipts);
}

#[test]
fn a_large_emissions_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::Emissions);
}

#[test]
fn a_large_budget_file_writes_nothing_when_its_last_chunk_fails() {
    a_large_file_writes_nothing(Format::Budget);
}
