//! `citytrace audit` as an operator runs it: the real binary on a database filled through the
//! real importers and anchored by the real anchorer and follower on a real anvil. An honest
//! city passes; rows changed with SQL afterwards (a shipment line, a sensor reading, a budget
//! line, an OCDS release, an EPCIS event) are named by batch and line with the anchored leaf
//! and the stored row; an anchor on the node that differs from the rows, a batch left
//! unanchored, a changed indexed log and an unreachable node are each reported.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::verifying::{citytrace, hex, write_config, Run};
use citytrace_importers::merkle::leaf_hash;
use citytrace_indexer::anchor::Anchorer;
use citytrace_indexer::follow::ChainFollower;
use citytrace_indexer::source::AnchorSender;
use citytrace_indexer::testing::TestLedger;
use citytrace_indexer::Metrics;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::sql_types::BigInt;
use citytrace_schema::models::{AnchorSubmission, ImportBatch};
use citytrace_schema::testing::{reference_dir, TestDatabase};
use serde_json::Value;

const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    376123450000000016,1,LOT-RC-0412,04012345111118,Portland cement CEM I,25.5,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,2026-04-12T09:05:00+02:00\n\
    376123450000000016,2,LOT-AG-0412,,Crushed granite 4/20,18,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,\n\
    376123450000000016,3,LOT-SA-0412,,Sand 0/4,6.7,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,\n";

const READINGS: &str = "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct\n\
    TL-88412,376123450000000016,,2026-04-12T07:35:00+02:00,4.25,61.5\n\
    TL-88412,376123450000000016,,2026-04-12T07:40:00+02:00,4.5,61.0\n\
    TL-88412,376123450000000016,,2026-04-12T07:45:00+02:00,8.75,60.5\n\
    TL-88412,376123450000000016,,2026-04-12T07:50:00+02:00,5.5,60.0\n";

const BUDGET: &str = "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
    2026-PW-0412,2026,approved,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck replacement,1250000.00,EUR\n\
    2026-PW-0412,2026,adjusted,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck replacement,1380000.00,EUR\n\
    2026-PW-0412,2026,executed,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck replacement,1312400.50,EUR\n";

/// A ledger, a database and a configuration; batches anchored and indexed on demand.
struct City {
    ledger: TestLedger,
    db: TestDatabase,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl City {
    async fn new() -> Self {
        let ledger = TestLedger::start().await;
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(&ledger, dir.path());
        Self {
            ledger,
            db: TestDatabase::new(),
            dir,
            config,
        }
    }

    /// Import `text` as `format` with the real `citytrace import`; the batch id.
    async fn import(&self, format: &str, name: &str, text: &[u8]) -> i64 {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        self.import_file(format, &path).await
    }

    async fn import_file(&self, format: &str, path: &Path) -> i64 {
        let run = self
            .run(&["import", format, path.to_str().unwrap(), "--format", "json"])
            .await;
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(json["outcome"], "imported", "{json}");
        json["batch"]["id"].as_i64().unwrap()
    }

    /// One anchorer pass (every waiting batch sent and mined), then the follower catches up.
    async fn anchor_and_index(&self) {
        let pool = self.db.pool(2);
        let anchorer = Anchorer::new(
            pool.clone(),
            Metrics::new(),
            Arc::new(self.ledger.anchor_signer().await),
            31337,
            "citytrace:batch/".into(),
            Duration::from_secs(3600),
            Duration::from_millis(50),
        );
        for batch in anchorer.pass().await.unwrap().sent {
            let sent = AnchorSubmission::find(&mut self.db.conn(), batch)
                .unwrap()
                .unwrap();
            let tx: [u8; 32] = sent.tx_hash.as_slice().try_into().unwrap();
            assert!(self.ledger.signer.wait_mined(tx).await.unwrap());
        }
        let config = self.ledger.config();
        let follower =
            ChainFollower::from_config(&config.chains[0], &config.contracts, pool, &Metrics::new())
                .unwrap();
        follower.register().await.unwrap();
        follower.catch_up().await.unwrap();
    }

    async fn run(&self, args: &[&str]) -> Run {
        citytrace(Some(self.db.url()), args, self.dir.path()).await
    }

    /// `citytrace audit --config ledger.toml --logs LOGS --format json` and `extra`.
    async fn audit_json(&self, logs: &str, extra: &[&str]) -> (Option<i32>, Value) {
        let mut args = vec![
            "audit",
            "--config",
            self.config.to_str().unwrap(),
            "--logs",
            logs,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let run = self.run(&args).await;
        let json = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
        (run.code, json)
    }

    /// Line `line` of `batch` as `verify --row` shows it: (canonical text, leaf).
    async fn row(&self, batch: i64, line: u64) -> (String, String) {
        let run = self
            .run(&[
                "verify",
                "--row",
                &format!("{batch}:{line}"),
                "--config",
                self.config.to_str().unwrap(),
                "--format",
                "json",
            ])
            .await;
        let json: Value = serde_json::from_str(&run.stdout).expect(&run.stderr);
        let canonical = json["proof"]["canonical"].as_str().unwrap().to_string();
        assert_eq!(
            json["proof"]["leaf"].as_str().unwrap(),
            hex(&leaf_hash(canonical.as_bytes()))
        );
        let leaf = hex(&leaf_hash(canonical.as_bytes()));
        (canonical, leaf)
    }

    fn sql(&self, statement: &str, batch: i64) {
        let changed = diesel::sql_query(statement)
            .bind::<BigInt, _>(batch)
            .execute(&mut self.db.conn())
            .unwrap();
        assert_eq!(changed, 1, "{statement}");
    }

    fn batch(&self, id: i64) -> ImportBatch {
        ImportBatch::find(&mut self.db.conn(), id).unwrap()
    }
}

fn statuses(json: &Value) -> Vec<(String, String)> {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["step"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pass(steps: &[&str]) -> Vec<(String, String)> {
    steps
        .iter()
        .map(|s| (s.to_string(), "pass".to_string()))
        .collect()
}

/// The mismatches about `batch` (all of them when None), as (check, line, expected, found).
fn mismatches(json: &Value, batch: Option<i64>) -> Vec<(String, Option<i64>, String, String)> {
    json["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| batch.is_none() || m["batch"].as_i64() == batch)
        .map(|m| {
            (
                m["check"].as_str().unwrap().to_string(),
                m["line"].as_i64(),
                m["expected"].as_str().unwrap().to_string(),
                m["found"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The row-level mismatch an audit reports for a line changed in place.
fn changed_line(
    line: i64,
    anchored_leaf: &str,
    stored: &(String, String),
) -> (String, Option<i64>, String, String) {
    (
        "row".into(),
        Some(line),
        format!("the row the ledger anchored, leaf {anchored_leaf}"),
        format!("leaf {} of the stored row {}", stored.1, stored.0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_city_passes_and_rows_changed_with_sql_are_named_by_batch_and_line() {
    let city = City::new().await;
    let shipments = city
        .import("shipments", "shipments.csv", SHIPMENTS.as_bytes())
        .await;
    let readings = city
        .import("sensor-readings", "readings.csv", READINGS.as_bytes())
        .await;
    let budget = city.import("budget", "budget.csv", BUDGET.as_bytes()).await;
    city.anchor_and_index().await;

    let (code, json) = city.audit_json("all", &[]).await;
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["verdict"], "verified");
    assert_eq!(
        (json["batches"].as_u64(), json["rows"].as_u64()),
        (Some(3), Some(10))
    );
    assert_eq!(
        json["recorded"], 3,
        "the leaves of the three anchored batches are kept"
    );
    assert_eq!(
        statuses(&json),
        pass(&["rows", "anchors", "waiting", "logs"])
    );
    assert!(json["logs_checked"].as_u64().unwrap() >= 4, "{json:#}");
    assert_eq!(json["logs_checked"], json["logs_indexed"]);
    assert_eq!(json["mismatches"], serde_json::json!([]));

    // Text, the second time: nothing more to record.
    let run = city
        .run(&[
            "audit",
            "--config",
            city.config.to_str().unwrap(),
            "--logs",
            "all",
        ])
        .await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let out: Vec<&str> = run.stdout.lines().collect();
    let logs = json["logs_indexed"].as_u64().unwrap();
    assert_eq!(
        out[0],
        format!("Auditing 3 batches (10 rows) and {logs} indexed logs")
    );
    assert!(out[1].starts_with(&format!(
        "  node {} (chain 31337), BatchAnchor ",
        city.ledger.url()
    )));
    assert!(
        out[2].starts_with(
            "  ✓ rows     3 batches, 10 rows re-proved from their canonical encodings in "
        ),
        "{}",
        out[2]
    );
    assert_eq!(out[3], "  ✓ anchors  3 batches anchored on the ledger (3 BatchAnchored events from the node): their ids, roots and row counts are the ones the rows give, and the database's indexed anchors agree");
    assert_eq!(
        out[4],
        "  ✓ waiting  no batch has waited more than 1 h for its anchor (0 waiting for less)"
    );
    assert_eq!(
        out[5],
        format!("  ✓ logs     all {logs} indexed logs equal their logs on the node")
    );
    assert!(out[6].starts_with("Audited: "), "{}", out[6]);
    assert_eq!(out.len(), 7);

    // Change one row of each batch in the database; the text before and after, from verify.
    let cases = [
        (
            shipments,
            4,
            "UPDATE shipment_lines SET quantity = 7.6 WHERE batch_id = $1 AND line = 4",
        ),
        (
            readings,
            5,
            "UPDATE sensor_readings SET temperature_c = 4.75 WHERE batch_id = $1 AND line = 5",
        ),
        (
            budget,
            4,
            "UPDATE budget_lines SET amount = 1312400.05 WHERE batch_id = $1 AND line = 4",
        ),
    ];
    let mut expected = Vec::new();
    for (batch, line, update) in cases {
        let before = city.row(batch, line).await;
        let root = hex(&city.batch(batch).merkle_root);
        city.sql(update, batch);
        let after = city.row(batch, line).await;
        assert_ne!(before.1, after.1);
        expected.push((batch, line as i64, root, before.1, after));
    }
    // And an indexed log: the anchorer's authorisation, as the follower stored it.
    let changed_log = diesel::sql_query(
        "UPDATE ledger_events SET params = jsonb_set(params, '{allowed}', 'false') \
         WHERE event_name = 'AnchorerChanged' RETURNING chain_id",
    )
    .execute(&mut city.db.conn())
    .unwrap();
    assert_eq!(changed_log, 1);

    let (code, json) = city.audit_json("all", &[]).await;
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(json["verdict"], "failed");
    assert_eq!(
        json["recorded"], 0,
        "changed batches are not recorded again"
    );
    assert_eq!(
        statuses(&json),
        vec![
            ("rows".to_string(), "fail".to_string()),
            ("anchors".into(), "pass".into()),
            ("waiting".into(), "pass".into()),
            ("logs".into(), "fail".into()),
        ]
    );
    for (batch, line, root, anchored_leaf, stored) in &expected {
        let b = city.batch(*batch);
        let found = mismatches(&json, Some(*batch));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].0, "rows");
        assert!(
            found[0].2.starts_with(&format!(
                "root {root} over {} rows, anchored on the ledger in transaction 0x",
                b.row_count
            )),
            "{}",
            found[0].2
        );
        assert!(
            found[0].3.ends_with(&format!(
                "over {} stored rows (the lines that changed follow)",
                b.row_count
            )),
            "{}",
            found[0].3
        );
        assert_eq!(found[1], changed_line(*line, anchored_leaf, stored));
    }
    let logs = mismatches(&json, None)
        .into_iter()
        .filter(|m| m.0 == "log")
        .collect::<Vec<_>>();
    assert_eq!(logs.len(), 1, "{logs:#?}");
    assert!(
        logs[0].2.starts_with("the indexed row is log "),
        "{}",
        logs[0].2
    );
    assert!(
        logs[0].3.starts_with("fields: 1 of 10 fields of the ledger_events row differ from the ledger: params: stored "),
        "{}",
        logs[0].3
    );

    // The text report names them the same way.
    let run = city
        .run(&[
            "audit",
            "--config",
            city.config.to_str().unwrap(),
            "--logs",
            "0",
        ])
        .await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let (batch, line, _, anchored_leaf, stored) = &expected[0];
    let subject = format!("  batch {batch} (shipments, shipments.csv) line {line} [row]");
    let out: Vec<&str> = run.stdout.lines().collect();
    let at = out
        .iter()
        .position(|l| *l == subject)
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(
        out[at + 1],
        format!("      expected: the row the ledger anchored, leaf {anchored_leaf}")
    );
    assert_eq!(
        out[at + 2],
        format!(
            "      found:    leaf {} of the stored row {}",
            stored.1, stored.0
        )
    );
    assert_eq!(
        out.last(),
        Some(&"NOT AUDITED: 6 mismatches (listed above). Restore the rows named from a backup or the submitter's file (`citytrace verify --row BATCH:LINE` shows what is stored), and find out how they were changed.")
    );
    city.ledger.node.stop().await;
}

const OTHER_SHIPMENT: &str =
    "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-2,1,LOT-9,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00Z\n\
    SHP-2,2,LOT-10,Rebar B500B,1.8,TNE,MILL,SITE-A,2026-05-01T08:00:00Z\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anchor_unlike_the_rows_a_batch_left_unanchored_and_an_unreachable_node_are_reported() {
    let city = City::new().await;
    let honest = city
        .import("shipments", "shipments.csv", SHIPMENTS.as_bytes())
        .await;
    city.anchor_and_index().await;

    // Someone anchors the next batch id with another root before the anchorer can.
    let next = honest + 1;
    let forged_root = [0x42u8; 32];
    let sent = city
        .ledger
        .anchor_signer()
        .await
        .send_anchor(next as u64, forged_root, 2, "citytrace:batch/forged")
        .await
        .unwrap();
    assert!(city.ledger.signer.wait_mined(sent.hash).await.unwrap());
    let forged = city
        .import("shipments", "other.csv", OTHER_SHIPMENT.as_bytes())
        .await;
    assert_eq!(forged, next);
    city.anchor_and_index().await;
    let forged_stored_root = hex(&city.batch(forged).merkle_root);

    // Two batches the anchorer never sees: one imported two hours ago, one just now.
    let late = city
        .import("sensor-readings", "readings.csv", READINGS.as_bytes())
        .await;
    city.sql(
        "UPDATE import_batches SET imported_at = now() - interval '2 hours' WHERE id = $1",
        late,
    );
    let fresh = city.import("budget", "budget.csv", BUDGET.as_bytes()).await;

    let (code, json) = city.audit_json("0", &["--unanchored-after", "1h"]).await;
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(
        statuses(&json),
        vec![
            ("rows".to_string(), "fail".to_string()),
            ("anchors".into(), "pass".into()),
            ("waiting".into(), "fail".into()),
        ]
    );
    assert_eq!(mismatches(&json, Some(honest)), vec![]);
    assert_eq!(mismatches(&json, Some(fresh)), vec![], "within the hour");
    let found = mismatches(&json, Some(forged));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("rows", None));
    assert!(
        found[0].2.starts_with(&format!(
            "root {} over 2 rows, anchored on the ledger in transaction {} (block ",
            hex(&forged_root),
            hex(&sent.hash)
        )),
        "{}",
        found[0].2
    );
    assert_eq!(
        found[0].3,
        format!("root {forged_stored_root} over 2 stored rows; no line can be named: the batch has no leaf record (it changed before an audit recorded its leaves)")
    );
    assert_eq!(
        found[1],
        (
            "stored_root".to_string(),
            None,
            format!(
                "import_batches.merkle_root {} (the root the ledger anchored)",
                hex(&forged_root)
            ),
            forged_stored_root.clone()
        )
    );
    let found = mismatches(&json, Some(late));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "unanchored");
    assert_eq!(
        found[0].2,
        "anchored on the ledger within 1 h of its import"
    );
    assert!(
        found[0]
            .3
            .starts_with("not anchored 2 h after its import ("),
        "{}",
        found[0].3
    );
    assert_eq!(
        json["checks"][2]["message"],
        "1 batch not anchored 1 h after import"
    );

    // A node that does not answer: the rows are still re-proved, the anchors cannot be.
    let run = city
        .run(&[
            "audit",
            "--rpc",
            "http://127.0.0.1:9",
            "--contract",
            &hex(&city.ledger.contracts.batch_anchor),
            "--logs",
            "0",
        ])
        .await;
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    let out: Vec<&str> = run.stdout.lines().collect();
    assert!(
        out[1].starts_with("  ✓ rows     4 batches, 12 rows re-proved"),
        "{}",
        run.stdout
    );
    assert!(
        out[2].starts_with("  – anchors  could not ask the node at http://127.0.0.1:9: "),
        "{}",
        run.stdout
    );
    assert_eq!(out[3], "  – waiting  the ledger's anchors are not known");
    assert_eq!(
        out.last(),
        Some(&"Could not audit everything: no mismatch found, but some checks could not be made (listed above).")
    );
    city.ledger.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_ocds_release_and_epcis_event_are_named_by_line() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let city = City::new().await;
    let ocds = city
        .import_file(
            "ocds",
            &reference.join("ocds/examples/fictional-1.1/ocds-213czf-000-00001-04-award.json"),
        )
        .await;
    let epcis = city
        .import_file(
            "epcis",
            &reference.join("epcis/examples/Example_9.6.1-ObjectEvent.jsonld"),
        )
        .await;
    city.anchor_and_index().await;
    let (code, json) = city.audit_json("all", &[]).await;
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(
        (json["rows"].as_u64(), json["recorded"].as_u64()),
        (Some(3), Some(2))
    );

    let cases = [
        (ocds, 1, "UPDATE ocds_releases SET data = jsonb_set(data, '{tag}', '[\"award\", \"contract\"]') WHERE batch_id = $1 AND line = 1"),
        (epcis, 2, "UPDATE supply_events SET biz_step = 'shipping' WHERE batch_id = $1 AND line = 2"),
    ];
    let mut expected = Vec::new();
    for (batch, line, update) in cases {
        let before = city.row(batch, line).await;
        city.sql(update, batch);
        let after = city.row(batch, line).await;
        assert_ne!(before, after);
        expected.push((batch, line as i64, before.1, after));
    }
    let (code, json) = city.audit_json("all", &[]).await;
    assert_eq!(code, Some(1), "{json:#}");
    for (batch, line, anchored_leaf, stored) in &expected {
        let found = mismatches(&json, Some(*batch));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].0, "rows");
        assert_eq!(found[1], changed_line(*line, anchored_leaf, stored));
    }
    city.ledger.node.stop().await;
}
