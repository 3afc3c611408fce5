//! Crash safety of the real `citytrace import` process: killed with SIGKILL in the middle of a
//! large file — while a chunk is being copied, and again several chunks in — or cut off from
//! the database (its session terminated mid-COPY), it leaves nothing behind (no batch, no rows,
//! no lots or sites), and the import run again afterwards writes the whole file with the same
//! Merkle root as a dry run computed beforehand. And for every CSV format, a file larger than
//! two load chunks with a bad value in its last chunk — or a value that once panicked the
//! reader, or a reader that panics — writes nothing and exits 1 (`large_imports/every_format.rs`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::large_imports::Sample;
use crate::support::{citytrace, text};
use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;

const ROWS: usize = 100_000;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// Rows every import table holds, as seen by a new transaction.
fn visible(conn: &mut PgConnection) -> [i64; 5] {
    [
        "import_batches",
        "shipment_lines",
        "lots",
        "sites",
        "products",
    ]
    .map(|table| count(conn, &format!("SELECT count(*) AS n FROM {table}")))
}

fn start_import(db: &TestDatabase, file: &std::path::Path, stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args([
            "import",
            "shipments",
            file.to_str().unwrap(),
            "--party",
            "ACME",
        ])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// Wait until the importer's `n`th chunk is being copied into the database (PostgreSQL's own
/// COPY progress view); the copying session's process id.
fn wait_for_chunk(child: &mut Child, conn: &mut PgConnection, db: &TestDatabase, n: u32) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(600);
    let (mut seen, mut copying) = (0u32, false);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before its chunk {n} was seen: make the file larger"
        );
        assert!(Instant::now() < deadline, "no COPY seen");
        let pid = count(
            conn,
            &format!(
                "SELECT coalesce(max(p.pid), 0)::int8 AS n FROM pg_stat_progress_copy p JOIN pg_database d ON d.oid = p.datid \
                 WHERE d.datname = '{}' AND p.relid = 'shipment_lines'::regclass",
                db.name()
            ),
        );
        if pid > 0 && !copying {
            seen += 1;
            if seen == n {
                return pid;
            }
        }
        copying = pid > 0;
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// SIGKILL the importer while its `n`th chunk is being copied.
fn kill_during_chunk(child: &mut Child, conn: &mut PgConnection, db: &TestDatabase, n: u32) {
    wait_for_chunk(child, conn, db, n);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The server notices the dropped connection and rolls its transaction back.
    let deadline = Instant::now() + Duration::from_secs(60);
    while count(
        conn,
        &format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            db.name()
        ),
    ) > 0
    {
        assert!(Instant::now() < deadline, "the killed import's session lingers");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Terminate the importer's database session while its `n`th chunk is being copied, as a
/// server restart or a network cut would end it; the importer's stderr.
fn cut_off_during_chunk(
    child: Child,
    conn: &mut PgConnection,
    db: &TestDatabase,
    n: u32,
) -> (Option<i32>, String) {
    let mut child = child;
    let pid = wait_for_chunk(&mut child, conn, db, n);
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
        .execute(conn)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stderr))
}

#[test]
fn an_import_killed_or_cut_off_mid_copy_leaves_nothing_and_runs_again_in_full() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big-shipments.csv");
    Sample::of(Format::Shipments).write(&file, ROWS, None);
    let mut conn = db.conn();

    let dry = citytrace(
        Some(db.url()),
        &[
            "import",
            "shipments",
            file.to_str().unwrap(),
            "--party",
            "ACME",
            "--dry-run",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let dry: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    let root = dry["merkle_root"].as_str().unwrap().to_owned();
    assert_eq!(dry["rows"], ROWS);
    assert_eq!(visible(&mut conn), [0; 5]);

    for chunk in [1, 3] {
        let mut child = start_import(&db, &file, Stdio::null());
        kill_during_chunk(&mut child, &mut conn, &db, chunk);
        assert_eq!(
            visible(&mut conn),
            [0; 5],
            "killed in chunk {chunk}: something was left behind"
        );
    }

    // Found in issue 10: the error did not say that the database went away.
    let child = start_import(&db, &file, Stdio::piped());
    let (status, stderr) = cut_off_during_chunk(child, &mut conn, &db, 2);
    assert_eq!(status, Some(1), "exit 1, not a crash: {stderr}");
    assert!(
        stderr.contains("error: the database connection was lost at line 20002; nothing was imported; run it again"),
        "{stderr}"
    );
    assert_eq!(
        visible(&mut conn),
        [0; 5],
        "cut off: something was left behind"
    );

    let done = citytrace(
        Some(db.url()),
        &[
            "import",
            "shipments",
            file.to_str().unwrap(),
            "--party",
            "ACME",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert!(done.status.success(), "{}", text(&done.stderr));
    let done: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(done["outcome"], "imported");
    assert_eq!(done["batch"]["rows"], ROWS);
    assert_eq!(done["batch"]["merkle_root"], root);
    let [batches, lines, lots, sites, products] = visible(&mut conn);
    assert_eq!(
        (batches, lines, lots, sites, products),
        (1, ROWS as i64, ROWS as i64, 31, 1)
    );
}

/// Found in issue 10: a cell that panicked the reader thread in the second chunk made the
/// loader take the closed channel for the end of the file, commit the first 20,000 rows as a
/// complete batch, then exit 101 (and abort in libpq on the way out).
#[test]
fn a_panicking_cell_in_the_second_chunk_commits_nothing_and_exits_1() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("budget.csv");
    Sample::of(Format::Budget).write(&file, 25_000, Some((24_001, "0é")));
    let out = citytrace(
        Some(db.url()),
        &["import", "budget", file.to_str().unwrap(), "--party", "FIN"],
        dir.path(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("has problems; nothing was imported")
            && stderr.lines().any(|l| l.starts_with("24002  cofog")
                && l.contains("\"0é\"")
                && l.contains("not a COFOG code")),
        "{stderr}"
    );
    assert!(!stderr.contains("k5_mutex_lock"), "{stderr}");
    let mut conn = db.conn();
    assert_eq!(
        ["import_batches", "budget_lines", "parties"]
            .map(|t| count(&mut conn, &format!("SELECT count(*) AS n FROM {t}"))),
        [0, 0, 0],
        "{stderr}"
    );

    // The supplier repairs the cell and imports the file: it was not blocked by a half batch.
    Sample::of(Format::Budget).write(&file, 25_000, None);
    let out = citytrace(
        Some(db.url()),
        &[
            "import",
            "budget",
            file.to_str().unwrap(),
            "--party",
            "FIN",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&outcome["outcome"], &outcome["batch"]["rows"]),
        (&serde_json::json!("imported"), &serde_json::json!(25_000))
    );
}
