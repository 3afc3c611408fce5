//! Finality per row on a real anvil, whose `safe` block is the head − 32 and whose `finalized`
//! block is the head − 64: rows start pending, become safe, then final as the chain grows.

use crate::support::follower;
use citytrace_indexer::config::{ChainKindConfig, FinalityConfig, FinalityTag};
use citytrace_indexer::testing::{generate, Activity, TestLedger};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::Chain;
use citytrace_schema::schema::token_transfers;
use citytrace_schema::testing::TestDatabase;

fn states(db: &TestDatabase) -> Vec<(i64, String)> {
    token_transfers::table
        .order((token_transfers::block_number, token_transfers::log_index))
        .select((token_transfers::block_number, token_transfers::finality))
        .load(&mut db.conn())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_move_from_pending_to_safe_to_final_with_the_nodes_tags() {
    let ledger = TestLedger::start().await;
    generate(
        &ledger,
        &Activity {
            transfer_txs: 40,
            transfers_per_tx: 1,
            ..Default::default()
        },
    )
    .await;
    let db = TestDatabase::new();
    let mut chain = ledger.config().chains[0].clone();
    (chain.kind, chain.finality) = (
        ChainKindConfig::Public,
        Some(FinalityConfig::Tag {
            tag: FinalityTag::Finalized,
        }),
    );
    let (follower, _) = follower(&ledger, &db.pool(2), Some(chain));
    let head = follower.catch_up().await.unwrap() as i64;

    let expected = |head: i64, block: i64| match head - block {
        d if d >= 64 => "final",
        d if d >= 32 => "safe",
        _ => "pending",
    };
    let rows = states(&db);
    assert!(rows.len() > 40);
    for (block, state) in &rows {
        assert_eq!(
            state,
            expected(head, *block),
            "block {block} at head {head}"
        );
    }
    assert!(rows.iter().any(|(_, s)| s == "pending") && rows.iter().any(|(_, s)| s == "safe"));
    let chain_row = Chain::all(&mut db.conn()).unwrap().remove(0);
    assert_eq!(
        (chain_row.safe_number, chain_row.finalized_number),
        (Some(head - 32), Some((head - 64).max(0)))
    );

    // The chain grows by 70 blocks: every row written so far is final now.
    ledger.control().mine(70).await.unwrap();
    let head = follower.catch_up().await.unwrap() as i64;
    for (block, state) in states(&db) {
        assert_eq!(state, expected(head, block), "block {block} at head {head}");
        assert_eq!(state, "final");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_confirmations_a_row_is_final_that_many_blocks_below_the_head() {
    let ledger = TestLedger::start().await;
    generate(
        &ledger,
        &Activity {
            transfer_txs: 10,
            transfers_per_tx: 1,
            ..Default::default()
        },
    )
    .await;
    let db = TestDatabase::new();
    let mut chain = ledger.config().chains[0].clone();
    chain.finality = Some(FinalityConfig::Confirmations { confirmations: 5 });
    let (follower, _) = follower(&ledger, &db.pool(2), Some(chain));
    let head = follower.catch_up().await.unwrap() as i64;
    for (block, state) in states(&db) {
        assert_eq!(
            state,
            if head - block >= 5 {
                "final"
            } else {
                "pending"
            },
            "block {block} at head {head}"
        );
    }
    ledger.control().mine(5).await.unwrap();
    follower.catch_up().await.unwrap();
    assert!(states(&db).iter().all(|(_, s)| s == "final"));
}

/// Quarantined logs carry finality like every indexed row, and move with the chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quarantined_logs_become_final_like_every_row() {
    use citytrace_indexer::evm::TraceEventCall;
    use citytrace_schema::schema::quarantined_logs;

    let ledger = TestLedger::start().await;
    let event = TraceEventCall {
        event_hash: [1; 32],
        event_type: "NotAnEpcisEvent".into(),
        biz_step: String::new(),
        disposition: String::new(),
        epc: String::new(),
        biz_location: String::new(),
        event_time: 1_780_000_000,
    };
    let tx = ledger
        .signer
        .record_trace_event(ledger.contracts.trace_registry, &event)
        .await
        .unwrap();
    assert!(ledger.signer.wait_mined(tx).await.unwrap());
    let db = TestDatabase::new();
    let mut chain = ledger.config().chains[0].clone();
    chain.finality = Some(FinalityConfig::Confirmations { confirmations: 5 });
    let (follower, _) = follower(&ledger, &db.pool(2), Some(chain));
    follower.catch_up().await.unwrap();
    let state = || -> Vec<String> {
        quarantined_logs::table
            .select(quarantined_logs::finality)
            .load(&mut db.conn())
            .unwrap()
    };
    assert_eq!(state(), ["pending"]);
    ledger.control().mine(5).await.unwrap();
    follower.catch_up().await.unwrap();
    assert_eq!(state(), ["final"]);
}
