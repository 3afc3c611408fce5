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

mod fetch;
pub mod write;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures::StreamExt;
use tokio::sync::{mpsc, watch};

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
            let chain_id = self.chain_id();
            let (to, last_hash) = (range.to, range.last_hash.clone());
            let started = Instant::now();
            let (written, undecodable) = with_conn(&self.pool, move |conn| {
                Ok((
                    write::write_rows(conn, chain_id, &range)?,
                    range.undecodable,
                ))
            })
            .await?;
            tracing::debug!(
                chain_id,
                to,
                events = written,
                undecodable,
                write_ms = started.elapsed().as_millis() as u64,
                "range written"
            );
            previous = Some(last_hash);
            written_to = Some(to);
            events_total += written;
            self.metrics.indexed.store(to, Ordering::Relaxed);
            self.metrics
                .events_written
                .fetch_add(written as u64, Ordering::Relaxed);
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

    /// Register, then index until caught up with the head (`citytrace index --once`).
    pub async fn catch_up(&self) -> Result<u64, IndexerError> {
        self.register().await?;
        loop {
            match self.step().await? {
                Step::CaughtUp { head } => return Ok(head),
                Step::Retry { reason } => {
                    tracing::debug!(%reason, "retrying");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Step::Indexed { .. } | Step::Reorg { .. } => {}
            }
        }
    }

    /// Follow the chain until `shutdown` turns true. RPC trouble is retried with back-off;
    /// anything else stops the follower with the error. The stall watchdog is consulted every
    /// poll interval, also while a step is stuck retrying a silent node.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), IndexerError> {
        let poll = Duration::from_millis(self.chain.poll_interval_ms);
        let mut watchdog = Watchdog::new(&self.chain);
        let mut backoff = Duration::from_millis(200);
        let mut last_report = Instant::now();
        let mut registered = false;
        let mut ticker = tokio::time::interval(poll);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let register_first = !registered;
            let this = &self;
            let work = async move {
                if !register_first {
                    this.step().await.map(Some)
                } else {
                    this.register().await.map(|()| None)
                }
            };
            tokio::pin!(work);
            let outcome = loop {
                tokio::select! {
                    outcome = &mut work => break Some(outcome),
                    _ = ticker.tick() => self.report_stall(&mut watchdog).await,
                    _ = shutdown.changed() => break None,
                }
            };
            let Some(outcome) = outcome else {
                return Ok(());
            };
            let pause = match outcome {
                Ok(None) => {
                    registered = true;
                    watchdog.answered();
                    Duration::ZERO
                }
                Ok(Some(Step::CaughtUp { .. })) => {
                    backoff = Duration::from_millis(200);
                    watchdog.answered();
                    watchdog.progressed();
                    poll
                }
                Ok(Some(Step::Indexed { .. } | Step::Reorg { .. })) => {
                    watchdog.answered();
                    watchdog.progressed();
                    Duration::ZERO
                }
                Ok(Some(Step::Retry { reason })) => {
                    watchdog.answered();
                    tracing::debug!(chain_id = self.chain.id, %reason, "retrying");
                    Duration::from_millis(100)
                }
                Err(IndexerError::Rpc(e @ (RpcError::Transient(_) | RpcError::RateLimited(_)))) => {
                    tracing::warn!(chain_id = self.chain.id, error = %e, retry_in_ms = backoff.as_millis() as u64, "RPC trouble; retrying");
                    watchdog.failed(&e.to_string());
                    let pause = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    pause
                }
                Err(e) => return Err(e),
            };
            watchdog.head(self.metrics.head.load(Ordering::Relaxed));
            self.report_stall(&mut watchdog).await;
            if last_report.elapsed() >= Duration::from_secs(10) && self.metrics.lag() > 0 {
                last_report = Instant::now();
                tracing::info!(
                    chain_id = self.chain.id,
                    indexed = self.metrics.indexed.load(Ordering::Relaxed),
                    head = self.metrics.head.load(Ordering::Relaxed),
                    events = self.metrics.events_written.load(Ordering::Relaxed),
                    "indexing"
                );
            }
            let sleep = tokio::time::sleep(pause);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    _ = &mut sleep => break,
                    _ = ticker.tick() => self.report_stall(&mut watchdog).await,
                    _ = shutdown.changed() => break,
                }
            }
        }
    }

    /// Tell the log, the metrics and the database when the watchdog's verdict changes.
    async fn report_stall(&self, watchdog: &mut Watchdog) {
        let Some(change) = watchdog.verdict(self.metrics.lag()) else {
            return;
        };
        self.metrics
            .stalled
            .store(change.is_some(), Ordering::Relaxed);
        match &change {
            Some(reason) => tracing::error!(chain_id = self.chain.id, %reason, "indexer stalled"),
            None => tracing::info!(chain_id = self.chain.id, "indexer making progress again"),
        }
        let chain_id = self.chain_id();
        let _ = with_conn(&self.pool, move |conn| {
            Ok(Chain::record_stall(conn, chain_id, change.as_deref())?)
        })
        .await;
    }
}

/// Decides when a chain counts as stalled, for `stall_after_polls` poll intervals: the node
/// has not answered (RPC failing or hanging), or no progress while behind, or (when configured)
/// a head that stopped moving.
struct Watchdog {
    after: Duration,
    max_head_age: Option<Duration>,
    last_answer: Instant,
    last_progress: Instant,
    last_error: Option<String>,
    last_head: (u64, Instant),
    stalled: Option<String>,
}

impl Watchdog {
    fn new(chain: &ChainConfig) -> Self {
        let now = Instant::now();
        Self {
            after: Duration::from_millis(chain.poll_interval_ms) * chain.stall_after_polls,
            max_head_age: chain.max_head_age_secs.map(Duration::from_secs),
            last_answer: now,
            last_progress: now,
            last_error: None,
            last_head: (0, now),
            stalled: None,
        }
    }

    fn answered(&mut self) {
        self.last_answer = Instant::now();
        self.last_error = None;
    }

    fn progressed(&mut self) {
        self.last_progress = Instant::now();
    }

    fn failed(&mut self, error: &str) {
        self.last_error = Some(error.to_string());
    }

    fn head(&mut self, head: u64) {
        if head != self.last_head.0 {
            self.last_head = (head, Instant::now());
        }
    }

    /// Some(new verdict) when it changed: Some(reason) stalled, None healthy.
    fn verdict(&mut self, lag: u64) -> Option<Option<String>> {
        let now = Instant::now();
        let reason = if now - self.last_answer >= self.after {
            let last = self
                .last_error
                .as_deref()
                .map(|e| format!("; last error: {e}"))
                .unwrap_or_default();
            Some(format!(
                "no answer from the node for {}s{last}",
                (now - self.last_answer).as_secs()
            ))
        } else if lag > 0 && now - self.last_progress >= self.after {
            Some(format!(
                "no progress for {}s while {lag} blocks behind",
                (now - self.last_progress).as_secs()
            ))
        } else if let Some(age) = self.max_head_age.filter(|a| now - self.last_head.1 >= *a) {
            Some(format!(
                "the node's head has not moved for {}s (at most {}s expected)",
                (now - self.last_head.1).as_secs(),
                age.as_secs()
            ))
        } else {
            None
        };
        if reason.is_some() == self.stalled.is_some() {
            return None;
        }
        self.stalled = reason.clone();
        Some(reason)
    }
}
