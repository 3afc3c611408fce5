//! Benchmark (not a test): memory and throughput of the JSON imports (OCDS, EPCIS).
//!
//!     cargo bench --workspace --bench json_import_memory                 # 50 and 512 MiB
//!     BENCH_MB=50 cargo bench --workspace --bench json_import_memory     # one size
//!     BENCH_BEFORE=/path/to/citytrace BENCH_MB=50 cargo bench --workspace --bench json_import_memory
//!
//! For an OCDS release package (three releases per contracting process — tender, award,
//! contract with payments — each with the parties, items, documents and contact points real
//! publishers write) and an EPCIS document (object events with an SGTIN, locations, business
//! transactions, sources, destinations and a temperature report) of the given size, in the same
//! run and a fresh PostgreSQL database each:
//! - the baseline: serde_json reading the same file as a stream into nothing (`IgnoredAny`), in
//!   this process — the floor of any JSON import;
//! - `citytrace import <format> FILE` (the release binary, a separate process): its time, MB/s,
//!   rows/s, ratio to the baseline, and peak resident memory (VmHWM);
//! - the same file through the server: `citytrace serve` (a separate process) given the file by
//!   `POST /api/v1/imports` (curl), the explorer's peak resident memory and its resident memory
//!   after the import;
//! - with `BENCH_BEFORE`, an older build's `citytrace import` on the same file (the figures
//!   before a change).

mod common;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use citytrace_schema::testing::TestDatabase;
use common::{free_port, start_explorer, status_kb};
use serde::de::IgnoredAny;
use serde::Deserialize;

/// A file generated for the run: its path, size and rows.
struct Generated {
    path: PathBuf,
    bytes: u64,
    rows: usize,
}

/// An OCDS release package of about `mib` MiB.
fn ocds_file(dir: &Path, mib: u64) -> Generated {
    let path = dir.join(format!("releases-{mib}.json"));
    let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "{{\"uri\": \"https://city.example/ocds/releases.json\", \"version\": \"1.1\", \"publishedDate\": \"2026-01-01T00:00:00Z\", \"publisher\": {{\"name\": \"City of Example\"}}, \"releases\": [").unwrap();
    let (mut written, mut rows) = (0u64, 0usize);
    let target = mib << 20;
    while written < target {
        let release = ocds_release(rows);
        if rows > 0 {
            out.write_all(b",\n").unwrap();
        }
        out.write_all(release.as_bytes()).unwrap();
        written += release.len() as u64 + 2;
        rows += 1;
    }
    writeln!(out, "\n]}}").unwrap();
    out.flush().unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    Generated { path, bytes, rows }
}

fn ocds_release(n: usize) -> String {
    let (process, stage) = (n / 3, n % 3);
    let ocid = format!("ocds-bench-{process:08}");
    let supplier = process % 500;
    let party = |id: &str, name: &str, roles: &str| {
        format!(
            r#"{{"id": "{id}", "name": "{name}", "identifier": {{"scheme": "GB-COH", "id": "{id}"}}, "roles": [{roles}], "address": {{"streetAddress": "{n} High Street", "locality": "Example", "postalCode": "EX1 1AA", "countryName": "United Kingdom"}}, "contactPoint": {{"name": "Procurement Team", "email": "procurement@example.org", "telephone": "01234 567 890"}}}}"#
        )
    };
    let parties = format!(
        "{}, {}",
        party(
            "E09000003",
            "City of Example",
            r#""buyer", "procuringEntity""#
        ),
        party(
            &format!("S{supplier:05}"),
            &format!("Supplier {supplier} Ltd"),
            r#""supplier", "tenderer""#
        )
    );
    let tender = format!(
        r#"{{"id": "{ocid}-tender", "title": "Road resurfacing lot {process}", "description": "Resurfacing of carriageways and footways in the north district, including drainage works, kerbs, road markings and traffic management for lot {process}.", "status": "complete", "procurementMethod": "open", "mainProcurementCategory": "works", "value": {{"amount": {}, "currency": "EUR"}}, "tenderPeriod": {{"startDate": "2025-01-{:02}T09:00:00Z", "endDate": "2025-02-{:02}T17:00:00Z"}}, "numberOfTenderers": {}, "items": [{{"id": "1", "description": "Asphalt surface course", "quantity": 1200, "unit": {{"name": "tonne"}}}}], "documents": [{{"id": "notice", "documentType": "tenderNotice", "url": "https://city.example/notices/{process}.pdf"}}]}}"#,
        100_000 + process * 7,
        1 + process % 28,
        1 + process % 28,
        1 + process % 5
    );
    let award = format!(
        r#"{{"id": "{ocid}-award", "date": "2025-03-{:02}T10:00:00Z", "status": "active", "value": {{"amount": {}.50, "currency": "EUR"}}, "suppliers": [{{"id": "S{supplier:05}", "name": "Supplier {supplier} Ltd"}}]}}"#,
        1 + process % 28,
        95_000 + process * 7
    );
    let (tag, body) = match stage {
        0 => ("tender", format!(r#""tender": {tender}"#)),
        1 => (
            "award",
            format!(r#""tender": {tender}, "awards": [{award}]"#),
        ),
        _ => (
            "contract",
            format!(
                r#""awards": [{award}], "contracts": [{{"id": "{ocid}-contract", "awardID": "{ocid}-award", "status": "active", "value": {{"amount": {}.50, "currency": "EUR"}}, "dateSigned": "2025-04-01T12:00:00Z", "implementation": {{"transactions": [{{"id": "{ocid}-p1", "date": "2025-05-01T00:00:00Z", "value": {{"amount": 40000, "currency": "EUR"}}, "payer": {{"id": "E09000003", "name": "City of Example"}}, "payee": {{"id": "S{supplier:05}", "name": "Supplier {supplier} Ltd"}}}}]}}}}]"#,
                95_000 + process * 7
            ),
        ),
    };
    format!(
        r#"{{"ocid": "{ocid}", "id": "{ocid}-{tag}", "date": "2025-0{}-01T00:00:00Z", "tag": ["{tag}"], "initiationType": "tender", "language": "en", "parties": [{parties}], "buyer": {{"id": "E09000003", "name": "City of Example"}}, {body}}}"#,
        1 + stage
    )
}

/// An EPCIS document of about `mib` MiB.
fn epcis_file(dir: &Path, mib: u64) -> Generated {
    let path = dir.join(format!("events-{mib}.jsonld"));
    let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "{{\"@context\": [\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\", {{\"example\": \"https://ns.example.com/epcis/\"}}], \"type\": \"EPCISDocument\", \"schemaVersion\": \"2.0\", \"creationDate\": \"2026-01-01T00:00:00Z\", \"epcisBody\": {{\"eventList\": [").unwrap();
    let (mut written, mut rows) = (0u64, 0usize);
    let target = mib << 20;
    while written < target {
        let event = epcis_event(rows);
        if rows > 0 {
            out.write_all(b",\n").unwrap();
        }
        out.write_all(event.as_bytes()).unwrap();
        written += event.len() as u64 + 2;
        rows += 1;
    }
    writeln!(out, "\n]}}}}").unwrap();
    out.flush().unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    Generated { path, bytes, rows }
}

fn epcis_event(n: usize) -> String {
    let (day, second) = (1 + (n / 86_400) % 28, n % 86_400);
    let time = format!(
        "2025-03-{day:02}T{:02}:{:02}:{:02}.000+01:00",
        second / 3600,
        (second / 60) % 60,
        second % 60
    );
    format!(
        r#"{{"type": "ObjectEvent", "eventTime": "{time}", "eventTimeZoneOffset": "+01:00", "epcList": ["urn:epc:id:sgtin:4012345.011111.{n}"], "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "readPoint": {{"id": "urn:epc:id:sgln:4012345.00011.{}"}}, "bizLocation": {{"id": "urn:epc:id:sgln:4012345.00012.0"}}, "bizTransactionList": [{{"type": "po", "bizTransaction": "urn:epc:id:gdti:4012345.11111.{}"}}], "sourceList": [{{"type": "location", "source": "urn:epc:id:sgln:4012345.00011.0"}}], "destinationList": [{{"type": "location", "destination": "urn:epc:id:sgln:0614141.00777.0"}}], "sensorElementList": [{{"sensorMetadata": {{"time": "{time}", "deviceID": "urn:epc:id:giai:4000001.111"}}, "sensorReport": [{{"type": "Temperature", "value": {}.{}, "uom": "CEL"}}]}}], "example:shipmentNote": "pallet {n} of the morning run"}}"#,
        n % 50,
        n % 10_000,
        2 + n % 6,
        n % 10
    )
}

/// The floor: serde_json reading the file as a stream into nothing; seconds.
fn parse_only(file: &Path) -> f64 {
    let began = Instant::now();
    let reader = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file).unwrap());
    let mut de = serde_json::Deserializer::from_reader(reader);
    IgnoredAny::deserialize(&mut de).unwrap();
    de.end().unwrap();
    began.elapsed().as_secs_f64()
}

/// Run `binary import <format> FILE`; (seconds, peak RSS in MB).
fn cli_import(binary: &str, db: &TestDatabase, format: &str, file: &Path) -> (f64, f64) {
    let began = Instant::now();
    let mut child = Command::new(binary)
        .args(["import", format, file.to_str().unwrap(), "--party", "CITY"])
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
        "{binary} import {format} failed"
    );
    (secs, peak as f64 / 1024.0)
}

/// The same file given to `citytrace serve` by `POST /api/v1/imports`; (seconds, the explorer's
/// peak RSS and its RSS after the import, in MB).
fn server_import(db: &TestDatabase, format: &str, file: &Path) -> (f64, f64, f64) {
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_citytrace"))
            .args(args)
            .env("DATABASE_URL", db.url())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    cli(&["party", "add", "BENCH", "--name", "Benchmark supplier"]);
    let token = cli(&["token", "create", "--party", "BENCH"])
        .trim()
        .to_string();
    let uploads = tempfile::tempdir().unwrap();
    let port = free_port();
    std::env::set_var("CITYTRACE_MAX_UPLOAD_MB", "1024");
    let mut explorer = start_explorer(db, port, uploads.path());
    let began = Instant::now();
    let mut curl = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg(format!(
            "http://127.0.0.1:{port}/api/v1/imports?format={format}&file_name=bench.json"
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak = 0;
    while curl.try_wait().unwrap().is_none() {
        peak = peak.max(status_kb(explorer.id(), "VmHWM:").unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    let secs = began.elapsed().as_secs_f64();
    let out = curl.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "200",
        "the API import failed"
    );
    peak = peak.max(status_kb(explorer.id(), "VmHWM:").unwrap_or(0));
    std::thread::sleep(Duration::from_secs(1));
    let after = status_kb(explorer.id(), "VmRSS:").unwrap_or(0);
    explorer.kill().unwrap();
    explorer.wait().unwrap();
    (secs, peak as f64 / 1024.0, after as f64 / 1024.0)
}

fn report(format: &str, file: &Generated, what: &str, parse: f64, (secs, peak): (f64, f64)) {
    let mb = file.bytes as f64 / 1e6;
    println!(
        "{format:<6} {:>7.1} MB {:>9} rows  {what:<18} {:>6.1} MB/s ({secs:>7.1} s, {:>8.0} rows/s)  ratio to parse-only {:.3}  peak RSS {peak:>7.1} MB",
        mb,
        file.rows,
        mb / secs,
        file.rows as f64 / secs,
        parse / secs
    );
}

fn main() {
    let sizes: Vec<u64> = match std::env::var("BENCH_MB").ok().and_then(|v| v.parse().ok()) {
        Some(n) => vec![n],
        None => vec![50, 512],
    };
    let before = std::env::var("BENCH_BEFORE").ok();
    let dir = tempfile::tempdir().unwrap();
    println!();
    for &mib in &sizes {
        for format in ["ocds", "epcis"] {
            let file = match format {
                "ocds" => ocds_file(dir.path(), mib),
                _ => epcis_file(dir.path(), mib),
            };
            let parse = parse_only(&file.path);
            println!(
                "{format:<6} {:>7.1} MB {:>9} rows  {:<18} {:>6.1} MB/s ({parse:>7.1} s)",
                file.bytes as f64 / 1e6,
                file.rows,
                "serde_json, parse",
                file.bytes as f64 / 1e6 / parse
            );
            let db = TestDatabase::new();
            let run = cli_import(env!("CARGO_BIN_EXE_citytrace"), &db, format, &file.path);
            report(format, &file, "citytrace import", parse, run);
            if let Some(binary) = &before {
                let db = TestDatabase::new();
                let run = cli_import(binary, &db, format, &file.path);
                report(format, &file, "before (CLI)", parse, run);
            }
            let db = TestDatabase::new();
            let (secs, peak, after) = server_import(&db, format, &file.path);
            report(format, &file, "POST /api/v1", parse, (secs, peak));
            println!("{:>48} explorer RSS after the import {after:.1} MB", "");
            std::fs::remove_file(&file.path).unwrap();
        }
    }
}
