//! Benchmark (not a test): the explorer's memory through two concurrent API uploads of a large
//! file, and whether it goes back afterwards.
//!
//!     cargo bench --workspace --bench upload_memory              # two 100 MB shipment files
//!     BENCH_MB=200 cargo bench --workspace --bench upload_memory
//!
//! In one run, against a fresh PostgreSQL database and `citytrace serve` (the release binary,
//! a separate process):
//! - the baseline: `citytrace import` of a third file of the same size, its peak resident
//!   memory (what one import costs on its own);
//! - the explorer's resident memory when idle, its peak (VmHWM) while both files are sent to
//!   `POST /api/v1/imports` at once, and its resident memory once both are imported.
//!
//! It prints the figures, the peak against twice the CLI's, and what stays after the imports
//! against the idle figure: 2 s after (the jobs' memory given back), and 17 s after (the
//! blocking pool's idle threads gone too). `BENCH_SMAPS=1` also lists the largest mappings then.
//! Results: docs/benchmarks.md.

mod common;

use std::io::{BufWriter, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use citytrace_schema::models::{ApiToken, NewApiToken, NewParty, Party};
use citytrace_schema::testing::TestDatabase;
use common::{free_port, start_explorer, status_kb};

/// A shipments file of about `megabytes` MB whose lots and shipments start with `prefix`.
fn write_file(path: &Path, megabytes: u64, prefix: &str) -> usize {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at"
    )
    .unwrap();
    let mut written = 0u64;
    let mut rows = 0;
    while written < megabytes * 1_000_000 {
        let line = format!(
            "SHP-{prefix}-{:08},{},LOT-{prefix}-{rows:09},,Portland cement CEM I 42.5 R,25.5,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,2026-04-12T09:05:00+02:00\n",
            rows / 10,
            rows % 10 + 1
        );
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        rows += 1;
    }
    out.flush().unwrap();
    rows
}

/// A supplier and its token, as `citytrace token create` makes them.
fn token(db: &TestDatabase) -> String {
    let conn = &mut db.pool(1).get().unwrap();
    let party = Party::ensure(
        conn,
        &NewParty {
            code: "RCW",
            name: "Riverside Cement Works",
            kind: "supplier",
            gln: None,
        },
    )
    .unwrap();
    let (token, hash) = citytrace_explorer::credentials::new_api_token();
    ApiToken::insert(
        conn,
        &NewApiToken {
            party_id: party.id,
            token_hash: &hash,
            label: "bench",
        },
    )
    .unwrap();
    token
}

/// POST a file to the upload API as curl --data-binary does; the answer's first line and body.
fn post(port: u16, token: &str, file: PathBuf) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let length = std::fs::metadata(&file).unwrap().len();
    write!(
        stream,
        "POST /api/v1/imports?format=shipments HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    std::io::copy(&mut std::fs::File::open(&file).unwrap(), &mut stream).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Run `citytrace import` of `file` and sample its peak resident memory (MB).
fn cli_peak(db: &TestDatabase, file: &Path) -> f64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args(["import", "shipments"])
        .arg(file)
        .args(["--party", "RCW"])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(status_kb(pid, "VmHWM:").unwrap_or(peak));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(child.wait().unwrap().success(), "citytrace import failed");
    peak as f64 / 1024.0
}

fn main() {
    let megabytes: u64 = std::env::var("BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let db = TestDatabase::new();
    let token = token(&db);
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = ["A", "B", "C"]
        .iter()
        .map(|prefix| dir.path().join(format!("{prefix}.csv")))
        .collect();
    let mut rows = 0;
    for (file, prefix) in files.iter().zip(["A", "B", "C"]) {
        rows = write_file(file, megabytes, prefix);
    }
    println!("upload_memory: three shipment files of {megabytes} MB ({rows} rows each)");

    let cli = cli_peak(&db, &files[2]);
    println!("baseline: citytrace import of one file: peak {cli:.0} MB");

    let port = free_port();
    let mut server = start_explorer(&db, port, &dir.path().join("uploads"));
    let pid = server.id();
    let _ = TcpStream::connect(("127.0.0.1", port)).map(|mut s| {
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
        let _ = s.read_to_end(&mut Vec::new());
    });
    let idle = status_kb(pid, "VmRSS:").unwrap_or(0) as f64 / 1024.0;

    let began = Instant::now();
    let uploads: Vec<_> = files[..2]
        .iter()
        .map(|file| {
            let (file, token) = (file.clone(), token.clone());
            std::thread::spawn(move || post(port, &token, file))
        })
        .collect();
    let mut peak = 0;
    while uploads.iter().any(|u| !u.is_finished()) {
        peak = peak.max(status_kb(pid, "VmHWM:").unwrap_or(peak));
        std::thread::sleep(Duration::from_millis(20));
    }
    let seconds = began.elapsed().as_secs_f64();
    for upload in uploads {
        let answer = upload.join().unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.contains("\"imported\""),
            "{}",
            answer.chars().take(600).collect::<String>()
        );
    }
    let peak = peak.max(status_kb(pid, "VmHWM:").unwrap_or(peak)) as f64 / 1024.0;
    std::thread::sleep(Duration::from_secs(2));
    let after = status_kb(pid, "VmRSS:").unwrap_or(0) as f64 / 1024.0;
    std::thread::sleep(Duration::from_secs(15));
    let later = status_kb(pid, "VmRSS:").unwrap_or(0) as f64 / 1024.0;
    if std::env::var("BENCH_SMAPS").is_ok() {
        let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
        let mut maps: Vec<(u64, String)> = Vec::new();
        let mut name = String::new();
        for line in smaps.lines() {
            if line.contains('-') && !line.starts_with(|c: char| c.is_ascii_uppercase()) {
                name = line.to_string();
            } else if let Some(rss) = line.strip_prefix("Rss:") {
                let kb: u64 = rss.trim().trim_end_matches(" kB").parse().unwrap_or(0);
                maps.push((kb, name.clone()));
            }
        }
        maps.sort();
        for (kb, name) in maps.iter().rev().take(8) {
            println!("{kb:>8} kB {name}");
        }
    }
    let _ = server.kill();
    let _ = server.wait();

    println!(
        "explorer: idle {idle:.0} MB, peak {peak:.0} MB during both uploads ({seconds:.1} s), {after:.0} MB 2 s after, {later:.0} MB 17 s after"
    );
    println!(
        "ratios: peak / (2 × CLI peak) = {:.2}; 2 s after / idle = {:.2}; 17 s after / idle = {:.2}",
        peak / (2.0 * cli),
        after / idle.max(1.0),
        later / idle.max(1.0)
    );
}
