//! A panic anywhere in an import — on the reading side or the loading side, in any format — is
//! an internal error naming the line reached, the transaction is rolled back, and the caller's
//! connection is left clean (it imports the next file).

use std::io::Read;

use citytrace_importers::csv_format::FileMeta;
use citytrace_importers::{
    import_file, import_file_with_progress, import_reader, Format, ImportError, ImportOutcome,
};
use citytrace_schema::testing::TestDatabase;

use super::examples::{example, file, import_prerequisites, options, CSV_FORMATS};

const PANIC: &str = "a test's deliberate panic";

/// A reader that gives `data`, then panics: a bug on the reading side, wherever it is.
struct PanicsAfter {
    data: std::io::Cursor<Vec<u8>>,
}

impl Read for PanicsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.data.read(buf)? {
            0 => panic!("{PANIC}"),
            n => Ok(n),
        }
    }
}

fn internal_error(format: Format, result: Result<ImportOutcome, ImportError>) -> Option<u64> {
    match result {
        Err(ImportError::Internal { line, message }) if message == PANIC => line,
        other => panic!(
            "{}: expected an internal error, got {other:?}",
            format.name()
        ),
    }
}

#[test]
fn a_reader_that_panics_is_an_internal_error_in_every_format() {
    let db = TestDatabase::new();
    let contents = db.contents();
    let mut conn = db.conn();
    let meta = FileMeta {
        file_name: "panics.csv",
        sha256: [7; 32],
        size: 0,
    };
    for &format in Format::ALL {
        // At once: in the CSV header check, or in the JSON parser.
        let reader = PanicsAfter {
            data: Default::default(),
        };
        let result = import_reader(&mut conn, format, reader, &meta, &options(), &|_| {});
        assert_eq!(internal_error(format, result), None);
    }
    for format in CSV_FORMATS {
        // On the reader thread, past the first 64 KiB the header check reads.
        let text = example(format);
        let (header, rows) = text.split_once('\n').unwrap();
        let mut data = format!("{header}\n");
        while data.len() < 100_000 {
            data.push_str(rows);
        }
        let lines = data.lines().count() as u64;
        let reader = PanicsAfter {
            data: std::io::Cursor::new(data.into_bytes()),
        };
        let result = import_reader(&mut conn, format, reader, &meta, &options(), &|_| {});
        let line = internal_error(format, result);
        assert!(
            line.is_some_and(|l| l > lines / 2 && l <= lines),
            "{}: {line:?} of {lines}",
            format.name()
        );
    }
    assert_eq!(db.contents(), contents, "a panicking import wrote rows");
    let dir = tempfile::tempdir().unwrap();
    let budget = file(dir.path(), "budget.csv", example(Format::Budget));
    let after = import_file(&mut conn, Format::Budget, &budget, &options());
    assert!(
        matches!(after, Ok(ImportOutcome::Imported { .. })),
        "the connection imports again: {after:?}"
    );
}

#[test]
fn a_panic_on_the_loading_side_rolls_the_batch_back_in_every_csv_format() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = db.conn();
    for format in CSV_FORMATS {
        import_prerequisites(&db, dir.path(), format);
        let contents = db.contents();
        let path = file(
            dir.path(),
            &format!("{}.csv", format.name()),
            example(format),
        );
        // Progress is reported on the loading thread, inside the transaction, after a chunk.
        let result =
            import_file_with_progress(&mut conn, format, &path, &options(), &|_| panic!("{PANIC}"));
        assert_eq!(internal_error(format, result), Some(2), "{}", format.name());
        assert_eq!(
            db.contents(),
            contents,
            "{}: rows were written",
            format.name()
        );
        let again = import_file(&mut conn, format, &path, &options());
        assert!(
            matches!(again, Ok(ImportOutcome::Imported { .. })),
            "{}: the same connection imports the file afterwards: {again:?}",
            format.name()
        );
    }
}
