//! `citytrace verify` when the anchor is missing: a batch never anchored, an anchor whose block
//! the ledger reorganised away (anvil's evm_snapshot / evm_revert), a node that does not
//! answer — with the real binary, a real anvil, the real anchorer and follower, PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use crate::support::SHIPMENTS;
use crate::verifying::{
    citytrace, hex, import, lines, proof_from_cli, verify_file, write_config, LINE,
};
use citytrace_importers::merkle::leaf_hash;
use citytrace_indexer::anchor::Anchorer;
use citytrace_indexer::evm::EvmSource;
use citytrace_indexer::follow::ChainFollower;
use citytrace_indexer::source::ChainSource;
use citytrace_indexer::testing::TestLedger;
use citytrace_indexer::Metrics;
use citytrace_schema::models::AnchorSubmission;
use citytrace_schema::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanchored_batch_fails_at_the_anchor_step() {
    // No indexer runs: the batch stays unanchored. No node is needed to say so.
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let batch = import(db.url(), dir.path(), "shipments.csv", SHIPMENTS).await;
    let run = citytrace(
        Some(db.url()),
        &["verify", "--row", &format!("{batch}:3")],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let reason = format!("batch {batch} is not anchored: the proof names no anchoring transaction");
    let out = lines(&run);
    assert_eq!(
        out,
        vec![
            format!("Verifying line 3 of batch {batch} (from the database)"),
            out[1].to_string(),
            out[2].to_string(),
            format!("  ✗ anchor  {reason}"),
            "  – final   no anchoring block to check".to_string(),
            format!("NOT VERIFIED: the anchor step failed: {reason}."),
        ]
    );
    assert!(out[1].starts_with("  ✓ leaf ") && out[1].ends_with("the text is line 3"));
    assert!(out[2].starts_with("  ✓ path    the path (1 sibling hash) leads from leaf 2 of 2"));

    // No such row, no such batch: nothing to verify (exit 2).
    let run = citytrace(
        Some(db.url()),
        &["verify", "--row", &format!("{batch}:9")],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stderr,
        format!("error: batch {batch} has no row at line 9\n")
    );
    let run = citytrace(Some(db.url()), &["verify", "--row", "999:2"], dir.path()).await;
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stderr, "error: there is no batch 999\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anchor_in_a_block_later_reorged_away_fails_at_the_anchor_step() {
    let ledger = TestLedger::start().await;
    let db = TestDatabase::new();
    let pool = db.pool(4);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&ledger, dir.path());
    let batch = import(db.url(), dir.path(), "shipments.csv", SHIPMENTS).await;

    // Anchor on a branch the node will leave, and index it.
    let control = ledger.control();
    let snapshot = control.snapshot().await.unwrap();
    let anchorer = Anchorer::new(
        pool.clone(),
        Metrics::new(),
        Arc::new(ledger.anchor_signer().await),
        31337,
        "citytrace:batch/".into(),
        Duration::from_secs(3600),
        Duration::from_millis(50),
    );
    assert_eq!(anchorer.pass().await.unwrap().sent, vec![batch]);
    let sent = AnchorSubmission::find(&mut db.conn(), batch)
        .unwrap()
        .unwrap();
    let tx: [u8; 32] = sent.tx_hash.as_slice().try_into().unwrap();
    assert!(ledger.signer.wait_mined(tx).await.unwrap());
    let indexer_config = ledger.config();
    let follower = ChainFollower::from_config(
        &indexer_config.chains[0],
        &indexer_config.contracts,
        pool.clone(),
        &Metrics::new(),
    )
    .unwrap();
    follower.register().await.unwrap();
    follower.catch_up().await.unwrap();
    let anchor = {
        let conn = &mut db.conn();
        citytrace_schema::models::ImportBatch::find(conn, batch)
            .unwrap()
            .anchor(conn)
            .unwrap()
            .expect("indexed as anchored")
    };
    let proof = proof_from_cli(db.url(), dir.path(), &config, batch).await;
    let before = verify_file(
        dir.path(),
        &proof,
        "before.json",
        &["--config", config.to_str().unwrap()],
    )
    .await;
    assert_eq!(before.code, Some(0), "{}{}", before.stdout, before.stderr);

    // The node moves to a longer branch without the anchoring transaction.
    assert!(control.revert(snapshot).await.unwrap());
    control.mine(3).await.unwrap();
    let now = EvmSource::new(&ledger.url())
        .unwrap()
        .header(anchor.block_number as u64)
        .await
        .unwrap()
        .expect("the new branch is longer");
    assert_ne!(now.hash.to_vec(), anchor.block_hash);
    let reason = format!(
        "the node has no receipt for transaction {}, and its block {} is {}, not {}: the anchoring block was reorged away",
        hex(&anchor.tx_hash),
        anchor.block_number,
        hex(&now.hash),
        hex(&anchor.block_hash)
    );

    // The proof file, and the database's row (whose indexed anchor is now stale): both fail.
    let from_file = verify_file(
        dir.path(),
        &proof,
        "after.json",
        &["--config", config.to_str().unwrap()],
    )
    .await;
    let from_db = citytrace(
        Some(db.url()),
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
    for run in [from_file, from_db] {
        assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
        let out = lines(&run);
        assert!(out[2].starts_with("  ✓ leaf "), "{}", out[2]);
        assert!(out[3].starts_with("  ✓ path "), "{}", out[3]);
        assert_eq!(out[4], format!("  ✗ anchor  {reason}"));
        assert_eq!(out[5], "  – final   no anchoring block to check");
        assert_eq!(
            out[6],
            format!("NOT VERIFIED: the anchor step failed: {reason}.")
        );
    }
    ledger.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_does_not_answer_leaves_the_verdict_open_with_exit_status_2() {
    // A one-row batch's proof: the leaf is the root, the path is empty.
    let canonical = r#"{"encoding":"citytrace/shipments/1","line":2}"#;
    let leaf = hex(&leaf_hash(canonical.as_bytes()));
    let proof = serde_json::json!({
        "format": "citytrace/proof/1",
        "batch_id": 1, "line": 2, "canonical": canonical,
        "leaf": leaf, "index": 0, "leaf_count": 1, "path": [], "root": leaf,
        "anchor": {
            "chain_id": 31337, "contract": hex(&[0x5f; 20]), "tx_hash": hex(&[0xab; 32]),
            "block_number": 5, "block_hash": hex(&[0xbb; 32]), "log_index": 0
        }
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let run = verify_file(dir.path(), &proof, "p.json", &["--rpc", &url]).await;
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    let out = lines(&run);
    assert_eq!(
        out[2],
        format!(
            "  ✓ leaf    SHA-256(0x00 ‖ row text) = {leaf}, the proof's leaf; the text is line 2"
        )
    );
    assert_eq!(
        out[3],
        format!(
            "  ✓ path    the path (0 sibling hashes) leads from leaf 1 of 1 to the root {leaf}"
        )
    );
    let prefix = format!("  – anchor  could not ask the node at {url}: ");
    assert!(out[4].starts_with(&prefix), "{}", out[4]);
    assert_eq!(out[5], "  – final   no anchoring block to check");
    assert!(
        out[6].starts_with(&format!("Could not verify: the anchor step could not be made: could not ask the node at {url}: ")),
        "{}",
        out[6]
    );

    // Not a proof at all.
    std::fs::write(dir.path().join("x.json"), "{\"batch_id\": 1}").unwrap();
    let run = citytrace(None, &["verify", "x.json"], dir.path()).await;
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stderr,
        "error: x.json: not a citytrace proof (no \"format\": \"citytrace/proof/1\")\n"
    );
}
