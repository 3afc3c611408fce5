//! `citytrace verify` for rows of imported batches, as anyone would run it: the real binary,
//! a real anvil with the city contracts, the real indexer and anchorer, the real explorer and
//! PostgreSQL. The honest row verifies from the database and from the proof file the API
//! serves; a tampered row, a tampered path, a wrong root, another contract or chain, and a row
//! changed in the database each fail at their step, with their reason and exit status 1.
//! (Unanchored and reorged-away anchors: tests/verify_anchoring.rs.)

use crate::support::{System, SHIPMENTS};
use crate::verifying::{
    citytrace, hex, import, lines, proof_from_cli, proof_page_commands, run_as_printed,
    verify_file, write_config, Run, LINE,
};
use citytrace_importers::merkle::leaf_hash;
use citytrace_indexer::testing::TestLedger;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::BatchAnchor;
use citytrace_schema::schema::shipment_lines;
use serde_json::Value;

async fn head(ledger: &TestLedger) -> u64 {
    ledger.control().block_number().await.unwrap()
}

fn final_line(anchor: &BatchAnchor, head: u64) -> String {
    format!(
        "  ✓ final   block {n} ({h}) is the node's block at that height, and final: head {head}, 0 confirmations needed, {seen} seen",
        n = anchor.block_number,
        h = hex(&anchor.block_hash),
        seen = head - anchor.block_number as u64
    )
}

fn anchor_line(anchor: &BatchAnchor, batch: i64, origin: &str) -> String {
    format!(
        "  ✓ anchor  transaction {tx} succeeded in block {n} ({h}) on chain 31337; its log {i} from BatchAnchor {c} ({origin}) carries batch {batch}, root {root}, 2 rows",
        tx = hex(&anchor.tx_hash),
        n = anchor.block_number,
        h = hex(&anchor.block_hash),
        i = anchor.log_index,
        c = hex(&anchor.contract),
        root = hex(&anchor.merkle_root),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_row_verifies_from_the_database_and_from_the_proof_file_the_api_serves() {
    let system = System::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&system.ledger, dir.path());
    let batch = import(system.db.url(), dir.path(), "shipments.csv", SHIPMENTS).await;
    let anchor = system.wait_anchored(batch).await;

    // From the database.
    let run = citytrace(
        Some(system.db.url()),
        &[
            "verify",
            "--row",
            &format!("{batch}:{LINE}"),
            "--config",
            config.to_str().unwrap(),
        ],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let proof = proof_from_cli(system.db.url(), dir.path(), &config, batch).await;
    let canonical = proof["canonical"].as_str().unwrap();
    let leaf = hex(&leaf_hash(canonical.as_bytes()));
    let root = hex(&anchor.merkle_root);
    let head = head(&system.ledger).await;
    assert_eq!(
        lines(&run),
        vec![
            format!("Verifying line 2 of batch {batch} (from the database)"),
            format!(
                "  node {} (chain 31337); final means 0 confirmations (the configuration)",
                system.ledger.url()
            ),
            format!("  ✓ leaf    SHA-256(0x00 ‖ row text) = {leaf}, the proof's leaf; the text is line 2"),
            format!("  ✓ path    the path (1 sibling hash) leads from leaf 1 of 2 to the root {root}"),
            anchor_line(&anchor, batch, "the configuration's [anchoring] contract"),
            final_line(&anchor, head),
            format!("Verified: line 2 of batch {batch} is exactly this text, in the batch whose Merkle root the ledger anchored, in a final block."),
        ]
    );

    // The explorer's proof file, downloaded.
    let response = reqwest::get(format!(
        "{}/api/v1/batches/{batch}/rows/{LINE}/proof",
        system.explorer
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"citytrace-batch-{batch}-line-2.proof.json\"").as_str()
    );
    let body = response.text().await.unwrap();
    let served: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served, proof, "the API serves the proof the CLI verifies");
    assert_eq!(
        served["anchor"],
        serde_json::json!({
            "chain_id": 31337,
            "contract": hex(&anchor.contract),
            "tx_hash": hex(&anchor.tx_hash),
            "block_number": anchor.block_number,
            "block_hash": hex(&anchor.block_hash),
            "log_index": anchor.log_index,
        })
    );
    let file = dir.path().join("downloaded.proof.json");
    std::fs::write(&file, &body).unwrap();

    // Offline: no database, the node from --rpc, the contract as the proof names it.
    let run = citytrace(
        None,
        &[
            "verify",
            file.to_str().unwrap(),
            "--rpc",
            &system.ledger.url(),
        ],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let out = lines(&run);
    assert_eq!(
        out[0],
        format!(
            "Verifying line 2 of batch {batch} (from {})",
            file.display()
        )
    );
    assert_eq!(
        out[1],
        format!(
            "  node {} (chain 31337); final means 0 confirmations (the default for the city ledger)",
            system.ledger.url()
        )
    );
    assert_eq!(
        out[4],
        anchor_line(
            &anchor,
            batch,
            "as the proof names it: pass --contract or --config to hold it to the city's own"
        )
    );
    assert_eq!(out.len(), 7);

    // JSON: every step passed, and the proof is the one checked.
    let run = citytrace(
        None,
        &[
            "verify",
            file.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(0));
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["verdict"], "verified");
    assert_eq!(
        (&json["step"], &json["reason"]),
        (&Value::Null, &Value::Null)
    );
    let steps: Vec<(&str, &str)> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["step"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("leaf", "pass"),
            ("path", "pass"),
            ("anchor", "pass"),
            ("final", "pass")
        ]
    );
    assert_eq!(json["proof"], served);
    system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_the_proof_page_prints_verifies_the_row_against_the_ledger() {
    let system = System::start().await;
    let dir = tempfile::tempdir().unwrap();
    let batch = import(system.db.url(), dir.path(), "shipments.csv", SHIPMENTS).await;
    let anchor = system.wait_anchored(batch).await;

    let commands = proof_page_commands(&system.explorer, batch, LINE).await;
    let file = format!("citytrace-batch-{batch}-line-2.proof.json");
    assert_eq!(
        commands,
        format!(
            "curl -fsS -o {file} {}/api/v1/batches/{batch}/rows/2/proof\ncitytrace verify {file} --rpc \"$LEDGER_RPC\" --contract {}",
            system.explorer,
            hex(&anchor.contract)
        )
    );
    // Run as printed, in an empty folder, with the node's address and no database.
    let run = run_as_printed(&commands, &system.ledger.url(), dir.path()).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let out = lines(&run);
    assert_eq!(
        out[0],
        format!("Verifying line 2 of batch {batch} (from {file})")
    );
    assert_eq!(out[4], anchor_line(&anchor, batch, "given with --contract"));
    assert_eq!(
        out.last().copied(),
        Some(format!("Verified: line 2 of batch {batch} is exactly this text, in the batch whose Merkle root the ledger anchored, in a final block.").as_str())
    );
    system.stop().await;
}

/// A running system with one anchored batch, its configuration, and line 2's proof.
struct Anchored {
    system: System,
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    batch: i64,
    anchor: BatchAnchor,
    proof: Value,
}

async fn anchored() -> Anchored {
    let system = System::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&system.ledger, dir.path());
    let batch = import(system.db.url(), dir.path(), "shipments.csv", SHIPMENTS).await;
    let anchor = system.wait_anchored(batch).await;
    let proof = proof_from_cli(system.db.url(), dir.path(), &config, batch).await;
    Anchored {
        system,
        dir,
        config,
        batch,
        anchor,
        proof,
    }
}

impl Anchored {
    async fn verify(&self, proof: &Value, name: &str) -> Run {
        verify_file(
            self.dir.path(),
            proof,
            name,
            &["--config", self.config.to_str().unwrap()],
        )
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_row_fails_at_the_leaf_step() {
    let a = anchored().await;
    let mut proof = a.proof.clone();
    let honest = proof["canonical"].as_str().unwrap().to_string();
    let tampered = honest.replace("\"quantity\":\"25.5\"", "\"quantity\":\"52.5\"");
    assert_ne!(tampered, honest);
    proof["canonical"] = Value::String(tampered.clone());

    let run = a.verify(&proof, "tampered-row.json").await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let reason = format!(
        "the row's canonical text hashes to {}, not to the proof's leaf {}: the row is not the one that was hashed",
        hex(&leaf_hash(tampered.as_bytes())),
        proof["leaf"].as_str().unwrap()
    );
    let out = lines(&run);
    assert_eq!(out[2], format!("  ✗ leaf    {reason}"));
    assert!(out[3].starts_with("  ✓ path "), "{}", out[3]);
    assert!(out[4].starts_with("  ✓ anchor "), "{}", out[4]);
    assert!(out[5].starts_with("  ✓ final "), "{}", out[5]);
    assert_eq!(
        out[6],
        format!("NOT VERIFIED: the leaf step failed: {reason}.")
    );
    a.system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_path_fails_at_the_path_step() {
    let a = anchored().await;
    let mut proof = a.proof.clone();
    let sibling = proof["path"][0]["hash"].as_str().unwrap().to_string();
    let changed = format!(
        "{}{}",
        &sibling[..65],
        if sibling.ends_with('0') { "1" } else { "0" }
    );
    proof["path"][0]["hash"] = Value::String(changed.clone());

    let run = a.verify(&proof, "tampered-path.json").await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let leaf: [u8; 32] = citytrace_schema::parse_hex(proof["leaf"].as_str().unwrap(), 32)
        .unwrap()
        .try_into()
        .unwrap();
    let reached = citytrace_importers::merkle::node_hash(
        &leaf,
        &citytrace_schema::parse_hex(&changed, 32)
            .unwrap()
            .try_into()
            .unwrap(),
    );
    let reason = format!(
        "the path leads from the leaf to {}, not to the proof's root {}",
        hex(&reached),
        hex(&a.anchor.merkle_root)
    );
    let out = lines(&run);
    assert!(out[2].starts_with("  ✓ leaf "), "{}", out[2]);
    assert_eq!(out[3], format!("  ✗ path    {reason}"));
    assert!(out[4].starts_with("  ✓ anchor "), "{}", out[4]);
    assert_eq!(
        out[6],
        format!("NOT VERIFIED: the path step failed: {reason}.")
    );
    a.system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_root_or_another_contract_fails_at_the_anchor_step() {
    let a = anchored().await;
    let db = a.system.db.url();
    // A second batch: its own rows, its own root, its own anchor.
    let other_csv = SHIPMENTS
        .replace("16,1,LOT", "16,3,LOT")
        .replace("16,2,LOT", "16,4,LOT")
        .replace(",25.5,", ",30,");
    assert_eq!(
        other_csv.matches(",3,LOT").count() + other_csv.matches(",4,LOT").count(),
        2
    );
    let other = import(db, a.dir.path(), "other.csv", &other_csv).await;
    let other_anchor = a.system.wait_anchored(other).await;
    let other_proof = proof_from_cli(db, a.dir.path(), &a.config, other).await;

    // The other batch's row, internally consistent, passed off as this batch's.
    let mut relabelled = other_proof.clone();
    relabelled["batch_id"] = a.batch.into();
    relabelled["anchor"] = a.proof["anchor"].clone();
    let run = a.verify(&relabelled, "relabelled.json").await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let reason = format!(
        "the BatchAnchored log of transaction {} (block {}) for batch {} carries root {}, not the proof's root {}",
        hex(&a.anchor.tx_hash),
        a.anchor.block_number,
        a.batch,
        hex(&a.anchor.merkle_root),
        hex(&other_anchor.merkle_root)
    );
    let out = lines(&run);
    assert!(out[2].starts_with("  ✓ leaf "), "{}", out[2]);
    assert!(out[3].starts_with("  ✓ path "), "{}", out[3]);
    assert_eq!(out[4], format!("  ✗ anchor  {reason}"));
    assert_eq!(out[5], "  – final   no anchoring block to check");
    assert_eq!(
        out[6],
        format!("NOT VERIFIED: the anchor step failed: {reason}.")
    );

    // Only the root replaced: the path no longer leads to it, and the ledger anchored another.
    let mut rerooted = a.proof.clone();
    rerooted["root"] = Value::String(hex(&other_anchor.merkle_root));
    let run = a.verify(&rerooted, "rerooted.json").await;
    assert_eq!(run.code, Some(1));
    let out = lines(&run);
    assert_eq!(
        out[3],
        format!(
            "  ✗ path    the path leads from the leaf to {}, not to the proof's root {}",
            hex(&a.anchor.merkle_root),
            hex(&other_anchor.merkle_root)
        )
    );
    assert_eq!(out[4], format!("  ✗ anchor  {reason}"));
    assert!(out[6].starts_with("NOT VERIFIED: the path step failed: "));

    // The honest proof held to another BatchAnchor address.
    let elsewhere = format!("0x{}", "00".repeat(19) + "01");
    let run = verify_file(
        a.dir.path(),
        &a.proof,
        "honest.json",
        &["--rpc", &a.system.ledger.url(), "--contract", &elsewhere],
    )
    .await;
    assert_eq!(run.code, Some(1));
    assert_eq!(
        lines(&run)[4],
        format!(
            "  ✗ anchor  transaction {} has a BatchAnchored log only from {}, not from the BatchAnchor contract {elsewhere} (given with --contract)",
            hex(&a.anchor.tx_hash),
            hex(&a.anchor.contract)
        )
    );

    // The honest proof, asked of a node on another chain than its anchor's.
    let mut other_chain = a.proof.clone();
    other_chain["anchor"]["chain_id"] = 137.into();
    let run = verify_file(
        a.dir.path(),
        &other_chain,
        "chain.json",
        &["--rpc", &a.system.ledger.url()],
    )
    .await;
    assert_eq!(run.code, Some(1));
    assert_eq!(
        lines(&run)[4],
        format!(
            "  ✗ anchor  the node at {} is on chain 31337, not chain 137",
            a.system.ledger.url()
        )
    );
    a.system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_changed_in_the_database_fails_against_the_root_the_ledger_anchored() {
    let a = anchored().await;
    let db = a.system.db.url();
    diesel::update(
        shipment_lines::table
            .filter(shipment_lines::batch_id.eq(a.batch))
            .filter(shipment_lines::line.eq(2)),
    )
    .set(shipment_lines::unit.eq("KGM"))
    .execute(&mut a.system.db.conn())
    .unwrap();
    // The proof over the rows as stored holds together; its root is not the anchored one.
    let proof = proof_from_cli(db, a.dir.path(), &a.config, a.batch).await;
    assert!(proof["canonical"]
        .as_str()
        .unwrap()
        .contains("\"unit\":\"KGM\""));
    assert_ne!(proof["root"], a.proof["root"]);
    let run = citytrace(
        Some(db),
        &[
            "verify",
            "--row",
            &format!("{}:{LINE}", a.batch),
            "--config",
            a.config.to_str().unwrap(),
        ],
        a.dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let reason = format!(
        "the BatchAnchored log of transaction {} (block {}) for batch {} carries root {}, not the proof's root {}",
        hex(&a.anchor.tx_hash),
        a.anchor.block_number,
        a.batch,
        hex(&a.anchor.merkle_root),
        proof["root"].as_str().unwrap()
    );
    let out = lines(&run);
    assert!(out[2].starts_with("  ✓ leaf "), "{}", out[2]);
    assert!(out[3].starts_with("  ✓ path "), "{}", out[3]);
    assert_eq!(out[4], format!("  ✗ anchor  {reason}"));
    assert_eq!(
        out[6],
        format!("NOT VERIFIED: the anchor step failed: {reason}.")
    );
    a.system.stop().await;
}
