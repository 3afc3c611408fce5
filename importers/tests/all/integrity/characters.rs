//! Characters and line endings, in every CSV format: found in issue 10, a cell with a NUL
//! character failed the import at the database without a line or column, and a file with
//! CR-only line endings gave twenty "unknown column" errors without naming the cause.

use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::schema::budget_lines;
use citytrace_schema::testing::TestDatabase;

use super::examples::{example, file, import_prerequisites, options, problems, CSV_FORMATS};

/// The example's header and rows, as cells.
fn cells(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn csv_text(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.into_inner().unwrap()
}

#[test]
fn a_nul_character_in_any_cell_is_a_row_error_naming_it_in_every_csv_format() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    for format in CSV_FORMATS {
        import_prerequisites(&db, dir.path(), format);
        let (header, examples) = cells(&example(format));
        // Row n+2 has a NUL in column n: at the start, in the middle, alone, at the end.
        let rows: Vec<Vec<String>> = (0..header.len())
            .map(|c| {
                let mut row = examples[c % examples.len()].clone();
                row[c] = match c % 4 {
                    0 => format!("\0{}", row[c]),
                    1 => format!("a\0{}", row[c]),
                    2 => "\0".to_string(),
                    _ => format!("{}\0", row[c]),
                };
                row
            })
            .collect();
        let contents = db.contents();
        let path = file(dir.path(), "nul.csv", csv_text(&header, &rows));
        let found = problems(import_file(&mut db.conn(), format, &path, &options()));
        let expected: Vec<(u64, Option<String>, String)> = header
            .iter()
            .enumerate()
            .map(|(c, name)| {
                (
                    c as u64 + 2,
                    Some(name.clone()),
                    "contains a NUL character (byte 0x00), which cannot be stored: remove it (it is often left by a broken export or a binary file)".into(),
                )
            })
            .collect();
        assert_eq!(found, expected, "{}", format.name());
        assert_eq!(db.contents(), contents, "{}", format.name());
    }
}

#[test]
fn every_other_character_postgresql_text_takes_is_stored_as_written() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    // C0 controls but NUL, DEL, C1 controls, a BOM, noncharacters, the last code point.
    let mut odd: String = (1u8..0x20).map(char::from).collect();
    odd.push('\u{7f}');
    odd.extend((0x80u32..0xa0).filter_map(char::from_u32));
    odd.push_str("\u{feff}\u{fdd0}\u{fffe}\u{ffff}\u{10ffff}");
    let description = format!("x{odd}y");
    let (header, mut rows) = cells(&example(Format::Budget));
    let column = header.iter().position(|h| h == "description").unwrap();
    rows[0][column] = description.clone();
    let path = file(dir.path(), "odd.csv", csv_text(&header, &rows));
    let outcome = import_file(&mut db.conn(), Format::Budget, &path, &options());
    assert!(
        matches!(outcome, Ok(ImportOutcome::Imported { .. })),
        "{outcome:?}"
    );
    let stored: Option<String> = budget_lines::table
        .filter(budget_lines::line.eq(2))
        .select(budget_lines::description)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(stored.as_deref(), Some(description.as_str()));
}

/// The batch a dry run would make: (rows, Merkle root).
fn dry_run(db: &TestDatabase, format: Format, path: &std::path::Path) -> (usize, String) {
    let options = ImportOptions {
        dry_run: true,
        ..options()
    };
    match import_file(&mut db.conn(), format, path, &options) {
        Ok(ImportOutcome::Validated {
            rows, merkle_root, ..
        }) => (rows, merkle_root),
        other => panic!("{}: {other:?}", format.name()),
    }
}

#[test]
fn lf_crlf_and_cr_only_files_make_the_same_batch_in_every_csv_format() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    for format in CSV_FORMATS {
        import_prerequisites(&db, dir.path(), format);
        let lf = example(format);
        assert!(!lf.contains('\r'), "{}", format.name());
        let batches: Vec<(usize, String)> =
            [lf.clone(), lf.replace('\n', "\r\n"), lf.replace('\n', "\r")]
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let path = file(dir.path(), &format!("{}-{i}.csv", format.name()), text);
                    dry_run(&db, format, &path)
                })
                .collect();
        assert_eq!(batches[0].0, lf.lines().count() - 1, "{}", format.name());
        assert_eq!(batches[1], batches[0], "{}: CRLF", format.name());
        assert_eq!(batches[2], batches[0], "{}: CR only", format.name());
    }
}

#[test]
fn problems_after_blank_lines_name_their_physical_line_whatever_the_line_endings() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let text = example(Format::Budget);
    let (header, rest) = text.split_once('\n').unwrap();
    let broken = format!("{header}\n\n\n{}", rest.replace(",04.5,", ",04.0,"));
    // Lines 2 and 3 are blank; the example's rows with 04.5 (its first three) follow.
    for (i, text) in [broken.clone(), broken.replace('\n', "\r")]
        .iter()
        .enumerate()
    {
        let path = file(dir.path(), &format!("blank-{i}.csv"), text);
        let lines: Vec<(u64, Option<String>)> = problems(import_file(
            &mut db.conn(),
            Format::Budget,
            &path,
            &options(),
        ))
        .into_iter()
        .map(|(line, column, _)| (line, column))
        .collect();
        let cofog = Some("cofog".to_string());
        assert_eq!(lines, [(4, cofog.clone()), (5, cofog.clone()), (6, cofog)]);
    }
}
