//! The sensor readings format (docs/formats/sensor-readings.md): cold-chain temperature logs,
//! one row per reading, in the millions. Each reading names the shipment or the lot it was
//! travelling with; the product's range and excursion budget (the products format) decide what
//! the readings mean (docs/methods.md).

use std::collections::{HashMap, HashSet};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Timestamptz};

use citytrace_schema::schema::{lots, sensor_readings, shipment_lines};

use crate::canonical::Canonical;
use crate::cells::Cells;
use crate::csv_format::{copy_new_rows, distinct, new_rows, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::values::{canonical_decimal, canonical_time};

pub const ENCODING: &str = "citytrace/sensor-readings/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "device_id", required: true, description: "The logger: its serial number or the carrier's own id. (device_id, recorded_at) is unique per submitter.", example: "TL-88412" },
    Column { name: "shipment_id", required: false, description: "The shipment the logger travelled with (as in the shipments format). One of shipment_id and lot_id is required; each must already be imported.", example: "376123450000000016" },
    Column { name: "lot_id", required: false, description: "The lot the logger travelled with (as in the shipments format).", example: "INS-2026-0412" },
    Column { name: "recorded_at", required: true, description: "When the reading was taken: ISO 8601 date-time with UTC offset (or --default-offset), at most microseconds.", example: "2026-04-12T07:35:00+02:00" },
    Column { name: "temperature_c", required: true, description: "Temperature in °C, -100 to 100, at most 2 decimals.", example: "4.25" },
    Column { name: "humidity_pct", required: false, description: "Relative humidity in %, 0 to 100, at most 1 decimal.", example: "61.5" },
];

const C_DEVICE: usize = 0;
const C_SHIPMENT: usize = 1;
const C_LOT: usize = 2;
const C_AT: usize = 3;
const C_TEMP: usize = 4;
const C_HUMIDITY: usize = 5;

/// A validated row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingRecord {
    pub line: u64,
    pub device_id: String,
    pub shipment: Option<String>,
    pub lot: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_offset: String,
    pub temperature_c: BigDecimal,
    pub humidity_pct: Option<BigDecimal>,
}

impl ReadingRecord {
    pub fn canonical(&self) -> Vec<u8> {
        Canonical::new()
            .str("device_id", &self.device_id)
            .str("encoding", ENCODING)
            .opt(
                "humidity_pct",
                self.humidity_pct.as_ref().map(canonical_decimal).as_deref(),
            )
            .int("line", self.line as i64)
            .opt("lot_id", self.lot.as_deref())
            .str("recorded_at", &canonical_time(&self.recorded_at))
            .opt("shipment_id", self.shipment.as_deref())
            .str("temperature_c", &canonical_decimal(&self.temperature_c))
            .finish()
    }
}

/// A stored reading.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sensor_readings, treat_none_as_default_value = false)]
pub struct StoredReading {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub device_id: String,
    pub shipment_code: Option<String>,
    pub lot_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_offset: String,
    pub temperature_c: BigDecimal,
    pub humidity_pct: Option<BigDecimal>,
}

/// The sensor readings format.
pub struct SensorReadings;

impl CsvFormat for SensorReadings {
    type Record = ReadingRecord;
    const KIND: &'static str = "sensor-readings";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(c: &mut Cells<'_>, row: &CsvRow) -> Option<ReadingRecord> {
        let device_id = c.name(C_DEVICE);
        let shipment = c.name(C_SHIPMENT);
        let lot = c.name(C_LOT);
        if shipment.is_none() && lot.is_none() {
            c.fail(
                C_SHIPMENT,
                None,
                "name the shipment or the lot (shipment_id or lot_id)",
            );
        }
        let at = c.timestamp(C_AT);
        let temperature_c = c.decimal(C_TEMP, 2, -100.0, 100.0);
        let humidity_pct = c.decimal(C_HUMIDITY, 1, 0.0, 100.0);
        let at = at?;
        Some(ReadingRecord {
            line: row.line,
            device_id: device_id?,
            shipment,
            lot,
            recorded_at: at.utc,
            recorded_offset: at.offset_text(),
            temperature_c: temperature_c?,
            humidity_pct,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[ReadingRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        // References: few distinct per file (a log follows one shipment), looked up per chunk.
        let shipments: Vec<&str> = distinct(chunk.iter().filter_map(|r| r.shipment.as_deref()));
        let known_shipments: HashSet<String> = shipment_lines::table
            .filter(shipment_lines::shipment_code.eq_any(&shipments))
            .select(shipment_lines::shipment_code)
            .distinct()
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let lot_codes: Vec<&str> = distinct(chunk.iter().filter_map(|r| r.lot.as_deref()));
        let lot_ids: HashMap<String, i64> = lots::table
            .filter(lots::code.eq_any(&lot_codes))
            .select((lots::code, lots::id))
            .load(conn)?
            .into_iter()
            .collect();
        for (i, r) in chunk.iter().enumerate() {
            if let Some(s) = r
                .shipment
                .as_deref()
                .filter(|s| !known_shipments.contains(*s))
            {
                ok[i] = false;
                errors.push(RowError::new(
                    r.line,
                    Some("shipment_id"),
                    Some(s),
                    "no such shipment has been imported",
                ));
            }
            if let Some(l) = r.lot.as_deref().filter(|l| !lot_ids.contains_key(*l)) {
                ok[i] = false;
                errors.push(RowError::new(
                    r.line,
                    Some("lot_id"),
                    Some(l),
                    "no such lot has been imported",
                ));
            }
        }
        reject_repeated_in_chunk(chunk, &mut ok, errors);
        let copy = |conn: &mut PgConnection, ok: &[bool]| {
            let rows = new_rows(chunk, ok, |r| StoredReading {
                batch_id: batch.batch_id,
                line: r.line as i32,
                submitter: batch.submitter.clone(),
                device_id: r.device_id.clone(),
                shipment_code: r.shipment.clone(),
                lot_id: r.lot.as_ref().and_then(|l| lot_ids.get(l).copied()),
                recorded_at: r.recorded_at,
                recorded_offset: r.recorded_offset.clone(),
                temperature_c: r.temperature_c.clone(),
                humidity_pct: r.humidity_pct.clone(),
            });
            diesel::copy_from(sensor_readings::table)
                .from_insertable(&rows)
                .execute(conn)
        };
        copy_new_rows(
            conn,
            &mut ok,
            errors,
            |conn, ok, errors| reject_stored_readings(conn, batch, chunk, ok, errors),
            copy,
        )?;
        Ok(ok)
    }
}

/// (device, time) once per submitter: twice in this chunk is a problem …
fn reject_repeated_in_chunk(chunk: &[ReadingRecord], ok: &mut [bool], errors: &mut Vec<RowError>) {
    let mut seen: HashMap<(&str, DateTime<Utc>), u64> = HashMap::with_capacity(chunk.len());
    for (i, r) in chunk.iter().enumerate() {
        if let Some(first) = seen.insert((r.device_id.as_str(), r.recorded_at), r.line) {
            ok[i] = false;
            errors.push(RowError::new(
                r.line,
                Some("recorded_at"),
                None,
                format!(
                    "device {} has a reading at this time at line {first}",
                    r.device_id
                ),
            ));
        }
    }
}

/// … and so is one already stored (by an earlier chunk of this file, or an earlier file).
fn reject_stored_readings(
    conn: &mut PgConnection,
    batch: &BatchContext,
    chunk: &[ReadingRecord],
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Existing {
        #[diesel(sql_type = Text)]
        device_id: String,
        #[diesel(sql_type = Timestamptz)]
        recorded_at: DateTime<Utc>,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        batch_id: i64,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        line: i32,
    }
    let devices: Vec<&str> = chunk.iter().map(|r| r.device_id.as_str()).collect();
    let times: Vec<DateTime<Utc>> = chunk.iter().map(|r| r.recorded_at).collect();
    let existing: Vec<Existing> = diesel::sql_query(
        "SELECT s.device_id, s.recorded_at, s.batch_id, s.line FROM sensor_readings s \
         JOIN unnest($2::text[], $3::timestamptz[]) AS k(device, at) ON s.device_id = k.device AND s.recorded_at = k.at \
         WHERE s.submitter = $1",
    )
    .bind::<Text, _>(&batch.submitter)
    .bind::<Array<Text>, _>(&devices)
    .bind::<Array<Timestamptz>, _>(&times)
    .load(conn)?;
    let existing: HashMap<(&str, DateTime<Utc>), &Existing> = existing
        .iter()
        .map(|e| ((e.device_id.as_str(), e.recorded_at), e))
        .collect();
    for (i, r) in chunk.iter().enumerate() {
        let Some(e) = existing.get(&(r.device_id.as_str(), r.recorded_at)) else {
            continue;
        };
        if ok[i] {
            ok[i] = false;
            errors.push(if e.batch_id == batch.batch_id {
                RowError::new(
                    r.line,
                    Some("recorded_at"),
                    None,
                    format!(
                        "device {} has a reading at this time at line {}",
                        r.device_id, e.line
                    ),
                )
            } else {
                RowError::new(
                    r.line,
                    Some("recorded_at"),
                    None,
                    format!(
                        "this reading was already imported in batch {} (line {})",
                        e.batch_id, e.line
                    ),
                )
            });
        }
    }
    Ok(())
}

/// A batch's stored readings as records, in line order (for proofs).
pub fn stored(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<ReadingRecord>> {
    let rows: Vec<(StoredReading, Option<String>)> = sensor_readings::table
        .left_join(lots::table)
        .filter(sensor_readings::batch_id.eq(batch_id))
        .order(sensor_readings::line)
        .select((StoredReading::as_select(), lots::code.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, lot)| ReadingRecord {
            line: r.line as u64,
            device_id: r.device_id,
            shipment: r.shipment_code,
            lot,
            recorded_at: r.recorded_at,
            recorded_offset: r.recorded_offset,
            temperature_c: r.temperature_c,
            humidity_pct: r.humidity_pct,
        })
        .collect())
}
