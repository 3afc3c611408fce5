//! Running a follower: catching up once (`index --once`), or following until shutdown with
//! the stall watchdog consulted every poll interval, RPC trouble retried with back-off and a
//! database restart waited out.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use citytrace_schema::models::{Chain, Checkpoint};

use super::watchdog::Watchdog;
use super::{ChainFollower, Step, STREAM};
use crate::db::with_conn;
use crate::error::{IndexerError, RpcError};
use crate::outage::Outage;

impl ChainFollower {
    /// Register, then index until caught up with the head (`citytrace index --once`). A
    /// database restart is waited out (docs/indexing.md, "Database restarts").
    pub async fn catch_up(&self) -> Result<u64, IndexerError> {
        let mut outage = Outage::new(format!("chain {}", self.chain.id));
        while let Err(e) = self.register().await {
            if !e.is_database_unavailable() {
                return Err(e);
            }
            tokio::time::sleep(outage.unavailable(&e)).await;
        }
        loop {
            let step = match self.resume_after(&mut outage).await {
                Ok(()) => self.step().await,
                Err(e) => Err(e),
            };
            match step {
                Ok(Step::CaughtUp { head }) => return Ok(head),
                Ok(Step::Retry { reason }) => {
                    tracing::debug!(%reason, "retrying");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok(Step::Indexed { .. } | Step::Reorg { .. }) => {}
                Err(e) if e.is_database_unavailable() => {
                    tokio::time::sleep(outage.unavailable(&e)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// After an outage, once the database answers: say so, with the block indexing resumes at
    /// (the one after the checkpoint). Err while it is still unavailable.
    async fn resume_after(&self, outage: &mut Outage) -> Result<(), IndexerError> {
        if !outage.is_down() {
            return Ok(());
        }
        let chain_id = self.chain_id();
        let checkpoint = with_conn(&self.pool, move |conn| {
            Ok(Checkpoint::get(conn, chain_id, STREAM)?)
        })
        .await?;
        let next = checkpoint.map_or(self.start_block(), |c| c.block_number as u64 + 1);
        outage.back(&format!("at block {next}"));
        Ok(())
    }

    /// Follow the chain until `shutdown` turns true. RPC trouble and an unreachable database
    /// (a restart) are retried with back-off; anything else stops the follower with the error.
    /// The stall watchdog is consulted every poll interval, also while a step is stuck
    /// retrying a silent node.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), IndexerError> {
        let poll = Duration::from_millis(self.chain.poll_interval_ms);
        let mut watchdog = Watchdog::new(&self.chain);
        let mut backoff = Duration::from_millis(200);
        let mut last_report = Instant::now();
        let mut registered = false;
        let mut outage = Outage::new(format!("chain {}", self.chain.id));
        let mut ticker = tokio::time::interval(poll);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let register_first = !registered;
            let outcome = {
                let (this, outage) = (&self, &mut outage);
                let work = async move {
                    if !register_first {
                        this.resume_after(outage).await?;
                        this.step().await.map(Some)
                    } else {
                        this.register().await.map(|()| None)
                    }
                };
                tokio::pin!(work);
                loop {
                    tokio::select! {
                        outcome = &mut work => break Some(outcome),
                        _ = ticker.tick() => self.report_stall(&mut watchdog).await,
                        _ = shutdown.changed() => break None,
                    }
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
                Err(e) if e.is_database_unavailable() => outage.unavailable(&e),
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
