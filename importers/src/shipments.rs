//! The shipments format (docs/formats/shipments.md): one row per shipment line, as suppliers
//! export them. Each row becomes a shipment line and EPCIS ObjectEvents — `shipping` at the
//! origin site and, once received, `receiving` at the destination.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use citytrace_schema::models::{
    ImportBatch, Lot, NewLot, NewProduct, NewShipmentLine, NewSite, NewSupplyEvent,
    NewSupplyEventLot, Product, ShipmentLine, Site, SupplyEvent,
};
use citytrace_schema::schema::shipment_lines;

use crate::csv_input::{Column, CsvFile, CsvOptions};
use crate::error::{RowError, RowErrors};
use crate::gs1;
use crate::values::{
    canonical_decimal, canonical_time, parse_quantity, parse_timestamp, parse_unit, Timestamp,
};

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/shipments/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "shipment_id", required: true, description: "The shipment: an SSCC (18 digits, check digit verified) or the supplier's own despatch number.", example: "376123450000000016" },
    Column { name: "line", required: true, description: "Line number within the shipment, a whole number from 1. (shipment_id, line) is unique per supplier.", example: "1" },
    Column { name: "lot_id", required: true, description: "The lot, batch or item shipped: LGTIN/SGTIN (Digital Link or URN) or the supplier's own lot code. A lot belongs to one product.", example: "LOT-2026-0412" },
    Column { name: "gtin", required: false, description: "GTIN-8/12/13/14 of the product (check digit verified). When given it identifies the product; otherwise the product name does.", example: "04012345000019" },
    Column { name: "product", required: true, description: "Product name as the supplier calls it.", example: "Ready-mix concrete C30/37" },
    Column { name: "quantity", required: true, description: "Quantity shipped: a positive decimal, at most 6 decimals; `.` as decimal point (`,` accepted in `;`-separated files).", example: "7.5" },
    Column { name: "unit", required: true, description: "Unit of the quantity, a UN/CEFACT Rec 20 code: KGM, TNE, MTQ, LTR, H87 (piece), ….", example: "MTQ" },
    Column { name: "from_site", required: true, description: "Where the shipment left: a GLN (13 digits, check digit verified) or a registered site code.", example: "4012345000115" },
    Column { name: "to_site", required: true, description: "Where it goes, likewise. Must differ from from_site.", example: "SITE-NORTH-BRIDGE" },
    Column { name: "shipped_at", required: true, description: "When it left: ISO 8601 date-time with UTC offset.", example: "2026-04-12T07:30:00+02:00" },
    Column { name: "received_at", required: false, description: "When it was received, if it was: ISO 8601 with offset, not before shipped_at.", example: "2026-04-12T09:05:00+02:00" },
];

const C_SHIPMENT: usize = 0;
const C_LINE: usize = 1;
const C_LOT: usize = 2;
const C_GTIN: usize = 3;
const C_PRODUCT: usize = 4;
const C_QUANTITY: usize = 5;
const C_UNIT: usize = 6;
const C_FROM: usize = 7;
const C_TO: usize = 8;
const C_SHIPPED: usize = 9;
const C_RECEIVED: usize = 10;

/// Longest identifier or name accepted in a text column.
const MAX_TEXT: usize = 200;

/// A validated, normalised row.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentRecord {
    pub line: u64,
    pub shipment: String,
    pub line_no: i32,
    pub lot: String,
    pub gtin: Option<String>,
    pub product: String,
    pub quantity: BigDecimal,
    pub unit: String,
    pub from_site: String,
    pub to_site: String,
    pub shipped_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    /// UTC offsets as written, for the EPCIS events (not part of the row encoding).
    pub shipped_offset: String,
    pub received_offset: Option<String>,
}

impl ShipmentRecord {
    /// The product's key: its GTIN-14 when given, else its name.
    pub fn product_code(&self) -> &str {
        self.gtin.as_deref().unwrap_or(&self.product)
    }

    /// The canonical encoding the batch's Merkle leaf is computed from: a JSON object with
    /// sorted keys, no whitespace (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        map.insert("encoding", ENCODING.into());
        map.insert("line", self.line.into());
        map.insert("shipment_id", self.shipment.clone().into());
        map.insert("shipment_line", self.line_no.into());
        map.insert("lot_id", self.lot.clone().into());
        map.insert("gtin", self.gtin.clone().into());
        map.insert("product", self.product.clone().into());
        map.insert("quantity", canonical_decimal(&self.quantity).into());
        map.insert("unit", self.unit.clone().into());
        map.insert("from_site", self.from_site.clone().into());
        map.insert("to_site", self.to_site.clone().into());
        map.insert("shipped_at", canonical_time(&self.shipped_at).into());
        map.insert(
            "received_at",
            self.received_at.as_ref().map(canonical_time).into(),
        );
        serde_json::to_vec(&map).unwrap_or_default()
    }

    /// The record as stored, for recomputing its leaf from the database.
    pub fn from_stored(row: &ShipmentLine) -> Self {
        Self {
            line: row.line as u64,
            shipment: row.shipment_code.clone(),
            line_no: row.line_no,
            lot: row.lot_code.clone(),
            gtin: row.gtin.clone(),
            product: row.product_name.clone(),
            quantity: row.quantity.clone(),
            unit: row.unit.clone(),
            from_site: row.from_site.clone(),
            to_site: row.to_site.clone(),
            shipped_at: row.shipped_at,
            received_at: row.received_at,
            shipped_offset: "+00:00".into(),
            received_offset: row.received_at.map(|_| "+00:00".into()),
        }
    }
}

/// Read and validate every row; all problems are reported, in line order.
pub fn parse<R: Read>(input: R, options: CsvOptions) -> Result<Vec<ShipmentRecord>, RowErrors> {
    let mut file = CsvFile::open(input, COLUMNS, options)?;
    let decimal_comma = file.delimiter == b';';
    let mut errors = RowErrors::default();
    let mut records = Vec::new();
    let mut keys: HashMap<(String, i32), u64> = HashMap::new();
    let mut lot_products: HashMap<String, (String, u64)> = HashMap::new();
    while let Some(row) = file.next_row() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let before = errors.total;
        let mut cell = |c: usize| -> Option<String> {
            let v = row.get(c).map(str::to_string);
            if v.is_none() && COLUMNS[c].required {
                errors.push(RowError::new(
                    row.line,
                    Some(COLUMNS[c].name),
                    None,
                    "required value is empty",
                ));
            }
            if let Some(text) = &v {
                if text.chars().count() > MAX_TEXT {
                    errors.push(RowError::new(
                        row.line,
                        Some(COLUMNS[c].name),
                        Some(text),
                        format!("longer than {MAX_TEXT} characters"),
                    ));
                }
            }
            v
        };
        let (shipment, line_no, lot, gtin, product) = (
            cell(C_SHIPMENT),
            cell(C_LINE),
            cell(C_LOT),
            cell(C_GTIN),
            cell(C_PRODUCT),
        );
        let (quantity, unit, from, to) = (cell(C_QUANTITY), cell(C_UNIT), cell(C_FROM), cell(C_TO));
        let (shipped, received) = (cell(C_SHIPPED), cell(C_RECEIVED));
        let mut check = |c: usize, value: &Option<String>, result: Result<(), String>| {
            if let Err(reason) = result {
                errors.push(RowError::new(
                    row.line,
                    Some(COLUMNS[c].name),
                    value.as_deref(),
                    reason,
                ));
            }
        };
        if let Some(s) = &shipment {
            if s.len() == 18 && s.bytes().all(|b| b.is_ascii_digit()) {
                check(C_SHIPMENT, &shipment, gs1::check_sscc(s));
            }
        }
        let line_no_value = line_no
            .as_deref()
            .map(|s| s.parse::<i32>().ok().filter(|n| *n > 0));
        if let Some(None) = line_no_value {
            check(C_LINE, &line_no, Err("not a whole number from 1".into()));
        }
        let gtin14 = gtin.as_deref().map(gs1::gtin14);
        if let Some(Err(reason)) = &gtin14 {
            check(C_GTIN, &gtin, Err(reason.clone()));
        }
        let quantity_value = quantity
            .as_deref()
            .map(|q| parse_quantity(q, decimal_comma));
        if let Some(Err(reason)) = &quantity_value {
            check(C_QUANTITY, &quantity, Err(reason.clone()));
        }
        let unit_value = unit.as_deref().map(parse_unit);
        if let Some(Err(reason)) = &unit_value {
            check(C_UNIT, &unit, Err(reason.clone()));
        }
        for (c, site) in [(C_FROM, &from), (C_TO, &to)] {
            if let Some(s) = site {
                if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
                    check(c, site, gs1::check_gln(s));
                }
            }
        }
        if from.is_some() && from == to {
            check(C_TO, &to, Err("the same as from_site".into()));
        }
        let shipped_value = shipped.as_deref().map(parse_timestamp);
        if let Some(Err(reason)) = &shipped_value {
            check(C_SHIPPED, &shipped, Err(reason.clone()));
        }
        let received_value = received.as_deref().map(parse_timestamp);
        if let Some(Err(reason)) = &received_value {
            check(C_RECEIVED, &received, Err(reason.clone()));
        }
        if let (Some(Ok(s)), Some(Ok(r))) = (&shipped_value, &received_value) {
            if r.utc < s.utc {
                check(C_RECEIVED, &received, Err("before shipped_at".into()));
            }
        }
        if errors.total > before {
            continue;
        }
        // Every required value is present and valid from here on.
        let (Some(shipment), Some(lot), Some(product), Some(from), Some(to)) =
            (shipment, lot, product, from, to)
        else {
            continue;
        };
        let (Some(Some(line_no)), Some(Ok(quantity)), Some(Ok(unit)), Some(Ok(shipped))) =
            (line_no_value, quantity_value, unit_value, shipped_value)
        else {
            continue;
        };
        let received: Option<Timestamp> = received_value.and_then(Result::ok);
        let record = ShipmentRecord {
            line: row.line,
            shipment,
            line_no,
            lot,
            gtin: gtin14.and_then(Result::ok),
            product,
            quantity,
            unit: unit.to_string(),
            from_site: from,
            to_site: to,
            shipped_at: shipped.utc,
            received_at: received.map(|r| r.utc),
            shipped_offset: shipped.offset_text(),
            received_offset: received.map(|r| r.offset_text()),
        };
        if let Some(first) = keys.insert((record.shipment.clone(), record.line_no), record.line) {
            errors.push(RowError::new(
                record.line,
                Some("line"),
                Some(&record.line_no.to_string()),
                format!(
                    "shipment {} line {} already appears at line {first}",
                    record.shipment, record.line_no
                ),
            ));
            continue;
        }
        let product_code = record.product_code().to_string();
        match lot_products.get(&record.lot) {
            Some((other, first)) if *other != product_code => {
                errors.push(RowError::new(
                    record.line,
                    Some("lot_id"),
                    Some(&record.lot),
                    format!("lot is product {other} at line {first}, here {product_code}; a lot belongs to one product"),
                ));
                continue;
            }
            Some(_) => {}
            None => {
                lot_products.insert(record.lot.clone(), (product_code, record.line));
            }
        }
        records.push(record);
    }
    if records.is_empty() && errors.is_empty() {
        errors.push(RowError::file(
            "the file has a header line but no data rows",
        ));
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        errors.sort();
        Err(errors)
    }
}

/// Rows per statement when registering sites, products and lots (bind-parameter limit).
const CHUNK: usize = 5_000;

/// Write a validated file's rows under `batch` (in the caller's transaction). Problems only
/// the database can see (a lot registered as another product, a shipment line already
/// imported) come back as row errors; the caller rolls back.
pub fn load(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    records: &[ShipmentRecord],
) -> Result<usize, LoadError> {
    let sites: Vec<&str> = unique(
        records
            .iter()
            .flat_map(|r| [r.from_site.as_str(), r.to_site.as_str()]),
    );
    for chunk in sites.chunks(CHUNK) {
        let new: Vec<NewSite> = chunk
            .iter()
            .map(|code| NewSite {
                code,
                name: code,
                kind: "other",
                gln: gs1::check_gln(code).ok().map(|_| *code),
                party_id: None,
                latitude: None,
                longitude: None,
            })
            .collect();
        Site::ensure_all(conn, &new)?;
    }
    let site_ids = ids_in_chunks(&sites, |c| Site::ids_by_code(conn, c))?;

    let mut first_of_product: HashMap<&str, &ShipmentRecord> = HashMap::new();
    for r in records {
        first_of_product.entry(r.product_code()).or_insert(r);
    }
    let product_codes: Vec<&str> = unique(records.iter().map(ShipmentRecord::product_code));
    for chunk in product_codes.chunks(CHUNK) {
        let new: Vec<NewProduct> = chunk
            .iter()
            .map(|code| {
                let r = first_of_product[code];
                NewProduct {
                    code,
                    gtin: r.gtin.as_deref(),
                    name: &r.product,
                    material_class: None,
                    unit: &r.unit,
                }
            })
            .collect();
        Product::ensure_all(conn, &new)?;
    }
    let product_ids = ids_in_chunks(&product_codes, |c| Product::ids_by_code(conn, c))?;

    let lot_codes: Vec<&str> = unique(records.iter().map(|r| r.lot.as_str()));
    let mut first_of_lot: HashMap<&str, &ShipmentRecord> = HashMap::new();
    for r in records {
        first_of_lot.entry(r.lot.as_str()).or_insert(r);
    }
    for chunk in lot_codes.chunks(CHUNK) {
        let new: Vec<NewLot> = chunk
            .iter()
            .map(|code| {
                let r = first_of_lot[code];
                NewLot {
                    code,
                    product_id: product_ids[r.product_code()],
                    supplier_id: None,
                    origin_site_id: Some(site_ids[r.from_site.as_str()]),
                }
            })
            .collect();
        Lot::ensure_all(conn, &new)?;
    }
    let mut lots: HashMap<String, (i64, String)> = HashMap::new();
    for chunk in lot_codes.chunks(CHUNK) {
        lots.extend(Lot::ids_and_products_by_code(conn, chunk)?);
    }

    let mut errors = RowErrors::default();
    for r in records {
        let (_, registered) = &lots[&r.lot];
        if registered != r.product_code() {
            errors.push(RowError::new(
                r.line,
                Some("lot_id"),
                Some(&r.lot),
                format!(
                    "lot is registered as product {registered}, this row says {}",
                    r.product_code()
                ),
            ));
        }
    }
    for (line, batch_id, earlier_line) in already_imported(conn, &batch.submitter, records)? {
        errors.push(RowError::new(
            line,
            Some("shipment_id"),
            None,
            format!(
                "this shipment line was already imported in batch {batch_id} (line {earlier_line})"
            ),
        ));
    }
    if !errors.is_empty() {
        errors.sort();
        return Err(LoadError::Invalid(errors));
    }

    let lines: Vec<NewShipmentLine> = records
        .iter()
        .map(|r| NewShipmentLine {
            batch_id: batch.id,
            line: r.line as i32,
            submitter: batch.submitter.clone(),
            shipment_code: r.shipment.clone(),
            line_no: r.line_no,
            lot_code: r.lot.clone(),
            lot_id: lots[&r.lot].0,
            gtin: r.gtin.clone(),
            product_name: r.product.clone(),
            quantity: r.quantity.clone(),
            unit: r.unit.clone(),
            from_site: r.from_site.clone(),
            from_site_id: site_ids[r.from_site.as_str()],
            to_site: r.to_site.clone(),
            to_site_id: site_ids[r.to_site.as_str()],
            shipped_at: r.shipped_at,
            received_at: r.received_at,
        })
        .collect();
    ShipmentLine::copy_in(conn, &lines)?;

    let event_count = records
        .iter()
        .map(|r| 1 + usize::from(r.received_at.is_some()))
        .sum::<usize>();
    let mut ids = SupplyEvent::reserve_ids(conn, event_count as i64)?.into_iter();
    let mut events = Vec::with_capacity(event_count);
    let mut links = Vec::with_capacity(event_count);
    for (r, line) in records.iter().zip(&lines) {
        let mut push =
            |biz_step: &str, disposition: &str, at: DateTime<Utc>, offset: &str, location: i64| {
                let id = ids.next().unwrap_or_default();
                events.push(NewSupplyEvent {
                    id,
                    event_type: "ObjectEvent".into(),
                    action: Some("OBSERVE".into()),
                    biz_step: Some(biz_step.into()),
                    disposition: Some(disposition.into()),
                    event_time: at,
                    event_tz_offset: offset.into(),
                    biz_location_id: Some(location),
                    source_site_id: Some(line.from_site_id),
                    destination_site_id: Some(line.to_site_id),
                    shipment_code: Some(r.shipment.clone()),
                    batch_id: Some(batch.id),
                    line: Some(line.line),
                });
                links.push(NewSupplyEventLot {
                    event_id: id,
                    lot_id: line.lot_id,
                    role: "object".into(),
                    quantity: Some(r.quantity.clone()),
                    unit: Some(r.unit.clone()),
                });
            };
        push(
            "shipping",
            "in_transit",
            r.shipped_at,
            &r.shipped_offset,
            line.from_site_id,
        );
        if let (Some(at), Some(offset)) = (r.received_at, &r.received_offset) {
            push("receiving", "in_progress", at, offset, line.to_site_id);
        }
    }
    SupplyEvent::copy_in(conn, &events, &links)?;
    Ok(events.len())
}

#[derive(Debug)]
pub enum LoadError {
    Invalid(RowErrors),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for LoadError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(*i)).collect()
}

fn ids_in_chunks<'a>(
    codes: &[&'a str],
    mut lookup: impl FnMut(&[&'a str]) -> QueryResult<HashMap<String, i64>>,
) -> QueryResult<HashMap<String, i64>> {
    let mut all = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(CHUNK) {
        all.extend(lookup(chunk)?);
    }
    Ok(all)
}

/// (line in this file, earlier batch, line there) for rows whose natural key
/// (submitter, shipment, line) is already stored.
fn already_imported(
    conn: &mut PgConnection,
    submitter: &str,
    records: &[ShipmentRecord],
) -> QueryResult<Vec<(u64, i64, i32)>> {
    let shipments: Vec<&str> = unique(records.iter().map(|r| r.shipment.as_str()));
    let mut existing: HashMap<(String, i32), (i64, i32)> = HashMap::new();
    for chunk in shipments.chunks(CHUNK) {
        let rows: Vec<(String, i32, i64, i32)> = shipment_lines::table
            .filter(shipment_lines::submitter.eq(submitter))
            .filter(shipment_lines::shipment_code.eq_any(chunk))
            .select((
                shipment_lines::shipment_code,
                shipment_lines::line_no,
                shipment_lines::batch_id,
                shipment_lines::line,
            ))
            .load(conn)?;
        existing.extend(rows.into_iter().map(|(s, l, b, line)| ((s, l), (b, line))));
    }
    Ok(records
        .iter()
        .filter_map(|r| {
            existing
                .get(&(r.shipment.clone(), r.line_no))
                .map(|(b, l)| (r.line, *b, *l))
        })
        .collect())
}
