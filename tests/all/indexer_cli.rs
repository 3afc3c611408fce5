//! `citytrace index` as operators run it: configuration file, anchoring key from the
//! environment, Prometheus metrics over HTTP, a clean stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{citytrace, text, SHIPMENTS};
use citytrace_indexer::ledger_node::DEV_KEY;
use citytrace_indexer::testing::TestLedger;
use citytrace_schema::models::ImportBatch;
use citytrace_schema::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_anchors_with_the_key_from_the_environment_and_serves_metrics() {
    let ledger = TestLedger::start().await;
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shipments.csv");
    std::fs::write(&file, SHIPMENTS).unwrap();
    assert!(citytrace(
        Some(db.url()),
        &["import", "shipments", file.to_str().unwrap()],
        dir.path()
    )
    .status
    .success());

    let config = ledger.config();
    let mut toml = format!(
        "[[chain]]\nid = 31337\nname = \"City ledger\"\nkind = \"ledger\"\nrpc = [\"{}\"]\npoll_interval_ms = 100\nstart_block = {}\n",
        ledger.url(),
        ledger.contracts.block
    );
    for c in &config.contracts {
        toml.push_str(&format!(
            "\n[[contract]]\nchain = 31337\nkind = \"{}\"\naddress = \"{}\"\nstart_block = {}\n",
            c.kind, c.address, c.start_block
        ));
    }
    toml.push_str(&format!(
        "\n[anchoring]\nchain = 31337\ncontract = \"{}\"\ninterval_ms = 100\n",
        citytrace_schema::hex0x(&ledger.contracts.batch_anchor)
    ));
    let config_path = dir.path().join("citytrace.toml");
    std::fs::write(&config_path, toml).unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args([
            "index",
            "--config",
            config_path.to_str().unwrap(),
            "--metrics",
            &format!("127.0.0.1:{port}"),
        ])
        .env("DATABASE_URL", db.url())
        .env("CITYTRACE_ANCHOR_KEY", DEV_KEY)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let url = format!("http://127.0.0.1:{port}/metrics");
    let deadline = Instant::now() + Duration::from_secs(60);
    let metrics = loop {
        if let Ok(response) = reqwest::get(&url).await {
            let body = response.text().await.unwrap();
            if body.contains("citytrace_anchor_queue_length 0")
                && body.contains("citytrace_anchors_sent_total 1")
            {
                break body;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the batch was not anchored; stderr: {}",
            {
                let _ = child.kill();
                text(&child.wait_with_output().unwrap().stderr)
            }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(metrics.contains("# TYPE citytrace_chain_head_block gauge"));
    assert!(metrics.contains("citytrace_chain_lag_blocks{chain=\"31337\",name=\"City ledger\"}"));
    assert!(metrics.contains(
        "citytrace_rpc_errors_total{chain=\"31337\",name=\"City ledger\",class=\"fatal\"} 0"
    ));
    let batch = ImportBatch::find(&mut db.conn(), 1).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while batch.anchor(&mut db.conn()).unwrap().is_none() {
        assert!(Instant::now() < deadline, "the anchor was not indexed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // SIGTERM: the indexer stops cleanly and exits 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "exit status {:?}; stderr: {}",
        output.status,
        text(&output.stderr)
    );
}

#[test]
fn index_without_the_anchoring_key_says_which_variable_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("citytrace.toml");
    std::fs::write(
        &config,
        "[[chain]]\nid = 31337\nname = \"x\"\nkind = \"ledger\"\nrpc = [\"http://127.0.0.1:9\"]\n[anchoring]\nchain = 31337\ncontract = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\nkey_env = \"CITY_LEDGER_KEY\"\n",
    )
    .unwrap();
    let db = TestDatabase::new();
    let out = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args([
            "index",
            "--config",
            config.to_str().unwrap(),
            "--metrics",
            "off",
        ])
        .env("DATABASE_URL", db.url())
        .env_remove("CITY_LEDGER_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("anchoring needs a signing key in the environment variable CITY_LEDGER_KEY"),
        "{}",
        text(&out.stderr)
    );
}
