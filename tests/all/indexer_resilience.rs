//! The real `citytrace index` and `citytrace demo` never halt on data and ride out a restart of
//! their PostgreSQL (issue 10). Found 3: an event outside the EPCIS types made `citytrace
//! index` exit 1; it is quarantined now and indexing goes on. Found 9: the demo exited when
//! PostgreSQL restarted, `citytrace index` too. Each runs against a private cluster of its own
//! (never the shared test cluster), which the test stops while the chain goes on and starts
//! again: the process keeps going, says so in its log, and resumes from its checkpoint — every
//! log stored exactly once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use citytrace_indexer::evm::TraceEventCall;
use citytrace_indexer::testing::{
    dump_chain, generate, node_log_keys, stored_log_keys, Activity, TestLedger,
};
use citytrace_schema::database::connect;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::local_pg::{wait_for_connection, ClusterStatus, LocalCluster};
use citytrace_schema::models::Checkpoint;
use citytrace_schema::schema::contracts;
use citytrace_schema::testing::{TestDatabase, THROWAWAY_SETTINGS};

/// A folder under target/tmp the server's account can reach (the cluster lives inside).
fn reachable_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("restart")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A cluster of this test's own, stopped when dropped.
struct PrivateCluster {
    cluster: LocalCluster,
    url: String,
}

impl PrivateCluster {
    fn start(dir: &Path, database: &str) -> Self {
        let cluster = LocalCluster::open(&dir.join("pg"), THROWAWAY_SETTINGS).unwrap();
        let (running, _) = cluster.start().unwrap();
        wait_for_connection(&running.url("postgres"), Duration::from_secs(60)).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {database}"))
            .execute(&mut connect(&running.url("postgres")).unwrap())
            .unwrap();
        Self {
            url: running.url(database),
            cluster,
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.cluster.stop();
    }
}

/// The checkpoint of `chain`, None while there is none or the database is down.
fn checkpoint(url: &str, chain: i64) -> Option<i64> {
    let mut conn = connect(url).ok()?;
    Checkpoint::get(&mut conn, chain, "logs")
        .ok()
        .flatten()
        .map(|c| c.block_number)
}

async fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A process of the test, sent SIGTERM when dropped (a failing test leaves nothing running:
/// the demo stops its nodes and PostgreSQL on it).
struct Running(Option<Child>);

impl Running {
    fn alive(&mut self) -> bool {
        self.0
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGTERM, then its exit status.
    fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.0.take()?;
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM");
        child.wait().ok()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.alive() {
            self.stop();
        }
    }
}

fn config_file(ledger: &TestLedger, dir: &Path) -> PathBuf {
    let config = ledger.config();
    let mut text = format!(
        "[[chain]]\nid = 31337\nname = \"restart test\"\nkind = \"ledger\"\nrpc = [\"{}\"]\npoll_interval_ms = 100\nstart_block = {}\n",
        ledger.url(),
        ledger.contracts.block
    );
    for c in &config.contracts {
        text.push_str(&format!(
            "\n[[contract]]\nchain = 31337\nkind = \"{}\"\naddress = \"{}\"\nstart_block = {}\n",
            c.kind, c.address, c.start_block
        ));
    }
    let path = dir.join("citytrace.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn bad_trace(ledger: &TestLedger, n: u8) {
    let event = TraceEventCall {
        event_hash: [n; 32],
        event_type: format!("NotEpcis{n}"),
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
}

/// `citytrace index --once` with an event outside the five EPCIS types among others: exit 0,
/// the event quarantined (said in the log), the blocks after it indexed; `--retry-quarantined`
/// finds it still does not fit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_quarantines_an_event_outside_epcis_and_goes_on() {
    let ledger = TestLedger::start().await;
    generate(
        &ledger,
        &Activity {
            traces: 1,
            ..Default::default()
        },
    )
    .await;
    bad_trace(&ledger, 0xb1).await;
    generate(
        &ledger,
        &Activity {
            payments: 2,
            ..Default::default()
        },
    )
    .await;
    let head = ledger.control().block_number().await.unwrap();
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&ledger, dir.path());
    let index = |extra: &str| {
        Command::new(env!("CARGO_BIN_EXE_citytrace"))
            .args(["index", extra, "--metrics", "off", "--config"])
            .arg(&config)
            .env("DATABASE_URL", db.url())
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let once = index("--once");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&once.stdout),
        String::from_utf8_lossy(&once.stderr),
    );
    assert!(once.status.success(), "{stderr}");
    assert_eq!(stdout, format!("chain 31337: indexed up to block {head}\n"));
    assert!(
        stderr.contains("log quarantined")
            && stderr.contains("problem=eventType \"NotEpcis177\" is not an EPCIS event type"),
        "{stderr}"
    );
    assert_eq!(checkpoint(db.url(), 31337), Some(head as i64));
    let retried = index("--retry-quarantined");
    assert!(retried.status.success());
    assert_eq!(
        String::from_utf8_lossy(&retried.stdout),
        "chain 31337: 0 quarantined logs decoded and stored, 1 still quarantined (the ledger page \"Logs not decoded\")\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_rides_out_a_database_restart_and_resumes_exactly_where_it_was() {
    let ledger = TestLedger::start().await;
    let activity = Activity {
        transfer_txs: 20,
        transfers_per_tx: 3,
        payments: 2,
        traces: 2,
        ..Default::default()
    };
    generate(&ledger, &activity).await;
    bad_trace(&ledger, 0xb1).await;
    let dir = reachable_tempdir();
    let pg = PrivateCluster::start(dir.path(), "citytrace_restart");
    let log = dir.path().join("index.log");
    let mut child = Running(Some(
        Command::new(env!("CARGO_BIN_EXE_citytrace"))
            .args(["index", "--metrics", "off", "--config"])
            .arg(config_file(&ledger, dir.path()))
            .env("DATABASE_URL", &pg.url)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    ));

    let before = ledger.control().block_number().await.unwrap() as i64;
    wait_until("indexed to the head", Duration::from_secs(120), || {
        checkpoint(&pg.url, 31337) == Some(before)
    })
    .await;

    // PostgreSQL goes away; the chain goes on.
    assert!(pg.cluster.stop().unwrap());
    generate(
        &ledger,
        &Activity {
            transfer_txs: 10,
            transfers_per_tx: 2,
            ..Default::default()
        },
    )
    .await;
    bad_trace(&ledger, 0xb2).await;
    wait_until(
        "the indexer says the database is unavailable",
        Duration::from_secs(60),
        || read(&log).contains("chain 31337: database unavailable: "),
    )
    .await;
    let (running, started) = pg.cluster.start().unwrap();
    assert!(
        started && pg.url == running.url("citytrace_restart"),
        "same port"
    );

    let head = ledger.control().block_number().await.unwrap() as i64;
    wait_until("indexed to the new head", Duration::from_secs(120), || {
        checkpoint(&pg.url, 31337) == Some(head)
    })
    .await;
    let text = read(&log);
    assert!(text.contains("; retrying in 1 s"), "{text}");
    assert!(
        text.contains(&format!("resuming at block {}", before + 1))
            && text.contains("chain 31337: database back after "),
        "{text}"
    );
    assert!(child.alive(), "still running: {text}");

    // Exactly once: the same rows as a clean index of the same chain.
    let clean = TestDatabase::new();
    let config = ledger.config();
    let metrics = citytrace_indexer::Metrics::new();
    let follower = citytrace_indexer::follow::ChainFollower::from_config(
        &config.chains[0],
        &config.contracts,
        clean.pool(2),
        &metrics,
    )
    .unwrap();
    assert_eq!(follower.catch_up().await.unwrap() as i64, head);
    let restarted = dump_chain(&mut connect(&pg.url).unwrap(), 31337);
    assert_eq!(restarted, dump_chain(&mut clean.conn(), 31337));
    assert_eq!(
        restarted
            .iter()
            .filter(|r| r.starts_with("quarantined_logs "))
            .count(),
        2,
        "both bad events, before and during the outage, quarantined"
    );
    assert!(
        child.stop().is_some_and(|s| s.success()),
        "a clean stop on SIGTERM"
    );
}

/// The demo composes the indexer, the anchorer and the explorer in one process over its own
/// embedded PostgreSQL: a restart of that PostgreSQL is ridden out too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_rides_out_a_database_restart() {
    let dir = reachable_tempdir();
    let (out, err) = (dir.path().join("demo.out"), dir.path().join("demo.err"));
    let mut child = Running(Some(
        Command::new(env!("CARGO_BIN_EXE_citytrace"))
            .args(["demo", "--port", "0", "--data-dir"])
            .arg(dir.path())
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap(),
    ));
    wait_until("the demo is ready", Duration::from_secs(600), || {
        read(&out).contains("Press Ctrl-C to stop.")
    })
    .await;
    let printed = read(&out);
    let url_after = |prefix: &str| -> String {
        let line = printed
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line: {printed}"));
        line.split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_string()
    };
    let (explorer, ledger_url) = (
        url_after("citytrace demo is ready"),
        url_after("city ledger"),
    );
    let cluster = LocalCluster::open(dir.path(), &[]).unwrap();
    let ClusterStatus::Running(running) = cluster.status() else {
        panic!("the demo's PostgreSQL runs");
    };
    let db = running.url("citytrace_demo");
    wait_until("the ledger is indexed", Duration::from_secs(60), || {
        checkpoint(&db, 31337).is_some()
    })
    .await;

    assert!(cluster.stop().unwrap());
    wait_until(
        "the demo says the database is unavailable",
        Duration::from_secs(60),
        || read(&err).contains("chain 31337: database unavailable: "),
    )
    .await;
    // The ledger seals a block a second meanwhile.
    tokio::time::sleep(Duration::from_secs(3)).await;
    cluster.start().unwrap();
    wait_until(
        "the demo says the database is back",
        Duration::from_secs(90),
        || read(&err).contains("chain 31337: database back after "),
    )
    .await;
    let head = citytrace_indexer::evm::AnvilControl::new(&ledger_url)
        .unwrap()
        .block_number()
        .await
        .unwrap() as i64;
    wait_until(
        "the ledger indexed past the restart",
        Duration::from_secs(90),
        || checkpoint(&db, 31337).is_some_and(|c| c >= head),
    )
    .await;
    assert!(child.alive(), "the demo still runs: {}", read(&err));

    // Every log of the ledger's contracts up to the checkpoint is stored exactly once.
    let conn = &mut connect(&db).unwrap();
    let to = checkpoint(&db, 31337).unwrap();
    let addresses: Vec<[u8; 20]> = contracts::table
        .filter(contracts::chain_id.eq(31337))
        .select(contracts::address)
        .load::<Vec<u8>>(conn)
        .unwrap()
        .into_iter()
        .map(|a| a.try_into().unwrap())
        .collect();
    let start: i64 = contracts::table
        .filter(contracts::chain_id.eq(31337))
        .select(diesel::dsl::min(contracts::start_block))
        .first::<Option<i64>>(conn)
        .unwrap()
        .unwrap();
    let stored: Vec<(i64, i32)> = stored_log_keys(conn, 31337)
        .into_iter()
        .filter(|(block, _)| *block <= to)
        .collect();
    let node = node_log_keys(&ledger_url, &addresses, start as u64, to as u64).await;
    assert!(node.len() > 10, "{} logs", node.len());
    assert_eq!(stored, node, "no gap, no duplicate");

    // The explorer kept serving.
    let health = reqwest::get(format!("{explorer}/healthz")).await.unwrap();
    assert!(health.status().is_success());
    let status = child.stop();
    assert!(status.is_some_and(|s| s.success()), "{}", read(&err));
}
