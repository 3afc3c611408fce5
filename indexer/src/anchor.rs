//! Anchoring: every imported batch's Merkle root goes to the BatchAnchor contract.
//!
//! The queue is implicit: a batch is waiting while no indexed `BatchAnchored` row carries its
//! id and root. For each waiting batch the anchorer asks the contract first (`rootOf`), so a
//! batch already anchored — by an earlier run, or a transaction the indexer has not seen yet —
//! is never sent again; the contract also refuses a second anchor of the same batch id. A sent
//! transaction is given `resubmit_after` to be indexed; after that, if the node no longer
//! knows it (dropped, node restarted), it is sent again with a fresh nonce.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use citytrace_schema::models::{AnchorSubmission, ImportBatch};
use citytrace_schema::PgPool;

use crate::db::with_conn;
use crate::error::{IndexerError, RpcError};
use crate::metrics::Metrics;
use crate::outage::Outage;
use crate::source::{AnchorSender, Hash32, TxState};

/// What one pass did, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnchorPass {
    pub sent: Vec<i64>,
    pub waiting: usize,
}

pub struct Anchorer {
    pool: PgPool,
    metrics: Arc<Metrics>,
    sender: Arc<dyn AnchorSender>,
    chain_id: i64,
    uri_base: String,
    resubmit_after: Duration,
    interval: Duration,
}

impl Anchorer {
    pub fn new(
        pool: PgPool,
        metrics: Arc<Metrics>,
        sender: Arc<dyn AnchorSender>,
        chain_id: u64,
        uri_base: String,
        resubmit_after: Duration,
        interval: Duration,
    ) -> Self {
        Self {
            pool,
            metrics,
            sender,
            chain_id: chain_id as i64,
            uri_base,
            resubmit_after,
            interval,
        }
    }

    /// Look at every waiting batch once; send those that need sending.
    pub async fn pass(&self) -> Result<AnchorPass, IndexerError> {
        let waiting = with_conn(&self.pool, |c| Ok(ImportBatch::awaiting_anchor(c, 500)?)).await?;
        let mut pass = AnchorPass {
            sent: Vec::new(),
            waiting: waiting.len(),
        };
        self.metrics
            .anchor_queue
            .store(waiting.len() as i64, std::sync::atomic::Ordering::Relaxed);
        for batch in waiting {
            let id = batch.id;
            let root: Hash32 = batch.merkle_root.as_slice().try_into().unwrap_or_default();
            let submission =
                with_conn(&self.pool, move |c| Ok(AnchorSubmission::find(c, id)?)).await?;
            if let Some(s) = &submission {
                let age = Utc::now()
                    .signed_duration_since(s.submitted_at)
                    .to_std()
                    .unwrap_or_default();
                if age < self.resubmit_after {
                    continue;
                }
            }
            match self.sender.anchored_root(id as u64).await? {
                Some(onchain) if onchain == root => continue, // anchored; the follower will index it
                Some(other) => {
                    let message = format!(
                        "batch id {id} is already anchored on chain {} with another root {}; the database and the ledger disagree",
                        self.chain_id,
                        citytrace_schema::hex0x(&other)
                    );
                    tracing::error!("{message}");
                    with_conn(&self.pool, move |c| {
                        Ok(AnchorSubmission::record_error(c, id, &message)?)
                    })
                    .await?;
                    continue;
                }
                None => {}
            }
            if let Some(s) = &submission {
                let hash: Hash32 = s.tx_hash.as_slice().try_into().unwrap_or_default();
                match self.sender.tx_state(hash).await? {
                    TxState::Pending => continue,
                    TxState::Mined {
                        success: false,
                        block,
                    } => {
                        tracing::warn!(
                            batch = id,
                            block,
                            "anchor transaction reverted; sending again"
                        );
                    }
                    TxState::Mined { success: true, .. } | TxState::Unknown => {}
                }
            }
            let uri = format!("{}{id}", self.uri_base);
            match self
                .sender
                .send_anchor(id as u64, root, batch.row_count as u32, &uri)
                .await
            {
                Ok(sent) => {
                    let chain_id = self.chain_id;
                    with_conn(&self.pool, move |c| {
                        Ok(AnchorSubmission::record(
                            c,
                            id,
                            chain_id,
                            &sent.hash,
                            sent.nonce as i64,
                        )?)
                    })
                    .await?;
                    tracing::info!(batch = id, tx = %citytrace_schema::hex0x(&sent.hash), "anchor sent");
                    pass.sent.push(id);
                    self.metrics
                        .anchors_sent
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Err(RpcError::Fatal(message)) => {
                    tracing::error!(batch = id, %message, "anchor transaction refused");
                    let text = message.clone();
                    with_conn(&self.pool, move |c| {
                        Ok(AnchorSubmission::record_error(c, id, &text)?)
                    })
                    .await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(pass)
    }

    /// Anchor until `shutdown` turns true; RPC trouble is logged and retried, an unreachable
    /// database (a restart) waited out with back-off.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), IndexerError> {
        let mut outage = Outage::new("anchoring");
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let mut pause = self.interval;
            match self.pass().await {
                Ok(pass) => {
                    outage.back(&format!("with {} batches waiting", pass.waiting));
                    if !pass.sent.is_empty() {
                        tracing::debug!(?pass, "anchor pass");
                    }
                }
                Err(IndexerError::Rpc(e)) => {
                    tracing::warn!(error = %e, "anchoring: RPC trouble; retrying")
                }
                Err(e) if e.is_database_unavailable() => pause = outage.unavailable(&e),
                Err(e) => return Err(e),
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
