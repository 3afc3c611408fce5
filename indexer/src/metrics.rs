//! Indexer metrics: atomics the follower, the RPC layer and the anchorer update, rendered in
//! the Prometheus text format on `/metrics`, and read by the CLI's progress bars.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

use citytrace_schema::models::QuarantineReason;

use crate::error::RpcError;

/// Everything the indexer reports.
#[derive(Debug, Default)]
pub struct Metrics {
    chains: Mutex<BTreeMap<u64, Arc<ChainMetrics>>>,
    /// Batches waiting to be anchored (-1 until the anchorer has looked).
    pub anchor_queue: AtomicI64,
    pub anchors_sent: AtomicU64,
}

/// One chain's figures.
#[derive(Debug, Default)]
pub struct ChainMetrics {
    pub name: String,
    pub head: AtomicU64,
    pub indexed: AtomicU64,
    pub finalized: AtomicU64,
    /// Where indexing started in this process (for progress and rates).
    pub start: AtomicU64,
    pub events_written: AtomicU64,
    /// Logs quarantined, by reason (in `QUARANTINE_REASONS` order).
    pub quarantined: [AtomicU64; 3],
    pub blocks_written: AtomicU64,
    pub rpc_errors: [AtomicU64; 4],
    pub reorgs: AtomicU64,
    pub stalled: AtomicBool,
    pub block_range: AtomicU64,
}

/// The RPC error classes, in `rpc_errors` order.
pub const ERROR_CLASSES: [&str; 4] = ["transient", "too_large", "rate_limited", "fatal"];

/// Why logs are quarantined, in `quarantined` order (`QuarantineReason::index`).
pub const QUARANTINE_REASONS: [QuarantineReason; 3] = QuarantineReason::ALL;

impl ChainMetrics {
    pub fn rpc_error(&self, error: &RpcError) {
        let class = match error {
            RpcError::Transient(_) => 0,
            RpcError::TooLarge { .. } => 1,
            RpcError::RateLimited(_) => 2,
            RpcError::Fatal(_) => 3,
        };
        self.rpc_errors[class].fetch_add(1, Ordering::Relaxed);
    }

    pub fn lag(&self) -> u64 {
        self.head
            .load(Ordering::Relaxed)
            .saturating_sub(self.indexed.load(Ordering::Relaxed))
    }
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            anchor_queue: AtomicI64::new(-1),
            ..Default::default()
        })
    }

    /// The figures of chain `id`, created on first use.
    pub fn chain(&self, id: u64, name: &str) -> Arc<ChainMetrics> {
        let mut chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
        chains
            .entry(id)
            .or_insert_with(|| {
                Arc::new(ChainMetrics {
                    name: name.to_string(),
                    ..Default::default()
                })
            })
            .clone()
    }

    pub fn chains(&self) -> Vec<(u64, Arc<ChainMetrics>)> {
        let chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
        chains.iter().map(|(id, m)| (*id, m.clone())).collect()
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let chains = self.chains();
        let gauge = |out: &mut String,
                     name: &str,
                     kind: &str,
                     help: &str,
                     values: &mut dyn Iterator<Item = (String, u64)>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in values {
                let _ = writeln!(out, "{name}{{{labels}}} {value}");
            }
        };
        let label = |id: &u64, m: &ChainMetrics| {
            format!("chain=\"{id}\",name=\"{}\"", label_value(&m.name))
        };
        let per_chain = |f: &dyn Fn(&ChainMetrics) -> u64| -> Vec<(String, u64)> {
            chains.iter().map(|(id, m)| (label(id, m), f(m))).collect()
        };
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        gauge(
            &mut out,
            "citytrace_chain_head_block",
            "gauge",
            "Latest block the node reports.",
            &mut per_chain(&|m| load(&m.head)).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_chain_indexed_block",
            "gauge",
            "Last block written to the database (the checkpoint).",
            &mut per_chain(&|m| load(&m.indexed)).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_chain_finalized_block",
            "gauge",
            "Block up to which rows are final.",
            &mut per_chain(&|m| load(&m.finalized)).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_chain_lag_blocks",
            "gauge",
            "Head minus indexed block.",
            &mut per_chain(&|m| m.lag()).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_events_written_total",
            "counter",
            "Decoded events written.",
            &mut per_chain(&|m| load(&m.events_written)).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_reorgs_total",
            "counter",
            "Reorganisations detected and undone.",
            &mut per_chain(&|m| load(&m.reorgs)).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_chain_stalled",
            "gauge",
            "1 when the stall watchdog reports no progress.",
            &mut per_chain(&|m| u64::from(m.stalled.load(Ordering::Relaxed))).into_iter(),
        );
        gauge(
            &mut out,
            "citytrace_block_range",
            "gauge",
            "Current eth_getLogs block range.",
            &mut per_chain(&|m| load(&m.block_range)).into_iter(),
        );
        let errors: Vec<(String, u64)> = chains
            .iter()
            .flat_map(|(id, m)| {
                ERROR_CLASSES.iter().enumerate().map(move |(i, class)| {
                    (
                        format!("{},class=\"{class}\"", label(id, m)),
                        m.rpc_errors[i].load(Ordering::Relaxed),
                    )
                })
            })
            .collect();
        gauge(
            &mut out,
            "citytrace_rpc_errors_total",
            "counter",
            "RPC errors by class.",
            &mut errors.into_iter(),
        );
        let quarantined: Vec<(String, u64)> = chains
            .iter()
            .flat_map(|(id, m)| {
                QUARANTINE_REASONS.iter().map(move |reason| {
                    (
                        format!("{},reason=\"{}\"", label(id, m), reason.as_str()),
                        m.quarantined[reason.index()].load(Ordering::Relaxed),
                    )
                })
            })
            .collect();
        gauge(
            &mut out,
            "citytrace_quarantined_logs_total",
            "counter",
            "Logs stored raw in quarantined_logs instead of their table (undecodable, invalid, refused by the database); indexing went on.",
            &mut quarantined.into_iter(),
        );
        let queue = self.anchor_queue.load(Ordering::Relaxed);
        let _ = writeln!(out, "# HELP citytrace_anchor_queue_length Imported batches waiting to be anchored.\n# TYPE citytrace_anchor_queue_length gauge");
        if queue >= 0 {
            let _ = writeln!(out, "citytrace_anchor_queue_length {queue}");
        }
        let _ = writeln!(out, "# HELP citytrace_anchors_sent_total Anchor transactions sent.\n# TYPE citytrace_anchors_sent_total counter\ncitytrace_anchors_sent_total {}", self.anchors_sent.load(Ordering::Relaxed));
        out
    }
}

/// A label value in the text exposition format: backslash, double quote and line feed
/// escaped (a chain's name is the operator's text).
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Serve `GET /metrics` (and `/healthz`) on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((mut stream, _)) = accepted else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            let n = match tokio::time::timeout(
                std::time::Duration::from_secs(5),
                stream.read(&mut buf),
            )
            .await
            {
                Ok(Ok(n)) => n,
                _ => return,
            };
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, kind, body) = match path {
                "/metrics" => ("200 OK", "text/plain; version=0.0.4", metrics.render()),
                "/healthz" => ("200 OK", "text/plain", "ok\n".to_string()),
                _ => (
                    "404 Not Found",
                    "text/plain",
                    "not found; try /metrics\n".to_string(),
                ),
            };
            let response = format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_are_escaped_in_labels() {
        let metrics = Metrics::new();
        metrics.chain(1, "a \"b\"\\\nc");
        let text = metrics.render();
        assert!(
            text.contains(
                "citytrace_chain_head_block{chain=\"1\",name=\"a \\\"b\\\"\\\\\\nc\"} 0\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn renders_prometheus_text_per_chain_and_class() {
        let metrics = Metrics::new();
        let chain = metrics.chain(31337, "City ledger");
        chain.head.store(120, Ordering::Relaxed);
        chain.indexed.store(100, Ordering::Relaxed);
        chain.rpc_error(&RpcError::RateLimited("429".into()));
        chain.quarantined[QuarantineReason::Invalid.index()].store(2, Ordering::Relaxed);
        metrics.anchor_queue.store(3, Ordering::Relaxed);
        let text = metrics.render();
        assert!(
            text.contains("citytrace_chain_head_block{chain=\"31337\",name=\"City ledger\"} 120\n"),
            "{text}"
        );
        assert!(
            text.contains("citytrace_chain_lag_blocks{chain=\"31337\",name=\"City ledger\"} 20\n")
        );
        assert!(text.contains("citytrace_rpc_errors_total{chain=\"31337\",name=\"City ledger\",class=\"rate_limited\"} 1\n"));
        assert!(text.contains("citytrace_anchor_queue_length 3\n"));
        assert!(text.contains("citytrace_quarantined_logs_total{chain=\"31337\",name=\"City ledger\",reason=\"invalid\"} 2\n"), "{text}");
        assert!(text.contains("citytrace_quarantined_logs_total{chain=\"31337\",name=\"City ledger\",reason=\"refused\"} 0\n"));
        assert!(text.contains("# TYPE citytrace_reorgs_total counter\n"));
    }
}
