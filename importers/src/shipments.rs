//! The shipments format (docs/formats/shipments.md): one row per shipment line, as suppliers
//! export them. Each row becomes a shipment line; its EPCIS ObjectEvents — `shipping` at the
//! origin site and, once received, `receiving` at the destination — are the `shipment_events`
//! view over those lines (derived, not stored twice).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};
use serde_json::Value;

use citytrace_schema::models::{NewShipmentLine, ShipmentLine};

use crate::cells::Cells;
use crate::csv_format::{
    copy_new_rows, count_for_batch, new_rows, BatchContext, CsvFormat, RowContext,
};
use crate::csv_input::{Column, CsvFile, CsvOptions, CsvRow};
use crate::error::{RowError, RowErrors};
use crate::gs1;
use crate::site_position::{self, SitePosition};
use crate::values::{canonical_decimal, canonical_time};

mod register;
use register::{register_lots, register_sites};

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
    Column { name: "carrier", required: false, description: "Who carried it: a GLN or the carrier company's registered code or name (a company, never a person's name or contact details).", example: "4012345000221" },
    Column { name: "purchase_order", required: false, description: "The buyer's purchase order number the delivery is under.", example: "PO-2026-0042" },
    Column { name: "contract_ocid", required: false, description: "The OCDS id (ocid) of the public contract the delivery is under: `ocds-` + 6-character prefix + `-` + the local id. Links the delivery to spending.", example: "ocds-b5fd17-2026-0017" },
    Column { name: "certificates", required: false, description: "Certificates, declarations of performance or test reports for the lot, by reference; several separated by `|`.", example: "DoP-CEM-2026-11|LAB-2026-0412" },
    Column { name: "from_latitude", required: false, description: "Where from_site is: latitude in WGS 84 decimal degrees (-90 to 90, at most 7 decimals), with from_longitude. Stored on the site when it has no position yet.", example: "52.3791" },
    Column { name: "from_longitude", required: false, description: "Longitude of from_site in WGS 84 decimal degrees (-180 to 180, east positive), with from_latitude.", example: "4.8994" },
    Column { name: "to_latitude", required: false, description: "Latitude of to_site, likewise, with to_longitude.", example: "52.3702" },
    Column { name: "to_longitude", required: false, description: "Longitude of to_site, likewise, with to_latitude.", example: "4.8952" },
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
const C_CARRIER: usize = 11;
const C_PURCHASE_ORDER: usize = 12;
const C_CONTRACT: usize = 13;
const C_CERTIFICATES: usize = 14;
const C_FROM_POSITION: (usize, usize) = (15, 16);
const C_TO_POSITION: (usize, usize) = (17, 18);

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
    pub carrier: Option<String>,
    pub purchase_order: Option<String>,
    pub contract_ocid: Option<String>,
    /// Certificate and test-report references, in the order given.
    pub certificates: Vec<String>,
    /// Where the sites are, when the row says (the sites' data: not part of the row encoding).
    pub from_position: Option<SitePosition>,
    pub to_position: Option<SitePosition>,
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
        // Added with the columns of the same names: present only when given, so rows
        // without them keep the encoding (and roots) they had before.
        if let Some(carrier) = &self.carrier {
            map.insert("carrier", carrier.clone().into());
        }
        if let Some(po) = &self.purchase_order {
            map.insert("purchase_order", po.clone().into());
        }
        if let Some(ocid) = &self.contract_ocid {
            map.insert("contract_ocid", ocid.clone().into());
        }
        if !self.certificates.is_empty() {
            map.insert("certificates", self.certificates.join("|").into());
        }
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
            shipped_offset: row.shipped_offset.clone(),
            received_offset: row.received_offset.clone(),
            carrier: row.carrier.clone(),
            purchase_order: row.purchase_order.clone(),
            contract_ocid: row.contract_ocid.clone(),
            certificates: row.certificates.clone(),
            from_position: None,
            to_position: None,
        }
    }
}

/// The shipments format.
pub struct Shipments;

impl CsvFormat for Shipments {
    type Record = ShipmentRecord;
    const KIND: &'static str = "shipments";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<ShipmentRecord> {
        let shipment = cells.name(C_SHIPMENT);
        if let Some(s) = &shipment {
            if s.len() == 18 && s.bytes().all(|b| b.is_ascii_digit()) {
                if let Err(reason) = gs1::check_sscc(s) {
                    cells.fail(C_SHIPMENT, Some(s), reason);
                }
            }
        }
        let line_no = cells.int(C_LINE, 1, i32::MAX.into());
        let lot = cells.name(C_LOT);
        let gtin = cells.gtin(C_GTIN);
        let product = cells.name(C_PRODUCT);
        let quantity = cells.quantity(C_QUANTITY);
        let unit = cells.unit(C_UNIT);
        let from = cells.site(C_FROM);
        let to = cells.site(C_TO);
        if from.is_some() && from == to {
            cells.fail(C_TO, to.as_deref(), "the same as from_site");
        }
        let shipped = cells.timestamp(C_SHIPPED);
        let received = cells.timestamp(C_RECEIVED);
        if let (Some(s), Some(r)) = (&shipped, &received) {
            if r.utc < s.utc {
                cells.fail(C_RECEIVED, row.get(C_RECEIVED), "before shipped_at");
            }
        }
        let carrier = cells.site(C_CARRIER);
        let purchase_order = cells.name(C_PURCHASE_ORDER);
        let contract_ocid = cells.parsed(C_CONTRACT, |v| {
            if is_ocid(v) {
                Ok(v.to_owned())
            } else {
                Err("not an OCDS ocid: `ocds-`, a 6-character prefix of letters and digits, `-`, then the local id".into())
            }
        });
        let certificates: Vec<String> = cells
            .name(C_CERTIFICATES)
            .map(|v| {
                v.split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let from_position = site_position::read(cells, row, COLUMNS, C_FROM_POSITION);
        let to_position = site_position::read(cells, row, COLUMNS, C_TO_POSITION);
        let (shipped, line_no) = (shipped?, line_no?);
        Some(ShipmentRecord {
            line: row.line,
            shipment: shipment?,
            line_no: line_no as i32,
            lot: lot?,
            gtin,
            product: product?,
            quantity: quantity?,
            unit: unit?.to_string(),
            from_site: from?,
            to_site: to?,
            shipped_at: shipped.utc,
            received_at: received.map(|r| r.utc),
            shipped_offset: shipped.offset_text(),
            received_offset: received.map(|r| r.offset_text()),
            carrier,
            purchase_order,
            contract_ocid,
            certificates,
            from_position,
            to_position,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[ShipmentRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        reject_repeated_in_chunk(chunk, &mut ok, errors);
        let sites = register_sites(conn, chunk)?;
        let lots = register_lots(conn, chunk, &sites)?;
        for (i, r) in chunk.iter().enumerate() {
            let (_, registered) = &lots[r.lot.as_str()];
            if ok[i] && registered != r.product_code() {
                ok[i] = false;
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
        let copy = |conn: &mut PgConnection, ok: &[bool]| {
            let rows = new_rows(chunk, ok, |r| NewShipmentLine {
                batch_id: batch.batch_id,
                line: r.line as i32,
                submitter: batch.submitter.clone(),
                shipment_code: r.shipment.clone(),
                line_no: r.line_no,
                lot_code: r.lot.clone(),
                lot_id: lots[r.lot.as_str()].0,
                gtin: r.gtin.clone(),
                product_name: r.product.clone(),
                quantity: r.quantity.clone(),
                unit: r.unit.clone(),
                from_site: r.from_site.clone(),
                from_site_id: sites[r.from_site.as_str()],
                to_site: r.to_site.clone(),
                to_site_id: sites[r.to_site.as_str()],
                shipped_at: r.shipped_at,
                received_at: r.received_at,
                shipped_offset: r.shipped_offset.clone(),
                received_offset: r.received_offset.clone(),
                carrier: r.carrier.clone(),
                purchase_order: r.purchase_order.clone(),
                contract_ocid: r.contract_ocid.clone(),
                certificates: r.certificates.clone(),
            });
            ShipmentLine::copy_in(conn, &rows)
        };
        copy_new_rows(
            conn,
            &mut ok,
            errors,
            |conn, ok, errors| reject_stored_lines(batch, chunk, ok, errors, conn),
            copy,
        )?;
        Ok(ok)
    }

    fn events(conn: &mut PgConnection, batch_id: i64) -> QueryResult<usize> {
        count_for_batch(
            conn,
            "SELECT count(*) AS n FROM shipment_events WHERE batch_id = $1",
            batch_id,
        )
    }
}

/// A (shipment, line) can be imported once per supplier: twice in this chunk is a problem.
fn reject_repeated_in_chunk(chunk: &[ShipmentRecord], ok: &mut [bool], errors: &mut Vec<RowError>) {
    let mut seen: HashMap<(&str, i32), u64> = HashMap::new();
    for (i, r) in chunk.iter().enumerate() {
        if let Some(first) = seen.insert((r.shipment.as_str(), r.line_no), r.line) {
            ok[i] = false;
            errors.push(repeated(r, first));
        }
    }
}

/// … and so is one already stored: by an earlier chunk of this file (same batch) or an earlier
/// file.
fn reject_stored_lines(
    batch: &BatchContext,
    chunk: &[ShipmentRecord],
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
    conn: &mut PgConnection,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Existing {
        #[diesel(sql_type = Text)]
        shipment_code: String,
        #[diesel(sql_type = Integer)]
        line_no: i32,
        #[diesel(sql_type = BigInt)]
        batch_id: i64,
        #[diesel(sql_type = Integer)]
        line: i32,
    }
    let codes: Vec<&str> = chunk.iter().map(|r| r.shipment.as_str()).collect();
    let numbers: Vec<i32> = chunk.iter().map(|r| r.line_no).collect();
    let existing: Vec<Existing> = diesel::sql_query(
        "SELECT s.shipment_code, s.line_no, s.batch_id, s.line FROM shipment_lines s \
         JOIN unnest($2::text[], $3::int[]) AS k(code, no) ON s.shipment_code = k.code AND s.line_no = k.no \
         WHERE s.submitter = $1",
    )
    .bind::<Text, _>(&batch.submitter)
    .bind::<Array<Text>, _>(&codes)
    .bind::<Array<Integer>, _>(&numbers)
    .load(conn)?;
    let existing: HashMap<(&str, i32), &Existing> = existing
        .iter()
        .map(|e| ((e.shipment_code.as_str(), e.line_no), e))
        .collect();
    for (i, r) in chunk.iter().enumerate() {
        let Some(e) = existing.get(&(r.shipment.as_str(), r.line_no)) else {
            continue;
        };
        if ok[i] {
            ok[i] = false;
            errors.push(if e.batch_id == batch.batch_id {
                repeated(r, e.line as u64)
            } else {
                RowError::new(
                    r.line,
                    Some("shipment_id"),
                    None,
                    format!(
                        "this shipment line was already imported in batch {} (line {})",
                        e.batch_id, e.line
                    ),
                )
            });
        }
    }
    Ok(())
}

fn repeated(r: &ShipmentRecord, first: u64) -> RowError {
    RowError::new(
        r.line,
        Some("line"),
        Some(&r.line_no.to_string()),
        format!(
            "shipment {} line {} already appears at line {first}",
            r.shipment, r.line_no
        ),
    )
}

/// An OCDS ocid: `ocds-`, a 6-character prefix of lowercase letters and digits, `-`, a local id.
fn is_ocid(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("ocds-") else {
        return false;
    };
    // Six bytes, cut at a character boundary only: the text comes from the file.
    let Some((prefix, local)) = rest.split_at_checked(6) else {
        return false;
    };
    prefix
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && local.len() > 1
        && local.starts_with('-')
}

/// Read and check a whole (small) file into memory — for the demo city and tests; imports
/// stream through [`crate::csv_format::import`]. Row-local checks only.
pub fn parse_all<R: Read>(input: R, options: CsvOptions) -> Result<Vec<ShipmentRecord>, RowErrors> {
    let mut file = CsvFile::open(input, COLUMNS, options)?;
    let context = RowContext {
        decimal_comma: file.delimiter == b';',
        default_offset: options.default_offset,
    };
    let (mut records, mut errors, mut row_errors) = (Vec::new(), RowErrors::default(), Vec::new());
    while let Some(row) = file.next_row() {
        match row {
            Ok(row) => {
                if let Some(r) = Shipments::parse(&row, &context, &mut row_errors) {
                    records.push(r);
                }
                row_errors.drain(..).for_each(|e| errors.push(e));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}
