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
//! - the baseline: `pgbench` running the SQL the page sends for one lot — the same statements,
//!   in the same order, with the same parameters (one pgbench script per lot, picked at random)
//!   — 64 clients, the same number of transactions → transactions/s;
//!
//! and prints both, their ratio, and the page's latency percentiles. It asserts only that every
//! answer was 200 and that pgbench succeeded.

mod common;

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use citytrace_schema::testing::TestDatabase;
use common::{free_port, start_explorer};

const CONNECTIONS: usize = 64;
/// pgbench accepts at most 128 scripts.
const MAX_LOTS: usize = 128;

// The statements the lot page sends (explorer/src/routes/lots.rs, lots/view.rs, lots/trace.rs,
// and the models they call), as diesel writes them: `$n` are bound parameters, which pgbench
// sends as parameters too (`-M extended`, `:name` variables). Array parameters are literals.

/// `Lot::find_by_code`.
const FIND_LOT: &str = r#"SELECT "lots"."id", "lots"."code", "lots"."product_id", "lots"."supplier_id", "lots"."origin_site_id", "lots"."created_at" FROM "lots" WHERE ("lots"."code" = :code) LIMIT :one"#;
/// `Product::find`.
const PRODUCT: &str = r#"SELECT "products"."id", "products"."code", "products"."gtin", "products"."name", "products"."material_class", "products"."unit", "products"."created_at", "products"."epd_ref", "products"."gwp_per_unit", "products"."min_temp_c", "products"."max_temp_c", "products"."max_excursion_minutes", "products"."max_single_excursion_minutes", "products"."logging_interval_minutes" FROM "products" WHERE ("products"."id" = :product) LIMIT :one"#;
/// `Site::find` (the origin, when the lot has one).
const SITE: &str = r#"SELECT "sites"."id", "sites"."code", "sites"."name", "sites"."kind", "sites"."gln", "sites"."party_id", "sites"."latitude", "sites"."longitude", "sites"."created_at" FROM "sites" WHERE ("sites"."id" = :origin) LIMIT :one"#;
/// `ShipmentLine::for_lot`: the lines, then their sites, then their batches' anchors.
const SHIPMENT_LINES: &str = r#"SELECT "shipment_lines"."batch_id", "shipment_lines"."line", "shipment_lines"."submitter", "shipment_lines"."shipment_code", "shipment_lines"."line_no", "shipment_lines"."lot_code", "shipment_lines"."lot_id", "shipment_lines"."gtin", "shipment_lines"."product_name", "shipment_lines"."quantity", "shipment_lines"."unit", "shipment_lines"."from_site", "shipment_lines"."from_site_id", "shipment_lines"."to_site", "shipment_lines"."to_site_id", "shipment_lines"."shipped_at", "shipment_lines"."received_at", "shipment_lines"."shipped_offset", "shipment_lines"."received_offset", "shipment_lines"."carrier", "shipment_lines"."purchase_order", "shipment_lines"."contract_ocid", "shipment_lines"."certificates", "import_batches"."id", "import_batches"."kind", "import_batches"."file_name", "import_batches"."sha256", "import_batches"."submitter", "import_batches"."row_count", "import_batches"."merkle_root", "import_batches"."imported_at" FROM ("shipment_lines" INNER JOIN "import_batches" ON ("shipment_lines"."batch_id" = "import_batches"."id")) WHERE ("shipment_lines"."lot_id" = :lot) ORDER BY "shipment_lines"."shipped_at", "shipment_lines"."batch_id", "shipment_lines"."line""#;
const SITES_ANY: &str = r#"SELECT "sites"."id", "sites"."code", "sites"."name", "sites"."kind", "sites"."gln", "sites"."party_id", "sites"."latitude", "sites"."longitude", "sites"."created_at" FROM "sites" WHERE ("sites"."id" = ANY(ARRAY))"#;
/// `BatchAnchor::for_batches` (also `ImportBatch::trust`).
const ANCHORS_ANY: &str = r#"SELECT "batch_anchors"."id", "batch_anchors"."chain_id", "batch_anchors"."block_number", "batch_anchors"."block_hash", "batch_anchors"."block_time", "batch_anchors"."tx_hash", "batch_anchors"."log_index", "batch_anchors"."contract", "batch_anchors"."finality", "batch_anchors"."batch_id", "batch_anchors"."merkle_root", "batch_anchors"."row_count", "batch_anchors"."uri" FROM "batch_anchors" WHERE ("batch_anchors"."batch_id" = ANY(ARRAY)) ORDER BY "batch_anchors"."block_number", "batch_anchors"."log_index""#;
/// `ProductionRun::by_output_lots`.
const RUNS: &str = r#"SELECT "production_runs"."id", "production_runs"."batch_id", "production_runs"."line", "production_runs"."submitter", "production_runs"."production_code", "production_runs"."output_lot_code", "production_runs"."output_lot_id", "production_runs"."output_gtin", "production_runs"."output_product", "production_runs"."output_quantity", "production_runs"."output_unit", "production_runs"."site", "production_runs"."site_id", "production_runs"."produced_at", "production_runs"."produced_offset", "production_runs"."epd_reference", "production_runs"."gwp_factor", "production_runs"."declared_unit" FROM "production_runs" WHERE ("production_runs"."output_lot_id" = ANY(ARRAY))"#;
/// `ImportBatch::find` (the run's batch, for its trust).
const IMPORT_BATCH: &str = r#"SELECT "import_batches"."id", "import_batches"."kind", "import_batches"."file_name", "import_batches"."sha256", "import_batches"."submitter", "import_batches"."row_count", "import_batches"."merkle_root", "import_batches"."imported_at" FROM "import_batches" WHERE ("import_batches"."id" = :run_batch) LIMIT :one"#;
/// `Party::find` (the supplier, when the lot names one).
const PARTY: &str = r#"SELECT "parties"."id", "parties"."code", "parties"."name", "parties"."kind", "parties"."gln", "parties"."created_at" FROM "parties" WHERE ("parties"."id" = :supplier) LIMIT :one"#;
/// `lot_embodied_carbon` → `load_lot_carbon_book`: the lot's closure, then the runs' inputs,
/// then the lot's shipment lines.
const LOT_FACTS: &str = include_str!("../../reads/src/carbon/lot_facts.sql");
const RUN_INPUTS: &str = "SELECT i.run_id, i.input_line, i.input_lot_id, l.code AS lot_code, i.quantity, i.unit, i.batch_id, i.line FROM production_inputs i JOIN lots l ON l.id = i.input_lot_id WHERE i.run_id = ANY(ARRAY) ORDER BY i.run_id, i.input_line";
const CARBON_SHIPMENTS: &str = "SELECT batch_id, line, from_site_id, quantity, unit, shipped_at FROM shipment_lines WHERE lot_id = :lot";
/// `trace::load`, back and forward, `DEFAULT_DEPTH` (2) levels.
const TRACE_BACK: &str = include_str!("../../explorer/src/routes/lots/trace_back.sql");
const TRACE_FORWARD: &str = include_str!("../../explorer/src/routes/lots/trace_forward.sql");
/// `LotEvent::for_lot`, then the sites of its events (`SITES_ANY`).
const LOT_EVENTS: &str =
    "SELECT * FROM lot_events WHERE lot_id = :lot ORDER BY event_time, biz_step";

/// What the page's statements need to know about one lot, computed the way the handler does.
const LOT_PARAMS: &str = "
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
SELECT l.id, l.code, l.product_id, coalesce(l.origin_site_id::text, ''),
       coalesce(l.supplier_id::text, ''),
       ARRAY(SELECT s FROM shipment_lines d, unnest(ARRAY[d.from_site_id, d.to_site_id]) s
              WHERE d.lot_id = l.id ORDER BY d.shipped_at, d.batch_id, d.line),
       ARRAY(SELECT DISTINCT d.batch_id FROM shipment_lines d WHERE d.lot_id = l.id),
       coalesce((SELECT r.batch_id::text FROM production_runs r WHERE r.output_lot_id = l.id
                  LIMIT 1), ''),
       ARRAY(WITH RECURSIVE closure(lot_id) AS (
                 SELECT l.id
                 UNION
                 SELECT t.input_lot_id FROM lot_transformations t
                   JOIN closure c ON t.output_lot_id = c.lot_id)
             SELECT r.id FROM closure c JOIN production_runs r ON r.output_lot_id = c.lot_id),
       ARRAY(SELECT DISTINCT e.biz_location_id FROM lot_events e
              WHERE e.lot_id = l.id AND e.biz_location_id IS NOT NULL ORDER BY 1)
  FROM picked p JOIN lots l ON l.id = p.id
 ORDER BY l.code";

struct LotParams {
    id: String,
    code: String,
    product: String,
    origin: String,
    supplier: String,
    ship_sites: String,
    ship_batches: String,
    run_batch: String,
    carbon_runs: String,
    event_sites: String,
}

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

/// A statement for a pgbench script: without its comment lines (a comment may hold a `;`),
/// ending with `;`.
fn statement(sql: &str) -> String {
    let body: Vec<&str> = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--") && !l.trim().is_empty())
        .collect();
    format!("{};\n", body.join("\n"))
}

/// The pgbench script of one lot: the page's statements, in the handler's order.
fn script(p: &LotParams) -> String {
    let array = |ids: &str| format!("'{ids}'");
    let mut s = String::new();
    writeln!(s, "\\set one 1\n\\set depth 2\n\\set lot {}", p.id).unwrap();
    writeln!(s, "\\set product {}", p.product).unwrap();
    s += &statement(&FIND_LOT.replace(":code", &format!("'{}'", p.code.replace('\'', "''"))));
    s += &statement(PRODUCT);
    if !p.origin.is_empty() {
        writeln!(s, "\\set origin {}", p.origin).unwrap();
        s += &statement(SITE);
    }
    s += &statement(SHIPMENT_LINES);
    s += &statement(&SITES_ANY.replace("ARRAY", &array(&p.ship_sites)));
    s += &statement(&ANCHORS_ANY.replace("ARRAY", &array(&p.ship_batches)));
    s += &statement(&RUNS.replace("ARRAY", &array(&format!("{{{}}}", p.id))));
    if !p.run_batch.is_empty() {
        writeln!(s, "\\set run_batch {}", p.run_batch).unwrap();
        s += &statement(IMPORT_BATCH);
        s += &statement(&ANCHORS_ANY.replace("ARRAY", &array(&format!("{{{}}}", p.run_batch))));
    }
    if !p.supplier.is_empty() {
        writeln!(s, "\\set supplier {}", p.supplier).unwrap();
        s += &statement(PARTY);
    }
    s += &statement(&LOT_FACTS.replace("$1", &array(&format!("{{{}}}", p.id))));
    s += &statement(&RUN_INPUTS.replace("ARRAY", &array(&p.carbon_runs)));
    s += &statement(CARBON_SHIPMENTS);
    for trace in [TRACE_BACK, TRACE_FORWARD] {
        s += &statement(&trace.replace("$1", ":lot").replace("$2", ":depth"));
    }
    s += &statement(LOT_EVENTS);
    s += &statement(&SITES_ANY.replace("ARRAY", &array(&p.event_sites)));
    s
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

fn pgbench_bin() -> String {
    let system = "/usr/lib/postgresql/15/bin/pgbench";
    if std::path::Path::new(system).exists() {
        system.into()
    } else {
        "pgbench".into()
    }
}

/// pgbench over the scripts, `CONNECTIONS` clients, `transactions` in all; transactions/s
/// (without the initial connection time).
fn pgbench(db: &TestDatabase, scripts: &[std::path::PathBuf], transactions: usize) -> f64 {
    let mut cmd = Command::new(pgbench_bin());
    cmd.args([
        "-n",
        "-M",
        "extended",
        "-c",
        &CONNECTIONS.to_string(),
        "-j",
        "2",
    ])
    .args(["-t", &(transactions / CONNECTIONS).max(1).to_string()]);
    for s in scripts {
        cmd.arg("-f").arg(s);
    }
    let out = cmd.arg(db.url()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pgbench failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(failed) = stdout
        .lines()
        .find_map(|l| l.strip_prefix("number of failed transactions: "))
    {
        assert!(failed.starts_with("0 "), "pgbench: {failed} failed");
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no tps in pgbench's output:\n{stdout}"))
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

    let lots: Vec<LotParams> = psql_rows(&db, LOT_PARAMS)
        .into_iter()
        .take(MAX_LOTS)
        .map(|r| LotParams {
            id: r[0].clone(),
            code: r[1].clone(),
            product: r[2].clone(),
            origin: r[3].clone(),
            supplier: r[4].clone(),
            ship_sites: r[5].clone(),
            ship_batches: r[6].clone(),
            run_batch: r[7].clone(),
            carbon_runs: r[8].clone(),
            event_sites: r[9].clone(),
        })
        .collect();
    assert!(!lots.is_empty(), "no lot with a trace in the demo city");
    let scripts: Vec<std::path::PathBuf> = lots
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let path = dir.path().join(format!("lot-{i:03}.sql"));
            std::fs::write(&path, script(p)).unwrap();
            path
        })
        .collect();
    let statements = std::fs::read_to_string(&scripts[0])
        .unwrap()
        .matches(";\n")
        .count();

    // The page, over HTTP.
    rustls::crypto::ring::default_provider()
        .install_default()
        .ok();
    let port = free_port();
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let mut server = start_explorer(&db, port, &uploads);
    let urls: Vec<String> = lots
        .iter()
        .map(|p| format!("http://127.0.0.1:{port}/lots/{}", path_segment(&p.code)))
        .collect();
    load(&urls, urls.len() * 2); // warm-up: connections, pool, caches
    let (secs, mut latencies) = load(&urls, requests);
    server.kill().unwrap();
    server.wait().unwrap();
    latencies.sort_unstable();
    let page_rps = requests as f64 / secs;

    // The same SQL, from pgbench.
    let tps = pgbench(&db, &scripts, requests);

    println!(
        "{scale} city imported in {import_secs:.0} s; {} lots with a trace; {statements} statements per page for the first lot; {requests} requests",
        lots.len()
    );
    println!(
        "lot page {scale}   GET /lots/{{code}} {page_rps:>7.0} req/s ({secs:.1} s, 64 conns)   pgbench same SQL {tps:>7.0} tps   ratio {:.2}   p50 {:.1} ms   p99 {:.1} ms",
        page_rps / tps,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}
