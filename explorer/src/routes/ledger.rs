//! The ledger area: the chains followed (`/ledger`), one chain, one block and one transaction
//! with every decoded event and its parameters; each page has a JSON twin under
//! `/api/v1/ledger/…`. The lists (events, blocks, anchors, reorgs) are `lists::ledger`.

mod block;
mod chain;
mod tx;
mod undecoded;

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::PgConnection;
use serde::Serialize;

use citytrace_reads::ledger::{load_chains, ChainStatus};

use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::listing::{ListParams, ListView, PageOfRows};
use crate::lists::ledger::{BLOCKS, EVENTS};
use crate::routes::materials::embedded_list;
use crate::state::AppState;

/// Rows of the latest blocks and transactions the ledger page shows.
const LATEST: u32 = 10;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/ledger", web::get().to(overview))
        .route("/api/v1/ledger", web::get().to(overview_api))
        .route("/ledger/undecoded", web::get().to(undecoded::show))
        .route("/api/v1/ledger/undecoded", web::get().to(undecoded::api))
        .route("/ledger/chains/{id}", web::get().to(chain::show))
        .route("/api/v1/ledger/chains/{id}", web::get().to(chain::api))
        .route(
            "/ledger/chains/{id}/blocks/{number}",
            web::get().to(block::show),
        )
        .route(
            "/api/v1/ledger/chains/{id}/blocks/{number}",
            web::get().to(block::api),
        )
        .route("/ledger/chains/{id}/tx/{hash}", web::get().to(tx::show))
        .route(
            "/api/v1/ledger/chains/{id}/tx/{hash}",
            web::get().to(tx::api),
        );
}

/// A chain followed: head, how far it is indexed, lag, finality, last reorg, status.
#[derive(Debug, Clone, Serialize)]
pub struct ChainRow {
    pub chain_id: i64,
    pub name: String,
    pub kind: String,
    #[serde(skip)]
    pub href: String,
    pub head_number: Option<i64>,
    pub indexed_number: Option<i64>,
    pub lag_blocks: Option<i64>,
    pub finalized_number: Option<i64>,
    pub safe_number: Option<i64>,
    #[serde(skip)]
    pub head: String,
    #[serde(skip)]
    pub indexed: String,
    #[serde(skip)]
    pub lag: String,
    #[serde(skip)]
    pub finalized: String,
    pub seen: String,
    /// "following", or why the watchdog says the chain is stalled.
    pub status: String,
    pub stalled: bool,
    pub last_reorg: String,
}

fn dash(n: Option<i64>) -> String {
    n.map(fmt::count).unwrap_or_else(|| "–".into())
}

/// Every chain followed, or the one with `only`.
pub(crate) fn chain_rows(
    conn: &mut PgConnection,
    only: Option<i64>,
) -> Result<Vec<ChainRow>, AppError> {
    Ok(load_chains(conn, only)?
        .into_iter()
        .map(chain_row)
        .collect())
}

/// A chain as the pages show it.
pub(crate) fn chain_row(status: ChainStatus) -> ChainRow {
    let ChainStatus {
        chain: c,
        indexed,
        last_reorg: reorg,
    } = status;
    let lag = c.head_number.zip(indexed).map(|(h, i)| (h - i).max(0));
    ChainRow {
        href: format!("/ledger/chains/{}", c.chain_id),
        chain_id: c.chain_id,
        name: c.name,
        kind: c.kind,
        head: dash(c.head_number),
        indexed: dash(indexed),
        lag: lag
            .map(|l| format!("{} block{}", fmt::count(l), if l == 1 { "" } else { "s" }))
            .unwrap_or_else(|| "–".into()),
        finalized: dash(c.finalized_number),
        head_number: c.head_number,
        indexed_number: indexed,
        lag_blocks: lag,
        finalized_number: c.finalized_number,
        safe_number: c.safe_number,
        seen: c
            .head_seen_at
            .as_ref()
            .map(fmt::city_time)
            .unwrap_or_else(|| "never".into()),
        stalled: c.stall_reason.is_some(),
        status: match (&c.stall_reason, &c.stalled_since) {
            (Some(reason), Some(since)) => {
                format!("stalled since {}: {reason}", fmt::city_time(since))
            }
            (Some(reason), None) => format!("stalled: {reason}"),
            _ => "following".into(),
        },
        last_reorg: reorg
            .map(|r| {
                format!(
                    "{} blocks deep, {}",
                    r.depth,
                    fmt::city_time(&r.detected_at)
                )
            })
            .unwrap_or_else(|| "none".into()),
    }
}

/// The chain id in a path: a whole number, else 404.
fn chain_id(text: &str) -> Result<i64, AppError> {
    text.parse()
        .map_err(|_| AppError::NotFound(format!("No chain {text} is followed.")))
}

#[derive(Template)]
#[template(path = "ledger/index.html")]
pub struct LedgerPage {
    pub layout: Layout,
    pub chains: Vec<ChainRow>,
    /// The latest blocks of the reorg window (the blocks list's first rows).
    pub blocks: ListView,
    /// The latest decoded events, each with its block and transaction (the events list's).
    pub events: ListView,
}

pub async fn overview(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let page = state
        .db(|conn| {
            Ok(LedgerPage {
                layout: Layout::new("Ledger", "/ledger"),
                chains: chain_rows(conn, None)?,
                blocks: embedded_list(conn, &BLOCKS, &[], LATEST)?,
                events: embedded_list(conn, &EVENTS, &[], LATEST)?,
            })
        })
        .await?;
    super::html(&page)
}

/// The first `LATEST` rows of a ledger list, as its API gives them.
fn latest(
    conn: &mut PgConnection,
    def: &'static crate::listing::ListDef,
) -> Result<Vec<serde_json::Value>, AppError> {
    let params = ListParams::parse(def, &[("per_page".into(), LATEST.to_string())])?;
    PageOfRows::load(conn, def, &params)?
        .rows
        .iter()
        .map(|r| serde_json::from_str(r).map_err(|e| AppError::Internal(e.to_string())))
        .collect()
}

pub async fn overview_api(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (chains, blocks, events) = state
        .db(|conn| {
            Ok((
                chain_rows(conn, None)?,
                latest(conn, &BLOCKS)?,
                latest(conn, &EVENTS)?,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "chains": chains,
        "latest_blocks": blocks,
        "latest_events": events,
        "lists": {
            "events": "/api/v1/ledger-events",
            "blocks": "/api/v1/blocks",
            "anchors": "/api/v1/anchors",
            "reorgs": "/api/v1/reorgs",
            "batches": "/api/v1/batches",
            "undecoded": "/api/v1/ledger/undecoded",
        },
    })))
}
