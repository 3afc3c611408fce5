//! Crash safety of the real `citytrace import` process: killed with SIGKILL in the middle of a
//! large file — while a chunk is being copied, and again several chunks in — it leaves nothing
//! behind (no batch, no rows, no lots or sites), and the import run again afterwards writes the
//! whole file with the same Merkle root as a dry run computed beforehand.

mod support;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use citytrace_schema::testing::TestDatabase;
use support::{citytrace, text};

const ROWS: usize = 100_000;

fn write_file(path: &std::path::Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at"
    )
    .unwrap();
    for n in 0..ROWS {
        writeln!(
            out,
            "DESADV-{:07},{},LOT-{n:07},04012345111118,Portland cement,{}.5,TNE,4012345000115,SITE-{:02},2026-03-{:02}T08:00:00+01:00,",
            n / 3,
            n % 3 + 1,
            1 + n % 40,
            n % 30,
            1 + n % 28
        )
        .unwrap();
    }
}

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

fn start_import(db: &TestDatabase, file: &std::path::Path) -> Child {
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
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Wait until the importer's `n`th chunk is being copied into the database (PostgreSQL's own
/// COPY progress view), then SIGKILL it mid-COPY.
fn kill_during_chunk(child: &mut Child, conn: &mut PgConnection, db: &TestDatabase, n: u32) {
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut seen = 0u32;
    let mut copying = false;
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed in chunk {n}: make the file larger"
        );
        assert!(Instant::now() < deadline, "no COPY seen");
        let now = count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM pg_stat_progress_copy p JOIN pg_database d ON d.oid = p.datid \
                 WHERE d.datname = '{}' AND p.relid = 'shipment_lines'::regclass",
                db.name()
            ),
        ) > 0;
        if now && !copying {
            seen += 1;
            if seen == n {
                break;
            }
        }
        copying = now;
        std::thread::sleep(Duration::from_millis(2));
    }
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

#[test]
fn an_import_killed_mid_copy_leaves_nothing_and_runs_again_in_full() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big-shipments.csv");
    write_file(&file);
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
        let mut child = start_import(&db, &file);
        kill_during_chunk(&mut child, &mut conn, &db, chunk);
        assert_eq!(
            visible(&mut conn),
            [0; 5],
            "killed in chunk {chunk}: something was left behind"
        );
    }

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
