use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_schema::models::{AnchorSubmission, ImportBatch, ShipmentLine};

use super::trust::TrustBadge;
use crate::error::AppError;
use crate::fmt;
use crate::layout::Layout;
use crate::AppState;

pub struct LineRow {
    pub line: i32,
    pub shipment: String,
    pub line_no: i32,
    pub lot_code: String,
    pub lot_href: String,
    pub quantity: String,
    pub unit: String,
    /// The row's proof file (JSON), for `citytrace verify`.
    pub proof_href: String,
}

#[derive(Template)]
#[template(path = "batches/show.html")]
pub struct BatchPage {
    pub layout: Layout,
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub submitter: String,
    pub rows: String,
    pub sha256: String,
    pub merkle_root: String,
    pub imported_at: String,
    pub trust: TrustBadge,
    pub anchor_block: Option<i64>,
    pub anchor_chain: Option<i64>,
    pub anchor_time: Option<String>,
    pub submission_note: Option<String>,
    pub lines: Vec<LineRow>,
    pub more_lines: i64,
}

/// Rows shown on the batch page; the full list is an export (explorer issue).
const LINES_SHOWN: usize = 200;

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: i64 = path
        .parse()
        .map_err(|_| AppError::NotFound(format!("There is no batch {path}.")))?;
    let page = state
        .db(move |conn| {
            let batch = ImportBatch::find(conn, id).map_err(|e| match e {
                diesel::result::Error::NotFound => {
                    AppError::NotFound(format!("There is no batch {id}."))
                }
                other => other.into(),
            })?;
            let anchor = batch.anchor(conn)?;
            let trust = citytrace_schema::models::TrustState::from_anchor(anchor.as_ref());
            let submission = AnchorSubmission::find(conn, id)?;
            let submission_note = match (&anchor, submission) {
                (None, Some(s)) => Some(match s.last_error {
                    Some(err) => format!("Anchoring trouble: {err}"),
                    None => format!(
                        "Anchor transaction {} sent {}; waiting for it to be indexed.",
                        fmt::short_hash(&s.tx_hash),
                        fmt::time(&s.submitted_at)
                    ),
                }),
                _ => None,
            };
            let all = ShipmentLine::of_batch(conn, id)?;
            let more_lines = all.len().saturating_sub(LINES_SHOWN) as i64;
            let lines = all
                .into_iter()
                .take(LINES_SHOWN)
                .map(|l| LineRow {
                    line: l.line,
                    shipment: l.shipment_code,
                    line_no: l.line_no,
                    lot_href: format!("/lots/{}", fmt::path_segment(&l.lot_code)),
                    lot_code: l.lot_code,
                    quantity: l.quantity.normalized().to_plain_string(),
                    unit: l.unit,
                    proof_href: format!("/api/v1/batches/{id}/rows/{}/proof", l.line),
                })
                .collect();
            Ok(BatchPage {
                layout: Layout::new(&format!("Batch {id}"), ""),
                id,
                kind: batch.kind.clone(),
                file_name: batch.file_name.clone(),
                submitter: batch.submitter.clone(),
                rows: fmt::count(batch.row_count.into()),
                sha256: hex::encode(&batch.sha256),
                merkle_root: citytrace_schema::hex0x(&batch.merkle_root),
                imported_at: fmt::time(&batch.imported_at),
                trust: TrustBadge::new(&trust),
                anchor_block: anchor.as_ref().map(|a| a.block_number),
                anchor_chain: anchor.as_ref().map(|a| a.chain_id),
                anchor_time: anchor.as_ref().map(|a| fmt::time(&a.block_time)),
                submission_note,
                lines,
                more_lines,
            })
        })
        .await?;
    super::html(&page)
}
