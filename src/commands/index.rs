//! `citytrace index`: follow the configured chains and anchor imported batches.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use citytrace_indexer::{IndexerConfig, Metrics};
use citytrace_schema::DEFAULT_DATABASE;

use super::config_file::ConfigArg;
use crate::globals::Globals;

#[derive(clap::Args)]
#[command(
    after_help = "Progress bars are shown on a terminal; otherwise progress is logged every 10 s.\n\
    Prometheus metrics (head, indexed block, lag, events written, logs quarantined, RPC errors\n\
    by class, reorgs, stalls, anchor queue) are served on http://<metrics>/metrics.\n\n\
    A log that cannot be stored as what it is (it does not decode with its contract's ABI, a\n\
    value breaks a rule of its table, the database refuses it) is kept raw with its problem in\n\
    quarantine — the explorer's ledger page \"Logs not decoded\" lists them — and indexing goes\n\
    on. After a fix (a new version, a corrected ABI), --retry-quarantined decodes them again.\n\n\
    When PostgreSQL restarts or goes away, indexing and anchoring wait (\"database unavailable\n\
    …; retrying in N s\") and resume from the checkpoint when it is back. See docs/indexing.md."
)]
pub struct IndexArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Catch every chain up to its head, then exit (0 on success).
    #[arg(long)]
    once: bool,
    /// Decode every quarantined log again with the current decoders and configuration; those
    /// that now fit move to their tables. Then exit. Safe beside a running indexer.
    #[arg(long, conflicts_with = "once")]
    retry_quarantined: bool,
    /// Where to serve Prometheus metrics (`off` to disable).
    #[arg(
        long,
        env = "CITYTRACE_METRICS",
        default_value = "127.0.0.1:9184",
        value_name = "HOST:PORT"
    )]
    metrics: String,
}

pub fn run(globals: &Globals, args: IndexArgs) -> anyhow::Result<ExitCode> {
    let path = args.config.path();
    if !path.exists() {
        anyhow::bail!(
            "no configuration at {}: copy docs/citytrace.example.toml there and edit it (docs/indexing.md), or pass --config FILE",
            path.display()
        );
    }
    let config = IndexerConfig::from_file(path)?;
    let pool = globals.open(DEFAULT_DATABASE, 8)?;
    // A small blocking pool (database writes, decoding): every extra thread that allocates
    // gets its own glibc malloc arena, and resident memory grows with them (docs/benchmarks.md).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(4)
        .build()?;
    runtime.block_on(async move {
        let metrics = Metrics::new();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        if args.metrics != "off" {
            let listener = tokio::net::TcpListener::bind(&args.metrics)
                .await
                .with_context(|| {
                    format!(
                        "serving metrics on {} (pass --metrics off or another address)",
                        args.metrics
                    )
                })?;
            tracing::info!(address = %args.metrics, "metrics on /metrics");
            tokio::spawn(citytrace_indexer::metrics::serve(
                listener,
                metrics.clone(),
                stopped.clone(),
            ));
        }
        let progress = std::io::stderr()
            .is_terminal()
            .then(|| tokio::spawn(show_progress(metrics.clone())));
        let result = if args.retry_quarantined {
            citytrace_indexer::redecode::retry_quarantined(&config, pool.clone())
                .await
                .map(|chains| {
                    for c in chains {
                        println!(
                            "chain {}: {} quarantined log{} decoded and stored, {} still quarantined (the ledger page \"Logs not decoded\")",
                            c.chain_id,
                            c.stored,
                            if c.stored == 1 { "" } else { "s" },
                            c.quarantined
                        );
                    }
                })
        } else if args.once {
            citytrace_indexer::run_once(&config, pool.clone(), &metrics)
                .await
                .map(|heads| {
                    for (chain, head) in heads {
                        println!("chain {chain}: indexed up to block {head}");
                    }
                })
        } else {
            let key = citytrace_indexer::anchor_key_from_env(&config);
            let indexer = tokio::spawn(citytrace_indexer::run(
                config,
                pool.clone(),
                key,
                metrics.clone(),
                stopped,
            ));
            tokio::select! {
                result = indexer => result.context("indexer task")?,
                _ = crate::shutdown::requested() => Ok(()),
            }
        };
        let _ = stop.send(true);
        if let Some(p) = progress {
            p.abort();
        }
        result.map_err(anyhow::Error::from)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One bar per chain: block of the head, blocks/s, events written and events/s, ETA.
async fn show_progress(metrics: Arc<Metrics>) {
    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
    let multi = MultiProgress::new();
    let style = ProgressStyle::with_template(
        "{prefix:>14} [{bar:30}] block {human_pos}/{human_len} · {msg} · ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    struct Row {
        id: u64,
        bar: ProgressBar,
        /// (blocks, events) at the last rate sample, and when.
        last: (u64, u64),
        at: std::time::Instant,
        /// Smoothed (blocks/s, events/s).
        rate: (f64, f64),
    }
    let mut rows: Vec<Row> = Vec::new();
    loop {
        for (id, chain) in metrics.chains() {
            let (blocks, events) = (
                chain.indexed.load(Ordering::Relaxed),
                chain.events_written.load(Ordering::Relaxed),
            );
            if !rows.iter().any(|r| r.id == id) {
                let bar = multi.add(
                    ProgressBar::new(0)
                        .with_style(style.clone())
                        .with_prefix(chain.name.clone()),
                );
                rows.push(Row {
                    id,
                    bar,
                    last: (blocks, events),
                    at: std::time::Instant::now(),
                    rate: (0.0, 0.0),
                });
            }
            let Some(row) = rows.iter_mut().find(|r| r.id == id) else {
                continue;
            };
            let elapsed = row.at.elapsed().as_secs_f64();
            if elapsed >= 0.5 {
                let now = (
                    blocks.saturating_sub(row.last.0) as f64 / elapsed,
                    events.saturating_sub(row.last.1) as f64 / elapsed,
                );
                let first = row.rate == (0.0, 0.0);
                row.rate = if first {
                    now
                } else {
                    (
                        0.7 * row.rate.0 + 0.3 * now.0,
                        0.7 * row.rate.1 + 0.3 * now.1,
                    )
                };
                (row.last, row.at) = ((blocks, events), std::time::Instant::now());
            }
            row.bar.set_length(chain.head.load(Ordering::Relaxed));
            row.bar.set_position(blocks);
            let stalled = if chain.stalled.load(Ordering::Relaxed) {
                " · STALLED"
            } else {
                ""
            };
            row.bar.set_message(format!(
                "{:.0} blocks/s · {events} events, {:.0}/s{stalled}",
                row.rate.0, row.rate.1
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
