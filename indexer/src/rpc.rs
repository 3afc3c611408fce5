//! Several RPC endpoints as one [`ChainSource`]: retries with exponential back-off and jitter,
//! failover to the next URL, and errors counted by class.
//!
//! - transient (timeouts, refused connections, 5xx, cut bodies): retried a few times on the
//!   same URL, then the next URL is tried; after every URL failed a few rounds, the error goes
//!   up and the follower backs off and tries again later;
//! - rate limited (429, "rate limit"): backed off with jitter, then the next URL;
//! - too large: returned at once — the caller shrinks the range, never repeats the query;
//! - fatal: returned at once.
//!
//! The URL that last worked is used first; a URL that failed is tried again only when the
//! others fail too.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;

use crate::config::FinalityTag;
use crate::error::RpcError;
use crate::metrics::ChainMetrics;
use crate::source::{BlockHeader, ChainSource, LogFilter, RawLog};

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts_per_url: u32,
    pub rounds: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts_per_url: 3,
            rounds: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
        }
    }
}

pub struct FailoverSource {
    sources: Vec<Arc<dyn ChainSource>>,
    current: AtomicUsize,
    metrics: Arc<ChainMetrics>,
    policy: RetryPolicy,
}

/// `delay` × a random factor in [0.5, 1.5), so many clients do not retry in step.
fn jittered(delay: Duration) -> Duration {
    delay.mul_f64(rand::rng().random_range(0.5..1.5))
}

impl FailoverSource {
    pub fn new(
        sources: Vec<Arc<dyn ChainSource>>,
        metrics: Arc<ChainMetrics>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            sources,
            current: AtomicUsize::new(0),
            metrics,
            policy,
        }
    }

    /// The index of the URL in use.
    pub fn current(&self) -> usize {
        self.current.load(Ordering::Relaxed)
    }

    async fn call<T, F, Fut>(&self, op: F) -> Result<T, RpcError>
    where
        F: Fn(Arc<dyn ChainSource>) -> Fut,
        Fut: Future<Output = Result<T, RpcError>>,
    {
        let n = self.sources.len();
        let mut delay = self.policy.base_delay;
        let mut last = RpcError::Transient("no RPC URL configured".into());
        for _round in 0..self.policy.rounds {
            let start = self.current();
            for k in 0..n {
                let index = (start + k) % n;
                let source = self.sources[index].clone();
                for _attempt in 0..self.policy.attempts_per_url {
                    match op(source.clone()).await {
                        Ok(value) => {
                            if self.current.swap(index, Ordering::Relaxed) != index {
                                tracing::warn!(url = %source.describe(), "switched RPC endpoint");
                            }
                            return Ok(value);
                        }
                        Err(error) => {
                            self.metrics.rpc_error(&error);
                            match &error {
                                RpcError::TooLarge { .. } | RpcError::Fatal(_) => {
                                    return Err(error)
                                }
                                RpcError::Transient(message) => {
                                    tracing::debug!(url = %source.describe(), %message, "transient RPC error");
                                    tokio::time::sleep(jittered(delay)).await;
                                    delay = (delay * 2).min(self.policy.max_delay);
                                    last = error;
                                }
                                RpcError::RateLimited(message) => {
                                    tracing::info!(url = %source.describe(), %message, "rate limited; backing off");
                                    tokio::time::sleep(jittered(
                                        delay.max(Duration::from_millis(500)),
                                    ))
                                    .await;
                                    delay = (delay * 2).min(self.policy.max_delay);
                                    last = error;
                                    break; // try the next URL
                                }
                            }
                        }
                    }
                }
            }
        }
        Err(last)
    }
}

#[async_trait]
impl ChainSource for FailoverSource {
    fn describe(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.describe())
            .collect::<Vec<_>>()
            .join(", ")
    }

    async fn chain_id(&self) -> Result<u64, RpcError> {
        self.call(|s| async move { s.chain_id().await }).await
    }

    async fn head(&self) -> Result<u64, RpcError> {
        self.call(|s| async move { s.head().await }).await
    }

    async fn header(&self, number: u64) -> Result<Option<BlockHeader>, RpcError> {
        self.call(|s| async move { s.header(number).await }).await
    }

    async fn headers(&self, numbers: &[u64]) -> Result<Vec<Option<BlockHeader>>, RpcError> {
        self.call(|s| async move { s.headers(numbers).await }).await
    }

    async fn tagged_block(&self, tag: FinalityTag) -> Result<Option<u64>, RpcError> {
        self.call(|s| async move { s.tagged_block(tag).await })
            .await
    }

    async fn logs(&self, filter: &LogFilter) -> Result<Vec<RawLog>, RpcError> {
        self.call(|s| {
            let filter = filter.clone();
            async move { s.logs(&filter).await }
        })
        .await
    }
}
