//! The demo city generator through the real binary: `citytrace demo generate` writes the same
//! bytes for the same seed and other bytes for another; the small city imports through the
//! importers with zero problems and the database holds what the generator's manifest says it
//! wrote; the planned sizes of the scales; and the cases the story plants (red flags, cold-chain
//! breaches, waste mismatches) are really in the generated rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::support::{citytrace, text};
use chrono::{DateTime, FixedOffset};
use citytrace_schema::testing::TestDatabase;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Run `citytrace demo generate` and return the manifest it wrote.
fn generate(dir: &Path, args: &[&str], database_url: Option<&str>) -> Value {
    let mut all = vec!["demo", "generate", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = citytrace(database_url, &all, dir.parent().unwrap());
    assert!(
        out.status.success(),
        "citytrace {all:?} failed:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn files(manifest: &Value) -> &Vec<Value> {
    manifest["files"].as_array().unwrap()
}

fn sha256_of(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// File name → sha256 of the bytes on disk (every file of the manifest, and the manifest).
fn hashes(dir: &Path, manifest: &Value) -> BTreeMap<String, String> {
    let mut names: Vec<String> = files(manifest)
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    names.push("manifest.json".into());
    names
        .into_iter()
        .map(|n| {
            let hash = sha256_of(&dir.join(&n));
            (n, hash)
        })
        .collect()
}

/// The rows of the manifest's files per format.
fn rows_by_format(manifest: &Value) -> BTreeMap<String, u64> {
    let mut rows = BTreeMap::new();
    for f in files(manifest) {
        *rows
            .entry(f["format"].as_str().unwrap().to_string())
            .or_insert(0) += f["rows"].as_u64().unwrap();
    }
    rows
}

fn plan(scale: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = citytrace(
        None,
        &["demo", "generate", "--plan", "--scale", scale],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn planned_rows(plan: &Value, format: &str) -> u64 {
    plan["rows"][format].as_u64().unwrap_or(0)
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    let first = generate(&a, &["--seed", "7"], None);
    let again = generate(&b, &["--seed", "7"], None);
    let other = generate(&c, &["--seed", "8"], None);

    let (first_hashes, again_hashes) = (hashes(&a, &first), hashes(&b, &again));
    assert_eq!(first_hashes, again_hashes);
    // The manifest's sha256s are those of the bytes on disk.
    for f in files(&first) {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["sha256"].as_str().unwrap(), first_hashes[name], "{name}");
        assert_eq!(
            f["bytes"].as_u64().unwrap(),
            std::fs::metadata(a.join(name)).unwrap().len(),
            "{name}"
        );
    }

    let other_hashes = hashes(&c, &other);
    assert_ne!(first_hashes, other_hashes);
    // Amounts and times come from the seed: every shipments, readings, waste and OCDS file
    // differs (the product list is the same city's catalogue, whatever the seed).
    for (name, hash) in &first_hashes {
        let format = files(&first)
            .iter()
            .find(|f| f["name"] == name.as_str())
            .map(|f| f["format"].as_str().unwrap());
        if let Some(
            "shipments" | "sensor-readings" | "waste-transfers" | "ocds" | "budget" | "emissions",
        ) = format
        {
            assert_ne!(
                other_hashes.get(name),
                Some(hash),
                "{name} is the same for seeds 7 and 8"
            );
        }
    }
}

#[derive(QueryableByName)]
struct Batch {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    file_name: String,
    #[diesel(sql_type = Text)]
    submitter: String,
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = Text)]
    sha256: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, table: &str) -> u64 {
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .unwrap()
        .n as u64
}

#[test]
fn the_small_city_imports_with_zero_problems_and_the_database_holds_what_the_manifest_says() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    // --import stops at the first file with a problem (nothing of it imported) and fails.
    let manifest = generate(&city, &["--import"], Some(db.url()));

    let conn = &mut db.conn();
    let batches: Vec<Batch> = diesel::sql_query(
        "SELECT kind, file_name, submitter, row_count::int8 AS rows, encode(sha256, 'hex') AS sha256 \
         FROM import_batches ORDER BY id",
    )
    .load(conn)
    .unwrap();
    // One batch per file, in the manifest's order, with its rows, submitter and bytes.
    assert_eq!(batches.len(), files(&manifest).len());
    for (batch, file) in batches.iter().zip(files(&manifest)) {
        let name = file["name"].as_str().unwrap();
        assert!(
            batch.file_name.ends_with(name),
            "{} ≠ {name}",
            batch.file_name
        );
        assert_eq!(batch.kind, file["format"].as_str().unwrap(), "{name}");
        assert_eq!(
            batch.submitter,
            file["submitter"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(batch.rows as u64, file["rows"].as_u64().unwrap(), "{name}");
        assert_eq!(batch.sha256, file["sha256"].as_str().unwrap(), "{name}");
    }

    // Every format is there, and the tables hold the rows the generator wrote.
    let rows = rows_by_format(&manifest);
    let formats: BTreeSet<&str> = rows.keys().map(String::as_str).collect();
    let all: BTreeSet<&str> = [
        "products",
        "budget",
        "ocds",
        "shipments",
        "production",
        "waste-transfers",
        "waste-receipts",
        "sensor-readings",
        "epcis",
        "emissions",
    ]
    .into();
    assert_eq!(formats, all);
    for (format, table) in [
        ("shipments", "shipment_lines"),
        ("sensor-readings", "sensor_readings"),
        ("waste-transfers", "waste_transfers"),
        ("waste-receipts", "waste_receipts"),
        ("ocds", "ocds_releases"),
        ("emissions", "emission_reports"),
        ("budget", "budget_lines"),
    ] {
        assert_eq!(count(conn, table), rows[format], "{table} vs {format} rows");
    }
    assert!(rows.values().all(|n| *n > 0));
}

#[test]
fn the_scales_plan_their_sizes_and_the_generator_writes_the_plan() {
    let small = plan("small");
    let medium = plan("medium");
    let large = plan("large");

    // Large: at least a million shipment lines and ten million readings.
    assert!(planned_rows(&large, "shipments") >= 1_000_000, "{large}");
    assert!(
        planned_rows(&large, "sensor-readings") >= 10_000_000,
        "{large}"
    );
    // Medium: tens of thousands of shipment lines, about a million readings.
    let shipments = planned_rows(&medium, "shipments");
    assert!((10_000..100_000).contains(&shipments), "{medium}");
    let readings = planned_rows(&medium, "sensor-readings");
    assert!((900_000..1_500_000).contains(&readings), "{medium}");
    // Each scale is bigger than the one before in every growing format.
    for format in [
        "shipments",
        "sensor-readings",
        "production",
        "waste-transfers",
        "ocds",
    ] {
        assert!(planned_rows(&small, format) < planned_rows(&medium, format));
        assert!(planned_rows(&medium, format) < planned_rows(&large, format));
    }

    // The small city the generator writes is its plan, row for row.
    let dir = tempfile::tempdir().unwrap();
    let manifest = generate(&dir.path().join("city"), &[], None);
    let planned: BTreeMap<String, u64> = small["rows"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(rows_by_format(&manifest), planned);
}

// ---- The planted cases, found in the generated rows ------------------------------------------

/// A small CSV reader (quoted fields with commas and doubled quotes): header → value per row.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let body = std::fs::read_to_string(path).unwrap();
    let mut lines = body.lines();
    let header = split_csv(lines.next().unwrap());
    lines
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect()
}

fn split_csv(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Every row of the files of `format`.
fn rows_of(dir: &Path, manifest: &Value, format: &str) -> Vec<HashMap<String, String>> {
    files(manifest)
        .iter()
        .filter(|f| f["format"] == format)
        .flat_map(|f| read_csv(&dir.join(f["name"].as_str().unwrap())))
        .collect()
}

fn cases(manifest: &Value, kind: &str) -> Vec<String> {
    manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| c["reference"].as_str().unwrap().to_string())
        .collect()
}

fn time(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn amount(v: &Value) -> f64 {
    v["amount"].as_f64().unwrap()
}

/// What the OCDS releases tell about one process, merged over its releases.
#[derive(Default, Debug)]
struct Process {
    method: String,
    tender_days: Option<f64>,
    bids: Option<usize>,
    supplier: String,
    award: f64,
    award_date: Option<DateTime<FixedOffset>>,
    signed_value: Option<f64>,
    amended_value: Option<f64>,
    paid: f64,
}

fn processes(dir: &Path) -> BTreeMap<String, Process> {
    let package: Value =
        serde_json::from_slice(&std::fs::read(dir.join("ocds-releases.json")).unwrap()).unwrap();
    let mut all: BTreeMap<String, Process> = BTreeMap::new();
    for r in package["releases"].as_array().unwrap() {
        let p = all
            .entry(r["ocid"].as_str().unwrap().to_string())
            .or_default();
        if let Some(method) = r["tender"]["procurementMethod"].as_str() {
            p.method = method.to_string();
        }
        let period = &r["tender"]["tenderPeriod"];
        if let (Some(start), Some(end)) = (period["startDate"].as_str(), period["endDate"].as_str())
        {
            p.tender_days = Some((time(end) - time(start)).num_minutes() as f64 / 1440.0);
        }
        if let Some(bids) = r["bids"]["details"].as_array() {
            p.bids = Some(bids.len());
        }
        for a in r["awards"].as_array().into_iter().flatten() {
            p.award = amount(&a["value"]);
            p.award_date = a["date"].as_str().map(time);
            p.supplier = a["suppliers"][0]["id"].as_str().unwrap().to_string();
        }
        for c in r["contracts"].as_array().into_iter().flatten() {
            if c["amendments"].is_array() {
                p.amended_value = Some(amount(&c["value"]));
            } else if c["value"].is_object() {
                p.signed_value = Some(amount(&c["value"]));
            }
            for t in c["implementation"]["transactions"]
                .as_array()
                .into_iter()
                .flatten()
            {
                p.paid += amount(&t["value"]);
            }
        }
    }
    all
}

/// The ocids a red flag's rule finds in the releases.
fn flagged(all: &BTreeMap<String, Process>, rule: impl Fn(&Process) -> bool) -> BTreeSet<String> {
    all.iter()
        .filter(|(_, p)| rule(p))
        .map(|(ocid, _)| ocid.clone())
        .collect()
}

fn assert_found(kind: &str, found: &BTreeSet<String>, manifest: &Value) {
    let planted = cases(manifest, kind);
    assert!(!planted.is_empty(), "the manifest plants no {kind}");
    for reference in &planted {
        assert!(
            found.contains(reference),
            "{kind} {reference} is not in the generated rows (found {found:?})"
        );
    }
}

#[test]
fn the_planted_red_flags_breaches_and_mismatches_are_in_the_generated_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("city");
    let manifest = generate(&dir, &[], None);

    // Procurement.
    const THRESHOLD: f64 = 221_000.0;
    let all = processes(&dir);
    let contract = |p: &Process| p.amended_value.or(p.signed_value).unwrap_or(p.award);
    let single_bid = flagged(&all, |p| p.method == "open" && p.bids == Some(1));
    assert_found("single_bid", &single_bid, &manifest);
    let short = flagged(&all, |p| p.tender_days.is_some_and(|d| d < 15.0));
    assert_found("short_tender_period", &short, &manifest);
    let direct_above = flagged(&all, |p| p.method == "direct" && p.award > THRESHOLD);
    assert_found("direct_award_above_threshold", &direct_above, &manifest);
    let amended = flagged(
        &all,
        |p| matches!((p.signed_value, p.amended_value), (Some(s), Some(a)) if a > s * 1.15),
    );
    assert_found("amendment_raises_value", &amended, &manifest);
    let overpaid = flagged(&all, |p| p.paid > contract(p) + 0.005);
    assert_found("payments_exceed_contract", &overpaid, &manifest);
    // Split purchases: direct awards to one supplier within 30 days, each under the threshold
    // (within 5 % of it), together above it.
    let mut under: BTreeMap<&str, Vec<&Process>> = BTreeMap::new();
    for p in all.values() {
        if p.method == "direct" && p.award < THRESHOLD && p.award > THRESHOLD * 0.95 {
            under.entry(p.supplier.as_str()).or_default().push(p);
        }
    }
    let split: BTreeSet<String> = under
        .iter()
        .filter(|(_, ps)| {
            let dates: Vec<_> = ps.iter().filter_map(|p| p.award_date).collect();
            let span = dates.iter().max().zip(dates.iter().min());
            ps.len() >= 2
                && ps.iter().map(|p| p.award).sum::<f64>() > THRESHOLD
                && span.is_some_and(|(max, min)| (*max - *min).num_days() <= 30)
        })
        .map(|(supplier, _)| supplier.to_string())
        .collect();
    assert_found("split_purchases", &split, &manifest);

    // Waste.
    let transfers = rows_of(&dir, &manifest, "waste-transfers");
    let receipts = rows_of(&dir, &manifest, "waste-receipts");
    let transfer = |id: &str| {
        transfers
            .iter()
            .find(|t| t["consignment_id"] == id)
            .unwrap_or_else(|| panic!("no transfer {id}"))
    };
    let hazardous: BTreeSet<String> = transfers
        .iter()
        .filter(|t| t["ewc_code"].ends_with('*'))
        .map(|t| t["consignment_id"].clone())
        .collect();
    assert_found("hazardous_waste", &hazardous, &manifest);
    let mismatch: BTreeSet<String> = receipts
        .iter()
        .filter(|r| r["status"] == "accepted")
        .filter(|r| {
            let declared: f64 = transfer(&r["consignment_id"])["mass_kg"].parse().unwrap();
            let received: f64 = r["mass_received_kg"].parse().unwrap();
            (declared - received).abs() > declared * 0.1
        })
        .map(|r| r["consignment_id"].clone())
        .collect();
    assert_found("declared_vs_received_mismatch", &mismatch, &manifest);
    let performed_otherwise: BTreeSet<String> = receipts
        .iter()
        .filter(|r| r["status"] == "accepted")
        .filter(|r| transfer(&r["consignment_id"])["planned_operation"] != r["operation"])
        .map(|r| r["consignment_id"].clone())
        .collect();
    assert_found(
        "planned_vs_performed_mismatch",
        &performed_otherwise,
        &manifest,
    );
    let onward: BTreeSet<&str> = transfers
        .iter()
        .map(|t| t["previous_consignment_id"].as_str())
        .filter(|p| !p.is_empty())
        .collect();
    let parked: BTreeSet<String> = receipts
        .iter()
        .filter(|r| r["operation"] == "R13" && !onward.contains(r["consignment_id"].as_str()))
        .map(|r| r["consignment_id"].clone())
        .collect();
    assert_found("parked_under_r13", &parked, &manifest);
    let refused: BTreeSet<String> = receipts
        .iter()
        .filter(|r| r["status"] == "refused" && !r["refusal_reason"].is_empty())
        .map(|r| r["consignment_id"].clone())
        .collect();
    assert_found("refused_load", &refused, &manifest);
    // Custody chains: onward consignments naming an earlier one that was received.
    let chained: BTreeSet<String> = transfers
        .iter()
        .filter(|t| {
            let previous = t["previous_consignment_id"].as_str();
            !previous.is_empty()
                && transfers.iter().any(|p| p["consignment_id"] == previous)
                && receipts.iter().any(|r| r["consignment_id"] == previous)
        })
        .map(|t| t["consignment_id"].clone())
        .collect();
    assert_found("custody_chain", &chained, &manifest);

    // Cold chain: each shipment's readings against its first product's range and budgets.
    let products: HashMap<String, HashMap<String, String>> = rows_of(&dir, &manifest, "products")
        .into_iter()
        .map(|p| (p["gtin"].clone(), p))
        .collect();
    let first_product: HashMap<String, &HashMap<String, String>> =
        rows_of(&dir, &manifest, "shipments")
            .into_iter()
            .filter(|l| l["line"] == "1")
            .filter_map(|l| Some((l["shipment_id"].clone(), products.get(&l["gtin"])?)))
            .collect();
    let mut logs: BTreeMap<String, Vec<(DateTime<FixedOffset>, f64)>> = BTreeMap::new();
    for r in rows_of(&dir, &manifest, "sensor-readings") {
        logs.entry(r["shipment_id"].clone())
            .or_default()
            .push((time(&r["recorded_at"]), r["temperature_c"].parse().unwrap()));
    }
    let number = |p: &HashMap<String, String>, k: &str| -> f64 { p[k].parse().unwrap() };
    let (mut clean, mut within, mut breach, mut gap) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    for (shipment, readings) in &logs {
        let product = first_product[shipment.as_str()];
        let (min, max) = (number(product, "min_temp_c"), number(product, "max_temp_c"));
        let interval = number(product, "logging_interval_minutes");
        let outside = readings
            .iter()
            .filter(|(_, t)| *t < min || *t > max)
            .count() as f64
            * interval;
        let longest_gap = readings
            .windows(2)
            .map(|w| (w[1].0 - w[0].0).num_minutes() as f64)
            .fold(0.0, f64::max);
        if longest_gap > 2.0 * interval {
            gap.insert(shipment.clone());
        }
        if outside == 0.0 && longest_gap <= interval {
            clean.insert(shipment.clone());
        } else if outside > number(product, "max_excursion_minutes") {
            breach.insert(shipment.clone());
        } else if outside > 0.0 && outside <= number(product, "max_single_excursion_minutes") {
            within.insert(shipment.clone());
        }
    }
    assert!(!clean.is_empty(), "no clean cold-chain shipment");
    assert_found("excursion_within_budget", &within, &manifest);
    assert_found("cold_chain_breach", &breach, &manifest);
    assert_found("logging_gap", &gap, &manifest);
    // Both flows (pharma to clinics, food to school kitchens) have a breach.
    let suppliers: BTreeSet<&str> = breach.iter().map(|s| &s[1..8]).collect();
    assert!(suppliers.len() >= 2, "{breach:?}");
}

#[test]
fn help_teaches_the_scales_and_generating_without_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = text(&citytrace(None, &["demo", "--help"], dir.path()).stdout);
    for needle in [
        "--scale",
        "small",
        "medium",
        "large",
        "demo generate",
        "demo/city",
    ] {
        assert!(demo.contains(needle), "demo --help lacks {needle}:\n{demo}");
    }
    let generate = text(&citytrace(None, &["demo", "generate", "--help"], dir.path()).stdout);
    for needle in [
        "--plan",
        "--import",
        "--seed",
        "--scale large",
        "manifest.json",
    ] {
        assert!(
            generate.contains(needle),
            "demo generate --help lacks {needle}:\n{generate}"
        );
    }
    // Without a folder (and without --plan) it says what is missing.
    let out = citytrace(None, &["demo", "generate"], dir.path());
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("<DIR>"), "{}", text(&out.stderr));
}
