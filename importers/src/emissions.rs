//! The emissions format (docs/formats/emissions.md): greenhouse-gas emissions a party
//! reports, one row per scope, category, activity and period, in kg CO2e (GHG Protocol).

pub mod period;

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, Text};
use serde_json::Value;

use citytrace_schema::models::{EmissionReport, NewEmissionReport, Party};

use crate::cells::Cells;
use crate::csv_format::{accepted, distinct, new_rows, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::values::canonical_decimal;

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/emissions/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "party", required: true, description: "The reporting party: a party code or GLN; registered when new.", example: "DEPT-TRANSPORT" },
    Column { name: "scope", required: true, description: "GHG Protocol scope: 1 (direct), 2 (purchased energy) or 3 (value chain).", example: "3" },
    Column { name: "category", required: false, description: "Scope 1: empty or stationary_combustion, mobile_combustion, process, fugitive. Scope 2: location_based or market_based (required). Scope 3: the category number 1 to 15 (required).", example: "1" },
    Column { name: "activity", required: false, description: "What was emitted by, in the reporter's words (a fleet, a building, a contract); distinguishes rows of the same scope, category and period.", example: "Concrete for Elm Street school" },
    Column { name: "period", required: true, description: "The period covered: a year (2026), a quarter (2026-Q1), a month (2026-03), a day (2026-03-31) or two dates (2026-01-01/2026-06-30), inclusive.", example: "2026-Q1" },
    Column { name: "kg_co2e", required: true, description: "Emissions in kg CO2e: a decimal from 0, at most 6 decimals.", example: "184250.5" },
    Column { name: "method", required: true, description: "How the figure was obtained (e.g. supplier-specific EPD, spend-based, fuel-based, meter readings × grid factor).", example: "supplier-specific: EPD factors × delivered quantities" },
    Column { name: "source_document", required: true, description: "Where the figure can be checked: a document reference, an EPD number, a URL.", example: "GHG-2026-Q1-TRANSPORT.pdf" },
];

const C_PARTY: usize = 0;
const C_SCOPE: usize = 1;
const C_CATEGORY: usize = 2;
const C_ACTIVITY: usize = 3;
const C_PERIOD: usize = 4;
const C_KG: usize = 5;
const C_METHOD: usize = 6;
const C_SOURCE: usize = 7;

/// Scope 1 source types (GHG Protocol Corporate Standard, chapter 4).
pub const SCOPE1_CATEGORIES: &[&str] = &[
    "stationary_combustion",
    "mobile_combustion",
    "process",
    "fugitive",
];
/// Scope 2 accounting methods (GHG Protocol Scope 2 Guidance).
pub const SCOPE2_CATEGORIES: &[&str] = &["location_based", "market_based"];

/// A validated, normalised row.
#[derive(Debug, Clone, PartialEq)]
pub struct EmissionRecord {
    pub line: u64,
    pub party: String,
    pub scope: i16,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kg_co2e: BigDecimal,
    pub method: String,
    pub source_document: String,
}

type NaturalKey<'a> = (
    &'a str,
    i16,
    Option<&'a str>,
    Option<&'a str>,
    NaiveDate,
    NaiveDate,
);

impl EmissionRecord {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        map.insert("encoding", ENCODING.into());
        map.insert("line", self.line.into());
        map.insert("party", self.party.clone().into());
        map.insert("scope", self.scope.to_string().into());
        map.insert("category", self.category.clone().into());
        map.insert("activity", self.activity.clone().into());
        map.insert("period_start", self.period_start.to_string().into());
        map.insert("period_end", self.period_end.to_string().into());
        map.insert("kg_co2e", canonical_decimal(&self.kg_co2e).into());
        map.insert("method", self.method.clone().into());
        map.insert("source_document", self.source_document.clone().into());
        serde_json::to_vec(&map).unwrap_or_default()
    }

    /// The record as stored, for recomputing its leaf from the database.
    pub fn from_stored(row: &EmissionReport) -> Self {
        Self {
            line: row.line as u64,
            party: row.party.clone(),
            scope: row.scope,
            category: row.category.clone(),
            activity: row.activity.clone(),
            period_start: row.period_start,
            period_end: row.period_end,
            kg_co2e: row.kg_co2e.clone(),
            method: row.method.clone(),
            source_document: row.source_document.clone(),
        }
    }

    fn key(&self) -> NaturalKey<'_> {
        (
            &self.party,
            self.scope,
            self.category.as_deref(),
            self.activity.as_deref(),
            self.period_start,
            self.period_end,
        )
    }
}

/// The category of `scope` written as `text` (None: empty), in its stored spelling, or why it
/// is not one.
pub fn parse_category(scope: i64, text: Option<&str>) -> Result<Option<String>, String> {
    let normalised = text.map(|t| t.trim().to_ascii_lowercase().replace(['-', ' '], "_"));
    match (scope, normalised.as_deref()) {
        (1, None) => Ok(None),
        (1, Some(c)) if SCOPE1_CATEGORIES.contains(&c) => Ok(Some(c.to_string())),
        (1, Some(_)) => Err(format!(
            "not a scope 1 category: leave it empty or use {}",
            SCOPE1_CATEGORIES.join(", ")
        )),
        (2, None) => Err("scope 2 needs a category: location_based or market_based".into()),
        (2, Some("location" | "location_based")) => Ok(Some("location_based".into())),
        (2, Some("market" | "market_based")) => Ok(Some("market_based".into())),
        (2, Some(_)) => Err("not a scope 2 category: use location_based or market_based".into()),
        (3, None) => {
            Err("scope 3 needs a category: the GHG Protocol category number, 1 to 15".into())
        }
        (3, Some(c)) => match c.parse::<u8>() {
            Ok(n @ 1..=15) if c.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n.to_string())),
            _ => Err("not a scope 3 category: the GHG Protocol category number, 1 to 15".into()),
        },
        _ => Ok(None),
    }
}

/// The emissions format.
pub struct Emissions;

impl CsvFormat for Emissions {
    type Record = EmissionRecord;
    const KIND: &'static str = "emissions";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<EmissionRecord> {
        let party = cells.site(C_PARTY);
        let scope = cells.int(C_SCOPE, 1, 3);
        let written = cells.text(C_CATEGORY);
        let category = match scope {
            Some(scope) => match parse_category(scope, written.as_deref()) {
                Ok(c) => Some(c),
                Err(reason) => {
                    cells.fail(C_CATEGORY, written.as_deref(), reason);
                    None
                }
            },
            None => None,
        };
        let activity = cells.name(C_ACTIVITY);
        let period = cells.parsed(C_PERIOD, period::parse_period);
        let kg_co2e = cells.decimal(C_KG, 6, 0.0, 1e15);
        let method = cells.name(C_METHOD);
        let source_document = cells.name(C_SOURCE);
        let period = period?;
        Some(EmissionRecord {
            line: row.line,
            party: party?,
            scope: scope? as i16,
            category: category?,
            activity,
            period_start: period.start,
            period_end: period.end,
            kg_co2e: kg_co2e?,
            method: method?,
            source_document: source_document?,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[EmissionRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        reject_repeated_reports(conn, batch, chunk, &mut ok, errors)?;
        let parties = distinct(accepted(chunk, &ok).map(|r| r.party.as_str()));
        let ids = Party::resolve_or_register(conn, &parties, "other")?;
        let rows = new_rows(chunk, &ok, |r| NewEmissionReport {
            batch_id: batch.batch_id,
            line: r.line as i32,
            submitter: batch.submitter.clone(),
            party: r.party.clone(),
            party_id: ids[r.party.as_str()],
            scope: r.scope,
            category: r.category.clone(),
            activity: r.activity.clone(),
            period_start: r.period_start,
            period_end: r.period_end,
            kg_co2e: r.kg_co2e.clone(),
            method: r.method.clone(),
            source_document: r.source_document.clone(),
        });
        EmissionReport::copy_in(conn, &rows)?;
        Ok(ok)
    }
}

/// A party's figure for a scope, category, activity and period is reported once per
/// submitter: twice in the file, or already stored, is a problem.
fn reject_repeated_reports(
    conn: &mut PgConnection,
    batch: &BatchContext,
    chunk: &[EmissionRecord],
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Existing {
        #[diesel(sql_type = Text)]
        party: String,
        #[diesel(sql_type = Integer)]
        scope: i32,
        #[diesel(sql_type = Nullable<Text>)]
        category: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        activity: Option<String>,
        #[diesel(sql_type = Date)]
        period_start: NaiveDate,
        #[diesel(sql_type = Date)]
        period_end: NaiveDate,
        #[diesel(sql_type = BigInt)]
        batch_id: i64,
        #[diesel(sql_type = Integer)]
        line: i32,
    }
    let existing: Vec<Existing> = diesel::sql_query(
        "SELECT e.party, e.scope::int4 AS scope, e.category, e.activity, e.period_start, e.period_end, e.batch_id, e.line \
           FROM emission_reports e \
           JOIN unnest($2::text[], $3::int4[], $4::text[], $5::text[], $6::date[], $7::date[]) \
                AS k(party, scope, category, activity, period_start, period_end) \
             ON e.party = k.party AND e.scope = k.scope AND e.category IS NOT DISTINCT FROM k.category \
            AND e.activity IS NOT DISTINCT FROM k.activity AND e.period_start = k.period_start \
            AND e.period_end = k.period_end \
          WHERE e.submitter = $1",
    )
    .bind::<Text, _>(&batch.submitter)
    .bind::<Array<Text>, _>(chunk.iter().map(|r| r.party.as_str()).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(chunk.iter().map(|r| i32::from(r.scope)).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(chunk.iter().map(|r| r.category.as_deref()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(chunk.iter().map(|r| r.activity.as_deref()).collect::<Vec<_>>())
    .bind::<Array<Date>, _>(chunk.iter().map(|r| r.period_start).collect::<Vec<_>>())
    .bind::<Array<Date>, _>(chunk.iter().map(|r| r.period_end).collect::<Vec<_>>())
    .load(conn)?;
    let stored: HashMap<NaturalKey<'_>, (i64, i32)> = existing
        .iter()
        .map(|e| {
            (
                (
                    e.party.as_str(),
                    e.scope as i16,
                    e.category.as_deref(),
                    e.activity.as_deref(),
                    e.period_start,
                    e.period_end,
                ),
                (e.batch_id, e.line),
            )
        })
        .collect();
    let mut seen: HashMap<NaturalKey<'_>, u64> = HashMap::new();
    for (i, r) in chunk.iter().enumerate() {
        let reason = match stored.get(&r.key()) {
            Some((batch_id, line)) if *batch_id != batch.batch_id => Some(format!(
                "this figure (party, scope, category, activity, period) was already imported in batch {batch_id} (line {line})"
            )),
            Some((_, line)) => Some(format!("the same party, scope, category, activity and period already appear at line {line}")),
            None => seen.insert(r.key(), r.line).map(|first| {
                format!("the same party, scope, category, activity and period already appear at line {first}")
            }),
        };
        if let Some(reason) = reason {
            ok[i] = false;
            errors.push(RowError::new(r.line, Some("period"), None, reason));
        }
    }
    Ok(())
}
