//! `/ledger/undecoded`: the logs not decoded — logs of followed contracts the indexer could not
//! store as what they are (their data does not decode with the contract's ABI, a value breaks
//! a rule of its table, or the database refused the row), kept raw in `quarantined_logs` with
//! their problem (docs/indexing.md, "Quarantine"). Newest first, 50 a page, `?chain=ID` for one
//! chain; JSON twin at `/api/v1/ledger/undecoded`.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use citytrace_reads::ledger::{load_undecoded, UndecodedLogs, UndecodedPosition};
use citytrace_schema::models::QuarantinedLog;

use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::routes::provenance::Hash;
use crate::state::AppState;

const PAGE: usize = 50;
/// Raw data longer than this (in bytes) is shown cut on the page; the JSON has all of it.
const SHOWN_DATA_BYTES: usize = 256;

/// One log not decoded, as the page and the JSON show it.
#[derive(Debug, Clone, Serialize)]
pub struct UndecodedLog {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_time: String,
    pub block_hash: Hash,
    pub tx_hash: Hash,
    pub log_index: i32,
    pub contract: Hash,
    /// `undecodable`, `invalid` or `refused`.
    pub reason: String,
    pub problem: String,
    /// The event, when the contract's ABI decoded the log.
    pub event_name: Option<String>,
    pub signature: Option<String>,
    pub params: Option<serde_json::Value>,
    /// The raw log: topics and data as 0x-hex.
    pub topics: Vec<String>,
    pub data: String,
    pub finality: String,
    #[serde(skip)]
    pub shown_data: String,
    #[serde(skip)]
    pub shown_params: Option<String>,
    #[serde(skip)]
    pub block_href: String,
    #[serde(skip)]
    pub tx_href: String,
}

impl From<QuarantinedLog> for UndecodedLog {
    fn from(q: QuarantinedLog) -> Self {
        let data = citytrace_schema::hex0x(&q.data);
        let shown_data = if q.data.len() > SHOWN_DATA_BYTES {
            format!(
                "{}… ({} bytes)",
                citytrace_schema::hex0x(q.data.get(..SHOWN_DATA_BYTES).unwrap_or_default()),
                fmt::count(q.data.len() as i64)
            )
        } else {
            data.clone()
        };
        Self {
            block_href: format!("/ledger/chains/{}/blocks/{}", q.chain_id, q.block_number),
            tx_href: format!(
                "/ledger/chains/{}/tx/{}",
                q.chain_id,
                citytrace_schema::hex0x(&q.tx_hash)
            ),
            chain_id: q.chain_id,
            block_number: q.block_number,
            block_time: fmt::city_time(&q.block_time),
            block_hash: Hash::new(&q.block_hash),
            tx_hash: Hash::new(&q.tx_hash),
            log_index: q.log_index,
            contract: Hash::new(&q.contract),
            reason: q.reason,
            problem: q.problem,
            event_name: q.event_name,
            signature: q.signature,
            shown_params: q
                .params
                .as_ref()
                .and_then(|p| serde_json::to_string_pretty(p).ok()),
            params: q.params,
            topics: q
                .topics
                .iter()
                .map(|t| citytrace_schema::hex0x(t))
                .collect(),
            data,
            shown_data,
            finality: q.finality,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UndecodedView {
    pub chain: Option<i64>,
    /// Logs not decoded (of the chain asked for, else of every chain).
    pub total: i64,
    pub logs: Vec<UndecodedLog>,
    /// `?before=` of the next page, when there is one.
    pub next: Option<String>,
}

#[derive(Deserialize)]
struct Params {
    chain: Option<String>,
    before: Option<String>,
}

/// `?chain=ID&before=BLOCK-LOG-CHAIN`; anything else is a 400 naming the parameter.
fn params(req: &HttpRequest) -> Result<(Option<i64>, Option<UndecodedPosition>), AppError> {
    let query = web::Query::<Params>::from_query(req.query_string())
        .map_err(|e| AppError::BadRequest(format!("The query string is not understood: {e}.")))?;
    let chain = match query.chain.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            AppError::BadRequest(format!(
                "chain must be a chain id (a whole number), not {c:?}."
            ))
        })?),
        None => None,
    };
    let before = match query.before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => {
            let bad = || {
                AppError::BadRequest(format!(
                    "before must be BLOCK-LOG-CHAIN (three whole numbers, as the next-page link gives), not {b:?}."
                ))
            };
            let mut parts = b.split('-').map(str::parse::<i64>);
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(Ok(block)), Some(Ok(log)), Some(Ok(chain)), None) => {
                    Some((block, i32::try_from(log).map_err(|_| bad())?, chain))
                }
                _ => return Err(bad()),
            }
        }
        None => None,
    };
    Ok((chain, before))
}

impl UndecodedView {
    fn new(chain: Option<i64>, page: UndecodedLogs) -> Self {
        Self {
            chain,
            total: page.total,
            logs: page.logs.into_iter().map(UndecodedLog::from).collect(),
            next: page
                .next
                .map(|(block, log, chain)| format!("{block}-{log}-{chain}")),
        }
    }
}

/// A page of the logs not decoded, as the page and the JSON show it.
async fn undecoded_view(
    state: &AppState,
    chain: Option<i64>,
    before: Option<UndecodedPosition>,
) -> Result<UndecodedView, AppError> {
    state
        .db(move |conn| {
            let page = load_undecoded(conn, chain, before, PAGE)?;
            Ok(UndecodedView::new(chain, page))
        })
        .await
}

#[derive(Template)]
#[template(path = "ledger/undecoded.html")]
pub struct UndecodedPage {
    pub layout: Layout,
    pub view: UndecodedView,
    pub total: String,
}

pub async fn show(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let (chain, before) = params(&req)?;
    let view = undecoded_view(&state, chain, before).await?;
    crate::routes::html(&UndecodedPage {
        layout: Layout::new("Logs not decoded", "/ledger"),
        total: fmt::count(view.total),
        view,
    })
}

pub async fn api(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (chain, before) = params(&req)?;
    let view = undecoded_view(&state, chain, before).await?;
    Ok(HttpResponse::Ok().json(view))
}
