//! RPC faults. A fault-injecting proxy in front of a real anvil produces what a node cannot be
//! made to produce on demand (-32005 with a suggested range, 429, a body cut mid-response, a
//! node refusing JSON-RPC batches); a
//! dead URL and a node that is really stopped and restarted cover failover and outages. In
//! every case indexing completes, nothing is lost (the database equals a clean index), and no
//! query is retried forever.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::support::fault_proxy::FaultProxy;
use crate::support::{follower, generate, Activity};
use citytrace_indexer::ledger_node::{LedgerNode, LedgerNodeOptions};
use citytrace_indexer::testing::{dump_chain, TestLedger};
use citytrace_schema::testing::TestDatabase;

fn activity() -> Activity {
    Activity {
        transfer_txs: 120,
        transfers_per_tx: 3,
        allocations: 5,
        payments: 5,
        retirements: 4,
        legacy_retirements: 2,
        klima_retirements: 2,
        traces: 3,
    }
}

/// Index through `url` with small ranges; return the database and the follower's metrics.
async fn index_via(
    ledger: &TestLedger,
    urls: Vec<String>,
    max_range: u64,
) -> (
    TestDatabase,
    std::sync::Arc<citytrace_indexer::Metrics>,
    Result<u64, citytrace_indexer::IndexerError>,
) {
    let db = TestDatabase::new();
    let mut chain = ledger.config().chains[0].clone();
    (chain.rpc, chain.initial_block_range, chain.max_block_range) = (urls, max_range, max_range);
    let (follower, metrics) = follower(ledger, &db.pool(4), Some(chain));
    let result = follower.catch_up().await;
    (db, metrics, result)
}

async fn clean_dump(ledger: &TestLedger) -> Vec<String> {
    let (db, _, result) = index_via(ledger, vec![ledger.url()], 1000).await;
    result.unwrap();
    dump_chain(&mut db.conn(), 31337)
}

fn errors(metrics: &citytrace_indexer::Metrics, class: usize) -> u64 {
    metrics.chains()[0].1.rpc_errors[class].load(Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_results_shrinks_to_the_suggested_range_and_never_repeats_a_query() {
    let ledger = TestLedger::start().await;
    generate(&ledger, &activity()).await;
    let proxy = FaultProxy::start(&ledger.url()).await;
    proxy.faults.max_log_range.store(7, Ordering::SeqCst);
    let (db, metrics, result) = index_via(&ledger, vec![proxy.url.clone()], 64).await;
    result.unwrap();
    assert_eq!(
        dump_chain(&mut db.conn(), 31337),
        clean_dump(&ledger).await,
        "nothing lost"
    );
    let (too_large, queries) = (
        proxy.faults.too_large_sent.load(Ordering::SeqCst),
        proxy.faults.get_logs.load(Ordering::SeqCst),
    );
    assert!(too_large >= 1, "the node refused the first large query");
    assert!(
        too_large * 8 <= queries,
        "after shrinking, too-large answers stay rare: {too_large} of {queries}"
    );
    assert_eq!(
        metrics.chains()[0].1.block_range.load(Ordering::Relaxed),
        7,
        "the node's suggested range is kept"
    );
    assert_eq!(errors(&metrics, 1) as usize, too_large);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_block_too_large_for_the_node_stops_with_a_clear_error() {
    let ledger = TestLedger::start().await;
    generate(
        &ledger,
        &Activity {
            transfer_txs: 5,
            transfers_per_tx: 2,
            ..Default::default()
        },
    )
    .await;
    let proxy = FaultProxy::start(&ledger.url()).await;
    proxy.faults.max_log_range.store(0, Ordering::SeqCst);
    let (_, _, result) = index_via(&ledger, vec![proxy.url.clone()], 64).await;
    let error = result.unwrap_err().to_string();
    assert!(
        error.contains("alone has more logs than the node returns for one query"),
        "{error}"
    );
    // 64 → 32 → 16 → 8 → 4 → 2 → 1, each size asked once: no query repeated forever.
    assert!(
        proxy.faults.get_logs.load(Ordering::SeqCst) <= 7,
        "{} queries",
        proxy.faults.get_logs.load(Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out() {
    let ledger = TestLedger::start().await;
    generate(&ledger, &activity()).await;
    let proxy = FaultProxy::start(&ledger.url()).await;
    proxy.faults.rate_limit_next.store(4, Ordering::SeqCst);
    let (db, metrics, result) = index_via(&ledger, vec![proxy.url.clone()], 32).await;
    result.unwrap();
    assert_eq!(proxy.faults.rate_limited_sent.load(Ordering::SeqCst), 4);
    assert_eq!(errors(&metrics, 2), 4, "counted as rate limited");
    assert_eq!(dump_chain(&mut db.conn(), 31337), clean_dump(&ledger).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_come_in_batches_and_faulty_batches_are_retried() {
    let ledger = TestLedger::start().await;
    generate(&ledger, &activity()).await;
    let proxy = FaultProxy::start(&ledger.url()).await;
    proxy
        .faults
        .rate_limit_batches_next
        .store(2, Ordering::SeqCst);
    proxy.faults.cut_batches_every.store(4, Ordering::SeqCst);
    let (db, metrics, result) = index_via(&ledger, vec![proxy.url.clone()], 16).await;
    result.unwrap();
    let (batches, cut) = (
        proxy.faults.batches.load(Ordering::SeqCst),
        proxy.faults.cut_sent.load(Ordering::SeqCst),
    );
    assert!(
        batches >= 8,
        "{batches} batches: the headers were asked for in batches"
    );
    assert!(cut >= 1, "{cut} batch answers cut");
    assert_eq!(
        errors(&metrics, 2),
        2,
        "429s on batches count as rate limited"
    );
    assert!(
        errors(&metrics, 0) >= cut as u64,
        "cut batches count as transient errors"
    );
    assert_eq!(dump_chain(&mut db.conn(), 31337), clean_dump(&ledger).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_refusing_batches_is_asked_header_by_header() {
    let ledger = TestLedger::start().await;
    generate(&ledger, &activity()).await;
    let proxy = FaultProxy::start(&ledger.url()).await;
    proxy.faults.refuse_batches.store(true, Ordering::SeqCst);
    let (db, _, result) = index_via(&ledger, vec![proxy.url.clone()], 16).await;
    result.unwrap();
    let (batches, refused) = (
        proxy.faults.batches.load(Ordering::SeqCst),
        proxy.faults.batches_refused.load(Ordering::SeqCst),
    );
    assert!(refused >= 1, "a batch was tried");
    // Once refused, the source stops batching; only ranges already in flight (at most the
    // fetch concurrency) may have sent one.
    let concurrency = ledger.config().chains[0].fetch_concurrency;
    assert!(
        batches <= concurrency,
        "{batches} batches sent to a node that refuses them (fetch concurrency {concurrency})"
    );
    assert_eq!(dump_chain(&mut db.conn(), 31337), clean_dump(&ledger).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_cut_mid_body_are_retried_and_nothing_is_lost() {
    let ledger = TestLedger::start().await;
    generate(&ledger, &activity()).await;
    let proxy = FaultProxy::start(&ledger.url()).await;
    proxy.faults.cut_every.store(3, Ordering::SeqCst);
    let (db, metrics, result) = index_via(&ledger, vec![proxy.url.clone()], 16).await;
    result.unwrap();
    let cut = proxy.faults.cut_sent.load(Ordering::SeqCst);
    assert!(cut >= 3, "{cut} responses cut");
    assert!(
        errors(&metrics, 0) >= cut as u64,
        "cut bodies count as transient errors"
    );
    assert_eq!(dump_chain(&mut db.conn(), 31337), clean_dump(&ledger).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_first_url_fails_over_to_the_second() {
    let ledger = TestLedger::start().await;
    generate(&ledger, &activity()).await;
    let dead = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let (db, metrics, result) = index_via(&ledger, vec![dead, ledger.url()], 64).await;
    result.unwrap();
    assert!(
        errors(&metrics, 0) >= 1,
        "the dead URL's failures are counted"
    );
    assert_eq!(dump_chain(&mut db.conn(), 31337), clean_dump(&ledger).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_stopped_for_a_while_is_resumed_from_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let options = LedgerNodeOptions {
        block_time: None,
        state_file: Some(dir.path().join("chain.json")),
        ..Default::default()
    };
    let mut ledger = TestLedger::start_with(options).await;
    generate(&ledger, &activity()).await;
    let db = TestDatabase::new();
    let mut chain = ledger.config().chains[0].clone();
    (chain.poll_interval_ms, chain.stall_after_polls) = (50, 10);
    let (follower, metrics) = follower(&ledger, &db.pool(4), Some(chain));
    let chain_metrics = metrics.chains();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(follower.run(stopped));
    let head = ledger.control().block_number().await.unwrap();
    wait_until(
        || chain_metrics[0].1.indexed.load(Ordering::Relaxed) == head,
        "caught up before the outage",
    )
    .await;

    // The node goes away for three seconds; the watchdog notices, the follower waits.
    let watch = chain_metrics[0].1.clone();
    let outage = tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if watch.stalled.load(Ordering::Relaxed) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    });
    ledger
        .node
        .restart_after(Duration::from_secs(3))
        .await
        .unwrap();
    assert!(
        outage.await.unwrap(),
        "the stall watchdog reported the outage"
    );
    assert!(
        !running.is_finished(),
        "the follower kept going through the outage"
    );

    // New activity after the restart is indexed too.
    generate(
        &ledger,
        &Activity {
            transfer_txs: 20,
            transfers_per_tx: 2,
            ..Default::default()
        },
    )
    .await;
    let head = ledger.control().block_number().await.unwrap();
    wait_until(
        || chain_metrics[0].1.indexed.load(Ordering::Relaxed) == head,
        "caught up after the outage",
    )
    .await;
    wait_until(
        || !chain_metrics[0].1.stalled.load(Ordering::Relaxed),
        "the stall cleared",
    )
    .await;
    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(
        dump_chain(&mut db.conn(), 31337),
        clean_dump(&ledger).await,
        "nothing lost"
    );
}

async fn wait_until(condition: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// anvil spills past states under `$HOME/.foundry` and removes them only on a clean exit; each
/// node gets its own home, removed with it, so a killed node leaves nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anvil_runs_in_its_own_home_removed_with_the_node() {
    let node = LedgerNode::start(&LedgerNodeOptions::default())
        .await
        .unwrap();
    let home = node.home().to_path_buf();
    let environ = std::fs::read(format!("/proc/{}/environ", node.pid().unwrap())).unwrap();
    let expected = format!("HOME={}", home.display());
    assert!(
        environ
            .split(|b| *b == 0)
            .any(|kv| kv == expected.as_bytes()),
        "anvil runs with {expected}"
    );
    assert!(home.is_dir());
    drop(node); // killed, as every test's node is
    assert!(!home.exists(), "{} removed with the node", home.display());
}
