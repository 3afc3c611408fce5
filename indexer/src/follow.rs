//! Following one chain into the database.
//!
//! Progress is a checkpoint `(block number, block hash)` per chain, written in the same
//! transaction as the rows it covers, so a crash anywhere loses nothing and replays nothing
//! twice. Each step:
//!
//! 1. read the head and the safe/finalized blocks; move stored rows' finality forward;
//! 2. check that the checkpoint block is still canonical; if not, find the common ancestor in
//!    the stored block window, delete the rows above it, rewind, and record the reorg;
//! 3. plan ranges from the checkpoint to the head; fetch them with bounded concurrency
//!    ([`fetch`]) into a bounded channel; the writer takes them in order, checks each extends
//!    the last one written, and writes rows, blocks and checkpoint in one transaction
//!    ([`write`]). A slow database fills the channel and pauses the fetchers.

pub(crate) mod fetch;
mod run;
mod watchdog;
pub mod write;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use diesel::prelude::*;
use futures::StreamExt;
use tokio::sync::mpsc;

use citytrace_schema::models::{Block, Chain, ChainKind, Checkpoint, ContractRow, NewReorg, Reorg};
use citytrace_schema::schema::{blocks, chains, checkpoints};
use citytrace_schema::PgPool;

use crate::config::{ChainConfig, ChainKindConfig, ContractConfig, FinalityConfig, FinalityTag};
use crate::db::with_conn;
use crate::decoders::ContractDecoder;
use crate::error::{IndexerError, RpcError};
use crate::evm::EvmSource;
use crate::metrics::{ChainMetrics, Metrics};
use crate::rpc::{FailoverSource, RetryPolicy};
use crate::source::{Address, ChainSource, Hash32};
use fetch::{Fetched, Fetcher};
use write::FinalityPoints;

/// The checkpoint stream of the contract-log follower.
pub const STREAM: &str = "logs";

/// Ranges are sized to hold about this many logs, so memory is bounded by (fetch_concurrency +
/// write_queue) × this many decoded logs however dense the chain is.
const TARGET_LOGS_PER_RANGE: u64 = 4_000;

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing new up to the head.
    CaughtUp { head: u64 },
    /// Rows of `from..=to` are written.
    Indexed { from: u64, to: u64, events: usize },
    /// The chain changed under us; rewound to `ancestor`, dropping `depth` blocks.
    Reorg { ancestor: u64, depth: u64 },
    /// What was fetched did not hold together (the chain moved mid-fetch); nothing written
    /// from that point; the next step looks again.
    Retry { reason: String },
}

pub struct ChainFollower {
    chain: ChainConfig,
    decoders: Arc<HashMap<Address, ContractDecoder>>,
    contracts: Vec<ContractRow>,
    source: Arc<dyn ChainSource>,
    pool: PgPool,
    range: Arc<AtomicU64>,
    ceiling: Arc<AtomicU64>,
    streak: Arc<AtomicU64>,
    metrics: Arc<ChainMetrics>,
}

impl ChainFollower {
    /// A follower reading `chain` through its configured RPC URLs, with failover.
    pub fn from_config(
        chain: &ChainConfig,
        contracts: &[ContractConfig],
        pool: PgPool,
        metrics: &Metrics,
    ) -> Result<Self, IndexerError> {
        let chain_metrics = metrics.chain(chain.id, &chain.name);
        let sources = chain
            .rpc
            .iter()
            .map(|url| Ok(Arc::new(EvmSource::new(url)?) as Arc<dyn ChainSource>))
            .collect::<Result<Vec<_>, RpcError>>()?;
        let source = Arc::new(FailoverSource::new(
            sources,
            chain_metrics.clone(),
            RetryPolicy::default(),
        ));
        Self::new(chain.clone(), contracts, source, pool, chain_metrics)
    }

    pub fn new(
        chain: ChainConfig,
        contracts: &[ContractConfig],
        source: Arc<dyn ChainSource>,
        pool: PgPool,
        metrics: Arc<ChainMetrics>,
    ) -> Result<Self, IndexerError> {
        let mut decoders = HashMap::new();
        let mut rows = Vec::new();
        for c in contracts.iter().filter(|c| c.chain == chain.id) {
            let decoder = ContractDecoder::load(c)?;
            rows.push(ContractRow {
                chain_id: chain.id as i64,
                address: decoder.address.to_vec(),
                kind: c.kind.clone(),
                name: c.name.clone().unwrap_or_else(|| c.kind.clone()),
                start_block: c.start_block as i64,
            });
            decoders.insert(decoder.address, decoder);
        }
        metrics
            .block_range
            .store(chain.initial_block_range, Ordering::Relaxed);
        let range = Arc::new(AtomicU64::new(chain.initial_block_range));
        let chain_max = chain.max_block_range;
        Ok(Self {
            chain,
            decoders: Arc::new(decoders),
            contracts: rows,
            source,
            pool,
            range,
            ceiling: Arc::new(AtomicU64::new(chain_max)),
            streak: Arc::new(AtomicU64::new(0)),
            metrics,
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
                url: self.source.describe(),
                expected: self.chain.id,
                actual,
            });
        }
        let (id, name, contracts) = (
            self.chain_id(),
            self.chain.name.clone(),
            self.contracts.clone(),
        );
        let kind = match self.chain.kind {
            ChainKindConfig::Ledger => ChainKind::Ledger,
            ChainKindConfig::Public => ChainKind::Public,
        };
        with_conn(&self.pool, move |conn| {
            conn.transaction(|conn| {
                Chain::upsert(conn, id, &name, kind)?;
                contracts
                    .iter()
                    .try_for_each(|c| ContractRow::upsert(conn, c))
            })
            .map_err(IndexerError::from)
        })
        .await
    }

    fn start_block(&self) -> u64 {
        self.chain.start_block.unwrap_or_else(|| {
            self.contracts
                .iter()
                .map(|c| c.start_block as u64)
                .min()
                .unwrap_or(0)
        })
    }

    /// The safe and finalized blocks for `head`, by the configured finality.
    async fn finality_points(&self, head: u64) -> Result<FinalityPoints, IndexerError> {
        Ok(match self.chain.finality() {
            FinalityConfig::Confirmations { confirmations } => {
                let block = head.saturating_sub(confirmations);
                FinalityPoints {
                    safe: block,
                    finalized: block,
                }
            }
            FinalityConfig::Tag { tag } => {
                let finalized = self.source.tagged_block(tag).await?.unwrap_or(0).min(head);
                // With `finalized` as the final state, rows between it and the node's `safe`
                // block are reported safe (where the node knows a safe block).
                let safe = match tag {
                    FinalityTag::Finalized => self
                        .source
                        .tagged_block(FinalityTag::Safe)
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or(finalized),
                    FinalityTag::Safe => finalized,
                };
                FinalityPoints {
                    safe: safe.clamp(finalized, head),
                    finalized,
                }
            }
        })
    }

    /// One step of following (see the module docs).
    pub async fn step(&self) -> Result<Step, IndexerError> {
        let head = self.source.head().await?;
        let points = self.finality_points(head).await?;
        let chain_id = self.chain_id();
        let (start, window) = (self.start_block() as i64, self.chain.reorg_window as i64);
        let checkpoint = with_conn(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let before: (Option<i64>, Option<i64>) = chains::table
                    .find(chain_id)
                    .select((chains::safe_number, chains::finalized_number))
                    .first(conn)?;
                write::advance_finality(
                    conn,
                    chain_id,
                    (before.0.unwrap_or(-1), before.1.unwrap_or(-1)),
                    points,
                )?;
                Chain::record_head(
                    conn,
                    chain_id,
                    head as i64,
                    points.safe as i64,
                    points.finalized as i64,
                )?;
                let checkpoint = Checkpoint::get(conn, chain_id, STREAM)?;
                // Rows above the checkpoint exist only if a checkpoint was lost or moved by
                // hand; clear them once here, so ranges can be written with plain COPY.
                let written_to = checkpoint.as_ref().map_or(start - 1, |c| c.block_number);
                write::delete_rows(conn, chain_id, written_to, None)?;
                Block::prune_below(conn, chain_id, written_to - window)?;
                Ok::<_, diesel::result::Error>(checkpoint)
            })
            .map_err(IndexerError::from)
        })
        .await?;
        self.metrics.head.store(head, Ordering::Relaxed);
        self.metrics
            .finalized
            .store(points.finalized, Ordering::Relaxed);
        let (from, previous_hash) = match &checkpoint {
            Some(cp) => {
                let node = self.source.header(cp.block_number as u64).await?;
                if node.as_ref().map(|h| h.hash.as_slice()) != Some(cp.block_hash.as_slice()) {
                    return self.rewind(cp, node.map(|h| h.hash)).await;
                }
                self.metrics
                    .indexed
                    .store(cp.block_number as u64, Ordering::Relaxed);
                (cp.block_number as u64 + 1, Some(cp.block_hash.clone()))
            }
            None => (self.start_block(), None),
        };
        if from > head {
            return Ok(Step::CaughtUp { head });
        }
        self.pipeline(from, head, previous_hash, points).await
    }

    /// Fetch `from..=target` with bounded concurrency into a bounded channel; write in order.
    async fn pipeline(
        &self,
        from: u64,
        target: u64,
        mut previous: Option<Vec<u8>>,
        points: FinalityPoints,
    ) -> Result<Step, IndexerError> {
        let fetcher = Fetcher {
            source: self.source.clone(),
            addresses: self.decoders.keys().copied().collect(),
            range: self.range.clone(),
            ceiling: self.ceiling.clone(),
            streak: self.streak.clone(),
            max_range: self.chain.max_block_range,
            target_logs: TARGET_LOGS_PER_RANGE,
            metrics: self.metrics.clone(),
            chain_id: self.chain_id(),
            decoders: self.decoders.clone(),
            points,
        };
        let (sender, mut receiver) = mpsc::channel(self.chain.write_queue);
        let concurrency = self.chain.fetch_concurrency;
        let range = self.range.clone();
        let producer = tokio::spawn(async move {
            let planned = futures::stream::unfold(from, move |next| {
                let size = range.load(Ordering::Relaxed).max(1);
                let to = target.min(next.saturating_add(size - 1));
                futures::future::ready((next <= target).then_some(((next, to), to + 1)))
            });
            let fetches = planned.map(|(a, b)| {
                let f = fetcher.clone();
                async move { f.fetch(a, b).await }
            });
            let mut results = Box::pin(fetches.buffered(concurrency));
            while let Some(result) = results.next().await {
                let stop = !matches!(result, Ok(Fetched::Consistent(_)));
                if sender.send(result).await.is_err() || stop {
                    break;
                }
            }
        });
        let mut outcome = Ok(Step::CaughtUp { head: target });
        let mut written_to = None;
        let mut events_total = 0;
        while let Some(result) = receiver.recv().await {
            let range = match result {
                Ok(Fetched::Consistent(range)) => range,
                Ok(Fetched::Inconsistent(reason)) => {
                    outcome = Ok(Step::Retry { reason });
                    break;
                }
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            };
            if let Some(hash) = &previous {
                if range.first_parent_hash != *hash {
                    outcome = Ok(Step::Retry {
                        reason: format!(
                            "block {} does not extend the last block written",
                            range.from
                        ),
                    });
                    break;
                }
            }
            let (chain_id, decoders) = (self.chain_id(), self.decoders.clone());
            let (to, last_hash) = (range.to, range.last_hash.clone());
            let started = Instant::now();
            let written = match with_conn(&self.pool, move |conn| {
                Ok(write::write_rows(conn, chain_id, &range, &decoders)?)
            })
            .await
            {
                Ok(written) => written,
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            };
            tracing::debug!(
                chain_id,
                to,
                events = written.events,
                quarantined = written.quarantined.iter().sum::<usize>(),
                write_ms = started.elapsed().as_millis() as u64,
                "range written"
            );
            previous = Some(last_hash);
            written_to = Some(to);
            events_total += written.events;
            self.metrics.indexed.store(to, Ordering::Relaxed);
            self.metrics
                .events_written
                .fetch_add(written.events as u64, Ordering::Relaxed);
            for (counter, n) in self.metrics.quarantined.iter().zip(written.quarantined) {
                counter.fetch_add(n as u64, Ordering::Relaxed);
            }
        }
        drop(receiver);
        producer.abort();
        match (written_to, outcome) {
            (Some(to), Ok(_)) => Ok(Step::Indexed {
                from,
                to,
                events: events_total,
            }),
            (_, outcome) => outcome,
        }
    }

    /// The checkpoint block is no longer canonical: find the newest stored block the node
    /// still agrees with, delete every row above it, move the checkpoint there, and record it.
    async fn rewind(
        &self,
        checkpoint: &Checkpoint,
        new_hash: Option<Hash32>,
    ) -> Result<Step, IndexerError> {
        let chain_id = self.chain_id();
        let old_number = checkpoint.block_number;
        let lowest = old_number.saturating_sub(self.chain.reorg_window as i64);
        let stored: Vec<Block> = with_conn(&self.pool, move |conn| {
            Ok(blocks::table
                .filter(blocks::chain_id.eq(chain_id))
                .filter(blocks::number.between(lowest, old_number))
                .order(blocks::number.desc())
                .select(Block::as_select())
                .load(conn)?)
        })
        .await?;
        let mut ancestor: Option<(i64, Option<Vec<u8>>)> = None;
        for block in &stored {
            let node = self.source.header(block.number as u64).await?;
            if node.is_some_and(|h| h.hash.as_slice() == block.hash.as_slice()) {
                ancestor = Some((block.number, Some(block.hash.clone())));
                break;
            }
        }
        let start = self.start_block() as i64;
        let (ancestor_number, ancestor_hash) = match ancestor {
            Some(found) => found,
            // No stored block survived, but the window reaches back to where indexing starts:
            // start again from there.
            None if lowest <= start => (start - 1, None),
            None => {
                return Err(IndexerError::ReorgTooDeep {
                    chain_id,
                    window: self.chain.reorg_window,
                })
            }
        };
        let depth = old_number - ancestor_number;
        let record = NewReorg {
            chain_id,
            depth,
            ancestor_number,
            ancestor_hash: ancestor_hash.clone(),
            old_number,
            old_hash: checkpoint.block_hash.clone(),
            new_hash: new_hash.map(|h| h.to_vec()),
        };
        with_conn(&self.pool, move |conn| {
            conn.transaction(|conn| {
                write::delete_rows(conn, chain_id, ancestor_number, None)?;
                match &ancestor_hash {
                    Some(hash) => Checkpoint::set(conn, chain_id, STREAM, ancestor_number, hash)?,
                    None => {
                        diesel::delete(checkpoints::table.find((chain_id, STREAM)))
                            .execute(conn)?;
                    }
                }
                Reorg::record(conn, &record)
            })
            .map_err(IndexerError::from)
        })
        .await?;
        self.metrics.reorgs.fetch_add(1, Ordering::Relaxed);
        self.metrics
            .indexed
            .store(ancestor_number.max(0) as u64, Ordering::Relaxed);
        tracing::warn!(
            chain_id,
            ancestor = ancestor_number,
            depth,
            "chain reorganised; rows above the common ancestor were removed and will be re-indexed"
        );
        Ok(Step::Reorg {
            ancestor: ancestor_number.max(0) as u64,
            depth: depth as u64,
        })
    }
}
