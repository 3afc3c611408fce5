//! `GET /import/batches/{id}`: the supplier's receipt for one of its batches — id, file sha256,
//! rows, Merkle root — and its anchor status, which htmx refreshes until it is final. Another
//! supplier's batch is not found here (its public page is `/batches/{id}`).

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use citytrace_schema::models::{AnchorSubmission, ImportBatch, TrustState};

use super::{path_id, signed_in, UploadError};
use crate::fmt;
use crate::layout::Layout;
use crate::routes::trust::{AnchorLink, TrustBadge};
use crate::state::AppState;

/// The anchor part of the receipt (`templates/import/_anchor.html`).
pub struct AnchorView {
    pub batch_id: i64,
    pub trust: TrustBadge,
    pub is_final: bool,
    /// The block and transaction that anchored the root, as links.
    pub link: Option<AnchorLink>,
    pub block_time: Option<String>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "import/receipt.html")]
pub struct ReceiptPage {
    pub layout: Layout,
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub rows: String,
    pub sha256: String,
    pub merkle_root: String,
    pub imported_at: String,
    pub anchor: AnchorView,
}

#[derive(Template)]
#[template(path = "import/_anchor.html")]
pub struct AnchorFragment {
    pub anchor: AnchorView,
}

/// The batch and its anchor view, if the batch is this submitter's.
async fn own_batch(
    state: &AppState,
    submitter: String,
    id: i64,
) -> Result<(ImportBatch, AnchorView), UploadError> {
    state
        .db(move |conn| {
            let batch = match ImportBatch::find(conn, id) {
                Ok(batch) if batch.submitter == submitter => batch,
                Ok(_) | Err(diesel::result::Error::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let anchor = batch.anchor(conn)?;
            let trust = TrustState::from_anchor(anchor.as_ref());
            let note = match (&anchor, AnchorSubmission::find(conn, id)?) {
                (None, Some(s)) => Some(match s.last_error {
                    Some(_) => {
                        "The anchorer had trouble sending the root; it keeps trying.".to_string()
                    }
                    None => format!(
                        "Anchor transaction {} sent {}; waiting for it to be indexed.",
                        fmt::short_hash(&s.tx_hash),
                        fmt::city_time(&s.submitted_at)
                    ),
                }),
                (None, None) => Some(
                    "Waiting for the anchorer to send the Merkle root to the city ledger.".into(),
                ),
                _ => None,
            };
            let view = AnchorView {
                batch_id: id,
                is_final: matches!(trust, TrustState::Final { .. }),
                trust: TrustBadge::new(&trust),
                link: AnchorLink::of(&trust),
                block_time: anchor.as_ref().map(|a| fmt::city_time(&a.block_time)),
                note,
            };
            Ok(Some((batch, view)))
        })
        .await?
        .ok_or_else(|| UploadError::not_found(&format!("You have no batch {id}.")))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in(&req, &state).await?;
    let id = path_id(&path, "batch")?;
    let (batch, anchor) = own_batch(&state, signed_in.party.code.clone(), id).await?;
    let page = ReceiptPage {
        layout: Layout::new(&format!("Receipt for batch {id}"), ""),
        id,
        kind: batch.kind.clone(),
        file_name: batch.file_name.clone(),
        rows: fmt::count(batch.row_count.into()),
        sha256: hex::encode(&batch.sha256),
        merkle_root: citytrace_schema::hex0x(&batch.merkle_root),
        imported_at: fmt::city_time(&batch.imported_at),
        anchor,
    };
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.render()?))
}

/// `GET /import/batches/{id}/anchor`: the fragment htmx polls until the anchor is final.
pub async fn anchor(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in(&req, &state).await?;
    let id = path_id(&path, "batch")?;
    let (_, anchor) = own_batch(&state, signed_in.party.code.clone(), id).await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(AnchorFragment { anchor }.render()?))
}
