//! Test databases (`testing` feature): each test gets its own database, cloned from a
//! migrated template on a private throwaway cluster.
//!
//! The cluster lives in `target/<profile>/citytrace-test-pg/` (or `CITYTRACE_TEST_PG_DIR`),
//! is started by the first test process that needs it (fsync off: nothing here must survive
//! a power cut) and shared by the test binaries of one run; `.ci/test` stops and removes it.
//! The template `citytrace_tpl_<hash of migrations>` is built once under a file lock; each
//! `TestDatabase` is `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY` and is dropped with
//! the value, even when the test panics.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::RunQueryDsl;

use crate::database::{connect, database_exists, open_pool, quote_ident, run_migrations, PgPool};
use crate::local_pg::{wait_for_connection, LocalCluster, RunningCluster};

const TEMPLATE: &str = concat!("citytrace_tpl_", env!("CITYTRACE_MIGRATIONS_HASH"));

/// Settings for a cluster whose data is disposable.
pub const THROWAWAY_SETTINGS: &[(&str, &str)] = &[
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
    ("max_connections", "300"),
];

/// The test cluster's folder: `CITYTRACE_TEST_PG_DIR`, else beside the test executable's
/// profile folder (`target/debug/citytrace-test-pg`).
pub fn test_cluster_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CITYTRACE_TEST_PG_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("current_exe");
    // target/debug/deps/<test binary> -> target/debug
    let profile_dir = exe
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "deps"))
        .and_then(|d| d.parent());
    profile_dir
        .unwrap_or(std::path::Path::new("target"))
        .join("citytrace-test-pg")
}

/// The shared test cluster, started on first use in this process.
pub fn test_cluster() -> &'static RunningCluster {
    static CLUSTER: OnceLock<RunningCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let dir = test_cluster_dir();
        let cluster = LocalCluster::open(&dir, THROWAWAY_SETTINGS)
            .unwrap_or_else(|e| panic!("test PostgreSQL cluster in {}: {e}", dir.display()));
        let (running, _) = cluster
            .start()
            .unwrap_or_else(|e| panic!("starting the test PostgreSQL cluster: {e}"));
        wait_for_connection(&running.url("postgres"), Duration::from_secs(60))
            .expect("test cluster accepts connections");
        ensure_template(&cluster, &running);
        running
    })
}

fn ensure_template(cluster: &LocalCluster, running: &RunningCluster) {
    let lock_path = cluster.data_dir().join("template.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .expect("open template lock");
    lock.lock().expect("lock template");
    let mut admin = connect(&running.url("postgres")).expect("connect to the test cluster");
    if database_exists(&mut admin, TEMPLATE).expect("query pg_database") {
        return;
    }
    // Build under a temporary name and rename when complete, so a crash mid-build never
    // leaves a half-migrated template behind.
    let building = format!("{TEMPLATE}_building");
    exec(
        &mut admin,
        &format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&building)
        ),
    );
    exec(
        &mut admin,
        &format!("CREATE DATABASE {}", quote_ident(&building)),
    );
    {
        let mut conn = connect(&running.url(&building)).expect("connect to the template");
        run_migrations(&mut conn).expect("migrate the template");
    }
    exec(
        &mut admin,
        &format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_ident(&building),
            quote_ident(TEMPLATE)
        ),
    );
    exec(
        &mut admin,
        &format!("ALTER DATABASE {} IS_TEMPLATE true", quote_ident(TEMPLATE)),
    );
}

fn exec(conn: &mut PgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A migrated database of its own for one test; dropped with the value.
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDatabase {
    pub fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let cluster = test_cluster();
        let name = format!(
            "t_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let admin_url = cluster.url("postgres");
        let mut admin = connect(&admin_url).expect("connect to the test cluster");
        exec(
            &mut admin,
            &format!(
                "CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY",
                quote_ident(&name),
                quote_ident(TEMPLATE)
            ),
        );
        Self {
            url: cluster.url(&name),
            name,
            admin_url,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn conn(&self) -> PgConnection {
        connect(&self.url).expect("connect to the test database")
    }

    pub fn pool(&self, size: u32) -> PgPool {
        open_pool(&self.url, size).expect("pool for the test database")
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = connect(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(&self.name)
            ))
            .execute(&mut admin);
        }
    }
}

/// The folder of official reference files (EPCIS, OCDS): `CITYTRACE_REFERENCE_DIR`, else
/// `../shared/reference` beside the repository. Returns None — after saying so on stderr —
/// when it is absent (a user's clone); panics instead when `CITYTRACE_REQUIRE_REFERENCE=1`
/// (CI), so CI always runs the tests that need it.
pub fn reference_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CITYTRACE_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
        });
    if dir.join("DOMAIN.md").is_file() {
        return Some(dir);
    }
    let required = std::env::var("CITYTRACE_REQUIRE_REFERENCE").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "CITYTRACE_REQUIRE_REFERENCE=1 but the reference folder {} is missing",
        dir.display()
    );
    eprintln!(
        "NOTE: the reference folder {} is absent, so this test checked nothing against the official examples; set CITYTRACE_REFERENCE_DIR to run it",
        dir.display()
    );
    None
}

/// How many cases a property test runs: `CITYTRACE_FUZZ_CASES` when set to a number, else
/// `default` (what CI runs). The one place every crate's property tests read it from.
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var("CITYTRACE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}
