//! `citytrace demo`: the whole system on one machine, on a generated city.
//!
//! Local PostgreSQL (a fresh `citytrace_demo` database), a local ledger node (anvil, fresh
//! chain each run) with the city contracts deployed, the demo city's shipment files imported
//! through the real importer and anchored through the real indexer, and the explorer.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use diesel::RunQueryDsl;

use citytrace_importers::{CsvOptions, Format, ImportOptions, ImportOutcome};
use citytrace_indexer::config::{AnchoringConfig, ChainConfig, ChainKindConfig, ContractConfig};
use citytrace_indexer::evm::EvmSigner;
use citytrace_indexer::ledger_node::{LedgerNode, LedgerNodeOptions, DEV_KEY, LEDGER_CHAIN_ID};
use citytrace_indexer::IndexerConfig;
use citytrace_schema::database::{connect, quote_ident};
use citytrace_schema::models::ImportBatch;
use citytrace_schema::{DatabaseLocation, PgPool};

use crate::demo_city;
use crate::globals::Globals;

const DEMO_DATABASE: &str = "citytrace_demo";

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Port for the explorer.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address for the explorer.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Seed of the generated city (the same seed gives the same city).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

pub fn run(globals: &Globals, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let listener = TcpListener::bind((args.host.as_str(), args.port)).with_context(|| {
        format!(
            "port {} on {} is not free: pass --port N",
            args.port, args.host
        )
    })?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(demo(globals, args, listener))?;
    Ok(ExitCode::SUCCESS)
}

async fn demo(globals: &Globals, args: DemoArgs, listener: TcpListener) -> anyhow::Result<()> {
    let files_dir = globals.data_dir.join("demo");
    std::fs::create_dir_all(&files_dir)
        .with_context(|| format!("creating {}", files_dir.display()))?;

    eprintln!("[1/5] Database …");
    let location = globals.location(DEMO_DATABASE)?;
    let (pool, started_pg) = fresh_database(&location)?;

    eprintln!("[2/5] Local ledger node (anvil, chain {LEDGER_CHAIN_ID}, one block a second) …");
    let node = LedgerNode::start(&LedgerNodeOptions {
        log_file: Some(files_dir.join("anvil.log")),
        ..Default::default()
    })
    .await?;
    let result = run_with_node(&args, listener, &files_dir, pool, &node).await;
    eprintln!("Stopping …");
    node.stop().await;
    if let (Some(_), DatabaseLocation::Embedded { cluster, .. }) = (&started_pg, &location) {
        cluster.stop()?;
    }
    result
}

async fn run_with_node(
    args: &DemoArgs,
    listener: TcpListener,
    files_dir: &std::path::Path,
    pool: PgPool,
    node: &LedgerNode,
) -> anyhow::Result<()> {
    eprintln!("[3/5] Deploying the city contracts (BatchAnchor, TraceRegistry) …");
    let signer = EvmSigner::connect(&node.url(), DEV_KEY, None).await?;
    let deployed = signer.deploy_city_contracts().await?;
    let address = |a: [u8; 20]| citytrace_schema::hex0x(&a);

    eprintln!("[4/5] Importing the demo city's shipment files through the importer …");
    let city = demo_city::generate(args.seed);
    let batches = import_city(&pool, &city, files_dir).await?;

    let explorer_url = format!("http://{}", listener.local_addr()?);
    let config = IndexerConfig {
        chains: vec![ChainConfig {
            id: LEDGER_CHAIN_ID,
            name: "City ledger (local demo)".into(),
            kind: ChainKindConfig::Ledger,
            rpc: vec![node.url()],
            confirmations: Some(0),
            poll_interval_ms: 500,
            max_block_range: 2000,
            start_block: Some(deployed.block),
            reorg_window: 256,
        }],
        contracts: vec![
            ContractConfig {
                chain: LEDGER_CHAIN_ID,
                kind: "batch_anchor".into(),
                address: address(deployed.batch_anchor),
                start_block: deployed.block,
                name: Some("BatchAnchor".into()),
            },
            ContractConfig {
                chain: LEDGER_CHAIN_ID,
                kind: "trace_registry".into(),
                address: address(deployed.trace_registry),
                start_block: deployed.block,
                name: Some("TraceRegistry".into()),
            },
        ],
        anchoring: Some(AnchoringConfig {
            chain: LEDGER_CHAIN_ID,
            contract: address(deployed.batch_anchor),
            key_env: "CITYTRACE_ANCHOR_KEY".into(),
            uri_base: format!("{explorer_url}/batches/"),
            interval_ms: 500,
            resubmit_after_secs: 15,
        }),
    };
    config.validate()?;

    eprintln!("[5/5] Indexer, anchorer and explorer …");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let indexer = tokio::spawn(citytrace_indexer::run(
        config,
        pool.clone(),
        Some(DEV_KEY.to_string()),
        stopped,
    ));
    let server = citytrace_explorer::serve(listener, pool.clone(), 2)?;
    let handle = server.handle();
    let server = tokio::spawn(server);
    let watcher = tokio::spawn(report_anchoring(pool.clone(), batches));

    println!();
    println!("citytrace demo is ready: {explorer_url}");
    println!(
        "  ledger  {} (chain {LEDGER_CHAIN_ID}), BatchAnchor at {}",
        node.url(),
        address(deployed.batch_anchor)
    );
    println!("  files   {}", files_dir.display());
    println!("Press Ctrl-C to stop.");

    let outcome = tokio::select! {
        r = indexer => match r {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(anyhow::Error::from(e).context("indexer stopped")),
            Err(e) => Err(anyhow::anyhow!("indexer task: {e}")),
        },
        r = server => r.map_err(|e| anyhow::anyhow!("explorer task: {e}"))?.context("explorer stopped"),
        _ = crate::shutdown::requested() => Ok(()),
    };
    watcher.abort();
    let _ = stop.send(true);
    handle.stop(true).await;
    outcome
}

/// The demo database, emptied: the ledger is new each run, so old anchors would point nowhere.
fn fresh_database(
    location: &DatabaseLocation,
) -> anyhow::Result<(PgPool, Option<citytrace_schema::local_pg::RunningCluster>)> {
    match location {
        DatabaseLocation::Embedded { cluster, database } => {
            let (running, started) = cluster.start()?;
            citytrace_schema::local_pg::wait_for_connection(
                &running.url("postgres"),
                Duration::from_secs(30),
            )?;
            let mut admin = connect(&running.url("postgres"))?;
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(database)
            ))
            .execute(&mut admin)?;
            let (url, _) = location.ensure_available()?;
            Ok((
                citytrace_schema::open_pool(&url, 12)?,
                started.then_some(running),
            ))
        }
        DatabaseLocation::External(url) => {
            let pool = citytrace_schema::open_pool(url, 12)?;
            let (imported, _) = ImportBatch::counts(&mut *pool.get()?)?;
            if imported > 0 {
                anyhow::bail!(
                    "the demo starts a new ledger each run and needs an empty database, but the one at DATABASE_URL has {imported} import batches; unset DATABASE_URL to use the embedded one"
                );
            }
            Ok((pool, None))
        }
    }
}

/// Write the city's files and import each as its supplier, exactly as `citytrace import` does.
async fn import_city(
    pool: &PgPool,
    city: &demo_city::DemoCity,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<i64>> {
    let mut conn = pool.get()?;
    demo_city::register(&mut conn, city)?;
    let mut batches = Vec::new();
    for file in &city.files {
        let path = dir.join(&file.file_name);
        std::fs::write(&path, &file.csv).with_context(|| format!("writing {}", path.display()))?;
        let options = ImportOptions {
            submitter: file.supplier.to_string(),
            dry_run: false,
            csv: CsvOptions::default(),
        };
        match citytrace_importers::import_file(&mut conn, Format::Shipments, &path, &options)? {
            ImportOutcome::Imported { batch, .. } | ImportOutcome::AlreadyImported { batch } => {
                eprintln!(
                    "      batch {}: {} rows from {} ({})",
                    batch.id, batch.rows, file.file_name, file.supplier
                );
                batches.push(batch.id);
            }
            ImportOutcome::Validated { .. } => {}
        }
    }
    Ok(batches)
}

/// Say once every demo batch is anchored (or after a minute, that some are not yet).
async fn report_anchoring(pool: PgPool, batches: Vec<i64>) {
    for _ in 0..120 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let waiting = {
            let pool = pool.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                Ok(ImportBatch::awaiting_anchor(&mut *pool.get()?, 1000)?.len())
            })
            .await
        };
        if let Ok(Ok(0)) = waiting {
            println!(
                "All {} demo batches are anchored on the ledger.",
                batches.len()
            );
            return;
        }
    }
    println!("Some demo batches are not anchored after a minute; see the batch pages and the log.");
}
