//! `/ledger/chains/{id}/tx/{hash}`: every event citytrace decoded from one transaction, with its
//! parameters, and the import batch it anchored, if any.

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::PgConnection;
use serde::Serialize;

use citytrace_reads::ledger::{load_chain, load_transaction, DecodedEvent};

use super::chain_id;
use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::routes::provenance::Hash;
use crate::state::AppState;

/// One decoded parameter: name and value as text (byte strings as `0x…`).
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub name: String,
    pub value: String,
    /// The value is a hash or address (shown short, in full on hover).
    #[serde(skip)]
    pub short: Option<String>,
    /// An address (20 bytes): what citytrace knows of it, by search.
    #[serde(skip)]
    pub href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub log_index: i32,
    pub event: String,
    pub summary: Option<String>,
    /// The domain page of what the event is about (a batch, …).
    pub href: Option<String>,
    pub finality: String,
    pub block_number: i64,
    pub block_time: String,
    pub block_hash: Hash,
    pub tx_hash: Hash,
    #[serde(skip)]
    pub tx_href: String,
    pub contract: Option<Hash>,
    pub params: Vec<Param>,
}

/// A JSON value as the page shows it: Postgres writes bytea as `\x…`, shown as `0x…`.
fn param_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => match s.strip_prefix("\\x") {
            Some(hex) => format!("0x{hex}"),
            None => s.clone(),
        },
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn params(text: Option<&str>) -> Vec<Param> {
    let Some(serde_json::Value::Object(map)) = text.and_then(|t| serde_json::from_str(t).ok())
    else {
        return Vec::new();
    };
    map.iter()
        .map(|(k, v)| {
            let value = param_text(v);
            // Hashes and addresses are shortened; any other text is shown whole.
            let short = value
                .strip_prefix("0x")
                .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|_| fmt::shortened(&value, 8, 4));
            let is_address = value.len() == 42 && short.is_some();
            Param {
                name: k.clone(),
                href: is_address.then(|| format!("/search?q={value}")),
                value,
                short,
            }
        })
        .collect()
}

/// The decoded events as the pages show them.
pub(super) fn event_views(chain: i64, rows: Vec<DecodedEvent>) -> Vec<EventView> {
    rows.into_iter()
        .map(|r| EventView {
            params: params(r.params.as_deref()),
            log_index: r.log_index,
            event: r.event,
            summary: r.summary,
            href: r.href,
            finality: r.finality.unwrap_or_else(|| "pending".into()),
            block_number: r.block_number,
            block_time: r
                .block_time
                .as_ref()
                .map(fmt::city_time)
                .unwrap_or_default(),
            block_hash: Hash::new(&r.block_hash),
            tx_href: crate::routes::provenance::tx_href(chain, &r.tx_hash),
            tx_hash: Hash::new(&r.tx_hash),
            contract: r.contract.as_deref().map(Hash::new),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct AnchoredBatch {
    pub batch_id: u64,
    #[serde(skip)]
    pub href: String,
    pub rows: i64,
    pub merkle_root: Hash,
    pub finality: String,
}

/// A contract that emitted events in the transaction: its address, and its name when
/// citytrace decodes it.
#[derive(Debug, Clone, Serialize)]
pub struct EmittingContract {
    pub address: Hash,
    pub name: Option<String>,
    /// The events it emitted, on every transaction.
    #[serde(skip)]
    pub href: String,
}

/// What citytrace can say of a transaction it read the logs of (`TxView::status`).
pub const STATUS_SUCCEEDED: &str = "succeeded";

#[derive(Debug, Clone, Serialize)]
pub struct TxView {
    pub chain_id: i64,
    pub chain_name: String,
    pub tx_hash: Hash,
    pub block_number: i64,
    pub block_time: String,
    /// "succeeded": citytrace holds the transaction's logs, and a transaction that reverts
    /// leaves none.
    pub status: &'static str,
    /// Not recorded (`null`): the indexer reads block headers and logs, not transactions or
    /// their receipts, so it knows neither the sender, the called address nor the gas.
    pub from: Option<Hash>,
    pub to: Option<Hash>,
    pub gas_used: Option<i64>,
    /// The contracts whose events it holds, in log order.
    pub contracts: Vec<EmittingContract>,
    pub events: Vec<EventView>,
    pub anchored_batches: Vec<AnchoredBatch>,
}

fn load(conn: &mut PgConnection, id: &str, hash: &str) -> Result<TxView, AppError> {
    let id = chain_id(id)?;
    let bytes = citytrace_schema::parse_hex(hash, 32).ok_or_else(|| {
        AppError::NotFound(format!(
            "{hash} is not a transaction hash (0x and 64 hex digits)."
        ))
    })?;
    let data = load_transaction(conn, id, &bytes)?;
    let chain = data
        .chain
        .ok_or_else(|| AppError::NotFound(format!("No chain {id} is followed.")))?;
    let known = load_chain(conn, id)?
        .map(|c| c.contracts)
        .unwrap_or_default();
    let mut contracts: Vec<EmittingContract> = Vec::new();
    for address in data.events.iter().filter_map(|e| e.contract.as_deref()) {
        if contracts
            .iter()
            .any(|c| c.address.full == citytrace_schema::hex0x(address))
        {
            continue;
        }
        let address = Hash::new(address);
        contracts.push(EmittingContract {
            name: known
                .iter()
                .find(|k| citytrace_schema::hex0x(&k.address) == address.full)
                .map(|k| k.name.clone()),
            href: format!("/ledger/events?chain={id}&contract={}", address.full),
            address,
        });
    }
    let events = event_views(id, data.events);
    let Some(first) = events.first() else {
        return Err(AppError::NotFound(format!(
            "citytrace indexed no event of transaction {hash} on chain {id}."
        )));
    };
    Ok(TxView {
        chain_id: id,
        chain_name: chain.chain.name,
        tx_hash: Hash::new(&bytes),
        block_number: first.block_number,
        block_time: first.block_time.clone(),
        status: STATUS_SUCCEEDED,
        from: None,
        to: None,
        gas_used: None,
        contracts,
        anchored_batches: data
            .anchors
            .into_iter()
            // A uint64 batch id (the column's CHECK keeps it in range).
            .filter_map(|anchor| {
                let batch_id = bigdecimal::ToPrimitive::to_u64(&anchor.batch_id)?;
                Some(AnchoredBatch {
                    href: format!("/batches/{batch_id}"),
                    batch_id,
                    rows: anchor.row_count,
                    merkle_root: Hash::new(&anchor.merkle_root),
                    finality: anchor.finality,
                })
            })
            .collect(),
        events,
    })
}

#[derive(Template)]
#[template(path = "ledger/tx.html")]
pub struct TxPage {
    pub layout: Layout,
    pub tx: TxView,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, hash) = path.into_inner();
    let tx = state.db(move |conn| load(conn, &id, &hash)).await?;
    crate::routes::html(&TxPage {
        layout: Layout::new(&format!("Transaction {}", tx.tx_hash.short), "/ledger"),
        tx,
    })
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, hash) = path.into_inner();
    let tx = state.db(move |conn| load(conn, &id, &hash)).await?;
    Ok(HttpResponse::Ok().json(tx))
}
