//! Import batches as the pages show them: a batch's page (`/batches/{id}`: the batch, its
//! anchor or the anchoring under way, its shipment lines) and how far the batches a page names
//! can be trusted (each read once), for the provenance beside every figure. A batch's rows as
//! they were hashed (their canonical encodings) and their proofs are the importers' to rebuild
//! (`citytrace_importers::proof`).
use diesel::prelude::*;

use citytrace_schema::models::{
    AnchorSubmission, BatchAnchor, ImportBatch, Party, ShipmentLine, TrustState,
};

/// Everything a batch's page shows but its canonical rows.
#[derive(Debug, Clone)]
pub struct BatchData {
    pub batch: ImportBatch,
    /// The submitter's registered name (`None`: only its code is known).
    pub submitter_name: Option<String>,
    /// Where the batch's root was anchored, once indexed.
    pub anchor: Option<BatchAnchor>,
    /// The anchoring transaction sent for it, if any (with its last error).
    pub submission: Option<AnchorSubmission>,
    /// Its shipment lines in file order (none unless it is a shipments batch).
    pub shipment_lines: Vec<ShipmentLine>,
}

impl BatchData {
    /// How far the batch can be trusted (from its anchor).
    pub fn trust(&self) -> TrustState {
        TrustState::from_anchor(self.anchor.as_ref())
    }
}

/// Batch `id` with its anchor, anchoring and shipment lines; `None` when there is no such
/// batch.
pub fn load_batch(conn: &mut PgConnection, id: i64) -> QueryResult<Option<BatchData>> {
    let batch = match ImportBatch::find(conn, id) {
        Ok(batch) => batch,
        Err(diesel::result::Error::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let submitter_name = Party::find_by_code(conn, &batch.submitter)?.map(|p| p.name);
    let anchor = batch.anchor(conn)?;
    let submission = AnchorSubmission::find(conn, id)?;
    let shipment_lines = ShipmentLine::of_batch(conn, id)?;
    Ok(Some(BatchData {
        batch,
        submitter_name,
        anchor,
        submission,
        shipment_lines,
    }))
}
