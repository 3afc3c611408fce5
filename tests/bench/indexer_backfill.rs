//! Benchmark (not a test): indexer backfill throughput and memory.
//!
//!     cargo bench --workspace --bench indexer_backfill            # 100,000 events
//!     BENCH_EVENTS=200000 cargo bench --workspace --bench indexer_backfill
//!
//! On a local anvil it emits BENCH_EVENTS ERC-20 Transfer events (100 per transaction, one
//! transaction per block), then measures, in the same run:
//! - the baseline: fetching those logs with raw `eth_getLogs` alone, 500 blocks per query, one
//!   query at a time — the best of three runs;
//! - `citytrace index --once` (the release binary, a separate process) backfilling them into a
//!   fresh PostgreSQL database: decoding, a token_transfers row per event, blocks and
//!   checkpoints.
//!
//! It prints events/s of each, their ratio, and the indexer's resident memory (VmRSS) sampled
//! as the backfill progresses, with its peak (VmHWM). Results go in docs/benchmarks.md.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use citytrace_indexer::evm::EvmSource;
use citytrace_indexer::source::{ChainSource, LogFilter};
use citytrace_indexer::testing::{recipient, TestLedger, TONNE};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::Checkpoint;
use citytrace_schema::schema::{ledger_events, token_transfers};
use citytrace_schema::testing::TestDatabase;
use common::status_kb;

const PER_TX: usize = 100;
const RANGE: u64 = 500;

fn main() {
    let events: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(bench(events));
}

async fn bench(events: usize) {
    eprintln!("generating {events} Transfer events on a local anvil …");
    let ledger = TestLedger::start().await;
    let c = &ledger.carbon;
    c.mint(c.sender(), 1_000_000_000 * TONNE).await.unwrap();
    let to: Vec<[u8; 20]> = (0..PER_TX).map(|k| recipient(k as u8 + 1)).collect();
    let amounts: Vec<u128> = (1..=PER_TX as u128).collect();
    let mut last = [0u8; 32];
    for _ in 0..events.div_ceil(PER_TX) {
        last = c.batch_transfer(&to, &amounts).await.unwrap();
    }
    assert!(ledger.signer.wait_mined(last).await.unwrap());
    let start = ledger.contracts.block;
    let head = ledger.control().block_number().await.unwrap();

    // Baseline: raw eth_getLogs of the same contracts over the same blocks.
    let source = EvmSource::new(&ledger.url()).unwrap();
    let config = ledger.config();
    let addresses: Vec<[u8; 20]> = config
        .contracts
        .iter()
        .map(|c| c.address_bytes().unwrap())
        .collect();
    // Best of three: the node's speed varies from run to run; the best is the fairest yardstick.
    let mut raw_secs = f64::MAX;
    let mut fetched = 0usize;
    for _ in 0..3 {
        let began = Instant::now();
        fetched = 0;
        let mut from = start;
        while from <= head {
            let to = head.min(from + RANGE - 1);
            let filter = LogFilter {
                from_block: from,
                to_block: to,
                addresses: addresses.clone(),
            };
            fetched += source.logs(&filter).await.unwrap().len();
            from = to + 1;
        }
        raw_secs = raw_secs.min(began.elapsed().as_secs_f64());
    }

    // The indexer, as operators run it.
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "[[chain]]\nid = 31337\nname = \"bench\"\nkind = \"ledger\"\nrpc = [\"{}\"]\nstart_block = {start}\n",
        ledger.url()
    );
    for c in &config.contracts {
        text.push_str(&format!(
            "\n[[contract]]\nchain = 31337\nkind = \"{}\"\naddress = \"{}\"\nstart_block = {}\n",
            c.kind, c.address, c.start_block
        ));
    }
    let config_path = dir.path().join("citytrace.toml");
    std::fs::write(&config_path, text).unwrap();
    let db = TestDatabase::new();
    let began = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args([
            "index",
            "--once",
            "--metrics",
            "off",
            "--config",
            config_path.to_str().unwrap(),
        ])
        .env("DATABASE_URL", db.url())
        .env(
            "RUST_LOG",
            std::env::var("BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut samples: Vec<(f64, u64)> = Vec::new(); // (fraction of blocks indexed, VmRSS kB)
    let mut peak = 0;
    let mut conn = db.conn();
    while child.try_wait().unwrap().is_none() {
        if let (Some(rss), Some(hwm)) = (status_kb(pid, "VmRSS:"), status_kb(pid, "VmHWM:")) {
            peak = peak.max(hwm);
            let at = Checkpoint::get(&mut conn, 31337, "logs")
                .ok()
                .flatten()
                .map_or(0, |c| c.block_number as u64);
            samples.push((at.saturating_sub(start) as f64 / (head - start) as f64, rss));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let index_secs = began.elapsed().as_secs_f64();
    assert!(child.wait().unwrap().success());
    let written: i64 = ledger_events::table
        .count()
        .get_result::<i64>(&mut conn)
        .unwrap()
        + token_transfers::table
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap();
    assert_eq!(
        written as usize, fetched,
        "the indexer wrote every event the baseline fetched"
    );

    let raw_rate = fetched as f64 / raw_secs;
    let index_rate = written as f64 / index_secs;
    println!(
        "\nindexer backfill: {written} events over {} blocks",
        head - start
    );
    println!("  raw eth_getLogs      {raw_rate:>10.0} events/s  ({raw_secs:.2} s, best of 3)");
    println!("  citytrace index      {index_rate:>10.0} events/s  ({index_secs:.2} s, process start to exit)");
    println!("  ratio                {:>10.2}", index_rate / raw_rate);
    println!("  peak RSS (VmHWM)     {:>10.1} MB", peak as f64 / 1024.0);
    let mut line = String::from("  RSS as the backfill grows:");
    for quarter in [0.25, 0.5, 0.75, 1.0] {
        if let Some((_, rss)) = samples.iter().find(|(f, _)| *f >= quarter) {
            line.push_str(&format!(
                "  {:.0}%: {:.1} MB",
                quarter * 100.0,
                *rss as f64 / 1024.0
            ));
        }
    }
    println!("{line}");
}
