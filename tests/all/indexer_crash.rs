//! Crash safety of the real `citytrace index` process: killed with SIGKILL at random points of
//! a backfill, ten times, then run to the end — the database is identical, row for row, to a
//! clean run into another database.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use citytrace_indexer::testing::{dump_chain, generate, Activity, TestLedger};
use citytrace_schema::models::Checkpoint;
use citytrace_schema::testing::TestDatabase;

/// Slow enough to be killed mid-way: tiny ranges, one at a time.
fn write_config(ledger: &TestLedger, dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::new();
    let config = ledger.config();
    let chain = &config.chains[0];
    text.push_str(&format!(
        "[[chain]]\nid = {}\nname = \"crash test\"\nkind = \"ledger\"\nrpc = [\"{}\"]\nstart_block = {}\ninitial_block_range = 1\nmax_block_range = 1\nfetch_concurrency = 1\nwrite_queue = 1\n",
        chain.id,
        ledger.url(),
        chain.start_block.unwrap()
    ));
    for c in &config.contracts {
        text.push_str(&format!(
            "\n[[contract]]\nchain = {}\nkind = \"{}\"\naddress = \"{}\"\nstart_block = {}\n",
            c.chain, c.kind, c.address, c.start_block
        ));
    }
    let path = dir.join("citytrace.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn index_once(database_url: &str, config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args([
            "index",
            "--once",
            "--metrics",
            "off",
            "--config",
            config.to_str().unwrap(),
        ])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn checkpoint(db: &TestDatabase) -> Option<i64> {
    Checkpoint::get(&mut db.conn(), 31337, "logs")
        .unwrap()
        .map(|c| c.block_number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_ten_times_then_restart_equals_a_clean_run() {
    let ledger = TestLedger::start().await;
    let activity = Activity {
        transfer_txs: 1500,
        transfers_per_tx: 2,
        allocations: 10,
        payments: 10,
        retirements: 10,
        legacy_retirements: 5,
        klima_retirements: 5,
        traces: 10,
    };
    generate(&ledger, &activity).await;
    let head = ledger.control().block_number().await.unwrap() as i64;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&ledger, dir.path());

    let db = TestDatabase::new();
    // A fixed seed: the same kill points on every run of the test.
    let mut seed: u64 = 0x5eed_c17e;
    let mut random = move |low: u64, high: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        low + seed % (high - low)
    };
    let mut mid_way = Vec::new();
    for _ in 0..10 {
        let mut child = index_once(db.url(), &config);
        std::thread::sleep(Duration::from_millis(random(50, 400)));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        let at = checkpoint(&db);
        eprintln!("kill: finished={finished} checkpoint={at:?} head={head}");
        if !finished && at.is_some_and(|n| n < head) {
            mid_way.push(at.unwrap_or_default());
        }
    }
    assert!(
        mid_way.len() >= 5,
        "at least five kills landed mid-backfill: {mid_way:?}"
    );
    assert!(
        mid_way.windows(2).all(|w| w[0] <= w[1]),
        "progress was kept across kills: {mid_way:?}"
    );

    let status = index_once(db.url(), &config).wait().unwrap();
    assert!(status.success());
    assert_eq!(checkpoint(&db), Some(head));

    let clean = TestDatabase::new();
    assert!(index_once(clean.url(), &config).wait().unwrap().success());
    let (crashed, fresh) = (
        dump_chain(&mut db.conn(), 31337),
        dump_chain(&mut clean.conn(), 31337),
    );
    assert_eq!(crashed.len(), fresh.len());
    assert!(
        crashed.len() > activity.events(),
        "every event and its domain row"
    );
    assert_eq!(crashed, fresh, "identical, row for row, to a clean run");
}
