//! The JSON API (`/api/v1`). Errors are JSON too ([`ApiError`]).
//!
//! `GET /api/v1/batches/{id}/rows/{line}/proof`: the row's proof file (`citytrace/proof/1`,
//! docs/verification.md) — its canonical text, leaf, Merkle path and root, and where the batch
//! was anchored — for anyone to check offline with `citytrace verify FILE`.

use actix_web::http::header::{ContentDisposition, ContentType, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};

use citytrace_importers::proof::anchored::{anchored_proof, AnchoredProof};

use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub async fn row_proof(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (batch, line_no) = row_of(&path)?;
    let proof = state.db(move |conn| proof_of(conn, batch, line_no)).await?;
    let mut body = serde_json::to_string_pretty(&proof)
        .map_err(|e| AppError::Internal(format!("proof JSON: {e}")))?;
    body.push('\n');
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(proof_file_name(batch, line_no))],
        })
        .body(body))
}

/// The batch and line a proof's address names; 404 in words when they are not numbers.
pub fn row_of(path: &(String, String)) -> Result<(i64, u64), AppError> {
    let (id, line) = path;
    match (id.parse::<i64>(), line.parse::<u64>()) {
        (Ok(batch), Ok(line)) => Ok((batch, line)),
        _ => Err(AppError::NotFound(format!(
            "There is no row {line} in batch {id}."
        ))),
    }
}

/// The proof of row `line` of batch `batch`, rebuilt from the stored rows; 404 in words when
/// there is no such batch or row.
pub fn proof_of(
    conn: &mut diesel::PgConnection,
    batch: i64,
    line: u64,
) -> Result<AnchoredProof, AppError> {
    match anchored_proof(conn, batch, line) {
        Ok(Some(proof)) => Ok(proof),
        Ok(None) => Err(AppError::NotFound(format!(
            "Batch {batch} has no row at line {line}."
        ))),
        Err(diesel::result::Error::NotFound) => {
            Err(AppError::NotFound(format!("There is no batch {batch}.")))
        }
        Err(other) => Err(other.into()),
    }
}

/// The name a downloaded proof is saved under.
pub fn proof_file_name(batch: i64, line: u64) -> String {
    format!("citytrace-batch-{batch}-line-{line}.proof.json")
}
