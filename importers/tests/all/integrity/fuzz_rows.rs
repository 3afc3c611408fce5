//! Property tests of each CSV format's row parser, without a database: rows of the format's
//! documented example with up to three cells changed — random Unicode, boundary numbers, a
//! multi-byte character cut in, truncated, emptied, very long, another column's value, a NUL.
//! `fuzz_cases(10_000)` rows per format. Whatever the row: no panic; a record exactly when no
//! problem was reported; every problem names the row's line and one of the format's columns;
//! a record's canonical encoding is JSON with its line; an unchanged example row is accepted.

use std::sync::OnceLock;

use chrono::FixedOffset;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use citytrace_importers::csv_format::{CsvFormat, RowContext};
use citytrace_importers::csv_input::{CsvRow, MAX_LINE};
use citytrace_importers::{budget, emissions, production, products, sensor_readings, shipments};
use citytrace_importers::{waste, Format};
use citytrace_schema::testing::fuzz_cases;

use super::examples::{example, CSV_FORMATS};
use super::fuzz::{text, MULTIBYTE};

/// How one cell is changed.
#[derive(Debug, Clone)]
pub enum Change {
    Text(String),
    Boundary(&'static str),
    CutIn(usize, char),
    Truncate(usize),
    Empty,
    Long,
    Swap(usize),
    Nul(usize),
}

pub const BOUNDARIES: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e3",
    "NaN",
    "inf",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "18446744073709551616",
    "999999999999999.999999",
    "0.0000001",
    "1,5",
    "1.",
    ".5",
    "+1",
    "0000",
    "9999",
    "10000",
    "1899",
    "2201",
    "00",
    "99",
    "Q0",
    "Q5",
    "1900-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999+14:00",
    "0000-01-01T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:00:00+15:00",
    "Z",
    "R0",
    "D16",
    "00 00 00",
    "99 99 99*",
    "00000000000000",
    "99999999999999",
    "@",
    "a@b.c",
];

pub fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => text().prop_map(Change::Text),
        3 => prop::sample::select(BOUNDARIES).prop_map(Change::Boundary),
        3 => (any::<usize>(), prop::sample::select(MULTIBYTE)).prop_map(|(at, c)| Change::CutIn(at, c)),
        1 => any::<usize>().prop_map(Change::Truncate),
        1 => Just(Change::Empty),
        1 => Just(Change::Long),
        1 => any::<usize>().prop_map(Change::Swap),
        1 => any::<usize>().prop_map(Change::Nul),
    ]
}

/// Apply `change` to cell `column` of `cells`.
pub fn apply(cells: &mut [String], column: usize, change: &Change) {
    let value = &cells[column];
    let chars: Vec<char> = value.chars().collect();
    let at = |n: usize| n % (chars.len() + 1);
    let changed = match change {
        Change::Text(t) => t.clone(),
        Change::Boundary(b) => b.to_string(),
        Change::CutIn(n, c) => {
            let mut chars = chars.clone();
            chars.insert(at(*n), *c);
            chars.into_iter().collect()
        }
        Change::Truncate(n) => chars[..at(*n)].iter().collect(),
        Change::Empty => String::new(),
        Change::Long => format!("{value}{}", "x".repeat(300)),
        Change::Swap(other) => cells[other % cells.len()].clone(),
        Change::Nul(n) => {
            let mut chars = chars.clone();
            chars.insert(at(*n), '\0');
            chars.into_iter().collect()
        }
    };
    cells[column] = changed;
}

/// The example's rows as cells in `format`'s column order (empty when the example lacks one).
pub fn example_rows(format: Format) -> &'static [Vec<String>] {
    static ROWS: OnceLock<Vec<(Format, Vec<Vec<String>>)>> = OnceLock::new();
    let all = ROWS.get_or_init(|| CSV_FORMATS.iter().map(|&f| (f, read_example(f))).collect());
    all.iter()
        .find(|(f, _)| *f == format)
        .map(|(_, rows)| rows.as_slice())
        .unwrap_or_default()
}

fn read_example(format: Format) -> Vec<Vec<String>> {
    let text = example(format);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    records
        .iter()
        .map(|r| {
            format
                .columns()
                .iter()
                .map(|c| {
                    let i = header.iter().position(|h| h == c.name);
                    i.and_then(|i| r.get(i)).unwrap_or("").to_string()
                })
                .collect()
        })
        .collect()
}

/// The cells as the CSV reader hands them over: trimmed, empty ones absent.
fn row(line: u64, cells: &[String]) -> CsvRow {
    let values = cells
        .iter()
        .map(|c| Some(c.trim().to_string()).filter(|c| !c.is_empty()))
        .collect();
    CsvRow { line, values }
}

fn row_parser_holds<F: CsvFormat>(
    format: Format,
    example: usize,
    changes: &[(usize, Change)],
    line: u64,
    context: RowContext,
) -> Result<(), TestCaseError> {
    let rows = example_rows(format);
    let mut cells = rows[example % rows.len()].clone();
    for (column, change) in changes {
        let column = column % cells.len();
        apply(&mut cells, column, change);
    }
    let row = row(line, &cells);
    let mut errors = Vec::new();
    let record = F::parse(&row, &context, &mut errors);
    let names: Vec<&str> = format.columns().iter().map(|c| c.name).collect();
    for e in &errors {
        prop_assert_eq!(e.line, line);
        prop_assert!(
            e.column.as_deref().is_some_and(|c| names.contains(&c)),
            "{:?}",
            e
        );
        prop_assert!(!e.reason.is_empty());
    }
    match record {
        Some(record) => {
            prop_assert!(errors.is_empty(), "a record and problems: {:?}", errors);
            prop_assert_eq!(F::line(&record), line);
            let canonical: serde_json::Value = serde_json::from_slice(&F::canonical(&record))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&canonical["line"], &serde_json::json!(line));
        }
        None => prop_assert!(!errors.is_empty(), "no record and no problem: {:?}", cells),
    }
    if changes.is_empty() {
        prop_assert!(errors.is_empty(), "an example row is refused: {:?}", errors);
    }
    Ok(())
}

fn contexts() -> impl Strategy<Value = RowContext> {
    (prop::bool::ANY, prop::option::of(-12i32..=14)).prop_map(|(decimal_comma, hours)| RowContext {
        decimal_comma,
        default_offset: hours.and_then(|h| FixedOffset::east_opt(h * 3600)),
    })
}

fn changes() -> impl Strategy<Value = Vec<(usize, Change)>> {
    prop::collection::vec((any::<usize>(), change()), 0..=3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(10_000)))]

    #[test]
    fn shipment_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<shipments::Shipments>(Format::Shipments, example, &changes, line, context)?;
    }

    #[test]
    fn product_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<products::Products>(Format::Products, example, &changes, line, context)?;
    }

    #[test]
    fn sensor_reading_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<sensor_readings::SensorReadings>(Format::SensorReadings, example, &changes, line, context)?;
    }

    #[test]
    fn production_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<production::Production>(Format::Production, example, &changes, line, context)?;
    }

    #[test]
    fn waste_transfer_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<waste::transfers::WasteTransfers>(Format::WasteTransfers, example, &changes, line, context)?;
    }

    #[test]
    fn waste_receipt_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<waste::receipts::WasteReceipts>(Format::WasteReceipts, example, &changes, line, context)?;
    }

    #[test]
    fn emission_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<emissions::Emissions>(Format::Emissions, example, &changes, line, context)?;
    }

    #[test]
    fn budget_rows(example in any::<usize>(), changes in changes(), line in 2u64..=MAX_LINE, context in contexts()) {
        row_parser_holds::<budget::Budget>(Format::Budget, example, &changes, line, context)?;
    }
}

/// Found by `shipment_rows`: a `contract_ocid` with a multi-byte character across its sixth
/// byte after `ocds-` panicked (`split_at` inside the character).
#[test]
fn a_contract_ocid_cut_inside_a_character_is_a_row_error() {
    let mut cells = example_rows(Format::Shipments)[0].clone();
    let column = Format::Shipments
        .columns()
        .iter()
        .position(|c| c.name == "contract_ocid")
        .unwrap();
    cells[column] = "ocds-b5fd€17-2026-0017".into();
    let mut errors = Vec::new();
    let context = RowContext {
        decimal_comma: false,
        default_offset: None,
    };
    let record = shipments::Shipments::parse(&row(2, &cells), &context, &mut errors);
    assert!(record.is_none());
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (2, Some("contract_ocid"))
    );
    assert!(errors[0].reason.starts_with("not an OCDS ocid"));
}
