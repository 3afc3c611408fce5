//! `citytrace verify --log`: an indexed ledger row is fetched again from the node by block hash
//! and log index, decoded, and compared field by field — for a row of every chain table; a
//! field changed in the database is named, with the stored and the ledger's value.

use std::sync::Arc;
use std::time::Duration;

use crate::verifying::{citytrace, hex, import, write_config};
use citytrace_indexer::anchor::Anchorer;
use citytrace_indexer::follow::ChainFollower;
use citytrace_indexer::testing::{generate, Activity, TestLedger};
use citytrace_indexer::Metrics;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::sql_types::{BigInt, Bytea, Integer};
use citytrace_schema::models::AnchorSubmission;
use citytrace_schema::testing::TestDatabase;

const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-1,1,LOT-1,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00Z\n\
    SHP-1,2,LOT-2,Rebar B500B,1.8,TNE,MILL,SITE-A,2026-05-01T08:00:00Z\n";

/// The dev account that sent every transaction.
const SENDER: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = BigInt)]
    chain_id: i64,
    #[diesel(sql_type = Bytea)]
    block_hash: Vec<u8>,
    #[diesel(sql_type = Integer)]
    log_index: i32,
}

/// The first row of `table` (by block and log index), as a `--log` key.
fn first_key(conn: &mut PgConnection, table: &str) -> String {
    let key: Key = diesel::sql_query(format!(
        "SELECT chain_id, block_hash, log_index FROM {table} WHERE chain_id = 31337 ORDER BY block_number, log_index LIMIT 1"
    ))
    .get_result(conn)
    .unwrap_or_else(|e| panic!("{table}: {e}"));
    format!(
        "{}:{}:{}",
        key.chain_id,
        hex(&key.block_hash),
        key.log_index
    )
}

/// Per table: fields compared, the event and decoder, a change to one stored field and how
/// the report names it.
struct Case {
    table: &'static str,
    fields: usize,
    event: &'static str,
    kind: &'static str,
    tamper: &'static str,
    difference: String,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            table: "token_transfers",
            fields: 10,
            event: "Transfer(address,address,uint256)",
            kind: "toucan_tco2",
            tamper: "amount = amount + 1",
            difference: "amount: stored 1000000000000000000000001, on the ledger 1000000000000000000000000".into(),
        },
        Case {
            table: "treasury_payments",
            fields: 14,
            event: "PaymentMade(bytes32,address,string,string,uint256,string,string)",
            kind: "city_treasury",
            tamper: "amount_minor = 50001",
            difference: "amount_minor: stored 50001, on the ledger 50000".into(),
        },
        Case {
            table: "treasury_allocations",
            fields: 14,
            event: "BudgetAllocated(bytes32,uint16,string,string,string,uint256,string)",
            kind: "city_treasury",
            tamper: "department = 'Parks'",
            difference: "department: stored \"Parks\", on the ledger \"Public Works\"".into(),
        },
        Case {
            table: "carbon_retirements",
            fields: 16,
            event: "Retired(address,uint256,uint256)",
            kind: "toucan_tco2",
            tamper: "tonnes = 15",
            difference: "tonnes: stored 15, on the ledger 1.5".into(),
        },
        Case {
            table: "supply_events",
            fields: 12,
            event: "TraceEventRecorded(bytes32,address,string,string,string,string,string,uint64)",
            kind: "trace_registry",
            tamper: "biz_step = 'shipping'",
            difference: "biz_step: stored \"shipping\", on the ledger \"inspecting\"".into(),
        },
        Case {
            table: "ledger_events",
            fields: 10,
            event: "AnchorerChanged(address,bool)",
            kind: "batch_anchor",
            tamper: "params = '{\"account\": \"0x0000000000000000000000000000000000000000\", \"allowed\": true}'",
            difference: format!(
                "params: stored {{\"account\":\"0x0000000000000000000000000000000000000000\",\"allowed\":true}}, on the ledger {{\"account\":\"{SENDER}\",\"allowed\":true}}"
            ),
        },
        Case {
            table: "batch_anchors",
            fields: 11,
            event: "BatchAnchored(bytes32,uint64,uint32,string)",
            kind: "batch_anchor",
            tamper: "row_count = 3",
            difference: "row_count: stored 3, on the ledger 2".into(),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_indexed_row_of_every_table_verifies_and_a_changed_field_is_named() {
    let ledger = TestLedger::start().await;
    generate(
        &ledger,
        &Activity {
            transfer_txs: 1,
            transfers_per_tx: 2,
            allocations: 1,
            payments: 1,
            retirements: 1,
            legacy_retirements: 0,
            klima_retirements: 1,
            traces: 1,
        },
    )
    .await;
    // And an event outside the EPCIS types, which the indexer quarantines.
    let bad = citytrace_indexer::evm::TraceEventCall {
        event_hash: [0xb1; 32],
        event_type: "NotAnEpcisEvent".into(),
        biz_step: String::new(),
        disposition: String::new(),
        epc: String::new(),
        biz_location: String::new(),
        event_time: 1_780_000_000,
    };
    let tx = ledger
        .signer
        .record_trace_event(ledger.contracts.trace_registry, &bad)
        .await
        .unwrap();
    assert!(ledger.signer.wait_mined(tx).await.unwrap());
    let db = TestDatabase::new();
    let pool = db.pool(4);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&ledger, dir.path());
    let config = config.to_str().unwrap();
    let batch = import(db.url(), dir.path(), "rebar.csv", CSV).await;
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
    assert!(ledger
        .signer
        .wait_mined(sent.tx_hash.as_slice().try_into().unwrap())
        .await
        .unwrap());
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

    for case in cases() {
        let key = first_key(&mut db.conn(), case.table);
        let run = citytrace(
            Some(db.url()),
            &["verify", "--log", &key, "--config", config],
            dir.path(),
        )
        .await;
        assert_eq!(
            run.code,
            Some(0),
            "{}: {}{}",
            case.table,
            run.stdout,
            run.stderr
        );
        let out: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(out[0], format!("Verifying the indexed row {key}"));
        assert!(
            out[2].starts_with(&format!("  ✓ stored  a row in {} (block ", case.table)),
            "{}",
            out[2]
        );
        assert!(
            out[3].starts_with("  ✓ log     the node has log "),
            "{}",
            out[3]
        );
        assert_eq!(
            out[4],
            format!(
                "  ✓ fields  the {} fields of the {} row equal the {} log decoded with the {} ABI",
                case.fields, case.table, case.event, case.kind
            )
        );
        assert!(out[5].starts_with("  ✓ final   block "), "{}", out[5]);
        assert!(
            out[6].starts_with("Verified: the stored row is what log "),
            "{}",
            out[6]
        );

        diesel::sql_query(format!(
            "UPDATE {} SET {} WHERE chain_id = $1 AND block_hash = $2 AND log_index = $3",
            case.table, case.tamper
        ))
        .bind::<BigInt, _>(31337)
        .bind::<Bytea, _>(citytrace_schema::parse_hex(key.split(':').nth(1).unwrap(), 32).unwrap())
        .bind::<Integer, _>(key.rsplit(':').next().unwrap().parse::<i32>().unwrap())
        .execute(&mut db.conn())
        .unwrap();
        let run = citytrace(
            Some(db.url()),
            &["verify", "--log", &key, "--config", config],
            dir.path(),
        )
        .await;
        assert_eq!(
            run.code,
            Some(1),
            "{}: {}{}",
            case.table,
            run.stdout,
            run.stderr
        );
        let reason = format!(
            "1 of {} fields of the {} row differ from the ledger: {}",
            case.fields, case.table, case.difference
        );
        let out: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(out[4], format!("  ✗ fields  {reason}"), "{}", case.table);
        assert!(out[5].starts_with("  ✓ final "), "{}", out[5]);
        assert_eq!(
            out[6],
            format!("NOT VERIFIED: the fields step failed: {reason}.")
        );
    }

    // A quarantined log: its raw topics and data are the node's; changed, the field is named.
    let key = first_key(&mut db.conn(), "quarantined_logs");
    let args = ["verify", "--log", &key, "--config", config];
    let run = citytrace(Some(db.url()), &args, dir.path()).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let out: Vec<&str> = run.stdout.lines().collect();
    assert!(
        out[2].starts_with("  ✓ stored  a row in quarantined_logs (block "),
        "{}",
        out[2]
    );
    assert_eq!(
        out[4],
        "  ✓ fields  the 9 fields of the quarantined_logs row equal the node's log (kept raw: eventType \"NotAnEpcisEvent\" is not an EPCIS event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent))"
    );
    diesel::sql_query("UPDATE quarantined_logs SET topics[2] = '\\x00'::bytea")
        .execute(&mut db.conn())
        .unwrap();
    let run = citytrace(Some(db.url()), &args, dir.path()).await;
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let out: Vec<&str> = run.stdout.lines().collect();
    assert!(
        out[4].starts_with("  ✗ fields  1 of 9 fields of the quarantined_logs row differ from the ledger: topics: stored [0x")
            && out[4].contains(", 0x00, 0x"),
        "{}",
        out[4]
    );

    // Without a configuration: the node from --rpc, the decoders from the contracts the
    // indexer registered in the database.
    let key = first_key(&mut db.conn(), "treasury_allocations");
    diesel::sql_query("UPDATE treasury_allocations SET department = 'Public Works'")
        .execute(&mut db.conn())
        .unwrap();
    let run = citytrace(
        Some(db.url()),
        &[
            "verify",
            "--log",
            &key,
            "--rpc",
            &ledger.url(),
            "--format",
            "json",
        ],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["verdict"], "verified");
    assert_eq!(
        json["node"],
        format!(
            "node {} (chain 31337); final means 0 confirmations (the default for the city ledger)",
            ledger.url()
        )
    );
    assert_eq!(json["checks"].as_array().unwrap().len(), 4);

    // A key nothing is stored under.
    let missing = format!("31337:{}:0", hex(&[0x11; 32]));
    let run = citytrace(
        Some(db.url()),
        &["verify", "--log", &missing, "--rpc", &ledger.url()],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stderr,
        format!("error: no indexed row has the key {missing} (chain, block hash, log index)\n")
    );
    ledger.node.stop().await;
}
