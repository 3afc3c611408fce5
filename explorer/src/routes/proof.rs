//! `/batches/{id}/rows/{line}/proof`: a row's proof as a page people read — the row as imported
//! (sites and parties by name), its leaf, the Merkle path step by step, the batch's root, the
//! anchoring transaction and block, how final it is, and the `citytrace verify` command that
//! checks it against the ledger alone. The proof file (`/api/v1/…/proof`) is one click away.

mod view;

use actix_web::{web, HttpRequest, HttpResponse};

use citytrace_reads::proofs::{load_proof_context, AnchorKey};

use super::api::{proof_of, row_of};
use crate::error::AppError;
use crate::state::AppState;

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (batch, line) = row_of(&path)?;
    let (proof, context) = state
        .db(move |conn| {
            let proof = proof_of(conn, batch, line)?;
            let key = proof.anchor.as_ref().and_then(|a| {
                Some(AnchorKey {
                    chain_id: i64::try_from(a.chain_id).ok()?,
                    block_hash: &a.block_hash,
                    log_index: i32::try_from(a.log_index).ok()?,
                })
            });
            let codes = view::codes_in(&proof.row.canonical);
            let context = load_proof_context(conn, batch, key, &codes)?
                .ok_or_else(|| AppError::NotFound(format!("There is no batch {batch}.")))?;
            Ok((proof, context))
        })
        .await?;
    let explorer = view::explorer_origin(&req);
    super::html(&view::proof_page(proof, context, &explorer))
}
