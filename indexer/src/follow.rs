//! Following one chain into the database.
//!
//! Progress is a checkpoint `(block number, block hash)` per chain, written in the same
//! transaction as the rows it covers, so a crash anywhere loses nothing and replays nothing
//! twice (rows are also idempotent by `(chain_id, block_hash, log_index)`). Each step:
//!
//! 1. check that the checkpoint block is still canonical; if not, find the common ancestor in
//!    the stored block window, delete the rows above it and rewind (a reorg);
//! 2. plan the next range up to the safe head (head − confirmations), at most the current
//!    range size;
//! 3. fetch the range's last header, its logs, the headers of the blocks they sit in and the
//!    last header again; trust them only if they agree (same hashes, parent link to the
//!    checkpoint), else retry;
//! 4. decode and write rows, blocks and the checkpoint in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use tokio::sync::watch;

use citytrace_schema::models::{
    BatchAnchor, Block, Chain, ChainKind, Checkpoint, ContractRow, Finality, NewBatchAnchor,
};
use citytrace_schema::schema::{batch_anchors, supply_events};
use citytrace_schema::PgPool;

use crate::config::{ChainConfig, ChainKindConfig, ContractConfig};
use crate::db::with_conn;
use crate::error::{IndexerError, RpcError};
use crate::evm::{decode_city_event, CityEvent};
use crate::source::{Address, BlockHeader, ChainSource, Hash32, LogFilter, RawLog};

/// The checkpoint stream of the contract-log follower.
pub const STREAM: &str = "logs";

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing new below the safe head.
    CaughtUp { safe_head: u64 },
    /// Rows up to `to` are written.
    Indexed { from: u64, to: u64, rows: usize },
    /// The chain changed under us; rewound to `ancestor`, dropping `depth` blocks.
    Reorg { ancestor: u64, depth: u64 },
    /// What was fetched did not hold together (the chain moved mid-fetch); nothing written.
    Retry { reason: String },
}

pub struct ChainFollower {
    chain: ChainConfig,
    contracts: HashMap<Address, ContractConfig>,
    source: Arc<dyn ChainSource>,
    pool: PgPool,
    range: std::sync::atomic::AtomicU64,
}

impl ChainFollower {
    pub fn new(
        chain: ChainConfig,
        contracts: Vec<ContractConfig>,
        source: Arc<dyn ChainSource>,
        pool: PgPool,
    ) -> Result<Self, IndexerError> {
        let mut by_address = HashMap::new();
        for c in contracts.into_iter().filter(|c| c.chain == chain.id) {
            by_address.insert(c.address_bytes()?, c);
        }
        let range = std::sync::atomic::AtomicU64::new(chain.max_block_range);
        Ok(Self {
            chain,
            contracts: by_address,
            source,
            pool,
            range,
        })
    }

    pub fn chain_id(&self) -> i64 {
        self.chain.id as i64
    }

    /// Check the node serves the configured chain, and register chain and contracts.
    pub async fn register(&self) -> Result<(), IndexerError> {
        let actual = self.source.chain_id().await?;
        if actual != self.chain.id {
            return Err(IndexerError::WrongChain {
                url: self.chain.rpc.join(", "),
                expected: self.chain.id,
                actual,
            });
        }
        let chain = self.chain.clone();
        let contracts: Vec<ContractRow> = self
            .contracts
            .iter()
            .map(|(address, c)| ContractRow {
                chain_id: chain.id as i64,
                address: address.to_vec(),
                kind: c.kind.clone(),
                name: c.name.clone().unwrap_or_else(|| c.kind.clone()),
                start_block: c.start_block as i64,
            })
            .collect();
        with_conn(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let kind = match chain.kind {
                    ChainKindConfig::Ledger => ChainKind::Ledger,
                    ChainKindConfig::Public => ChainKind::Public,
                };
                Chain::upsert(conn, chain.id as i64, &chain.name, kind)?;
                for c in &contracts {
                    ContractRow::upsert(conn, c)?;
                }
                Ok(())
            })
        })
        .await
    }

    fn start_block(&self) -> u64 {
        self.chain.start_block.unwrap_or_else(|| {
            self.contracts
                .values()
                .map(|c| c.start_block)
                .min()
                .unwrap_or(0)
        })
    }

    fn finality(&self) -> Finality {
        match self.chain.kind {
            ChainKindConfig::Ledger if self.chain.confirmations() == 0 => Finality::Final,
            _ => Finality::Safe,
        }
    }

    /// One step of following (see the module docs).
    pub async fn step(&self) -> Result<Step, IndexerError> {
        let head = self.source.head().await?;
        let safe_head = head.saturating_sub(self.chain.confirmations());
        let chain_id = self.chain_id();
        let checkpoint = with_conn(&self.pool, move |c| {
            Ok(Checkpoint::get(c, chain_id, STREAM)?)
        })
        .await?;
        let from = match &checkpoint {
            Some(cp) => {
                let node = self.source.header(cp.block_number as u64).await?;
                if node.as_ref().map(|h| h.hash.as_slice()) != Some(cp.block_hash.as_slice()) {
                    return self.rewind(cp.block_number as u64).await;
                }
                cp.block_number as u64 + 1
            }
            None => self.start_block(),
        };
        let finalized = if self.finality() == Finality::Final {
            head
        } else {
            safe_head
        };
        with_conn(&self.pool, move |c| {
            Ok(Chain::record_head(
                c,
                chain_id,
                head as i64,
                finalized as i64,
            )?)
        })
        .await?;
        if from > safe_head {
            return Ok(Step::CaughtUp { safe_head });
        }
        let range = self.range.load(std::sync::atomic::Ordering::Relaxed).max(1);
        let to = safe_head.min(from + range - 1);
        match self.fetch(from, to, checkpoint.as_ref()).await {
            Ok(Fetched::Consistent { headers, logs }) => {
                self.grow_range();
                let rows = self.write(from, to, headers, logs).await?;
                Ok(Step::Indexed { from, to, rows })
            }
            Ok(Fetched::Inconsistent(reason)) => Ok(Step::Retry { reason }),
            Err(IndexerError::Rpc(RpcError::TooLarge {
                suggested_range,
                message,
            })) => {
                self.shrink_range(from, to, suggested_range);
                Ok(Step::Retry {
                    reason: format!("range {from}-{to} too large ({message})"),
                })
            }
            Err(e) => Err(e),
        }
    }

    fn shrink_range(&self, from: u64, to: u64, suggested: Option<(u64, u64)>) {
        let current = to - from + 1;
        let next = match suggested {
            Some((a, b)) if a == from && b >= a && b - a + 1 < current => b - a + 1,
            _ => (current / 2).max(1),
        };
        self.range.store(next, std::sync::atomic::Ordering::Relaxed);
    }

    fn grow_range(&self) {
        let current = self.range.load(std::sync::atomic::Ordering::Relaxed);
        let grown = (current.saturating_mul(2)).min(self.chain.max_block_range);
        self.range
            .store(grown, std::sync::atomic::Ordering::Relaxed);
    }

    async fn fetch(
        &self,
        from: u64,
        to: u64,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<Fetched, IndexerError> {
        let last_before = self.header(to).await?;
        let filter = LogFilter {
            from_block: from,
            to_block: to,
            addresses: self.contracts.keys().copied().collect(),
        };
        let logs = if filter.addresses.is_empty() {
            Vec::new()
        } else {
            self.source.logs(&filter).await?
        };
        let mut headers: BTreeMap<u64, BlockHeader> = BTreeMap::new();
        for number in logs.iter().map(|l| l.block_number).chain([from]) {
            if let std::collections::btree_map::Entry::Vacant(slot) = headers.entry(number) {
                slot.insert(self.header(number).await?);
            }
        }
        let last_after = self.header(to).await?;
        if last_before != last_after {
            return Ok(Fetched::Inconsistent(format!(
                "block {to} changed while fetching"
            )));
        }
        headers.insert(to, last_after);
        if let (Some(cp), Some(first)) = (checkpoint, headers.get(&from)) {
            if first.parent_hash.as_slice() != cp.block_hash.as_slice() {
                return Ok(Fetched::Inconsistent(format!(
                    "block {from} does not extend the checkpoint"
                )));
            }
        }
        if let Some(log) = logs
            .iter()
            .find(|l| headers.get(&l.block_number).map(|h| h.hash) != Some(l.block_hash))
        {
            return Ok(Fetched::Inconsistent(format!(
                "a log of block {} is from another branch",
                log.block_number
            )));
        }
        for pair in headers.values().collect::<Vec<_>>().windows(2) {
            if pair[1].number == pair[0].number + 1 && pair[1].parent_hash != pair[0].hash {
                return Ok(Fetched::Inconsistent(format!(
                    "block {} does not extend block {}",
                    pair[1].number, pair[0].number
                )));
            }
        }
        Ok(Fetched::Consistent { headers, logs })
    }

    async fn header(&self, number: u64) -> Result<BlockHeader, IndexerError> {
        self.source.header(number).await?.ok_or_else(|| {
            IndexerError::Rpc(RpcError::Transient(format!(
                "block {number} is not available yet"
            )))
        })
    }

    async fn write(
        &self,
        from: u64,
        to: u64,
        headers: BTreeMap<u64, BlockHeader>,
        logs: Vec<RawLog>,
    ) -> Result<usize, IndexerError> {
        let chain_id = self.chain_id();
        let finality = self.finality();
        let mut anchors = Vec::new();
        for log in &logs {
            let Some(contract) = self.contracts.get(&log.address) else {
                continue;
            };
            let header = &headers[&log.block_number];
            match decode_city_event(&contract.kind, log) {
                Ok(Some(CityEvent::BatchAnchored {
                    root,
                    batch_id,
                    row_count,
                    uri,
                })) => anchors.push(NewBatchAnchor {
                    chain_id,
                    block_number: log.block_number as i64,
                    block_hash: log.block_hash.to_vec(),
                    block_time: header.timestamp,
                    tx_hash: log.tx_hash.to_vec(),
                    log_index: log.log_index as i32,
                    contract: log.address.to_vec(),
                    finality: finality.as_str().to_string(),
                    batch_id: batch_id as i64,
                    merkle_root: root.to_vec(),
                    row_count: row_count as i32,
                    uri,
                }),
                // TraceRegistry events are decoded here; storing them is the indexer issue's.
                Ok(Some(CityEvent::TraceEventRecorded(_))) | Ok(None) => {}
                Err(reason) => {
                    tracing::warn!(chain_id, block = log.block_number, log_index = log.log_index, %reason, "skipping an undecodable log");
                }
            }
        }
        let blocks: Vec<Block> = headers
            .values()
            .map(|h| Block {
                chain_id,
                number: h.number as i64,
                hash: h.hash.to_vec(),
                parent_hash: h.parent_hash.to_vec(),
                timestamp: h.timestamp,
            })
            .collect();
        let to_hash: Hash32 = headers[&to].hash;
        let window = self.chain.reorg_window as i64;
        let written = with_conn(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let n = BatchAnchor::insert_all(conn, &anchors)?;
                Block::upsert_all(conn, &blocks)?;
                Checkpoint::set(conn, chain_id, STREAM, to as i64, &to_hash)?;
                Block::prune_below(conn, chain_id, to as i64 - window)?;
                Ok::<_, IndexerError>(n)
            })
        })
        .await?;
        tracing::debug!(chain_id, from, to, written, "indexed range");
        Ok(written)
    }

    /// The checkpoint block is no longer canonical: find the newest stored block the node
    /// still agrees with, delete every row above it, and move the checkpoint there.
    async fn rewind(&self, checkpoint_number: u64) -> Result<Step, IndexerError> {
        let chain_id = self.chain_id();
        let window = self.chain.reorg_window;
        let lowest = checkpoint_number.saturating_sub(window);
        let stored: Vec<Block> = with_conn(&self.pool, move |conn| {
            use citytrace_schema::schema::blocks;
            Ok(blocks::table
                .filter(blocks::chain_id.eq(chain_id))
                .filter(blocks::number.between(lowest as i64, checkpoint_number as i64))
                .order(blocks::number.desc())
                .select(Block::as_select())
                .load(conn)?)
        })
        .await?;
        let mut ancestor = None;
        for block in &stored {
            let node = self.source.header(block.number as u64).await?;
            if node.is_some_and(|h| h.hash.as_slice() == block.hash.as_slice()) {
                ancestor = Some(block.clone());
                break;
            }
        }
        let ancestor = match ancestor {
            Some(a) => a,
            None if lowest == 0 => {
                // The whole window is gone and it reaches genesis: start again from the start.
                let start = self.start_block();
                with_conn(&self.pool, move |conn| {
                    conn.transaction(|conn| {
                        delete_chain_rows_above(conn, chain_id, -1)?;
                        diesel::delete(
                            citytrace_schema::schema::checkpoints::table.find((chain_id, STREAM)),
                        )
                        .execute(conn)?;
                        Ok::<_, IndexerError>(())
                    })
                })
                .await?;
                return Ok(Step::Reorg {
                    ancestor: start.saturating_sub(1),
                    depth: checkpoint_number + 1 - start.min(checkpoint_number + 1),
                });
            }
            None => return Err(IndexerError::ReorgTooDeep { chain_id, window }),
        };
        let depth = checkpoint_number - ancestor.number as u64;
        let (number, hash) = (ancestor.number, ancestor.hash.clone());
        with_conn(&self.pool, move |conn| {
            conn.transaction(|conn| {
                delete_chain_rows_above(conn, chain_id, number)?;
                Checkpoint::set(conn, chain_id, STREAM, number, &hash)?;
                Ok::<_, IndexerError>(())
            })
        })
        .await?;
        tracing::warn!(
            chain_id,
            ancestor = number,
            depth,
            "chain reorganised; rewound to the common ancestor"
        );
        Ok(Step::Reorg {
            ancestor: number as u64,
            depth,
        })
    }

    /// Register, then index until caught up with the safe head (`citytrace index --once`).
    pub async fn catch_up(&self) -> Result<u64, IndexerError> {
        self.register().await?;
        loop {
            match self.step().await? {
                Step::CaughtUp { safe_head } => return Ok(safe_head),
                Step::Retry { reason } => {
                    tracing::debug!(%reason, "retrying range");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Step::Indexed { .. } | Step::Reorg { .. } => {}
            }
        }
    }

    /// Follow the chain until `shutdown` turns true. Transient RPC errors are retried with
    /// back-off; anything else stops the follower with the error.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), IndexerError> {
        let poll = Duration::from_millis(self.chain.poll_interval_ms);
        let mut backoff = Duration::from_millis(200);
        self.register().await?;
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let pause = match self.step().await {
                Ok(Step::CaughtUp { .. }) => {
                    backoff = Duration::from_millis(200);
                    poll
                }
                Ok(Step::Indexed { .. } | Step::Reorg { .. }) => Duration::ZERO,
                Ok(Step::Retry { reason }) => {
                    tracing::debug!(chain_id = self.chain.id, %reason, "retrying");
                    Duration::from_millis(100)
                }
                Err(IndexerError::Rpc(e @ (RpcError::Transient(_) | RpcError::RateLimited(_)))) => {
                    tracing::warn!(chain_id = self.chain.id, error = %e, retry_in_ms = backoff.as_millis() as u64, "RPC trouble; retrying");
                    let pause = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    pause
                }
                Err(e) => return Err(e),
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

enum Fetched {
    Consistent {
        headers: BTreeMap<u64, BlockHeader>,
        logs: Vec<RawLog>,
    },
    Inconsistent(String),
}

/// Delete every indexed row of `chain_id` above block `number`, and the stored blocks.
pub fn delete_chain_rows_above(
    conn: &mut PgConnection,
    chain_id: i64,
    number: i64,
) -> QueryResult<()> {
    diesel::delete(
        batch_anchors::table
            .filter(batch_anchors::chain_id.eq(chain_id))
            .filter(batch_anchors::block_number.gt(number)),
    )
    .execute(conn)?;
    diesel::delete(
        supply_events::table
            .filter(supply_events::chain_id.eq(chain_id))
            .filter(supply_events::block_number.gt(number)),
    )
    .execute(conn)?;
    Block::delete_above(conn, chain_id, number)?;
    Ok(())
}
