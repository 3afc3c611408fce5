//! `citytrace index --retry-quarantined`: decode the quarantined logs again with the decoders
//! of the current configuration and version — after a decoder was fixed, an ABI added or
//! corrected, a database constraint changed. A log that now decodes and fits its table moves
//! there and leaves the quarantine; the others stay, with the problem found now.
//!
//! Page by page, each page one transaction that holds its quarantined rows (`FOR UPDATE`),
//! writes the decoded rows with the indexer's own writer (a refusal found at write time is
//! quarantined again, alone) and puts back the logs that stay. A reorg or a finality update
//! of the running indexer reaches `quarantined_logs` first (`CHAIN_TABLES`), so it waits for
//! such a page and then sees the rows it moved: safe to run beside `citytrace index`.

use std::collections::HashMap;
use std::sync::Arc;

use diesel::prelude::*;

use citytrace_schema::models::{Block, QuarantinedLog};
use citytrace_schema::schema::quarantined_logs as q;
use citytrace_schema::PgPool;

use crate::config::IndexerConfig;
use crate::db::with_conn;
use crate::decoders::{ContractDecoder, LogContext, LogOutcome};
use crate::error::IndexerError;
use crate::follow::write::{write_decoded, RangeRows};
use crate::source::{Address, RawLog};

/// Quarantined logs decoded again in one transaction.
const PAGE: i64 = 1_000;

/// What a re-decode did on one chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redecoded {
    pub chain_id: u64,
    /// Logs now decoded and stored in their tables.
    pub stored: usize,
    /// Logs still quarantined.
    pub quarantined: usize,
}

/// Decode every quarantined log of the configured chains again (see the module docs).
pub async fn retry_quarantined(
    config: &IndexerConfig,
    pool: PgPool,
) -> Result<Vec<Redecoded>, IndexerError> {
    let mut report = Vec::new();
    for chain in &config.chains {
        let mut decoders = HashMap::new();
        for contract in config.contracts.iter().filter(|c| c.chain == chain.id) {
            let decoder = ContractDecoder::load(contract)?;
            decoders.insert(decoder.address, decoder);
        }
        let decoders = Arc::new(decoders);
        let mut done = Redecoded {
            chain_id: chain.id,
            ..Default::default()
        };
        let mut after = None;
        loop {
            let (chain_id, decoders) = (chain.id as i64, decoders.clone());
            let page = with_conn(&pool, move |conn| {
                Ok(conn.transaction(|conn| retry_page(conn, chain_id, after, &decoders))?)
            })
            .await?;
            let Some(page) = page else {
                break;
            };
            done.stored += page.stored;
            done.quarantined += page.quarantined;
            after = Some(page.last);
        }
        tracing::info!(
            chain_id = chain.id,
            stored = done.stored,
            quarantined = done.quarantined,
            "quarantined logs decoded again"
        );
        report.push(done);
    }
    Ok(report)
}

struct Page {
    stored: usize,
    quarantined: usize,
    last: (i64, i32),
}

/// The next page of `chain_id`'s quarantined logs after `after`, decoded again (in the
/// caller's transaction). None when there is none left.
fn retry_page(
    conn: &mut PgConnection,
    chain_id: i64,
    after: Option<(i64, i32)>,
    decoders: &HashMap<Address, ContractDecoder>,
) -> QueryResult<Option<Page>> {
    let (block, log) = after.unwrap_or((i64::MIN, i32::MIN));
    let held: Vec<QuarantinedLog> = q::table
        .filter(q::chain_id.eq(chain_id))
        .filter(
            q::block_number
                .gt(block)
                .or(q::block_number.eq(block).and(q::log_index.gt(log))),
        )
        .order((q::block_number, q::log_index))
        .limit(PAGE)
        .select(QuarantinedLog::as_select())
        .for_update()
        .load(conn)?;
    let Some(last) = held.last().map(|l| (l.block_number, l.log_index)) else {
        return Ok(None);
    };
    let mut rows = RangeRows::default();
    let mut staying = Vec::new();
    for stored in &held {
        let decoder = raw_log(stored).and_then(|l| Some((decoders.get(&l.address)?, l)));
        let Some((decoder, log)) = decoder else {
            staying.push(stored.clone()); // no decoder for its contract any more
            continue;
        };
        let at = LogContext {
            chain_id,
            block_time: stored.block_time,
            finality: &stored.finality,
        };
        match decoder.decode(&log, at) {
            LogOutcome::NotKept => staying.push(stored.clone()),
            LogOutcome::Quarantined(again) => staying.push(*again),
            decoded => {
                rows.push(decoded);
                rows.logs.push(log);
                rows.blocks.push(Block {
                    chain_id,
                    number: stored.block_number,
                    hash: stored.block_hash.clone(),
                    parent_hash: Vec::new(),
                    timestamp: stored.block_time,
                });
            }
        }
    }
    for stored in &held {
        diesel::delete(q::table.find((
            stored.chain_id,
            stored.block_number,
            stored.block_hash.clone(),
            stored.log_index,
        )))
        .execute(conn)?;
    }
    let refused = write_decoded(conn, chain_id, &rows, decoders)?;
    QuarantinedLog::insert_all(conn, &staying)?;
    QuarantinedLog::insert_all(conn, &refused)?;
    Ok(Some(Page {
        stored: rows.decoded.saturating_sub(refused.len()),
        quarantined: staying.len() + refused.len(),
        last,
    }))
}

/// A stored quarantined log as the node gave it (None if a stored value cannot be one).
fn raw_log(stored: &QuarantinedLog) -> Option<RawLog> {
    Some(RawLog {
        address: stored.contract.as_slice().try_into().ok()?,
        topics: stored
            .topics
            .iter()
            .map(|t| t.as_slice().try_into().ok())
            .collect::<Option<Vec<_>>>()?,
        data: stored.data.clone(),
        block_number: u64::try_from(stored.block_number).ok()?,
        block_hash: stored.block_hash.as_slice().try_into().ok()?,
        tx_hash: stored.tx_hash.as_slice().try_into().ok()?,
        log_index: u64::try_from(stored.log_index).ok()?,
    })
}
