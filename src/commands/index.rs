//! `citytrace index`: follow the configured chains and anchor imported batches.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use citytrace_indexer::{IndexerConfig, Metrics};
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

#[derive(clap::Args)]
#[command(
    after_help = "Progress bars are shown on a terminal; otherwise progress is logged every 10 s.\n\
    Prometheus metrics (head, indexed block, lag, events written, RPC errors by class, reorgs,\n\
    stalls, anchor queue) are served on http://<metrics>/metrics. See docs/indexing.md."
)]
pub struct IndexArgs {
    /// Indexer configuration (TOML); see docs/citytrace.example.toml and docs/indexing.md.
    #[arg(
        long,
        short,
        env = "CITYTRACE_CONFIG",
        default_value = "citytrace.toml",
        value_name = "FILE"
    )]
    config: PathBuf,
    /// Catch every chain up to its head, then exit (0 on success).
    #[arg(long)]
    once: bool,
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
    if !args.config.exists() {
        anyhow::bail!(
            "no configuration at {}: copy docs/citytrace.example.toml there and edit it (docs/indexing.md), or pass --config FILE",
            args.config.display()
        );
    }
    let config = IndexerConfig::from_file(&args.config)?;
    let pool = globals.open(DEFAULT_DATABASE, 8)?;
    // A small blocking pool (database writes, decoding): every extra thread that allocates
    // gets its own glibc malloc arena, and resident memory grows with them (docs/benchmarks.md).
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(4).build()?;
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
        let result = if args.once {
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

/// One bar per chain: blocks indexed of the head (blocks/s, ETA), events written and events/s.
async fn show_progress(metrics: Arc<Metrics>) {
    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
    let multi = MultiProgress::new();
    let style = ProgressStyle::with_template(
        "{prefix:>14} [{bar:30}] block {pos}/{len} · {per_sec} · ETA {eta} · {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    // Per chain: its bar, and the events count and time of the last rate sample.
    let mut bars: Vec<(u64, ProgressBar, u64, std::time::Instant)> = Vec::new();
    let mut rate = std::collections::HashMap::<u64, f64>::new();
    loop {
        for (id, chain) in metrics.chains() {
            if !bars.iter().any(|(b, ..)| *b == id) {
                let bar = multi.add(
                    ProgressBar::new(0)
                        .with_style(style.clone())
                        .with_prefix(chain.name.clone()),
                );
                bars.push((
                    id,
                    bar,
                    chain.events_written.load(Ordering::Relaxed),
                    std::time::Instant::now(),
                ));
            }
            let Some((_, bar, last_events, last_time)) = bars.iter_mut().find(|(b, ..)| *b == id)
            else {
                continue;
            };
            let events = chain.events_written.load(Ordering::Relaxed);
            let elapsed = last_time.elapsed().as_secs_f64();
            if elapsed >= 1.0 {
                let now = (events - *last_events) as f64 / elapsed;
                let smoothed = rate.entry(id).or_insert(now);
                *smoothed = 0.7 * *smoothed + 0.3 * now;
                (*last_events, *last_time) = (events, std::time::Instant::now());
            }
            bar.set_length(chain.head.load(Ordering::Relaxed));
            bar.set_position(chain.indexed.load(Ordering::Relaxed));
            let stalled = if chain.stalled.load(Ordering::Relaxed) {
                " · STALLED"
            } else {
                ""
            };
            bar.set_message(format!(
                "{events} events ({:.0}/s){stalled}",
                rate.get(&id).copied().unwrap_or(0.0)
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
