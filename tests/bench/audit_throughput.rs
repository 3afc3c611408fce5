//! Benchmark (not a test): how fast `citytrace audit` re-proves stored rows.
//!
//!     cargo bench --workspace --bench audit_throughput                     # the medium city
//!     BENCH_SCALE=large cargo bench --workspace --bench audit_throughput   # 12.8 million rows
//!
//! In one run and one fresh PostgreSQL database: the demo city of that scale generated and
//! imported by the release binary (`citytrace demo generate DIR --scale S --import`), every batch
//! anchored on a real anvil by the real anchorer and indexed by the real follower. Then, measured
//! in the same run:
//! - `citytrace audit --logs 0 --format json` twice (the release binary, a separate process):
//!   the first keeps every batch's leaf record as it goes, the second only re-proves; rows/s as
//!   the audit reports them (its re-proof), and the process's wall time;
//! - the baseline: the canonical text of every stored row written to one file, a row a line,
//!   and `sha256sum` of that file — the same text hashed with nothing else to do;
//! - the database's side alone: every table holding batch rows sent by PostgreSQL as one binary
//!   `COPY … TO STDOUT` to `psql`, into /dev/null — what reading the rows costs with no hashing;
//!
//! and prints rows/s of each and their ratio.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use citytrace_importers::audit::write_canonical_rows;
use citytrace_indexer::anchor::Anchorer;
use citytrace_indexer::follow::ChainFollower;
use citytrace_indexer::testing::TestLedger;
use citytrace_indexer::Metrics;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{AnchorSubmission, ImportBatch};
use citytrace_schema::schema::import_batches;
use citytrace_schema::testing::TestDatabase;

fn citytrace(db: &TestDatabase, args: &[&str]) -> (std::process::Output, f64) {
    let began = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .env_remove("CITYTRACE_CONFIG")
        .env_remove("CITYTRACE_RPC")
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    (out, began.elapsed().as_secs_f64())
}

/// Anchor every batch and index the anchors, as `citytrace index` would.
async fn anchor_all(db: &TestDatabase, ledger: &TestLedger) {
    let pool = db.pool(2);
    let anchorer = Anchorer::new(
        pool.clone(),
        Metrics::new(),
        Arc::new(ledger.anchor_signer().await),
        31337,
        "citytrace:batch/".into(),
        Duration::from_secs(3600),
        Duration::from_millis(50),
    );
    for batch in anchorer.pass().await.unwrap().sent {
        let sent = AnchorSubmission::find(&mut db.conn(), batch)
            .unwrap()
            .unwrap();
        let tx: [u8; 32] = sent.tx_hash.as_slice().try_into().unwrap();
        assert!(ledger.signer.wait_mined(tx).await.unwrap());
    }
    let config = ledger.config();
    let follower =
        ChainFollower::from_config(&config.chains[0], &config.contracts, pool, &Metrics::new())
            .unwrap();
    follower.register().await.unwrap();
    follower.catch_up().await.unwrap();
}

fn config_file(ledger: &TestLedger, dir: &std::path::Path) -> std::path::PathBuf {
    let contract = citytrace_schema::hex0x(&ledger.contracts.batch_anchor);
    let toml = format!(
        "[[chain]]\nid = 31337\nname = \"City ledger\"\nkind = \"ledger\"\nrpc = [\"{}\"]\nstart_block = {block}\n\n\
         [[contract]]\nchain = 31337\nkind = \"batch_anchor\"\naddress = \"{contract}\"\nstart_block = {block}\n\n\
         [anchoring]\nchain = 31337\ncontract = \"{contract}\"\n",
        ledger.url(),
        block = ledger.contracts.block
    );
    let path = dir.join("ledger.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

/// One audit: (rows, rows/s of its re-proof, wall seconds).
fn audit(db: &TestDatabase, config: &std::path::Path, extra: &[&str]) -> (u64, f64, f64) {
    let mut args = vec![
        "audit",
        "--config",
        config.to_str().unwrap(),
        "--logs",
        "0",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (out, wall) = citytrace(db, &args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "the audit must pass: {json:#}");
    let rows = json["rows"].as_u64().unwrap();
    let seconds = json["seconds"].as_f64().unwrap();
    (rows, rows as f64 / seconds, wall)
}

fn main() {
    let scale = std::env::var("BENCH_SCALE").unwrap_or_else(|_| "medium".into());
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new();
    let city = dir.path().join("city");
    println!();
    let (out, secs) = citytrace(
        &db,
        &[
            "demo",
            "generate",
            city.to_str().unwrap(),
            "--scale",
            &scale,
            "--import",
        ],
    );
    assert!(out.status.success(), "the {scale} city did not import");
    println!("the {scale} city generated and imported in {secs:.0} s");
    diesel::sql_query("VACUUM ANALYZE")
        .execute(&mut db.conn())
        .unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ledger = runtime.block_on(TestLedger::start());
    runtime.block_on(anchor_all(&db, &ledger));
    let config = config_file(&ledger, dir.path());

    let (rows, first, first_wall) = audit(&db, &config, &[]);
    let (again, second, second_wall) = audit(&db, &config, &[]);
    assert_eq!(rows, again);

    // The baseline: the same canonical text, hashed by sha256sum.
    let text = dir.path().join("canonical.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&text).unwrap());
    let batches: Vec<ImportBatch> = import_batches::table
        .order(import_batches::id)
        .select(ImportBatch::as_select())
        .load(&mut db.conn())
        .unwrap();
    let mut written = 0;
    for batch in &batches {
        written += write_canonical_rows(&mut db.conn(), batch, &mut file).unwrap();
    }
    drop(file);
    assert_eq!(written, rows);
    let bytes = std::fs::metadata(&text).unwrap().len();
    let began = Instant::now();
    let status = Command::new("sha256sum")
        .arg(&text)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let sha_secs = began.elapsed().as_secs_f64();
    let sha = rows as f64 / sha_secs;

    let (copied, copy_secs) = copy_out(&db);
    let copy = copied as f64 / copy_secs;

    println!(
        "{rows} rows in {} batches, {:.0} MB of canonical text ({:.0} bytes a row)",
        batches.len(),
        bytes as f64 / 1e6,
        bytes as f64 / rows as f64
    );
    println!(
        "citytrace audit, recording leaves   {first:>10.0} rows/s (wall {first_wall:.1} s)   ratio to sha256sum {:.2}",
        first / sha
    );
    println!(
        "citytrace audit, re-proving only    {second:>10.0} rows/s (wall {second_wall:.1} s)   ratio to sha256sum {:.2}",
        second / sha
    );
    println!(
        "sha256sum of the canonical text     {sha:>10.0} rows/s ({sha_secs:.2} s, {:.0} MB/s)",
        bytes as f64 / 1e6 / sha_secs
    );
    println!(
        "PostgreSQL COPY of the batch tables {copy:>10.0} rows/s ({copied} rows, {copy_secs:.2} s)   audit / COPY {:.2}",
        second / copy
    );
    runtime.block_on(ledger.node.stop());
}

/// Every table with a `batch_id` column, its batch rows sent by one binary `COPY … TO STDOUT`
/// to `psql` and dropped: (rows sent, seconds). The reading half of an audit with nothing else.
fn copy_out(db: &TestDatabase) -> (u64, f64) {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_name AS name FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'batch_id' \
         AND table_name IN (SELECT table_name FROM information_schema.tables \
                            WHERE table_type = 'BASE TABLE' AND table_schema = 'public') \
         AND table_name NOT IN ('import_batches', 'batch_anchors', 'anchor_submissions') \
         AND table_name NOT LIKE 'audit_%'",
    )
    .load(&mut db.conn())
    .unwrap();
    let mut rows = 0;
    let mut seconds = 0.0;
    for table in tables {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM {} WHERE batch_id IS NOT NULL",
            table.name
        ))
        .get_result(&mut db.conn())
        .unwrap();
        let began = Instant::now();
        let status = Command::new("psql")
            .arg(db.url())
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!(
                "COPY (SELECT * FROM {} WHERE batch_id IS NOT NULL) TO STDOUT (FORMAT binary)",
                table.name
            ))
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "COPY of {} failed", table.name);
        seconds += began.elapsed().as_secs_f64();
        rows += count.n as u64;
    }
    (rows, seconds)
}
