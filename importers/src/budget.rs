//! The budget format (docs/formats/budget.md): a city budget as Fiscal Data Package-like rows
//! — one amount per budget line, fiscal year and phase, classified by department, program,
//! COFOG function and economic class.

pub mod cofog;

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};
use serde_json::Value;

use citytrace_schema::models::{BudgetLine, NewBudgetLine, Party};

use crate::cells::Cells;
use crate::csv_format::{accepted, distinct, new_rows, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::values::canonical_decimal;

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/budget/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "budget_line_id", required: true, description: "The budget line, as the finance department numbers it. (fiscal_year, budget_line_id, phase) is unique per submitter.", example: "2026-PW-0412" },
    Column { name: "fiscal_year", required: true, description: "The fiscal year, by the calendar year it starts in: a whole number from 1900 to 2200.", example: "2026" },
    Column { name: "phase", required: true, description: "`proposed`, `approved`, `adjusted` or `executed`.", example: "approved" },
    Column { name: "direction", required: false, description: "`expenditure` (when empty) or `revenue`.", example: "expenditure" },
    Column { name: "department", required: true, description: "The administrative classification: the department's party code or GLN; registered (as a department) when new.", example: "DEPT-WORKS" },
    Column { name: "program", required: false, description: "Program, project or activity code or name.", example: "Bridge renewal" },
    Column { name: "cofog", required: true, description: "Functional classification: a COFOG division (05) or group (05.1) of the 1999 classification.", example: "04.5" },
    Column { name: "economic_class", required: false, description: "Economic classification, e.g. a GFS code (22 use of goods and services, 31 non-financial assets).", example: "31" },
    Column { name: "description", required: false, description: "What the line is for.", example: "North bridge deck replacement" },
    Column { name: "amount", required: true, description: "The amount: a decimal (negative for corrections), at most 4 decimals, no thousands separators.", example: "1250000.00" },
    Column { name: "currency", required: true, description: "ISO 4217 currency code, three letters.", example: "EUR" },
];

const C_LINE_ID: usize = 0;
const C_YEAR: usize = 1;
const C_PHASE: usize = 2;
const C_DIRECTION: usize = 3;
const C_DEPARTMENT: usize = 4;
const C_PROGRAM: usize = 5;
const C_COFOG: usize = 6;
const C_ECONOMIC: usize = 7;
const C_DESCRIPTION: usize = 8;
const C_AMOUNT: usize = 9;
const C_CURRENCY: usize = 10;

pub const PHASES: &[&str] = &["proposed", "approved", "adjusted", "executed"];

/// A validated, normalised row.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRecord {
    pub line: u64,
    pub budget_line_id: String,
    pub fiscal_year: i32,
    pub phase: String,
    pub direction: String,
    pub department: String,
    pub program: Option<String>,
    pub cofog: String,
    pub economic_class: Option<String>,
    pub description: Option<String>,
    pub amount: BigDecimal,
    pub currency: String,
}

impl BudgetRecord {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        map.insert("encoding", ENCODING.into());
        map.insert("line", self.line.into());
        map.insert("budget_line_id", self.budget_line_id.clone().into());
        map.insert("fiscal_year", self.fiscal_year.into());
        map.insert("phase", self.phase.clone().into());
        map.insert("direction", self.direction.clone().into());
        map.insert("department", self.department.clone().into());
        map.insert("program", self.program.clone().into());
        map.insert("cofog", self.cofog.clone().into());
        map.insert("economic_class", self.economic_class.clone().into());
        map.insert("description", self.description.clone().into());
        map.insert("amount", canonical_decimal(&self.amount).into());
        map.insert("currency", self.currency.clone().into());
        serde_json::to_vec(&map).unwrap_or_default()
    }

    /// The record as stored, for recomputing its leaf from the database.
    pub fn from_stored(row: &BudgetLine) -> Self {
        Self {
            line: row.line as u64,
            budget_line_id: row.budget_line_id.clone(),
            fiscal_year: row.fiscal_year,
            phase: row.phase.clone(),
            direction: row.direction.clone(),
            department: row.department.clone(),
            program: row.program.clone(),
            cofog: row.cofog.clone(),
            economic_class: row.economic_class.clone(),
            description: row.description.clone(),
            amount: row.amount.clone(),
            currency: row.currency.clone(),
        }
    }
}

/// An ISO 4217 code's shape: three letters, upper-cased. (The list of codes is not embedded.)
pub fn parse_currency(text: &str) -> Result<String, String> {
    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(text.to_ascii_uppercase())
    } else {
        Err("not an ISO 4217 currency code: three letters, e.g. EUR".into())
    }
}

/// The budget format.
pub struct Budget;

impl CsvFormat for Budget {
    type Record = BudgetRecord;
    const KIND: &'static str = "budget";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<BudgetRecord> {
        let budget_line_id = cells.name(C_LINE_ID);
        let fiscal_year = cells.int(C_YEAR, 1900, 2200);
        let phase = cells.one_of(C_PHASE, PHASES);
        let direction = cells.one_of(C_DIRECTION, &["expenditure", "revenue"]);
        let department = cells.site(C_DEPARTMENT);
        let program = cells.name(C_PROGRAM);
        let cofog = cells.parsed(C_COFOG, cofog::parse_cofog);
        let economic_class = cells.name(C_ECONOMIC);
        let description = cells.name(C_DESCRIPTION);
        let amount = cells.decimal(C_AMOUNT, 4, -1e15, 1e15);
        let currency = cells.parsed(C_CURRENCY, parse_currency);
        Some(BudgetRecord {
            line: row.line,
            budget_line_id: budget_line_id?,
            fiscal_year: fiscal_year? as i32,
            phase: phase?.to_string(),
            direction: direction.unwrap_or("expenditure").to_string(),
            department: department?,
            program,
            cofog: cofog?.to_string(),
            economic_class,
            description,
            amount: amount?,
            currency: currency?,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[BudgetRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        reject_repeated_lines(conn, batch, chunk, &mut ok, errors)?;
        let departments = distinct(accepted(chunk, &ok).map(|r| r.department.as_str()));
        let ids = Party::resolve_or_register(conn, &departments, "department")?;
        let rows = new_rows(chunk, &ok, |r| NewBudgetLine {
            batch_id: batch.batch_id,
            line: r.line as i32,
            submitter: batch.submitter.clone(),
            fiscal_year: r.fiscal_year,
            budget_line_id: r.budget_line_id.clone(),
            phase: r.phase.clone(),
            direction: r.direction.clone(),
            department: r.department.clone(),
            department_id: ids[r.department.as_str()],
            program: r.program.clone(),
            cofog: r.cofog.clone(),
            economic_class: r.economic_class.clone(),
            description: r.description.clone(),
            amount: r.amount.clone(),
            currency: r.currency.clone(),
        });
        BudgetLine::copy_in(conn, &rows)?;
        Ok(ok)
    }
}

/// A budget line has one amount per fiscal year and phase per submitter: twice in the file, or
/// already stored (an earlier chunk or file), is a problem.
fn reject_repeated_lines(
    conn: &mut PgConnection,
    batch: &BatchContext,
    chunk: &[BudgetRecord],
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Existing {
        #[diesel(sql_type = Integer)]
        fiscal_year: i32,
        #[diesel(sql_type = Text)]
        budget_line_id: String,
        #[diesel(sql_type = Text)]
        phase: String,
        #[diesel(sql_type = BigInt)]
        batch_id: i64,
        #[diesel(sql_type = Integer)]
        line: i32,
    }
    let existing: Vec<Existing> = diesel::sql_query(
        "SELECT b.fiscal_year, b.budget_line_id, b.phase, b.batch_id, b.line FROM budget_lines b \
         JOIN unnest($2::int4[], $3::text[], $4::text[]) AS k(fiscal_year, budget_line_id, phase) \
           ON b.fiscal_year = k.fiscal_year AND b.budget_line_id = k.budget_line_id AND b.phase = k.phase \
         WHERE b.submitter = $1",
    )
    .bind::<Text, _>(&batch.submitter)
    .bind::<Array<Integer>, _>(chunk.iter().map(|r| r.fiscal_year).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(chunk.iter().map(|r| r.budget_line_id.as_str()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(chunk.iter().map(|r| r.phase.as_str()).collect::<Vec<_>>())
    .load(conn)?;
    let stored: HashMap<(i32, &str, &str), (i64, i32)> = existing
        .iter()
        .map(|e| {
            (
                (e.fiscal_year, e.budget_line_id.as_str(), e.phase.as_str()),
                (e.batch_id, e.line),
            )
        })
        .collect();
    let mut seen: HashMap<(i32, &str, &str), u64> = HashMap::new();
    for (i, r) in chunk.iter().enumerate() {
        let key = (r.fiscal_year, r.budget_line_id.as_str(), r.phase.as_str());
        let reason = match stored.get(&key) {
            Some((batch_id, line)) if *batch_id != batch.batch_id => Some(format!(
                "budget line {} {} {} was already imported in batch {batch_id} (line {line})",
                r.budget_line_id, r.fiscal_year, r.phase
            )),
            Some((_, line)) => Some(repeated(r, *line as u64)),
            None => seen.insert(key, r.line).map(|first| repeated(r, first)),
        };
        if let Some(reason) = reason {
            ok[i] = false;
            errors.push(RowError::new(
                r.line,
                Some("budget_line_id"),
                Some(&r.budget_line_id),
                reason,
            ));
        }
    }
    Ok(())
}

fn repeated(r: &BudgetRecord, first: u64) -> String {
    format!(
        "budget line {} {} {} already appears at line {first}",
        r.budget_line_id, r.fiscal_year, r.phase
    )
}
