//! Benchmark (not a test): streamed CSV export of a whole list, speed and memory.
//!
//!     cargo bench --workspace --bench explorer_export                  # 100,000 and 1,000,000 rows
//!     BENCH_ROWS=3000000 cargo bench --workspace --bench explorer_export
//!
//! For each size it fills the `lots` list (lots with their product, supplier and origin site)
//! in a fresh PostgreSQL database, then measures in the same run:
//! - the baseline: `psql \copy (<the list's query>) TO` a file — PostgreSQL writing the same
//!   rows as CSV with nothing in between;
//! - `GET /materials/lots?format=csv` from `citytrace serve` (the release binary, a separate
//!   process): the list's query through a server-side cursor, formula-safe CSV cells, streamed
//!   over HTTP and read to the end, chunk by chunk, by this program;
//!
//! and prints rows/s of each, their ratio, and the explorer's peak resident memory (VmHWM)
//! during the export — at two sizes, to show whether memory stays flat as the list grows.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use citytrace_schema::testing::TestDatabase;
use common::{free_port, start_explorer, status_kb};

/// The `lots` list's query (explorer/src/lists/materials.rs), in its default order.
const LIST_SQL: &str =
    "SELECT l.code, p.name, p.gtin, p.material_class, s.code, sp.code, l.created_at \
    FROM lots l JOIN products p ON p.id = l.product_id \
    LEFT JOIN sites s ON s.id = l.origin_site_id \
    LEFT JOIN parties sp ON sp.id = l.supplier_id \
    ORDER BY l.created_at DESC, l.id DESC";

fn psql(db: &TestDatabase, sql: &str) {
    let status = Command::new("psql")
        .args([db.url(), "-v", "ON_ERROR_STOP=1", "-qc", sql])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "psql failed: {sql}");
}

fn fill(db: &TestDatabase, rows: usize) {
    psql(
        db,
        "INSERT INTO parties (code, name) VALUES ('RCW', 'Riverside Cement Works');
         INSERT INTO sites (code, name) VALUES ('QUARRY-N', 'North quarry');
         INSERT INTO products (code, gtin, name, material_class, unit)
              VALUES ('CEM-I', '04012345111118', 'Portland cement CEM I 42.5 R', 'cement', 'TNE');",
    );
    psql(
        db,
        &format!(
            "INSERT INTO lots (code, product_id, supplier_id, origin_site_id, created_at)
             SELECT 'LOT-' || lpad(g::text, 9, '0'), p.id, sp.id, s.id,
                    timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
               FROM generate_series(1, {rows}) g, products p, parties sp, sites s;
             ANALYZE lots;"
        ),
    );
}

/// Fetch the export, count its lines; (seconds, data rows, peak RSS of the server in MB).
fn export(server: &Child, port: u16) -> (f64, usize, f64) {
    let pid = server.id();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while done_rx.try_recv().is_err() {
            peak = peak.max(status_kb(pid, "VmHWM:").unwrap_or(0));
            std::thread::sleep(Duration::from_millis(20));
        }
        peak.max(status_kb(pid, "VmHWM:").unwrap_or(0))
    });
    let began = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let lines = runtime.block_on(async {
        let mut response =
            reqwest::get(format!("http://127.0.0.1:{port}/materials/lots?format=csv"))
                .await
                .unwrap();
        assert_eq!(response.status(), 200, "the export must answer 200");
        let mut lines = 0usize;
        // Read the body as it streams, a chunk at a time, counting rows.
        while let Some(chunk) = response.chunk().await.unwrap() {
            lines += chunk.iter().filter(|&&b| b == b'\n').count();
        }
        lines
    });
    let secs = began.elapsed().as_secs_f64();
    done_tx.send(()).unwrap();
    let peak = sampler.join().unwrap();
    // The first line of the body is the header.
    (secs, lines.saturating_sub(1), peak as f64 / 1024.0)
}

fn psql_copy_out(db: &TestDatabase, file: &std::path::Path) -> f64 {
    let began = Instant::now();
    psql(
        db,
        &format!("\\copy ({LIST_SQL}) TO '{}' CSV HEADER", file.display()),
    );
    began.elapsed().as_secs_f64()
}

fn main() {
    let sizes: Vec<usize> = match std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => vec![n],
        None => vec![100_000, 1_000_000],
    };
    let dir = tempfile::tempdir().unwrap();
    println!();
    for &rows in &sizes {
        let db = TestDatabase::new();
        fill(&db, rows);
        let copy_secs = psql_copy_out(&db, &dir.path().join("lots.csv"));
        let port = free_port();
        let mut server = start_explorer(&db, port, dir.path());
        let (secs, exported, peak) = export(&server, port);
        server.kill().unwrap();
        server.wait().unwrap();
        assert_eq!(exported, rows, "the export must hold every row");
        let (baseline, ours) = (rows as f64 / copy_secs, rows as f64 / secs);
        println!(
            "lots export {rows:>9} rows   psql \\copy TO {baseline:>9.0} rows/s ({copy_secs:>6.2} s)   GET ?format=csv {ours:>9.0} rows/s ({secs:>6.2} s)   ratio {:.2}   explorer peak RSS {peak:.1} MB",
            ours / baseline
        );
    }
}
