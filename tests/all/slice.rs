//! The walking skeleton, end to end with real parts: `citytrace import` → the anchorer's
//! transaction on anvil → the indexed BatchAnchored event → the batch marked anchored in the
//! same transaction as its checkpoint → the lot page says "anchored in block N (tx …)".

use crate::support::{citytrace, text, System, SHIPMENTS};
use citytrace_schema::models::{AnchorSubmission, Checkpoint};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_shipment_file_is_anchored_and_the_lot_page_says_so() {
    let system = System::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shipments.csv");
    std::fs::write(&file, SHIPMENTS).unwrap();

    let out = citytrace(
        Some(system.db.url()),
        &[
            "import",
            "shipments",
            file.to_str().unwrap(),
            "--party",
            "RCW",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Imported batch 1: 2 rows of shipments from shipments.csv."),
        "{stdout}"
    );

    let anchor = system.wait_anchored(1).await;
    let conn = &mut system.db.conn();
    let submission = AnchorSubmission::find(conn, 1).unwrap().unwrap();
    assert_eq!(anchor.tx_hash, submission.tx_hash);
    let checkpoint = Checkpoint::get(conn, 31337, "logs").unwrap().unwrap();
    assert!(
        checkpoint.block_number >= anchor.block_number,
        "the checkpoint covers the anchor"
    );

    let page = reqwest::get(format!("{}/lots/LOT-RC-0412", system.explorer))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let tx = citytrace_schema::hex0x(&anchor.tx_hash);
    let (chain, block) = (anchor.chain_id, anchor.block_number);
    let expected = format!(
        r#"anchored in block <a class="anchor-block" href="/ledger/chains/{chain}/blocks/{block}">{block}</a> (tx <a class="anchor-tx" href="/ledger/chains/{chain}/tx/{tx}" title="{tx}"><code class="hash">{}…{}</code></a>)"#,
        &tx[..8],
        &tx[tx.len() - 4..]
    );
    assert!(
        html.contains(&expected),
        "lot page lacks {expected:?}:\n{html}"
    );
    assert!(
        html.contains("batch 1, line 2"),
        "the shipment's source line"
    );
    assert!(html.contains("Portland cement CEM I"));

    let batch_page = reqwest::get(format!("{}/batches/1", system.explorer))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        batch_page.contains(&tx),
        "the batch page shows the full anchor transaction"
    );
    system.stop().await;
}
