//! Property tests of the CSV reader, without a database (`fuzz_cases(10_000)` files each):
//! tables of random Unicode cells written by the csv crate with every delimiter, line ending
//! (LF, CRLF, CR only), quoting style, byte-order mark and blank lines, read back cell for cell
//! at the right physical lines — with a NUL or a byte that is not UTF-8 in one cell reported at
//! its line and column — and arbitrary bytes, which never panic and report problems in line
//! order.

use proptest::prelude::*;

use citytrace_importers::csv_input::{Column, CsvFile, CsvOptions, CsvRow};
use citytrace_importers::RowError;
use citytrace_schema::testing::fuzz_cases;

use super::fuzz::text;

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
    Column {
        name: "qty",
        required: false,
        description: "",
        example: "",
    },
];

fn read(bytes: &[u8], options: CsvOptions) -> Result<Vec<Result<CsvRow, RowError>>, Vec<RowError>> {
    let mut file = CsvFile::open(bytes, COLUMNS, options).map_err(|e| e.errors)?;
    Ok(std::iter::from_fn(|| file.next_row()).collect())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    Lf,
    CrLf,
    Cr,
}

/// A cell: random text, or one made of the characters CSV treats specially.
fn cell() -> impl Strategy<Value = String> {
    let special = prop::collection::vec(
        prop::sample::select(vec![
            ",", ";", "\"", "\n", "\r", "\r\n", " ", "\t", "|", "a", "é", "😀", "\u{a0}",
        ]),
        0..6,
    )
    .prop_map(|p| p.concat());
    prop_oneof![2 => text(), 2 => special, 1 => Just(String::new())]
        .prop_map(|c| c.replace('\0', ""))
}

/// What goes wrong in one cell, if anything: a NUL, or a byte that is not UTF-8.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Nul,
    NotUtf8,
}

#[derive(Debug, Clone)]
struct Table {
    rows: Vec<[String; 3]>,
    /// Blank lines before each row.
    blanks: Vec<usize>,
    delimiter: u8,
    ending: Ending,
    always_quote: bool,
    bom: bool,
    final_break: bool,
    fault: Option<(usize, usize, Fault)>,
}

fn tables() -> impl Strategy<Value = Table> {
    (
        prop::collection::vec(
            (cell(), cell(), cell()).prop_map(|(a, b, c)| [a, b, c]),
            0..12,
        ),
        prop::collection::vec(prop_oneof![4 => Just(0usize), 1 => 1usize..3], 12),
        prop::sample::select(vec![b',', b';', b'\t', b'|']),
        prop::sample::select(vec![Ending::Lf, Ending::CrLf, Ending::Cr]),
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::option::of((
            0usize..12,
            0usize..3,
            prop_oneof![Just(Fault::Nul), Just(Fault::NotUtf8)],
        )),
    )
        .prop_map(
            |(rows, blanks, delimiter, ending, always_quote, bom, final_break, fault)| Table {
                fault: fault.filter(|(r, ..)| *r < rows.len()),
                rows,
                blanks,
                delimiter,
                ending,
                always_quote,
                bom,
                final_break,
            },
        )
}

impl Table {
    fn terminator(&self) -> &'static [u8] {
        match self.ending {
            Ending::Lf => b"\n",
            Ending::CrLf => b"\r\n",
            Ending::Cr => b"\r",
        }
    }

    /// The file's bytes.
    fn bytes(&self) -> Vec<u8> {
        let mut out = if self.bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        let style = if self.always_quote {
            csv::QuoteStyle::Always
        } else {
            csv::QuoteStyle::Necessary
        };
        let record = |fields: &[&[u8]], out: &mut Vec<u8>| {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(self.delimiter)
                .terminator(csv::Terminator::Any(b'\n'))
                .quote_style(style)
                .from_writer(Vec::new());
            writer.write_record(fields).unwrap();
            let mut written = writer.into_inner().unwrap();
            written.pop(); // the terminator, written here as the file's own
            out.extend(written);
            out.extend(self.terminator());
        };
        record(&[b"id", b"note", b"qty"], &mut out);
        for (r, row) in self.rows.iter().enumerate() {
            for _ in 0..self.blanks[r] {
                out.extend(self.terminator());
            }
            let cells: Vec<Vec<u8>> = (0..3)
                .map(|c| {
                    let mut cell = row[c].clone().into_bytes();
                    match self.fault {
                        Some((fr, fc, Fault::Nul)) if (fr, fc) == (r, c) => cell.push(0),
                        Some((fr, fc, Fault::NotUtf8)) if (fr, fc) == (r, c) => cell.push(0xE9),
                        _ => {}
                    }
                    cell
                })
                .collect();
            record(
                &cells.iter().map(Vec::as_slice).collect::<Vec<_>>(),
                &mut out,
            );
        }
        if !self.final_break {
            let n = self.terminator().len();
            out.truncate(out.len() - n);
        }
        out
    }

    fn options(&self) -> CsvOptions {
        CsvOptions {
            // `,` and `;` are detected from the header line; the others are given.
            delimiter: (![b',', b';'].contains(&self.delimiter)).then_some(self.delimiter),
            default_offset: None,
        }
    }

    /// A cell as the reader gives it: a CR-only file's line breaks read as LF, trimmed, empty
    /// cells absent.
    fn expected_cell(&self, cell: &str) -> Option<String> {
        let cell = match self.ending {
            Ending::Cr => cell.replace("\r\n", "\n").replace('\r', "\n"),
            _ => cell.to_string(),
        };
        Some(cell.trim().to_string()).filter(|c| !c.is_empty())
    }

    /// Line breaks a cell's text adds to the file's line count.
    fn breaks(&self, cell: &str) -> u64 {
        match self.ending {
            Ending::Cr => cell
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .matches('\n')
                .count() as u64,
            _ => cell.matches('\n').count() as u64,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(10_000)))]

    #[test]
    fn written_tables_read_back_cell_for_cell_at_their_lines(table in tables()) {
        let bytes = table.bytes();
        let rows = read(&bytes, table.options()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut rows = rows.into_iter();
        let mut line = 1;
        for (r, cells) in table.rows.iter().enumerate() {
            line += 1 + table.blanks[r] as u64;
            let start = line;
            line += cells.iter().map(|c| table.breaks(c)).sum::<u64>();
            let expected: Vec<Option<String>> = cells.iter().map(|c| table.expected_cell(c)).collect();
            let fault = table.fault.filter(|(fr, ..)| *fr == r);
            // A row of empty cells is skipped like a blank line (unless a cell has a fault).
            if fault.is_none() && cells.iter().all(|c| c.trim_ascii().is_empty()) {
                continue;
            }
            let read = rows.next();
            match fault {
                Some((_, c, fault)) => {
                    let e = read.and_then(|r| r.err());
                    let e = e.ok_or_else(|| TestCaseError::fail(format!("row {r}: the fault was not reported")))?;
                    prop_assert_eq!(e.line, start);
                    prop_assert_eq!(e.column.as_deref(), Some(COLUMNS[c].name));
                    let reason = match fault { Fault::Nul => "contains a NUL character", Fault::NotUtf8 => "not valid UTF-8" };
                    prop_assert!(e.reason.starts_with(reason), "{}", e.reason);
                }
                None => {
                    let row = read.and_then(|r| r.ok());
                    let row = row.ok_or_else(|| TestCaseError::fail(format!("row {r} missing or refused")))?;
                    prop_assert_eq!(row.line, start, "row {}", r);
                    prop_assert_eq!(row.values, expected, "row {}", r);
                }
            }
        }
        prop_assert!(rows.next().is_none(), "more rows than written");
    }

    #[test]
    fn any_bytes_are_read_without_panicking(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..400),
            tables().prop_flat_map(|t| {
                let bytes = t.bytes();
                let n = bytes.len();
                (Just(bytes), prop::collection::vec((0..=n, any::<u8>()), 1..4))
            }).prop_map(|(mut bytes, changes)| {
                for (at, b) in changes {
                    if at < bytes.len() { bytes[at] = b } else { bytes.push(b) }
                }
                bytes
            }),
        ],
        delimiter in prop::option::of(prop::sample::select(vec![b',', b';', b'\t', b'|'])),
    ) {
        let options = CsvOptions { delimiter, default_offset: None };
        match read(&bytes, options) {
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                prop_assert!(errors.iter().all(|e| e.line == 1 && !e.reason.is_empty()));
            }
            Ok(rows) => {
                let lines: Vec<u64> = rows.iter().map(|r| match r { Ok(r) => r.line, Err(e) => e.line }).collect();
                prop_assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
                prop_assert!(lines.first().is_none_or(|l| *l >= 2), "{lines:?}");
                for row in rows.iter().flatten() {
                    prop_assert_eq!(row.values.len(), COLUMNS.len());
                    prop_assert!(row.values.iter().flatten().all(|v| !v.is_empty() && !v.contains('\0')));
                }
            }
        }
    }
}

#[test]
fn utf16_files_are_refused_with_advice() {
    for bom in [&b"\xFF\xFE"[..], b"\xFE\xFF"] {
        let mut bytes = bom.to_vec();
        bytes.extend("id,note\n1,x\n".encode_utf16().flat_map(u16::to_le_bytes));
        let errors = read(&bytes, CsvOptions::default()).unwrap_err();
        assert!(errors[0].reason.contains("UTF-16"), "{errors:?}");
    }
}
