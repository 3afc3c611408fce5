//! `/ledger/chains/{id}/blocks/{number}`: one block — its hash and parent while it is in the
//! reorg window, and every event citytrace indexed from it.

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Serialize;

use citytrace_schema::models::Block;

use super::chain_id;
use super::tx::{events_where, EventView};
use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::routes::provenance::Hash;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize)]
pub struct BlockView {
    pub chain_id: i64,
    pub chain_name: String,
    pub number: i64,
    /// Known while the block is in the indexer's reorg window.
    pub hash: Option<Hash>,
    pub parent_hash: Option<Hash>,
    pub timestamp: Option<String>,
    pub events: Vec<EventView>,
}

fn load(conn: &mut PgConnection, id: &str, number: &str) -> Result<BlockView, AppError> {
    let id = chain_id(id)?;
    let chain = super::chain_rows(conn, Some(id))?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("No chain {id} is followed.")))?;
    let number: i64 = number
        .parse()
        .map_err(|_| AppError::NotFound(format!("No block {number} on chain {id}.")))?;
    let block = Block::find(conn, id, number)?;
    let events = events_where(conn, id, super::tx::Selector::Block(number))?;
    if block.is_none() && events.is_empty() {
        return Err(AppError::NotFound(format!(
            "citytrace holds nothing of block {number} on chain {id}."
        )));
    }
    Ok(BlockView {
        chain_id: id,
        chain_name: chain.name,
        number,
        hash: block.as_ref().map(|b| Hash::new(&b.hash)),
        parent_hash: block.as_ref().map(|b| Hash::new(&b.parent_hash)),
        timestamp: block
            .as_ref()
            .map(|b| fmt::time(&b.timestamp))
            .or_else(|| events.first().map(|e| e.block_time.clone())),
        events,
    })
}

#[derive(Template)]
#[template(path = "ledger/block.html")]
pub struct BlockPage {
    pub layout: Layout,
    pub block: BlockView,
    pub count: String,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, number) = path.into_inner();
    let block = state.db(move |conn| load(conn, &id, &number)).await?;
    crate::routes::html(&BlockPage {
        layout: Layout::new(&format!("Block {}", block.number), "/ledger"),
        count: fmt::count(block.number),
        block,
    })
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let block = state.db(move |conn| load(conn, &id, &number)).await?;
    Ok(HttpResponse::Ok().json(block))
}
