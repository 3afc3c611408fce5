//! Reorgs during live follow, of depth 1, 5 and 20, with different events on the new branch:
//! afterwards the database equals a clean index of the final chain, and the reorg is recorded.
//! (anvil's evm_snapshot / evm_revert rewinds the chain; new transactions build the new branch.)

use crate::support::{follower, recipient, TONNE};
use citytrace_indexer::follow::Step;
use citytrace_indexer::testing::{dump_chain, TestLedger};
use citytrace_schema::models::Reorg;
use citytrace_schema::testing::TestDatabase;

/// One block per transaction: transfers of `amount` (+ a retirement every third block) on the
/// current branch.
async fn blocks(ledger: &TestLedger, n: usize, amount: u128) {
    let c = &ledger.carbon;
    let mut last = [0u8; 32];
    for i in 0..n {
        last = if i % 3 == 2 {
            c.retire(amount * TONNE).await.unwrap()
        } else {
            c.batch_transfer(&[recipient(1), recipient(2)], &[amount, amount + i as u128])
                .await
                .unwrap()
        };
    }
    assert!(ledger.signer.wait_mined(last).await.unwrap());
}

async fn reorg_of_depth(depth: usize) {
    let ledger = TestLedger::start().await;
    let c = &ledger.carbon;
    let minted = c.mint(c.sender(), 1_000_000 * TONNE).await.unwrap();
    ledger.signer.wait_mined(minted).await.unwrap();
    blocks(&ledger, 10, 7).await;

    let db = TestDatabase::new();
    let pool = db.pool(4);
    let (follower, metrics) = follower(&ledger, &pool, None);
    let fork_point = follower.catch_up().await.unwrap();
    let control = ledger.control();
    let snapshot = control.snapshot().await.unwrap();

    // The old branch, followed block by block as it is sealed.
    for _ in 0..depth {
        blocks(&ledger, 1, 1_000).await;
        assert!(matches!(
            follower.step().await.unwrap(),
            Step::Indexed { .. }
        ));
    }
    let old = dump_chain(&mut db.conn(), 31337);

    // The node switches to a longer branch with other events.
    assert!(control.revert(snapshot).await.unwrap());
    assert_eq!(control.block_number().await.unwrap(), fork_point);
    blocks(&ledger, depth + 2, 2_000).await;

    let head = follower.catch_up().await.unwrap();
    assert_eq!(head, fork_point + depth as u64 + 2);
    let reorgs = Reorg::of_chain(&mut db.conn(), 31337).unwrap();
    assert_eq!(reorgs.len(), 1, "one reorg recorded");
    assert_eq!(
        (
            reorgs[0].depth,
            reorgs[0].ancestor_number,
            reorgs[0].old_number
        ),
        (
            depth as i64,
            fork_point as i64,
            (fork_point + depth as u64) as i64
        )
    );
    assert_ne!(
        Some(reorgs[0].old_hash.clone()),
        reorgs[0].new_hash,
        "the block at the old height changed"
    );
    assert_eq!(
        metrics.chains()[0]
            .1
            .reorgs
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );

    // A clean index of the final chain, from scratch, in another database.
    let clean = TestDatabase::new();
    let (fresh, _) = follower_for(&ledger, &clean);
    assert_eq!(fresh.catch_up().await.unwrap(), head);
    let after = dump_chain(&mut db.conn(), 31337);
    assert_eq!(
        after,
        dump_chain(&mut clean.conn(), 31337),
        "the database equals a clean index of the final chain"
    );
    assert_ne!(after, old);
    let old_branch =
        |row: &String| row.contains("\"amount\": 1000,") || row.contains("\"value\": \"1000\"");
    assert!(
        old.iter().any(old_branch),
        "the old branch had its rows indexed"
    );
    assert!(
        !after.iter().any(old_branch),
        "no row of the old branch survives"
    );
}

fn follower_for(
    ledger: &TestLedger,
    db: &TestDatabase,
) -> (
    citytrace_indexer::follow::ChainFollower,
    std::sync::Arc<citytrace_indexer::Metrics>,
) {
    follower(ledger, &db.pool(4), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_of_depth_one_rewrites_the_tip() {
    reorg_of_depth(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_of_depth_five_rewrites_rows() {
    reorg_of_depth(5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_of_depth_twenty_rewrites_rows() {
    reorg_of_depth(20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_deeper_than_the_window_stops_with_a_clear_error() {
    let ledger = TestLedger::start().await;
    let c = &ledger.carbon;
    ledger
        .signer
        .wait_mined(c.mint(c.sender(), 1_000 * TONNE).await.unwrap())
        .await
        .unwrap();
    let db = TestDatabase::new();
    let pool = db.pool(4);
    let mut chain = ledger.config().chains[0].clone();
    chain.reorg_window = 3;
    let (follower, _) = follower(&ledger, &pool, Some(chain));
    blocks(&ledger, 3, 5).await;
    follower.catch_up().await.unwrap();
    let control = ledger.control();
    let snapshot = control.snapshot().await.unwrap();
    for _ in 0..8 {
        blocks(&ledger, 1, 6).await;
        follower.step().await.unwrap();
    }
    control.revert(snapshot).await.unwrap();
    blocks(&ledger, 10, 9).await;
    let error = follower.catch_up().await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("reorg deeper than the 3-block window"),
        "{error}"
    );
}

/// Quarantined logs are indexed rows like the others: a reorg deletes those above the fork,
/// and the database equals a clean index of the final chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_deletes_quarantined_logs_above_the_fork() {
    use citytrace_indexer::evm::TraceEventCall;
    use citytrace_schema::diesel::prelude::*;
    use citytrace_schema::schema::quarantined_logs;

    let ledger = TestLedger::start().await;
    let bad = |n: u8, event_type: &str| TraceEventCall {
        event_hash: [n; 32],
        event_type: event_type.into(),
        biz_step: String::new(),
        disposition: String::new(),
        epc: String::new(),
        biz_location: String::new(),
        event_time: 1_780_000_000,
    };
    let record = |event: TraceEventCall| {
        let ledger = &ledger;
        async move {
            let tx = ledger
                .signer
                .record_trace_event(ledger.contracts.trace_registry, &event)
                .await
                .unwrap();
            assert!(ledger.signer.wait_mined(tx).await.unwrap());
        }
    };
    record(bad(1, "BeforeTheFork")).await;
    let db = TestDatabase::new();
    let (follower, _) = follower_for(&ledger, &db);
    let fork_point = follower.catch_up().await.unwrap();
    let control = ledger.control();
    let snapshot = control.snapshot().await.unwrap();
    record(bad(2, "OnTheOldBranch")).await;
    follower.catch_up().await.unwrap();
    let types = |db: &TestDatabase| -> Vec<String> {
        quarantined_logs::table
            .order(quarantined_logs::block_number)
            .select(quarantined_logs::params)
            .load::<Option<serde_json::Value>>(&mut db.conn())
            .unwrap()
            .into_iter()
            .map(|p| p.unwrap()["eventType"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(types(&db), ["BeforeTheFork", "OnTheOldBranch"]);

    assert!(control.revert(snapshot).await.unwrap());
    assert_eq!(control.block_number().await.unwrap(), fork_point);
    record(bad(3, "OnTheNewBranch")).await;
    control.mine(2).await.unwrap();
    let head = follower.catch_up().await.unwrap();
    assert_eq!(types(&db), ["BeforeTheFork", "OnTheNewBranch"]);

    let clean = TestDatabase::new();
    let (fresh, _) = follower_for(&ledger, &clean);
    assert_eq!(fresh.catch_up().await.unwrap(), head);
    assert_eq!(
        dump_chain(&mut db.conn(), 31337),
        dump_chain(&mut clean.conn(), 31337),
        "the database equals a clean index of the final chain"
    );
}
