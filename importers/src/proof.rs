//! Row proofs: a row's canonical encoding, its leaf, and the path from the leaf to its
//! batch's Merkle root, rebuilt from the stored rows (docs/verification.md).

use diesel::pg::PgConnection;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use citytrace_schema::models::{ImportBatch, OcdsRelease, ShipmentLine};

use crate::budget::BudgetRecord;
use crate::emissions::EmissionRecord;
use crate::merkle::{self, Hash, PathStep};
use crate::ocds::ReleaseRow;
use crate::production::ProductionRecord;
use crate::shipments::ShipmentRecord;
use crate::waste::receipts::ReceiptRecord;
use crate::waste::transfers::TransferRecord;
use citytrace_schema::models::{
    BudgetLine, EmissionReport, ProductionInput, WasteReceipt, WasteTransfer,
};

pub mod anchored;

/// Everything needed to check one row against its batch root, offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProof {
    pub batch_id: i64,
    pub line: u64,
    /// The row's canonical encoding (UTF-8 JSON), exactly as hashed.
    pub canonical: String,
    #[serde(with = "merkle::hex_hash")]
    pub leaf: Hash,
    /// Position of the row among the batch's rows (in line order), and their number.
    pub index: u64,
    pub leaf_count: u64,
    pub path: Vec<PathStep>,
    #[serde(with = "merkle::hex_hash")]
    pub root: Hash,
}

impl RowProof {
    /// Recompute leaf and root from the canonical row: true when the proof holds together.
    pub fn is_consistent(&self) -> bool {
        merkle::leaf_hash(self.canonical.as_bytes()) == self.leaf
            && merkle::root_from_path(self.leaf, &self.path) == self.root
    }
}

/// The canonical encodings of a batch's stored rows, in line order.
pub fn canonical_rows(
    conn: &mut PgConnection,
    batch: &ImportBatch,
) -> QueryResult<Vec<(u64, Vec<u8>)>> {
    match batch.kind.as_str() {
        "products" => Ok(crate::products::stored(conn, batch.id)?
            .iter()
            .map(|v| {
                (
                    v.line as u64,
                    crate::products::ProductRecord::from(v).canonical(),
                )
            })
            .collect()),
        "sensor-readings" => Ok(crate::sensor_readings::stored(conn, batch.id)?
            .iter()
            .map(|r| (r.line, r.canonical()))
            .collect()),
        "shipments" => Ok(ShipmentLine::of_batch(conn, batch.id)?
            .iter()
            .map(|row| {
                (
                    row.line as u64,
                    ShipmentRecord::from_stored(row).canonical(),
                )
            })
            .collect()),
        "production" => Ok(ProductionInput::of_batch(conn, batch.id)?
            .iter()
            .map(|(input, run)| {
                (
                    input.line as u64,
                    ProductionRecord::from_stored(input, run).canonical(),
                )
            })
            .collect()),
        "waste-transfers" => Ok(WasteTransfer::of_batch(conn, batch.id)?
            .iter()
            .map(|row| {
                (
                    row.line as u64,
                    TransferRecord::from_stored(row).canonical(),
                )
            })
            .collect()),
        "waste-receipts" => Ok(WasteReceipt::of_batch(conn, batch.id)?
            .iter()
            .map(|row| (row.line as u64, ReceiptRecord::from_stored(row).canonical()))
            .collect()),
        "emissions" => Ok(EmissionReport::of_batch(conn, batch.id)?
            .iter()
            .map(|row| {
                (
                    row.line as u64,
                    EmissionRecord::from_stored(row).canonical(),
                )
            })
            .collect()),
        "budget" => Ok(BudgetLine::of_batch(conn, batch.id)?
            .iter()
            .map(|row| (row.line as u64, BudgetRecord::from_stored(row).canonical()))
            .collect()),
        "ocds" => Ok(OcdsRelease::of_batch(conn, batch.id)?
            .iter()
            .map(|row| (row.line as u64, ReleaseRow::from_stored(row).canonical()))
            .collect()),
        "epcis" => Ok(crate::epcis::stored_rows(conn, batch.id)?
            .iter()
            .map(|row| (row.line, row.canonical()))
            .collect()),
        _ => Ok(Vec::new()),
    }
}

/// The proof for the row at `line` of `batch_id`, or None when there is no such row.
pub fn row_proof(
    conn: &mut PgConnection,
    batch_id: i64,
    line: u64,
) -> QueryResult<Option<RowProof>> {
    let batch = ImportBatch::find(conn, batch_id)?;
    let rows = canonical_rows(conn, &batch)?;
    let Some(index) = rows.iter().position(|(l, _)| *l == line) else {
        return Ok(None);
    };
    let leaves: Vec<Hash> = rows.iter().map(|(_, c)| merkle::leaf_hash(c)).collect();
    let root: Hash = batch.merkle_root.as_slice().try_into().unwrap_or_default();
    Ok(merkle::inclusion_path(&leaves, index).map(|path| RowProof {
        batch_id,
        line,
        canonical: String::from_utf8_lossy(&rows[index].1).into_owned(),
        leaf: leaves[index],
        index: index as u64,
        leaf_count: leaves.len() as u64,
        path,
        root,
    }))
}
