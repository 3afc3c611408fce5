//! Benchmark (not a test): import throughput and memory.
//!
//!     cargo bench --workspace --bench import_throughput                  # 250,000 and 1,000,000 rows
//!     BENCH_ROWS=2000000 cargo bench --workspace --bench import_throughput
//!
//! For shipments and for sensor readings it writes a valid CSV file of N rows, then measures in
//! the same run and the same fresh PostgreSQL database:
//! - the baseline: `psql \copy` of the same file into a bare table of text columns (no types,
//!   no indexes, no checks);
//! - `citytrace import <format> FILE` (the release binary, a separate process): streaming,
//!   row checks, references, natural keys, binary COPY into the real tables with their indexes,
//!   the Merkle receipt, one transaction;
//!
//! and prints rows/s of each, their ratio, and the importer's peak resident memory (VmHWM) —
//! at two sizes, to show whether memory stays flat as the file grows.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use citytrace_schema::testing::TestDatabase;
use common::status_kb;

/// Run the importer; (seconds, peak RSS in MB).
fn citytrace_import(
    db: &TestDatabase,
    format: &str,
    file: &std::path::Path,
    party: &str,
) -> (f64, f64) {
    let began = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args(["import", format, file.to_str().unwrap(), "--party", party])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(status_kb(child.id(), "VmHWM:").unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    let secs = began.elapsed().as_secs_f64();
    assert!(
        child.wait().unwrap().success(),
        "citytrace import {format} failed"
    );
    (secs, peak as f64 / 1024.0)
}

fn psql_copy(db: &TestDatabase, table: &str, columns: usize, file: &std::path::Path) -> f64 {
    let cols: Vec<String> = (0..columns).map(|i| format!("c{i} text")).collect();
    let create = format!("CREATE TABLE {table} ({})", cols.join(", "));
    let status = Command::new("psql")
        .args([db.url(), "-qc", &create])
        .status()
        .unwrap();
    assert!(status.success());
    let began = Instant::now();
    let copy = format!("\\copy {table} FROM '{}' CSV HEADER", file.display());
    let status = Command::new("psql")
        .args([db.url(), "-qc", &copy])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "psql \\copy failed");
    began.elapsed().as_secs_f64()
}

fn shipments_file(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let path = dir.join(format!("shipments-{rows}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at").unwrap();
    for n in 0..rows {
        let (shipment, line) = (n / 4, n % 4 + 1);
        writeln!(
            out,
            "DESADV-{shipment:08},{line},LOT-{n:09},04012345111118,Portland cement CEM I 42.5 R,{}.{},TNE,4012345000115,SITE-{:03},2026-0{}-{:02}T{:02}:15:00+02:00,2026-0{}-{:02}T{:02}:55:00+02:00",
            20 + n % 10, n % 10, n % 50, 1 + n % 9, 1 + n % 28, n % 24, 1 + n % 9, 1 + n % 28, n % 24
        )
        .unwrap();
    }
    path
}

fn readings_file(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let path = dir.join(format!("readings-{rows}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        out,
        "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct"
    )
    .unwrap();
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").unwrap();
    for n in 0..rows {
        let device = n % 100;
        let at = start + chrono::Duration::seconds((n / 100) as i64 * 60);
        writeln!(
            out,
            "TL-{device:05},SHP-COLD,,{},{}.{:02},{}.{}",
            at.format("%Y-%m-%dT%H:%M:%S%:z"),
            2 + n % 6,
            n % 100,
            40 + n % 30,
            n % 10
        )
        .unwrap();
    }
    path
}

fn report(what: &str, rows: usize, copy_secs: f64, (secs, peak): (f64, f64)) {
    let (baseline, ours) = (rows as f64 / copy_secs, rows as f64 / secs);
    println!(
        "{what:<16} {rows:>9} rows   psql \\copy {baseline:>9.0} rows/s ({copy_secs:>6.2} s)   citytrace import {ours:>8.0} rows/s ({secs:>6.2} s)   ratio {:.2}   peak RSS {peak:.1} MB",
        ours / baseline
    );
}

fn main() {
    let sizes: Vec<usize> = match std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => vec![n],
        None => vec![250_000, 1_000_000],
    };
    let dir = tempfile::tempdir().unwrap();
    println!();
    for &rows in &sizes {
        let db = TestDatabase::new();
        let file = shipments_file(dir.path(), rows);
        let copy = psql_copy(&db, "bare_shipments", 11, &file);
        report(
            "shipments",
            rows,
            copy,
            citytrace_import(&db, "shipments", &file, "BENCH"),
        );
    }
    for &rows in &sizes {
        let db = TestDatabase::new();
        let shipment = dir.path().join("cold.csv");
        std::fs::write(&shipment, "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\nSHP-COLD,1,INS-1,Insulin,400,H87,DEPOT,HOSPITAL,2026-01-01T00:00:00Z\n").unwrap();
        citytrace_import(&db, "shipments", &shipment, "MRM");
        let file = readings_file(dir.path(), rows);
        let copy = psql_copy(&db, "bare_readings", 6, &file);
        report(
            "sensor-readings",
            rows,
            copy,
            citytrace_import(&db, "sensor-readings", &file, "COLDCO"),
        );
    }
}
