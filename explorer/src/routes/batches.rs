use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_importers::proof::canonical_rows;
use citytrace_reads::batches::{load_batch, BatchData};

use super::trust::{AnchorLink, TrustBadge};
use crate::error::AppError;
use crate::fmt;
use crate::layout::Layout;
use crate::state::AppState;

/// A row of a batch of another format: its canonical encoding, the text its Merkle leaf is
/// the hash of (docs/verification.md).
pub struct CanonicalRow {
    pub line: u64,
    pub canonical: String,
    pub proof_href: String,
}

pub struct LineRow {
    pub line: i32,
    pub shipment: String,
    pub line_no: i32,
    pub lot_code: String,
    pub lot_href: String,
    /// "4.2 t": with its unit as people write it.
    pub quantity: String,
    /// The row's proof page.
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
    /// The submitter's name, or its code when no name is registered.
    pub submitter_name: String,
    pub submitter_href: String,
    pub rows: String,
    pub rows_count: i32,
    pub sha256: String,
    pub merkle_root: String,
    pub imported_at: String,
    pub trust: TrustBadge,
    /// The block and transaction that anchored the root, as links.
    pub anchor: Option<AnchorLink>,
    /// The `BatchAnchored` event on its transaction's page (the root as the ledger holds it).
    pub anchor_event_href: Option<String>,
    pub anchor_time: Option<String>,
    pub submission_note: Option<String>,
    pub lines: Vec<LineRow>,
    /// Rows of the other formats (shipments have their own columns).
    pub canonical_rows: Vec<CanonicalRow>,
    /// Rows not listed on the page.
    pub more_lines: i64,
    /// Too many rows to list on the page at all (see [`CANONICAL_ROWS_LOADED`]).
    pub rows_not_listed: bool,
}

/// Rows shown on the batch page; every row's proof stays one URL away.
const LINES_SHOWN: usize = 200;

/// Batches of other formats up to this many rows list their canonical rows (which means
/// loading them all: the encodings are built from the stored rows in line order); larger ones
/// (a sensor log of millions of readings) say so and point to the per-row proofs.
const CANONICAL_ROWS_LOADED: i32 = 20_000;

/// `?format=json`: the page's JSON twin (its rows as listed, each with its proof page and file).
#[derive(serde::Deserialize)]
pub struct ShowQuery {
    format: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let as_json = match query.format.as_deref() {
        None | Some("html") => false,
        Some("json") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "A batch page answers format=html or format=json, not {other:?}."
            )))
        }
    };
    let id: i64 = path
        .parse()
        .map_err(|_| AppError::NotFound(format!("There is no batch {path}.")))?;
    let (data, canonical) = state
        .db(move |conn| {
            let data = load_batch(conn, id)?
                .ok_or_else(|| AppError::NotFound(format!("There is no batch {id}.")))?;
            let b = &data.batch;
            let canonical = if b.kind == "shipments" || b.row_count > CANONICAL_ROWS_LOADED {
                None
            } else {
                Some(canonical_rows(conn, b)?)
            };
            Ok((data, canonical))
        })
        .await?;
    let page = batch_page(data, canonical);
    if as_json {
        return Ok(HttpResponse::Ok().json(page_json(&page)));
    }
    super::html(&page)
}

/// The batch page as data: what it says, with the rows it lists and where each row's proof is.
fn page_json(page: &BatchPage) -> serde_json::Value {
    let file = |line: &dyn std::fmt::Display| super::provenance::proof_file_href(page.id, line);
    serde_json::json!({
        "id": page.id,
        "format": page.kind,
        "file_name": page.file_name,
        "submitter": { "code": page.submitter, "name": page.submitter_name },
        "rows": page.rows_count,
        "file_sha256": page.sha256,
        "merkle_root": page.merkle_root,
        "trust": page.trust.label,
        "anchor": page.anchor,
        "lines": page.lines.iter().map(|l| serde_json::json!({
            "line": l.line,
            "shipment": l.shipment,
            "shipment_line": l.line_no,
            "lot": l.lot_code,
            "quantity": l.quantity,
            "proof": l.proof_href,
            "proof_file": file(&l.line),
        })).collect::<Vec<_>>(),
        "canonical_rows": page.canonical_rows.iter().map(|r| serde_json::json!({
            "line": r.line,
            "canonical": r.canonical,
            "proof": r.proof_href,
            "proof_file": file(&r.line),
        })).collect::<Vec<_>>(),
        "rows_not_listed": page.rows_not_listed || page.more_lines > 0,
    })
}

/// The page of a batch, with its canonical rows when they were loaded.
fn batch_page(data: BatchData, canonical: Option<Vec<(u64, Vec<u8>)>>) -> BatchPage {
    let trust = data.trust();
    let BatchData {
        batch,
        submitter_name,
        anchor,
        submission,
        shipment_lines,
    } = data;
    let id = batch.id;
    let submission_note = match (&anchor, submission) {
        (None, Some(s)) => Some(match s.last_error {
            Some(err) => format!("Anchoring trouble: {err}"),
            None => format!(
                "Anchor transaction {} sent {}; waiting for it to be indexed.",
                fmt::short_hash(&s.tx_hash),
                fmt::city_time(&s.submitted_at)
            ),
        }),
        _ => None,
    };
    let (canonical_rows, rows_not_listed, more_canonical) = if batch.kind == "shipments" {
        (Vec::new(), false, 0)
    } else if let Some(all) = canonical {
        let more = all.len().saturating_sub(LINES_SHOWN) as i64;
        let rows = all
            .into_iter()
            .take(LINES_SHOWN)
            .map(|(line, bytes)| CanonicalRow {
                line,
                canonical: String::from_utf8_lossy(&bytes).into_owned(),
                proof_href: super::provenance::proof_href(id, line),
            })
            .collect();
        (rows, false, more)
    } else {
        (Vec::new(), true, 0)
    };
    let more_lines = shipment_lines.len().saturating_sub(LINES_SHOWN) as i64 + more_canonical;
    let lines = shipment_lines
        .into_iter()
        .take(LINES_SHOWN)
        .map(|l| LineRow {
            line: l.line,
            shipment: l.shipment_code,
            line_no: l.line_no,
            lot_href: crate::routes::provenance::lot_href(&l.lot_code),
            lot_code: l.lot_code,
            quantity: fmt::quantity(&l.quantity, &l.unit),
            proof_href: super::provenance::proof_href(id, l.line),
        })
        .collect();
    BatchPage {
        layout: Layout::new(&format!("Batch {id}"), ""),
        id,
        kind: batch.kind.clone(),
        file_name: batch.file_name.clone(),
        submitter_name: submitter_name.unwrap_or_else(|| batch.submitter.clone()),
        submitter_href: format!("/parties/{}", fmt::path_segment(&batch.submitter)),
        submitter: batch.submitter.clone(),
        rows: fmt::count(batch.row_count.into()),
        rows_count: batch.row_count,
        sha256: hex::encode(&batch.sha256),
        merkle_root: citytrace_schema::hex0x(&batch.merkle_root),
        imported_at: fmt::city_time(&batch.imported_at),
        trust: TrustBadge::new(&trust),
        anchor_event_href: AnchorLink::of(&trust).and_then(|link| {
            let log = anchor.as_ref()?.log_index;
            Some(format!("{}#log-{log}", link.tx_href))
        }),
        anchor: AnchorLink::of(&trust),
        anchor_time: anchor.as_ref().map(|a| fmt::city_time(&a.block_time)),
        submission_note,
        lines,
        canonical_rows,
        more_lines,
        rows_not_listed,
    }
}
