//! Reading CSV files as people really export them: UTF-8 with or without a BOM, CRLF, LF or
//! CR-only line endings (classic Mac OS, "CSV (Macintosh)" in Excel), quoted fields with
//! newlines, `,` or `;` as delimiter (detected from the header line, or given). Other encodings
//! are rejected with a message that says how to fix the file, and so is a cell with a NUL
//! character (PostgreSQL stores none in text: the only character of UTF-8 it refuses).

mod line_endings;

use std::io::{Cursor, Read};

use line_endings::LineEndings;

use crate::error::{RowError, RowErrors};

/// A column of a CSV format, as documented in docs/formats/.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub description: &'static str,
    pub example: &'static str,
}

/// How to read a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// `None`: detect `,` or `;` from the header line.
    pub delimiter: Option<u8>,
    /// The UTC offset assumed for timestamps written without one; `None`: an offset is
    /// required (a missing one is an error).
    pub default_offset: Option<chrono::FixedOffset>,
}

/// One data row: its physical line and each format column's value (None when absent or
/// blank), in the format's column order.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub line: u64,
    pub values: Vec<Option<String>>,
}

impl CsvRow {
    pub fn get(&self, column: usize) -> Option<&str> {
        self.values.get(column).and_then(|v| v.as_deref())
    }
}

pub struct CsvFile<R: Read> {
    reader: csv::Reader<LineEndings<std::io::Chain<Cursor<Vec<u8>>, R>>>,
    /// For each format column, its index in the file's records.
    positions: Vec<Option<usize>>,
    columns: &'static [Column],
    width: usize,
    pub delimiter: u8,
}

const SNIFF_BYTES: usize = 64 * 1024;

/// The last line a row may be on: rows are stored with their line as a 32-bit integer.
pub const MAX_LINE: u64 = i32::MAX as u64;

impl<R: Read> CsvFile<R> {
    /// Check the encoding and header of `input` against `columns`.
    pub fn open(
        mut input: R,
        columns: &'static [Column],
        options: CsvOptions,
    ) -> Result<Self, RowErrors> {
        let mut prefix = Vec::with_capacity(SNIFF_BYTES);
        (&mut input)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut prefix)
            .map_err(|e| one(RowError::file(format!("could not read the file: {e}"))))?;
        if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
            prefix.drain(..3);
        } else if prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]) {
            return Err(one(RowError::file(
                "the file is UTF-16; save it as UTF-8 (in Excel: Save As → CSV UTF-8) and import it again",
            )));
        }
        let cr_only = line_endings::cr_only(&prefix);
        if prefix.iter().all(u8::is_ascii_whitespace) {
            let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
            return Err(one(RowError::file(format!(
                "the file is empty: expected a header line with the columns {}",
                names.join(",")
            ))));
        }
        let delimiter = match options.delimiter {
            Some(d) => d,
            None => detect_delimiter(&prefix),
        };
        let input = LineEndings::new(Cursor::new(prefix).chain(input), cr_only);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            // Split records on LF only (a CR before it is trimmed with the field): the csv
            // crate's line numbers are off by one for CRLF files otherwise.
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| one(csv_error(&e, 1)))?
            .clone();
        let mut names = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(name) => names.push(name.trim().to_ascii_lowercase()),
                Err(_) => return Err(one(not_utf8(1, Some(&format!("#{}", i + 1))))),
            }
        }
        let mut errors = RowErrors::default();
        let positions: Vec<Option<usize>> = columns
            .iter()
            .map(|c| names.iter().position(|n| n == c.name))
            .collect();
        for (column, position) in columns.iter().zip(&positions) {
            if column.required && position.is_none() {
                errors.push(RowError::new(
                    1,
                    Some(column.name),
                    None,
                    "required column is missing from the header line",
                ));
            }
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                errors.push(RowError::new(
                    1,
                    Some(name),
                    None,
                    "column appears twice in the header line",
                ));
            } else if !columns.iter().any(|c| c.name == name) {
                let known: Vec<&str> = columns.iter().map(|c| c.name).collect();
                errors.push(RowError::new(
                    1,
                    Some(name),
                    None,
                    format!("unknown column; this format has {}", known.join(", ")),
                ));
            }
        }
        if !errors.is_empty() {
            if names.len() == 1 && options.delimiter.is_none() {
                errors.push(RowError::file("only one column was found: is the delimiter something other than , or ;? (use --delimiter)"));
            }
            return Err(errors);
        }
        Ok(Self {
            reader,
            positions,
            columns,
            width: names.len(),
            delimiter,
        })
    }

    /// Bytes read so far (for progress).
    pub fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next data row, or the problem that makes it unreadable. Blank lines (and rows of
    /// empty cells, as spreadsheets export them) are skipped.
    pub fn next_row(&mut self) -> Option<Result<CsvRow, RowError>> {
        let mut record = csv::ByteRecord::new();
        loop {
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => return None,
                Err(e) => return Some(Err(csv_error(&e, self.reader.position().line()))),
                Ok(true) if record.iter().all(|f| f.trim_ascii().is_empty()) => continue,
                Ok(true) => return Some(self.row(&record)),
            }
        }
    }

    fn row(&mut self, record: &csv::ByteRecord) -> Result<CsvRow, RowError> {
        // The csv reader's position is where it started reading the record: before any blank
        // lines it skipped.
        let line = record.position().map_or(0, |p| {
            p.line() + self.reader.get_mut().blank_lines_at(p.byte())
        });
        if line > MAX_LINE {
            return Err(RowError::new(
                line,
                None,
                None,
                format!("the file has more than {MAX_LINE} lines: split it into smaller files"),
            ));
        }
        if record.len() != self.width {
            return Err(RowError::new(
                line,
                None,
                None,
                format!(
                    "expected {} fields like the header line, found {}",
                    self.width,
                    record.len()
                ),
            ));
        }
        let mut values = Vec::with_capacity(self.positions.len());
        for (column, position) in self.columns.iter().zip(&self.positions) {
            let value = match position.and_then(|p| record.get(p)) {
                None => None,
                Some(raw) => match std::str::from_utf8(raw).map(str::trim) {
                    Ok("") => None,
                    Ok(text) if text.contains('\0') => {
                        return Err(RowError::new(
                            line,
                            Some(column.name),
                            Some(text),
                            "contains a NUL character (byte 0x00), which cannot be stored: remove it (it is often left by a broken export or a binary file)",
                        ))
                    }
                    Ok(text) => Some(text.to_string()),
                    Err(_) => return Err(not_utf8(line, Some(column.name))),
                },
            };
            values.push(value);
        }
        Ok(CsvRow { line, values })
    }
}

fn one(error: RowError) -> RowErrors {
    let mut errors = RowErrors::default();
    errors.push(error);
    errors
}

fn not_utf8(line: u64, column: Option<&str>) -> RowError {
    RowError::new(
        line,
        column,
        None,
        "not valid UTF-8 (the file looks like Latin-1/Windows-1252): save it as UTF-8 (in Excel: Save As → CSV UTF-8)",
    )
}

fn csv_error(error: &csv::Error, fallback_line: u64) -> RowError {
    let line = error.position().map_or(fallback_line, |p| p.line());
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => not_utf8(line, None),
        _ => RowError::new(line, None, None, format!("unreadable CSV: {error}")),
    }
}

/// `;` when the header line has more semicolons than commas (outside quotes), else `,`.
pub fn detect_delimiter(prefix: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in prefix {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "id",
            required: true,
            description: "",
            example: "",
        },
        Column {
            name: "note",
            required: false,
            description: "",
            example: "",
        },
    ];

    fn rows(input: &[u8]) -> Result<Vec<Result<CsvRow, RowError>>, RowErrors> {
        let mut file = CsvFile::open(input, COLUMNS, CsvOptions::default())?;
        Ok(std::iter::from_fn(|| file.next_row()).collect())
    }

    #[test]
    fn bom_crlf_semicolons_and_quoted_newlines_are_read() {
        let input =
            b"\xEF\xBB\xBFid;note\r\nA;\"two\r\nlines; one cell\"\r\nB;\r\n\r\n;\r\nC;c\r\n";
        let rows = rows(input).unwrap();
        let a = rows[0].as_ref().unwrap();
        assert_eq!(
            (a.line, a.get(0), a.get(1)),
            (2, Some("A"), Some("two\r\nlines; one cell"))
        );
        let b = rows[1].as_ref().unwrap();
        assert_eq!(
            (b.line, b.get(0), b.get(1)),
            (4, Some("B"), None),
            "line counts the quoted newline"
        );
        let c = rows[2].as_ref().unwrap();
        assert_eq!(
            (c.line, c.get(0), c.get(1)),
            (7, Some("C"), Some("c")),
            "blank lines are skipped, and counted"
        );
        assert_eq!(rows.len(), 3);
    }

    #[test]
    fn columns_may_come_in_any_order_and_optional_ones_may_be_absent() {
        let rows = rows(b"ID\nx\n").unwrap();
        assert_eq!(
            rows[0].as_ref().unwrap().values,
            vec![Some("x".to_string()), None]
        );
    }

    #[test]
    fn a_missing_required_column_is_reported_at_line_one() {
        let err = rows(b"note\nx\n").unwrap_err();
        assert_eq!(
            err.errors[0],
            RowError::new(
                1,
                Some("id"),
                None,
                "required column is missing from the header line"
            )
        );
    }

    #[test]
    fn unknown_and_doubled_columns_are_reported() {
        let err = rows(b"id,nots,id\n1,2,3\n").unwrap_err();
        let reasons: Vec<(Option<&str>, &str)> = err
            .errors
            .iter()
            .map(|e| (e.column.as_deref(), e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (Some("nots"), "unknown column; this format has id, note"),
                (Some("id"), "column appears twice in the header line")
            ]
        );
    }

    #[test]
    fn empty_and_utf16_files_are_rejected_with_advice() {
        assert!(rows(b"").unwrap_err().errors[0]
            .reason
            .starts_with("the file is empty"));
        assert!(rows(b"  \n").unwrap_err().errors[0]
            .reason
            .starts_with("the file is empty"));
        assert!(rows(b"\xFF\xFEi\x00d\x00").unwrap_err().errors[0]
            .reason
            .contains("UTF-16"));
    }

    #[test]
    fn latin1_bytes_are_located() {
        let rows = rows(b"id,note\nA,caf\xE9\n").unwrap();
        let err = rows[0].as_ref().unwrap_err();
        assert_eq!((err.line, err.column.as_deref()), (2, Some("note")));
        assert!(err.reason.starts_with("not valid UTF-8"));
    }

    #[test]
    fn a_short_row_is_an_error_with_its_line() {
        let rows = rows(b"id,note\nA\n").unwrap();
        assert_eq!(
            rows[0].as_ref().unwrap_err().reason,
            "expected 2 fields like the header line, found 1"
        );
    }

    #[test]
    fn blank_lines_count_in_line_numbers() {
        let lines = |input: &[u8]| -> Vec<u64> {
            rows(input)
                .unwrap()
                .iter()
                .map(|r| r.as_ref().unwrap().line)
                .collect()
        };
        assert_eq!(lines(b"id,note\nA,x\n\nB,b\n"), [2, 4]);
        assert_eq!(lines(b"id,note\n\n\nA,x\nB,\"y\n\nz\"\n\nC,c"), [4, 5, 9]);
        assert_eq!(lines(b"id,note\r\n\r\nA,x\r\n\r\n\r\nB,b\r\n"), [3, 6]);
    }

    #[test]
    fn cr_only_line_endings_are_read_as_lines() {
        let rows = rows(b"id;note\rA;\"two\rlines\"\r\rB;b\r").unwrap();
        let lines: Vec<(u64, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| {
                let r = r.as_ref().unwrap();
                (r.line, r.get(0), r.get(1))
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                (2, Some("A"), Some("two\nlines")),
                (5, Some("B"), Some("b"))
            ]
        );
    }

    #[test]
    fn a_nul_character_is_an_error_naming_its_cell() {
        let rows = rows(b"id,note\nA,ok\nB,x\0y\n\0,\n").unwrap();
        assert!(rows[0].is_ok());
        let errors: Vec<(u64, Option<&str>, Option<&str>)> = rows[1..]
            .iter()
            .map(|r| {
                let e = r.as_ref().unwrap_err();
                (e.line, e.column.as_deref(), e.value.as_deref())
            })
            .collect();
        assert_eq!(
            errors,
            vec![(3, Some("note"), Some("x␀y")), (4, Some("id"), Some("␀"))]
        );
        assert!(rows[1]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("contains a NUL character"));
    }

    #[test]
    fn delimiter_detection_ignores_quoted_separators() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d,e\"\n1,2"), b';');
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(
            detect_delimiter(b"a;b\r1,2,3,4\r"),
            b';',
            "the header line ends at a CR"
        );
    }
}
