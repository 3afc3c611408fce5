//! The whole system for end-to-end tests: a private PostgreSQL database, a real anvil with the
//! city contracts, the real indexer and anchorer, and the explorer on a free port.

pub mod browser;

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use citytrace_indexer::ledger_node::DEV_KEY;
use citytrace_indexer::testing::TestLedger;
use citytrace_schema::models::{BatchAnchor, ImportBatch};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;
use tokio::sync::watch;

pub const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    376123450000000016,1,LOT-RC-0412,04012345111118,Portland cement CEM I,25.5,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,2026-04-12T09:05:00+02:00\n\
    376123450000000016,2,LOT-AG-0412,,Crushed granite 4/20,18,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,\n";

/// The explorer serving a database on a free port, with its own upload folder.
pub struct Explorer {
    /// Where it answers: `http://127.0.0.1:<port>`.
    pub url: String,
    /// The explorer's upload folder, deleted when the explorer is dropped.
    _uploads: tempfile::TempDir,
    server: actix_web::dev::ServerHandle,
}

impl Explorer {
    /// Serve `pool` with `workers` HTTP workers (needs a Tokio runtime).
    pub fn serve(pool: PgPool, workers: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let uploads = tempfile::tempdir().unwrap();
        let options = citytrace_explorer::ServeOptions {
            workers,
            uploads: citytrace_explorer::UploadOptions::new(uploads.path()),
            methods: Default::default(),
            time_zone: Default::default(),
        };
        let server = citytrace_explorer::serve(listener, pool, options).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url,
            _uploads: uploads,
            server: handle,
        }
    }

    pub async fn stop(self) {
        self.server.stop(true).await;
    }
}

pub struct System {
    pub db: TestDatabase,
    pub ledger: TestLedger,
    pub explorer: String,
    /// The explorer, with its own upload folder.
    pub server: Explorer,
    stop: watch::Sender<bool>,
    indexer: tokio::task::JoinHandle<Result<(), citytrace_indexer::IndexerError>>,
}

impl System {
    pub async fn start() -> Self {
        let db = TestDatabase::new();
        let ledger = TestLedger::start().await;
        let pool = db.pool(8);
        let (stop, stopped) = watch::channel(false);
        let indexer = tokio::spawn(citytrace_indexer::run(
            ledger.config(),
            pool.clone(),
            Some(DEV_KEY.into()),
            citytrace_indexer::Metrics::new(),
            stopped,
        ));
        let server = Explorer::serve(pool, 2);
        Self {
            db,
            ledger,
            explorer: server.url.clone(),
            server,
            stop,
            indexer,
        }
    }

    /// Import `file_text` as `format` with the real `citytrace import`; it must succeed.
    pub fn import(&self, format: &str, file_text: &str) {
        import(self.db.url(), format, file_text, &[]);
    }

    /// Wait until the batch's anchor is indexed (the indexer runs in the background).
    pub async fn wait_anchored(&self, batch_id: i64) -> BatchAnchor {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let url = self.db.url().to_string();
            let anchor = tokio::task::spawn_blocking(move || {
                let conn = &mut citytrace_schema::database::connect(&url).unwrap();
                ImportBatch::find(conn, batch_id)
                    .unwrap()
                    .anchor(conn)
                    .unwrap()
            })
            .await
            .unwrap();
            if let Some(anchor) = anchor {
                return anchor;
            }
            assert!(!self.indexer.is_finished(), "the indexer stopped");
            assert!(
                Instant::now() < deadline,
                "batch {batch_id} not anchored within a minute"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.server.stop().await;
        let _ = self.indexer.await;
        self.ledger.node.stop().await;
    }
}

/// Import `file_text` as `format` (`shipments`, `products`, …) into the database at
/// `database_url` with the real `citytrace import`, with `args` after the file; it must succeed.
pub fn import(database_url: &str, format: &str, file_text: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{format}.csv"));
    std::fs::write(&file, file_text).unwrap();
    let mut import = vec!["import", format, file.to_str().unwrap()];
    import.extend_from_slice(args);
    let out = citytrace(Some(database_url), &import, dir.path());
    assert!(
        out.status.success(),
        "import {format}: {}",
        text(&out.stderr)
    );
}

/// Run the real `citytrace` binary with `DATABASE_URL` set.
pub fn citytrace(database_url: Option<&str>, args: &[&str], cwd: &Path) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_citytrace"));
    cmd.args(args)
        .current_dir(cwd)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("CITYTRACE_DATA_DIR");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().expect("run citytrace")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
