//! The waste-receipts format: one row per consignment received, as the receiving facility
//! records it — accepted (mass received, the R/D operation performed) or refused (why).

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use citytrace_schema::models::{NewWasteReceipt, WasteReceipt, WasteTransfer};

use crate::cells::Cells;
use crate::csv_format::{new_rows, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::values::{canonical_decimal, canonical_time};
use crate::waste::codes;

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/waste-receipts/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "consignment_id", required: true, description: "The consignment received: imported before with waste-transfers (an earlier file). One receipt per consignment.", example: "WTN-2026-000184" },
    Column { name: "status", required: true, description: "`accepted` or `refused`.", example: "accepted" },
    Column { name: "mass_received_kg", required: false, description: "Mass received (weighbridge), kg: a positive decimal, at most 6 decimals. Required when accepted.", example: "12360" },
    Column { name: "operation", required: false, description: "The recovery or disposal operation performed, R1 to R13 or D1 to D15. Required when accepted, empty when refused.", example: "R5" },
    Column { name: "refusal_reason", required: false, description: "Why the consignment was refused. Required when refused, empty when accepted.", example: "" },
    Column { name: "received_at", required: true, description: "When it arrived: ISO 8601 date-time with UTC offset, not before the consignment's transferred_at.", example: "2026-05-04T09:40:00+02:00" },
];

const C_CONSIGNMENT: usize = 0;
const C_STATUS: usize = 1;
const C_MASS: usize = 2;
const C_OPERATION: usize = 3;
const C_REASON: usize = 4;
const C_RECEIVED: usize = 5;

/// A validated, normalised row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptRecord {
    pub line: u64,
    pub consignment: String,
    pub status: String,
    pub mass_received_kg: Option<BigDecimal>,
    pub operation: Option<String>,
    pub refusal_reason: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The UTC offset as written (not part of the row encoding).
    pub received_offset: String,
}

impl ReceiptRecord {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        map.insert("encoding", ENCODING.into());
        map.insert("line", self.line.into());
        map.insert("consignment_id", self.consignment.clone().into());
        map.insert("status", self.status.clone().into());
        map.insert(
            "mass_received_kg",
            self.mass_received_kg.as_ref().map(canonical_decimal).into(),
        );
        map.insert("operation", self.operation.clone().into());
        map.insert("refusal_reason", self.refusal_reason.clone().into());
        map.insert("received_at", canonical_time(&self.received_at).into());
        serde_json::to_vec(&map).unwrap_or_default()
    }

    /// The record as stored, for recomputing its leaf from the database.
    pub fn from_stored(row: &WasteReceipt) -> Self {
        Self {
            line: row.line as u64,
            consignment: row.consignment_id.clone(),
            status: row.status.clone(),
            mass_received_kg: row.mass_received_kg.clone(),
            operation: row.operation.clone(),
            refusal_reason: row.refusal_reason.clone(),
            received_at: row.received_at,
            received_offset: row.received_offset.clone(),
        }
    }
}

/// The waste-receipts format.
pub struct WasteReceipts;

impl CsvFormat for WasteReceipts {
    type Record = ReceiptRecord;
    const KIND: &'static str = "waste-receipts";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<ReceiptRecord> {
        let consignment = cells.name(C_CONSIGNMENT);
        let status = cells.one_of(C_STATUS, &["accepted", "refused"]);
        let mass = cells.quantity(C_MASS);
        let operation = cells.parsed(C_OPERATION, codes::parse_operation);
        let reason = cells.name(C_REASON);
        let received = cells.timestamp(C_RECEIVED);
        match status {
            Some("accepted") => {
                if row.get(C_MASS).is_none() {
                    cells.fail(C_MASS, None, "required when the consignment is accepted");
                }
                if row.get(C_OPERATION).is_none() {
                    cells.fail(
                        C_OPERATION,
                        None,
                        "required when the consignment is accepted",
                    );
                }
                if let Some(reason) = row.get(C_REASON) {
                    cells.fail(
                        C_REASON,
                        Some(reason),
                        "must be empty when the consignment is accepted",
                    );
                }
            }
            Some(_) => {
                if let Some(operation) = row.get(C_OPERATION) {
                    cells.fail(
                        C_OPERATION,
                        Some(operation),
                        "must be empty when the consignment is refused: no operation was performed",
                    );
                }
                if row.get(C_REASON).is_none() {
                    cells.fail(C_REASON, None, "required when the consignment is refused");
                }
            }
            None => {}
        }
        let received = received?;
        Some(ReceiptRecord {
            line: row.line,
            consignment: consignment?,
            status: status?.to_string(),
            mass_received_kg: mass,
            operation,
            refusal_reason: reason,
            received_at: received.utc,
            received_offset: received.offset_text(),
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[ReceiptRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        let ids: Vec<&str> = chunk.iter().map(|r| r.consignment.as_str()).collect();
        let transfers: HashMap<String, WasteTransfer> = WasteTransfer::by_consignments(conn, &ids)?
            .into_iter()
            .map(|t| (t.consignment_id.clone(), t))
            .collect();
        let receipts: HashMap<String, (i64, i32)> = WasteReceipt::by_consignments(conn, &ids)?
            .into_iter()
            .map(|r| (r.consignment_id, (r.batch_id, r.line)))
            .collect();
        let mut seen: HashMap<&str, u64> = HashMap::new();
        for (i, r) in chunk.iter().enumerate() {
            let problem = match (transfers.get(&r.consignment), receipts.get(&r.consignment)) {
                (None, _) => Some(("consignment_id", format!(
                    "consignment {} is not known: import its transfer (waste-transfers) first",
                    r.consignment
                ))),
                (_, Some((batch_id, line))) if *batch_id == batch.batch_id => Some(("consignment_id", format!(
                    "consignment {} already has a receipt at line {line}",
                    r.consignment
                ))),
                (_, Some((batch_id, line))) => Some(("consignment_id", format!(
                    "consignment {} already has a receipt, imported in batch {batch_id} (line {line})",
                    r.consignment
                ))),
                (Some(t), None) if r.received_at < t.transferred_at => Some(("received_at", format!(
                    "before the consignment left ({}, transferred_at of batch {} line {})",
                    canonical_time(&t.transferred_at), t.batch_id, t.line
                ))),
                (Some(_), None) => seen.insert(r.consignment.as_str(), r.line).map(|first| ("consignment_id", format!(
                    "consignment {} already has a receipt at line {first}",
                    r.consignment
                ))),
            };
            if let Some((column, reason)) = problem {
                ok[i] = false;
                let value = if column == "received_at" {
                    canonical_time(&r.received_at)
                } else {
                    r.consignment.clone()
                };
                errors.push(RowError::new(r.line, Some(column), Some(&value), reason));
            }
        }
        let rows = new_rows(chunk, &ok, |r| NewWasteReceipt {
            batch_id: batch.batch_id,
            line: r.line as i32,
            submitter: batch.submitter.clone(),
            consignment_id: r.consignment.clone(),
            transfer_id: transfers[r.consignment.as_str()].id,
            status: r.status.clone(),
            mass_received_kg: r.mass_received_kg.clone(),
            operation: r.operation.clone(),
            refusal_reason: r.refusal_reason.clone(),
            received_at: r.received_at,
            received_offset: r.received_offset.clone(),
        });
        WasteReceipt::copy_in(conn, &rows)?;
        Ok(ok)
    }
}
