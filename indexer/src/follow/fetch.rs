//! Fetching one block range: its logs (shrinking the query when the node says it is too large),
//! the headers of the blocks they sit in, and checks that everything fetched holds together.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::{stream, StreamExt, TryStreamExt};

use super::write::{decode_range, FinalityPoints, RangeRows};
use crate::decoders::ContractDecoder;
use crate::error::{IndexerError, RpcError};
use crate::metrics::ChainMetrics;
use crate::source::{Address, BlockHeader, ChainSource, LogFilter, RawLog};

/// Header requests in flight at once within a range.
const HEADER_CONCURRENCY: usize = 8;
/// Headers asked for in one JSON-RPC batch (public nodes commonly accept 100 to 1,000).
const HEADER_BATCH: usize = 100;

/// A range whose logs and headers agree with each other.
#[derive(Debug, Clone)]
pub struct FetchedRange {
    pub from: u64,
    pub to: u64,
    /// Headers of `from`, `to` and every block with a log.
    pub headers: BTreeMap<u64, BlockHeader>,
    pub logs: Vec<RawLog>,
}

impl FetchedRange {
    pub fn first(&self) -> &BlockHeader {
        &self.headers[&self.from]
    }

    pub fn last(&self) -> &BlockHeader {
        &self.headers[&self.to]
    }
}

pub enum Fetched {
    /// Checked and decoded, ready to write.
    Consistent(Box<RangeRows>),
    /// The chain moved while fetching; nothing from this range can be trusted.
    Inconsistent(String),
}

/// Fetches ranges for one chain; clones share the adaptive range size.
#[derive(Clone)]
pub struct Fetcher {
    pub source: Arc<dyn ChainSource>,
    pub addresses: Vec<Address>,
    pub range: Arc<AtomicU64>,
    /// The largest range known to work since the node last said "too large"; probed upwards
    /// again only after a streak of successes, so a too-large query stays rare.
    pub ceiling: Arc<AtomicU64>,
    pub streak: Arc<AtomicU64>,
    pub max_range: u64,
    /// Ranges are sized to hold about this many logs (memory is bounded by logs, not blocks).
    pub target_logs: u64,
    pub metrics: Arc<ChainMetrics>,
    pub chain_id: i64,
    pub decoders: Arc<HashMap<Address, ContractDecoder>>,
    pub points: FinalityPoints,
}

impl Fetcher {
    pub async fn fetch(&self, from: u64, to: u64) -> Result<Fetched, IndexerError> {
        let last_before = self.header(to).await?;
        let logs = self.logs(from, to).await?;
        let mut wanted: Vec<u64> = logs.iter().map(|l| l.block_number).chain([from]).collect();
        // The last block again, after the logs: it must not have changed meanwhile.
        wanted.push(to);
        wanted.sort_unstable();
        wanted.dedup();
        let batches: Vec<Vec<u64>> = wanted.chunks(HEADER_BATCH).map(<[u64]>::to_vec).collect();
        let headers: BTreeMap<u64, BlockHeader> = stream::iter(batches)
            .map(|numbers| async move { self.headers(&numbers).await })
            .buffered(HEADER_CONCURRENCY)
            .map_ok(|part| stream::iter(part.into_iter().map(Ok::<_, IndexerError>)))
            .try_flatten()
            .try_collect()
            .await?;
        if headers.get(&to) != Some(&last_before) {
            return Ok(Fetched::Inconsistent(format!(
                "block {to} changed while its range was fetched"
            )));
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
        let ordered: Vec<&BlockHeader> = headers.values().collect();
        for pair in ordered.windows(2) {
            if pair[1].number == pair[0].number + 1 && pair[1].parent_hash != pair[0].hash {
                return Ok(Fetched::Inconsistent(format!(
                    "block {} does not extend block {}",
                    pair[1].number, pair[0].number
                )));
            }
        }
        let range = FetchedRange {
            from,
            to,
            headers,
            logs,
        };
        let (chain_id, decoders, points) = (self.chain_id, self.decoders.clone(), self.points);
        let rows =
            tokio::task::spawn_blocking(move || decode_range(chain_id, range, &decoders, points))
                .await
                .map_err(|e| IndexerError::Join(e.to_string()))?;
        Ok(Fetched::Consistent(Box::new(rows)))
    }

    /// The headers of `numbers` (one JSON-RPC batch where the node takes them), each required.
    async fn headers(&self, numbers: &[u64]) -> Result<Vec<(u64, BlockHeader)>, IndexerError> {
        let headers = self.source.headers(numbers).await?;
        numbers
            .iter()
            .zip(headers)
            .map(|(n, h)| h.map(|h| (*n, h)).ok_or_else(|| not_yet(*n)))
            .collect()
    }

    async fn header(&self, number: u64) -> Result<BlockHeader, IndexerError> {
        self.source
            .header(number)
            .await?
            .ok_or_else(|| not_yet(number))
    }

    /// The logs of `from..=to`, in as many queries as the node needs. A query the node calls
    /// too large is never repeated: the range shrinks (to the node's suggestion when it gives
    /// one, else by half) until it fits; a single block that is still too large is an error.
    async fn logs(&self, from: u64, to: u64) -> Result<Vec<RawLog>, IndexerError> {
        if self.addresses.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut start = from;
        while start <= to {
            let size = self.range.load(Ordering::Relaxed).clamp(1, to - start + 1);
            let end = start + size - 1;
            let filter = LogFilter {
                from_block: start,
                to_block: end,
                addresses: self.addresses.clone(),
            };
            match self.source.logs(&filter).await {
                Ok(mut logs) => {
                    self.grow(size, logs.len() as u64);
                    out.append(&mut logs);
                    start = end + 1;
                }
                Err(RpcError::TooLarge {
                    message,
                    suggested_range,
                }) => {
                    if size == 1 {
                        return Err(IndexerError::Rpc(RpcError::Fatal(format!(
                            "block {start} alone has more logs than the node returns for one query ({message}); use a node without that limit"
                        ))));
                    }
                    let smaller = match suggested_range {
                        Some((a, b)) if a == start && b < end => b - a + 1,
                        _ => size / 2,
                    };
                    tracing::info!(from = start, to = end, next = smaller, %message, "log query too large; shrinking the range");
                    self.ceiling.store(smaller, Ordering::Relaxed);
                    self.streak.store(0, Ordering::Relaxed);
                    self.set_range(smaller);
                }
                Err(e) => return Err(e.into()),
            }
        }
        out.sort_by_key(|l| (l.block_number, l.log_index));
        Ok(out)
    }

    /// Additive increase after a success, up to the ceiling; the ceiling itself rises after
    /// `PROBE_AFTER` successes in a row (multiplicative decrease is in `logs`).
    /// After `logs` came back for `size` blocks: additive increase, but never to more blocks
    /// than hold about `target_logs` at this density.
    fn grow(&self, size: u64, logs: u64) {
        const PROBE_AFTER: u64 = 64;
        let mut ceiling = self.ceiling.load(Ordering::Relaxed);
        if self.streak.fetch_add(1, Ordering::Relaxed) + 1 >= PROBE_AFTER
            && ceiling < self.max_range
        {
            self.streak.store(0, Ordering::Relaxed);
            ceiling = (ceiling + (ceiling / 8).max(1)).min(self.max_range);
            self.ceiling.store(ceiling, Ordering::Relaxed);
        }
        let current = self.range.load(Ordering::Relaxed);
        // The range that would hold about `target_logs` at this density.
        let by_density = (size.saturating_mul(self.target_logs) / logs.max(1)).max(1);
        // Far below the target (a sparse chain): double; near it: grow by an eighth.
        let grown = if logs.saturating_mul(2) < self.target_logs {
            current * 2
        } else {
            current + (current / 8).max(1)
        };
        self.set_range(grown.min(ceiling).min(by_density));
    }

    fn set_range(&self, size: u64) {
        self.range.store(size.max(1), Ordering::Relaxed);
        self.metrics
            .block_range
            .store(size.max(1), Ordering::Relaxed);
    }
}

fn not_yet(number: u64) -> IndexerError {
    IndexerError::Rpc(RpcError::Transient(format!(
        "block {number} is not available yet"
    )))
}
