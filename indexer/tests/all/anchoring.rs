//! Anchoring against a real anvil and a real PostgreSQL: an imported batch is sent to
//! BatchAnchor once, its event is indexed, and the batch reads as anchored with block and tx.

use std::sync::Arc;
use std::time::Duration;

use citytrace_importers::{import_file, CsvOptions, Format, ImportOptions, ImportOutcome};
use citytrace_indexer::anchor::Anchorer;
use citytrace_indexer::follow::{ChainFollower, STREAM};
use citytrace_indexer::testing::TestLedger;
use citytrace_indexer::{IndexerError, Metrics};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{
    AnchorSubmission, BatchAnchor, Checkpoint, ImportBatch, TrustState,
};
use citytrace_schema::schema::batch_anchors;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-1,1,LOT-1,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00Z\n\
    SHP-1,2,LOT-2,Rebar B500B,1.8,TNE,MILL,SITE-A,2026-05-01T08:00:00Z\n";

fn import(pool: &PgPool, name: &str, content: &str, submitter: &str) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    let options = ImportOptions {
        submitter: submitter.into(),
        dry_run: false,
        csv: CsvOptions::default(),
        ..Default::default()
    };
    match import_file(&mut pool.get().unwrap(), Format::Shipments, &path, &options).unwrap() {
        ImportOutcome::Imported { batch, .. } => batch.id,
        other => panic!("{other:?}"),
    }
}

async fn anchorer(ledger: &TestLedger, pool: &PgPool, resubmit_after: Duration) -> Anchorer {
    Anchorer::new(
        pool.clone(),
        Metrics::new(),
        Arc::new(ledger.anchor_signer().await),
        31337,
        "citytrace:batch/".into(),
        resubmit_after,
        Duration::from_millis(50),
    )
}

fn follower(ledger: &TestLedger, pool: &PgPool) -> ChainFollower {
    let config = ledger.config();
    ChainFollower::from_config(
        &config.chains[0],
        &config.contracts,
        pool.clone(),
        &Metrics::new(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_batch_is_anchored_once_and_indexed_as_anchored() {
    let db = TestDatabase::new();
    let pool = db.pool(4);
    let ledger = TestLedger::start().await;
    let batch_id = import(&pool, "a.csv", CSV, "HSM");

    let anchorer = anchorer(&ledger, &pool, Duration::from_secs(60)).await;
    let first = anchorer.pass().await.unwrap();
    assert_eq!((first.sent.clone(), first.waiting), (vec![batch_id], 1));
    let again = anchorer.pass().await.unwrap();
    assert!(
        again.sent.is_empty(),
        "a fresh submission is given time to be indexed"
    );

    let follower = follower(&ledger, &pool);
    follower.register().await.unwrap();
    let head = follower.catch_up().await.unwrap();

    let conn = &mut pool.get().unwrap();
    let batch = ImportBatch::find(conn, batch_id).unwrap();
    let anchor = batch
        .anchor(conn)
        .unwrap()
        .expect("the anchor event is indexed");
    let submission = AnchorSubmission::find(conn, batch_id).unwrap().unwrap();
    assert_eq!(
        anchor.tx_hash, submission.tx_hash,
        "the indexed event is the anchorer's transaction"
    );
    assert_eq!(anchor.merkle_root, batch.merkle_root);
    assert_eq!(anchor.row_count, 2);
    assert_eq!(anchor.uri, format!("citytrace:batch/{batch_id}"));
    assert_eq!(anchor.contract, ledger.contracts.batch_anchor.to_vec());
    assert!(
        matches!(batch.trust(conn).unwrap(), TrustState::Final { block_number, .. } if block_number == anchor.block_number)
    );
    let checkpoint = Checkpoint::get(conn, 31337, STREAM).unwrap().unwrap();
    assert_eq!(checkpoint.block_number as u64, head);
    assert_eq!(ImportBatch::counts(conn).unwrap(), (1, 1));

    let after = anchorer.pass().await.unwrap();
    assert_eq!(
        (after.sent.len(), after.waiting),
        (0, 0),
        "an anchored batch is not waiting any more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_already_anchored_on_chain_is_never_sent_twice() {
    let db = TestDatabase::new();
    let pool = db.pool(4);
    let ledger = TestLedger::start().await;
    let batch_id = import(&pool, "a.csv", CSV, "HSM");
    // Resubmit at once: only the contract's own record can stop a second transaction.
    let anchorer = anchorer(&ledger, &pool, Duration::ZERO).await;
    assert_eq!(anchorer.pass().await.unwrap().sent, vec![batch_id]);
    for _ in 0..3 {
        assert!(anchorer.pass().await.unwrap().sent.is_empty());
    }
    let conn = &mut pool.get().unwrap();
    assert_eq!(
        AnchorSubmission::find(conn, batch_id)
            .unwrap()
            .unwrap()
            .attempts,
        1
    );
    follower(&ledger, &pool).catch_up().await.unwrap();
    let anchors: i64 = batch_anchors::table.count().get_result(conn).unwrap();
    assert_eq!(anchors, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_a_range_after_losing_the_checkpoint_writes_nothing_twice() {
    let db = TestDatabase::new();
    let pool = db.pool(4);
    let ledger = TestLedger::start().await;
    import(&pool, "a.csv", CSV, "HSM");
    import(&pool, "b.csv", &CSV.replace("SHP-1", "SHP-2"), "HSM");
    anchorer(&ledger, &pool, Duration::from_secs(60))
        .await
        .pass()
        .await
        .unwrap();
    let follower = follower(&ledger, &pool);
    follower.catch_up().await.unwrap();
    let conn = &mut pool.get().unwrap();
    let before: Vec<BatchAnchor> = batch_anchors::table
        .order(batch_anchors::id)
        .select(BatchAnchor::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(before.len(), 2);
    diesel::delete(citytrace_schema::schema::checkpoints::table)
        .execute(conn)
        .unwrap();
    follower.catch_up().await.unwrap();
    let after: Vec<BatchAnchor> = batch_anchors::table
        .order(batch_anchors::id)
        .select(BatchAnchor::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(
        after.len(),
        2,
        "rows are idempotent by (chain_id, block_hash, log_index)"
    );
    assert_eq!(
        after.iter().map(|a| &a.tx_hash).collect::<Vec<_>>(),
        before.iter().map(|a| &a.tx_hash).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_serving_another_chain_is_refused() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let ledger = TestLedger::start().await;
    let mut config = ledger.config();
    config.chains[0].id = 1;
    for c in &mut config.contracts {
        c.chain = 1;
    }
    let follower =
        ChainFollower::from_config(&config.chains[0], &config.contracts, pool, &Metrics::new())
            .unwrap();
    match follower.register().await {
        Err(IndexerError::WrongChain {
            expected: 1,
            actual: 31337,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_batches_are_each_anchored_exactly_once_across_a_node_restart() {
    use citytrace_indexer::evm::EvmSource;
    use citytrace_indexer::ledger_node::LedgerNodeOptions;
    use citytrace_indexer::source::{ChainSource, LogFilter};

    let dir = tempfile::tempdir().unwrap();
    let options = LedgerNodeOptions {
        block_time: None,
        state_file: Some(dir.path().join("chain.json")),
        ..Default::default()
    };
    let mut ledger = TestLedger::start_with(options).await;
    // No mining from now on: sent anchors wait in the pool, where the restart loses them. (The
    // restarted node mines a block per transaction again.)
    ledger.control().set_automine(false).await.unwrap();
    let db = TestDatabase::new();
    let pool = db.pool(8);
    let ids: Vec<i64> = (0..20)
        .map(|n| {
            import(
                &pool,
                &format!("{n}.csv"),
                &CSV.replace("SHP-1", &format!("SHP-{n}")),
                "HSM",
            )
        })
        .collect();

    let mut config = ledger.config();
    config.anchoring.as_mut().unwrap().resubmit_after_secs = 2;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let indexer = tokio::spawn(citytrace_indexer::run(
        config,
        pool.clone(),
        Some(citytrace_indexer::ledger_node::DEV_KEY.into()),
        Metrics::new(),
        stopped,
    ));
    let anchored = || ImportBatch::counts(&mut pool.get().unwrap()).unwrap().1;
    let sent = || {
        use citytrace_schema::schema::anchor_submissions;
        anchor_submissions::table
            .count()
            .get_result::<i64>(&mut pool.get().unwrap())
            .unwrap()
    };
    // Restart the node once every anchor is sent (and none can be sealed).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sent() < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "anchoring did not start"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(anchored(), 0, "nothing is mined before the restart");
    ledger
        .node
        .restart_after(Duration::from_secs(1))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while anchored() < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of 20 batches anchored",
            anchored()
        );
        assert!(!indexer.is_finished(), "the indexer stopped");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    indexer.await.unwrap().unwrap();

    // The ledger itself, read raw: one BatchAnchored event per batch, with that batch's root.
    let source = EvmSource::new(&ledger.url()).unwrap();
    let head = source.head().await.unwrap();
    let logs = source
        .logs(&LogFilter {
            from_block: 0,
            to_block: head,
            addresses: vec![ledger.contracts.batch_anchor],
        })
        .await
        .unwrap();
    let topic = citytrace_indexer::decoders::ContractDecoder::load(&ledger.config().contracts[0])
        .unwrap()
        .events()
        .into_iter()
        .find(|(sig, _)| sig.starts_with("BatchAnchored"))
        .unwrap()
        .1;
    let mut anchored_ids: Vec<u64> = logs
        .iter()
        .filter(|l| l.topics[0] == topic)
        .map(|l| u64::from_be_bytes(l.topics[2][24..].try_into().unwrap()))
        .collect();
    anchored_ids.sort();
    assert_eq!(
        anchored_ids,
        ids.iter().map(|i| *i as u64).collect::<Vec<_>>(),
        "every batch exactly once"
    );
    let conn = &mut pool.get().unwrap();
    for id in ids {
        let batch = ImportBatch::find(conn, id).unwrap();
        let root = logs
            .iter()
            .find(|l| {
                l.topics.len() > 2
                    && u64::from_be_bytes(l.topics[2][24..].try_into().unwrap()) == id as u64
            })
            .unwrap()
            .topics[1];
        assert_eq!(
            root.to_vec(),
            batch.merkle_root,
            "batch {id} anchored with its own root"
        );
    }
    let rows: i64 = batch_anchors::table.count().get_result(conn).unwrap();
    assert_eq!(rows, 20);
    let resent = {
        use citytrace_schema::schema::anchor_submissions;
        anchor_submissions::table
            .filter(anchor_submissions::attempts.gt(1))
            .count()
            .get_result::<i64>(conn)
            .unwrap()
    };
    assert!(
        resent > 0,
        "the restart lost transactions from the pool and they were sent again"
    );
}
