//! The waste-transfers format: one row per consignment leaving its producer, as a transfer
//! note records it — what (List of Waste code, mass), from whom and where, by which carrier,
//! to which facility, when, for which planned recovery or disposal operation.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use citytrace_schema::models::{NewWasteTransfer, Party, Site, WasteTransfer};

use crate::cells::Cells;
use crate::csv_format::{accepted, new_rows, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::values::{canonical_decimal, canonical_time};
use crate::waste::codes::{self, EwcCode};

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/waste-transfers/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "consignment_id", required: true, description: "The consignment: the transfer note or e-tracking number. Unique city-wide; receipts name it.", example: "WTN-2026-000184" },
    Column { name: "ewc_code", required: true, description: "European List of Waste code: six digits, spaces allowed, `*` after a hazardous entry. Must be on the list (Decision 2000/532/EC as amended).", example: "17 01 01" },
    Column { name: "description", required: false, description: "What the waste is, in the producer's words.", example: "Crushed concrete from demolition" },
    Column { name: "mass_kg", required: true, description: "Mass consigned, kg: a positive decimal, at most 6 decimals.", example: "12480" },
    Column { name: "mass_basis", required: true, description: "`REAL` (weighed) or `ESTIMATED`.", example: "REAL" },
    Column { name: "producer", required: true, description: "Who produced the waste: a party code or GLN; registered when new.", example: "DEPT-WORKS" },
    Column { name: "from_site", required: true, description: "Where the waste was collected: a site code or GLN; registered when new.", example: "SITE-NORTH-BRIDGE" },
    Column { name: "carrier", required: true, description: "Who carries it: a party code or GLN; registered (as a carrier) when new.", example: "HAUL-CO" },
    Column { name: "carrier_licence", required: true, description: "The carrier's licence or registration number.", example: "CBDU112233" },
    Column { name: "to_site", required: true, description: "The receiving facility: a site code or GLN; registered (as a treatment facility) when new. Must differ from from_site.", example: "4012345000122" },
    Column { name: "transferred_at", required: true, description: "When the waste left: ISO 8601 date-time with UTC offset.", example: "2026-05-04T08:15:00+02:00" },
    Column { name: "planned_operation", required: true, description: "The recovery or disposal operation planned at the facility: R1 to R13 or D1 to D15.", example: "R5" },
    Column { name: "previous_consignment_id", required: false, description: "For an onward movement from an interim facility: the consignment the waste arrived under there (imported before, received at this row's from_site).", example: "" },
];

const C_CONSIGNMENT: usize = 0;
const C_EWC: usize = 1;
const C_DESCRIPTION: usize = 2;
const C_MASS: usize = 3;
const C_BASIS: usize = 4;
const C_PRODUCER: usize = 5;
const C_FROM: usize = 6;
const C_CARRIER: usize = 7;
const C_LICENCE: usize = 8;
const C_TO: usize = 9;
const C_TRANSFERRED: usize = 10;
const C_OPERATION: usize = 11;
const C_PREVIOUS: usize = 12;

/// A validated, normalised row.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferRecord {
    pub line: u64,
    pub consignment: String,
    pub ewc: EwcCode,
    pub description: Option<String>,
    pub mass_kg: BigDecimal,
    pub mass_basis: String,
    pub producer: String,
    pub from_site: String,
    pub carrier: String,
    pub carrier_licence: String,
    pub to_site: String,
    pub transferred_at: DateTime<Utc>,
    /// The UTC offset as written (not part of the row encoding).
    pub transferred_offset: String,
    pub planned_operation: String,
    pub previous: Option<String>,
}

impl TransferRecord {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        map.insert("encoding", ENCODING.into());
        map.insert("line", self.line.into());
        map.insert("consignment_id", self.consignment.clone().into());
        map.insert("ewc_code", self.ewc.notation().into());
        map.insert("description", self.description.clone().into());
        map.insert("mass_kg", canonical_decimal(&self.mass_kg).into());
        map.insert("mass_basis", self.mass_basis.clone().into());
        map.insert("producer", self.producer.clone().into());
        map.insert("from_site", self.from_site.clone().into());
        map.insert("carrier", self.carrier.clone().into());
        map.insert("carrier_licence", self.carrier_licence.clone().into());
        map.insert("to_site", self.to_site.clone().into());
        map.insert(
            "transferred_at",
            canonical_time(&self.transferred_at).into(),
        );
        map.insert("planned_operation", self.planned_operation.clone().into());
        map.insert("previous_consignment_id", self.previous.clone().into());
        serde_json::to_vec(&map).unwrap_or_default()
    }

    /// The record as stored, for recomputing its leaf from the database.
    pub fn from_stored(row: &WasteTransfer) -> Self {
        Self {
            line: row.line as u64,
            consignment: row.consignment_id.clone(),
            ewc: EwcCode {
                code: row.ewc_code.clone(),
                hazardous: row.hazardous,
            },
            description: row.description.clone(),
            mass_kg: row.mass_kg.clone(),
            mass_basis: row.mass_basis.clone(),
            producer: row.producer.clone(),
            from_site: row.from_site.clone(),
            carrier: row.carrier.clone(),
            carrier_licence: row.carrier_licence.clone(),
            to_site: row.to_site.clone(),
            transferred_at: row.transferred_at,
            transferred_offset: row.transferred_offset.clone(),
            planned_operation: row.planned_operation.clone(),
            previous: row.previous_consignment_id.clone(),
        }
    }
}

/// The waste-transfers format.
pub struct WasteTransfers;

impl CsvFormat for WasteTransfers {
    type Record = TransferRecord;
    const KIND: &'static str = "waste-transfers";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<TransferRecord> {
        let consignment = cells.name(C_CONSIGNMENT);
        let ewc = cells.parsed(C_EWC, codes::parse_ewc);
        let description = cells.name(C_DESCRIPTION);
        let mass_kg = cells.quantity(C_MASS);
        let mass_basis = cells.one_of(C_BASIS, &["REAL", "ESTIMATED"]);
        let producer = cells.site(C_PRODUCER);
        let from_site = cells.site(C_FROM);
        let carrier = cells.site(C_CARRIER);
        let carrier_licence = cells.name(C_LICENCE);
        let to_site = cells.site(C_TO);
        if from_site.is_some() && from_site == to_site {
            cells.fail(C_TO, to_site.as_deref(), "the same as from_site");
        }
        let transferred = cells.timestamp(C_TRANSFERRED);
        let planned_operation = cells.parsed(C_OPERATION, codes::parse_operation);
        let previous = cells.name(C_PREVIOUS);
        if previous.is_some() && previous == consignment {
            cells.fail(
                C_PREVIOUS,
                previous.as_deref(),
                "the same as consignment_id",
            );
        }
        let transferred = transferred?;
        Some(TransferRecord {
            line: row.line,
            consignment: consignment?,
            ewc: ewc?,
            description,
            mass_kg: mass_kg?,
            mass_basis: mass_basis?.to_string(),
            producer: producer?,
            from_site: from_site?,
            carrier: carrier?,
            carrier_licence: carrier_licence?,
            to_site: to_site?,
            transferred_at: transferred.utc,
            transferred_offset: transferred.offset_text(),
            planned_operation: planned_operation?,
            previous,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[TransferRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        reject_repeated_consignments(conn, batch, chunk, &mut ok, errors)?;
        let kept = |kind: fn(&TransferRecord) -> &str| -> Vec<&str> {
            let mut refs: Vec<&str> = accepted(chunk, &ok).map(kind).collect();
            refs.sort_unstable();
            refs.dedup();
            refs
        };
        let (producers, carriers) = (kept(|r| &r.producer), kept(|r| &r.carrier));
        let (origins, facilities) = (kept(|r| &r.from_site), kept(|r| &r.to_site));
        let mut parties = Party::resolve_or_register(conn, &producers, "other")?;
        parties.extend(Party::resolve_or_register(conn, &carriers, "carrier")?);
        let mut sites = Site::resolve_or_register(conn, &origins, "other")?;
        sites.extend(Site::resolve_or_register(
            conn,
            &facilities,
            "treatment_facility",
        )?);
        check_previous(conn, chunk, &sites, &mut ok, errors)?;
        let rows = new_rows(chunk, &ok, |r| NewWasteTransfer {
            batch_id: batch.batch_id,
            line: r.line as i32,
            submitter: batch.submitter.clone(),
            consignment_id: r.consignment.clone(),
            ewc_code: r.ewc.code.clone(),
            hazardous: r.ewc.hazardous,
            description: r.description.clone(),
            mass_kg: r.mass_kg.clone(),
            mass_basis: r.mass_basis.clone(),
            producer: r.producer.clone(),
            producer_id: parties[r.producer.as_str()],
            from_site: r.from_site.clone(),
            from_site_id: sites[r.from_site.as_str()],
            carrier: r.carrier.clone(),
            carrier_id: parties[r.carrier.as_str()],
            carrier_licence: r.carrier_licence.clone(),
            to_site: r.to_site.clone(),
            to_site_id: sites[r.to_site.as_str()],
            transferred_at: r.transferred_at,
            transferred_offset: r.transferred_offset.clone(),
            planned_operation: r.planned_operation.clone(),
            previous_consignment_id: r.previous.clone(),
        });
        WasteTransfer::copy_in(conn, &rows)?;
        Ok(ok)
    }
}

/// A consignment is transferred once, city-wide: twice in the file, or already stored (by an
/// earlier chunk of this file or an earlier file, of any submitter), is a problem.
fn reject_repeated_consignments(
    conn: &mut PgConnection,
    batch: &BatchContext,
    chunk: &[TransferRecord],
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
) -> QueryResult<()> {
    let ids: Vec<&str> = chunk.iter().map(|r| r.consignment.as_str()).collect();
    let stored: HashMap<String, (i64, i32)> = WasteTransfer::by_consignments(conn, &ids)?
        .into_iter()
        .map(|t| (t.consignment_id, (t.batch_id, t.line)))
        .collect();
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (i, r) in chunk.iter().enumerate() {
        let earlier = match stored.get(&r.consignment) {
            Some((batch_id, line)) if *batch_id == batch.batch_id => Some(*line as u64),
            Some((batch_id, line)) => {
                ok[i] = false;
                errors.push(RowError::new(
                    r.line,
                    Some("consignment_id"),
                    Some(&r.consignment),
                    format!(
                        "this consignment was already imported in batch {batch_id} (line {line})"
                    ),
                ));
                continue;
            }
            None => seen.insert(r.consignment.as_str(), r.line),
        };
        if let Some(first) = earlier {
            ok[i] = false;
            errors.push(RowError::new(
                r.line,
                Some("consignment_id"),
                Some(&r.consignment),
                format!(
                    "consignment {} already appears at line {first}",
                    r.consignment
                ),
            ));
        }
    }
    Ok(())
}

/// An onward movement names a consignment imported before it (an earlier file, or an earlier
/// row of this one) that went to the site this one leaves from.
fn check_previous(
    conn: &mut PgConnection,
    chunk: &[TransferRecord],
    sites: &HashMap<String, i64>,
    ok: &mut [bool],
    errors: &mut Vec<RowError>,
) -> QueryResult<()> {
    let named: Vec<&str> = chunk.iter().filter_map(|r| r.previous.as_deref()).collect();
    if named.is_empty() {
        return Ok(());
    }
    let mut destinations: HashMap<String, (i64, String)> =
        WasteTransfer::by_consignments(conn, &named)?
            .into_iter()
            .map(|t| (t.consignment_id, (t.to_site_id, t.to_site)))
            .collect();
    for (i, r) in chunk.iter().enumerate() {
        if let (true, Some(previous)) = (ok[i], &r.previous) {
            let problem = match destinations.get(previous.as_str()) {
                None => Some(format!(
                    "consignment {previous} is not known: import the consignment the waste arrived under first"
                )),
                Some((site_id, site)) if *site_id != sites[r.from_site.as_str()] => Some(format!(
                    "consignment {previous} went to {site}, not to this row's from_site {}",
                    r.from_site
                )),
                Some(_) => None,
            };
            if let Some(reason) = problem {
                ok[i] = false;
                errors.push(RowError::new(
                    r.line,
                    Some("previous_consignment_id"),
                    Some(previous),
                    reason,
                ));
            }
        }
        if ok[i] {
            destinations.insert(
                r.consignment.clone(),
                (sites[r.to_site.as_str()], r.to_site.clone()),
            );
        }
    }
    Ok(())
}
