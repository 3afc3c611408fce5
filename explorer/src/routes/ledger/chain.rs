//! `/ledger/chains/{id}`: one chain — its state, the contracts citytrace decodes on it, and its
//! latest events, blocks and reorgs (the ledger lists, filtered to it).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Serialize;

use citytrace_reads::ledger::{load_chain, ChainData};

use super::{chain_id, chain_row, ChainRow};
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::listing::ListView;
use crate::lists::ledger::{BLOCKS, EVENTS, REORGS};
use crate::routes::materials::embedded_list;
use crate::routes::provenance::Hash;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize)]
pub struct ContractView {
    pub address: Hash,
    pub kind: String,
    pub name: String,
    pub start_block: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainView {
    pub chain: ChainRow,
    pub contracts: Vec<ContractView>,
    /// The chain's lists, filtered to it.
    pub events: String,
    pub blocks: String,
    pub reorgs: String,
}

impl ChainView {
    fn new(data: ChainData) -> Self {
        let id = data.status.chain.chain_id;
        Self {
            chain: chain_row(data.status),
            contracts: data
                .contracts
                .into_iter()
                .map(|c| ContractView {
                    address: Hash::new(&c.address),
                    kind: c.kind,
                    name: c.name,
                    start_block: c.start_block,
                })
                .collect(),
            events: format!("/api/v1/ledger-events?chain={id}"),
            blocks: format!("/api/v1/blocks?chain={id}"),
            reorgs: format!("/api/v1/reorgs?chain={id}"),
        }
    }
}

/// The chain `id` as its page shows it; 404 when it is not followed.
fn chain_view(data: Option<ChainData>, id: i64) -> Result<ChainView, AppError> {
    data.map(ChainView::new)
        .ok_or_else(|| AppError::NotFound(format!("No chain {id} is followed.")))
}

#[derive(Template)]
#[template(path = "ledger/chain.html")]
pub struct ChainPage {
    pub layout: Layout,
    pub view: ChainView,
    pub events: ListView,
    pub blocks: ListView,
    pub reorgs: ListView,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = chain_id(&path.into_inner())?;
    let page = state
        .db(move |conn| {
            let view = chain_view(load_chain(conn, id)?, id)?;
            let chain = view.chain.chain_id.to_string();
            Ok(ChainPage {
                layout: Layout::new(&format!("Chain {}", view.chain.name), "/ledger"),
                events: embedded_list(conn, &EVENTS, &[("chain", &chain)], 10)?,
                blocks: embedded_list(conn, &BLOCKS, &[("chain", &chain)], 10)?,
                reorgs: embedded_list(conn, &REORGS, &[("chain", &chain)], 10)?,
                view,
            })
        })
        .await?;
    crate::routes::html(&page)
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = chain_id(&path.into_inner())?;
    let view = state
        .db(move |conn| chain_view(load_chain(conn, id)?, id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
