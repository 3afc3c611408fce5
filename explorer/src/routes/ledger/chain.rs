//! `/ledger/chains/{id}`: one chain — its state, the contracts citytrace decodes on it, and its
//! latest events, blocks and reorgs (the ledger lists, filtered to it).

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Serialize;

use citytrace_schema::models::ContractRow;
use citytrace_schema::schema::contracts;

use super::{chain_id, chain_rows, ChainRow};
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

fn load(conn: &mut PgConnection, id: &str) -> Result<ChainView, AppError> {
    let id = chain_id(id)?;
    let chain = chain_rows(conn, Some(id))?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("No chain {id} is followed.")))?;
    let contracts: Vec<ContractRow> = contracts::table
        .filter(contracts::chain_id.eq(id))
        .order(contracts::name)
        .select(ContractRow::as_select())
        .load(conn)?;
    Ok(ChainView {
        chain,
        contracts: contracts
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
    })
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
    let id = path.into_inner();
    let page = state
        .db(move |conn| {
            let view = load(conn, &id)?;
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
    let id = path.into_inner();
    let view = state.db(move |conn| load(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}
