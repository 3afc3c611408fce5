//! `/ledger/chains/{id}/blocks/{number}`: one block — its hash and parent while it is in the
//! reorg window, and every event citytrace indexed from it.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Serialize;

use citytrace_reads::ledger::{load_block, load_chains, BlockData};

use super::chain_id;
use super::tx::{event_views, EventView};
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
    /// From the indexer's block row while the block is in its reorg window; after that from
    /// the events indexed from it (an anchor, a payment…), which keep their block's hash.
    pub hash: Option<Hash>,
    /// Where the hash comes from: `block` (the reorg window's row) or `events`.
    pub hash_from: Option<&'static str>,
    #[serde(skip)]
    pub hash_from_events: bool,
    pub parent_hash: Option<Hash>,
    pub timestamp: Option<String>,
    pub events: Vec<EventView>,
}

fn chain_not_followed(id: i64) -> AppError {
    AppError::NotFound(format!("No chain {id} is followed."))
}

impl BlockView {
    /// The block as its page shows it; 404 when the chain is not followed or citytrace holds
    /// nothing of the block.
    fn new(id: i64, number: i64, data: BlockData) -> Result<Self, AppError> {
        let BlockData {
            chain,
            block,
            events,
        } = data;
        let chain = chain.ok_or_else(|| chain_not_followed(id))?;
        if block.is_none() && events.is_empty() {
            return Err(AppError::NotFound(format!(
                "citytrace holds nothing of block {number} on chain {id}."
            )));
        }
        let events = event_views(id, events);
        Ok(Self {
            chain_id: id,
            chain_name: chain.chain.name,
            number,
            hash: block
                .as_ref()
                .map(|b| Hash::new(&b.hash))
                .or_else(|| events.first().map(|e| e.block_hash.clone())),
            hash_from_events: block.is_none() && !events.is_empty(),
            hash_from: match (&block, events.first()) {
                (Some(_), _) => Some("block"),
                (None, Some(_)) => Some("events"),
                (None, None) => None,
            },
            parent_hash: block.as_ref().map(|b| Hash::new(&b.parent_hash)),
            timestamp: block
                .as_ref()
                .map(|b| fmt::city_time(&b.timestamp))
                .or_else(|| events.first().map(|e| e.block_time.clone())),
            events,
        })
    }
}

/// Block `number` of chain `id` (both as the path gives them) as its page shows it.
async fn block_view(state: &AppState, id: String, number: String) -> Result<BlockView, AppError> {
    let id = chain_id(&id)?;
    state
        .db(move |conn| {
            let Ok(n) = number.parse::<i64>() else {
                // A chain not followed is named first, whatever the block.
                if load_chains(conn, Some(id))?.is_empty() {
                    return Err(chain_not_followed(id));
                }
                return Err(AppError::NotFound(format!(
                    "No block {number} on chain {id}."
                )));
            };
            BlockView::new(id, n, load_block(conn, id, n)?)
        })
        .await
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
    let block = block_view(&state, id, number).await?;
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
    let block = block_view(&state, id, number).await?;
    Ok(HttpResponse::Ok().json(block))
}
