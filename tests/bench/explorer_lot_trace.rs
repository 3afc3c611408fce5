//! Benchmark (not a test): the lot page (`GET /lots/{code}`, trace back and forward) under load.
//!
//!     cargo bench --workspace --bench explorer_lot_trace                    # medium city, 4,000 requests
//!     BENCH_SCALE=small cargo bench --workspace --bench explorer_lot_trace  # quick try
//!     BENCH_REQUESTS=40000 cargo bench --workspace --bench explorer_lot_trace
//!
//! It writes and imports the demo city (`citytrace demo generate DIR --scale S --import`, the
//! release binary) into a fresh PostgreSQL database, picks up to 128 lots that have a trace
//! (lots made from inputs, and lots made into others that were shipped), then measures in the
//! same run:
//! - `GET /lots/{code}` from `citytrace serve` (the release binary, a separate process, default
//!   settings): `BENCH_REQUESTS` requests over 64 keep-alive connections, each a random lot of
//!   the set, every answer read to the end and checked to be 200 → requests/s, p50, p99;
//! - the baseline: the page's own read, `citytrace_reads::lots::load_lot` (the function the
//!   handler calls, so the baseline is the page's SQL by construction), called in this process
//!   from 16 threads with a connection each (the server's pool size), the same number of loads
//!   of random lots of the set → loads/s;
//!
//! and prints both, their ratio (what HTTP, the view and the template add to the read), and the
//! page's latency percentiles. It asserts only that every answer was 200 and every read found
//! its lot.

mod common;

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use citytrace_reads::lots::{load_lot, DEFAULT_DEPTH};
use citytrace_schema::diesel::{Connection, PgConnection};
use citytrace_schema::testing::TestDatabase;
use common::{free_port, start_explorer};

const CONNECTIONS: usize = 64;
/// Threads calling the read, a connection each: the explorer's pool size.
const LOADERS: usize = 16;
/// The lots of the set: up to 64 of each kind.
const MAX_LOTS: usize = 128;

/// Lots with a trace: made from inputs (a trace back), or shipped and made into others (a
/// trace forward and deliveries).
const LOTS_WITH_A_TRACE: &str = "
WITH picked AS (
    (SELECT l.id FROM lots l
      WHERE EXISTS (SELECT 1 FROM lot_transformations t WHERE t.output_lot_id = l.id)
      ORDER BY md5(l.code) LIMIT 64)
    UNION
    (SELECT l.id FROM lots l
      WHERE EXISTS (SELECT 1 FROM lot_transformations t WHERE t.input_lot_id = l.id)
        AND EXISTS (SELECT 1 FROM shipment_lines d WHERE d.lot_id = l.id)
      ORDER BY md5(l.code) LIMIT 64)
)
SELECT l.code
  FROM picked p JOIN lots l ON l.id = p.id
 ORDER BY l.code";

fn psql_rows(db: &TestDatabase, sql: &str) -> Vec<Vec<String>> {
    let out = Command::new("psql")
        .args([db.url(), "-v", "ON_ERROR_STOP=1", "-AtF", "|", "-c", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect()
}

/// A path segment: everything but unreserved characters percent-encoded.
fn path_segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            write!(out, "%{b:02X}").unwrap();
        }
    }
    out
}

/// `requests` GETs of random URLs of `urls` over `CONNECTIONS` keep-alive connections; (seconds,
/// each request's latency). Panics unless every answer is 200.
fn load(urls: &[String], requests: usize) -> (f64, Vec<Duration>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(CONNECTIONS)
            .build()
            .unwrap();
        let urls = Arc::new(urls.to_vec());
        let next = Arc::new(AtomicUsize::new(0));
        let latencies = Arc::new(Mutex::new(Vec::with_capacity(requests)));
        let began = Instant::now();
        let mut tasks = Vec::new();
        for task in 0..CONNECTIONS {
            // xorshift64: each connection its own sequence of random lots
            let mut seed =
                0x9E37_79B9_7F4A_7C15_u64 ^ (task as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407);
            let (client, urls, next, latencies) = (
                client.clone(),
                urls.clone(),
                next.clone(),
                latencies.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let url = &urls[(seed % urls.len() as u64) as usize];
                    let sent = Instant::now();
                    let response = client.get(url).send().await.unwrap();
                    let status = response.status();
                    let body = response.bytes().await.unwrap();
                    mine.push(sent.elapsed());
                    assert_eq!(
                        status,
                        200,
                        "GET {url} answered {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(300)])
                    );
                }
                latencies.lock().unwrap().extend(mine);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let secs = began.elapsed().as_secs_f64();
        let latencies = std::mem::take(&mut *latencies.lock().unwrap());
        (secs, latencies)
    })
}

/// `loads` calls of the page's read for random lots of `codes`, from `LOADERS` threads with a
/// connection each; seconds. Panics unless every read finds its lot.
fn load_reads(db: &TestDatabase, codes: &[String], loads: usize) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let mut connections: Vec<PgConnection> = (0..LOADERS)
        .map(|_| PgConnection::establish(db.url()).unwrap())
        .collect();
    let began = Instant::now();
    std::thread::scope(|scope| {
        for (thread, conn) in connections.iter_mut().enumerate() {
            let next = next.clone();
            scope.spawn(move || {
                let mut seed = 0x9E37_79B9_7F4A_7C15_u64
                    ^ (thread as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407);
                while next.fetch_add(1, Ordering::Relaxed) < loads {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let code = &codes[(seed % codes.len() as u64) as usize];
                    let lot = load_lot(conn, code, DEFAULT_DEPTH).unwrap();
                    assert!(lot.is_some(), "the read found no lot {code}");
                }
            });
        }
    });
    began.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let scale = std::env::var("BENCH_SCALE").unwrap_or_else(|_| "medium".into());
    let requests: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new();
    println!();

    let began = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args(["demo", "generate"])
        .arg(dir.path().join("city"))
        .args(["--scale", &scale, "--import"])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "citytrace demo generate --import failed");
    let import_secs = began.elapsed().as_secs_f64();
    psql_rows(&db, "VACUUM ANALYZE");

    let codes: Vec<String> = psql_rows(&db, LOTS_WITH_A_TRACE)
        .into_iter()
        .take(MAX_LOTS)
        .map(|r| r[0].clone())
        .collect();
    assert!(!codes.is_empty(), "no lot with a trace in the demo city");

    // The page, over HTTP.
    rustls::crypto::ring::default_provider()
        .install_default()
        .ok();
    let port = free_port();
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let mut server = start_explorer(&db, port, &uploads);
    let urls: Vec<String> = codes
        .iter()
        .map(|code| format!("http://127.0.0.1:{port}/lots/{}", path_segment(code)))
        .collect();
    load(&urls, urls.len() * 2); // warm-up: connections, pool, caches
    let (secs, mut latencies) = load(&urls, requests);
    server.kill().unwrap();
    server.wait().unwrap();
    latencies.sort_unstable();
    let page_rps = requests as f64 / secs;

    // The page's own read, in this process.
    load_reads(&db, &codes, codes.len() * 2); // warm-up: connections, caches
    let read_secs = load_reads(&db, &codes, requests);
    let reads_per_sec = requests as f64 / read_secs;

    println!(
        "{scale} city imported in {import_secs:.0} s; {} lots with a trace; {requests} requests",
        codes.len()
    );
    println!(
        "lot page {scale}   GET /lots/{{code}} {page_rps:>7.0} req/s ({secs:.1} s, 64 conns)   load_lot {reads_per_sec:>7.0} reads/s ({read_secs:.1} s, {LOADERS} conns)   ratio {:.2}   p50 {:.1} ms   p99 {:.1} ms",
        page_rps / reads_per_sec,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}
