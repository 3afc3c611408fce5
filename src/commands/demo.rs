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
use citytrace_indexer::config::{
    AnchoringConfig, ChainConfig, ChainKindConfig, ContractConfig, FinalityConfig,
};
use citytrace_indexer::evm::{AnvilControl, DemoLedger, EvmSigner};
use citytrace_indexer::ledger_node::{LedgerNode, LedgerNodeOptions, DEV_KEY, LEDGER_CHAIN_ID};
use citytrace_indexer::{IndexerConfig, Metrics};
use citytrace_schema::database::{connect, quote_ident};
use citytrace_schema::models::ImportBatch;
use citytrace_schema::{DatabaseLocation, PgPool};

use crate::globals::Globals;
use crate::{demo_city, demo_ledger};

const DEMO_DATABASE: &str = "citytrace_demo";
/// The chain id of the demo's stand-in for a public chain.
const PUBLIC_CHAIN_ID: u64 = 31338;

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
    #[command(flatten)]
    uploads: super::serve::UploadArgs,
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

    eprintln!("[1/6] Database …");
    let location = globals.location(DEMO_DATABASE)?;
    let (pool, started_pg) = fresh_database(&location)?;

    eprintln!("[2/6] Local chains: the city ledger (anvil, chain {LEDGER_CHAIN_ID}) and a stand-in public chain (chain {PUBLIC_CHAIN_ID}) …");
    // Both mine a block per transaction while the demo sets them up, then one block a second.
    let ledger = LedgerNode::start(&LedgerNodeOptions {
        block_time: None,
        log_file: Some(files_dir.join("ledger.log")),
        ..Default::default()
    })
    .await?;
    let public = LedgerNode::start(&LedgerNodeOptions {
        chain_id: PUBLIC_CHAIN_ID,
        block_time: None,
        log_file: Some(files_dir.join("public-chain.log")),
        ..Default::default()
    })
    .await;
    let result = match public {
        Ok(public) => {
            let result = run_with_nodes(&args, listener, &files_dir, pool, &ledger, &public).await;
            public.stop().await;
            result
        }
        Err(e) => Err(e.into()),
    };
    eprintln!("Stopping …");
    ledger.stop().await;
    if let (Some(_), DatabaseLocation::Embedded { cluster, .. }) = (&started_pg, &location) {
        cluster.stop()?;
    }
    result
}

async fn run_with_nodes(
    args: &DemoArgs,
    listener: TcpListener,
    files_dir: &std::path::Path,
    pool: PgPool,
    ledger: &LedgerNode,
    public: &LedgerNode,
) -> anyhow::Result<()> {
    eprintln!("[3/6] Deploying the city contracts (BatchAnchor, TraceRegistry, CityTreasury) and the carbon-credit stand-ins …");
    let signer = EvmSigner::connect(&ledger.url(), DEV_KEY, None).await?;
    let deployed = signer.deploy_city_contracts().await?;
    let public_signer = EvmSigner::connect(&public.url(), DEV_KEY, None).await?;
    let carbon = DemoLedger::deploy(&public_signer).await?;
    let address = |a: [u8; 20]| citytrace_schema::hex0x(&a);

    eprintln!("[4/6] Importing the demo city's shipment files through the importer …");
    let city = demo_city::generate(args.seed);
    let batches = import_city(&pool, &city, files_dir).await?;
    let upload_token = demo_upload_token(&pool, &city)?;

    eprintln!(
        "[5/6] Recording treasury entries, inspections and carbon retirements on the chains …"
    );
    let ledger_txs = demo_ledger::play_ledger(&signer, &deployed, &city).await?;
    let public_txs = demo_ledger::play_public(&carbon).await?;
    eprintln!("      {ledger_txs} ledger transactions, {public_txs} public-chain transactions");
    for node in [ledger, public] {
        AnvilControl::new(&node.url())?
            .set_interval_mining(1)
            .await?;
    }

    let explorer_url = format!("http://{}", listener.local_addr()?);
    let mut ledger_chain = ChainConfig::new(
        LEDGER_CHAIN_ID,
        "City ledger (local demo)",
        ChainKindConfig::Ledger,
        vec![ledger.url()],
    );
    (
        ledger_chain.poll_interval_ms,
        ledger_chain.start_block,
        ledger_chain.max_head_age_secs,
    ) = (500, Some(deployed.block), Some(30));
    let mut public_chain = ChainConfig::new(
        PUBLIC_CHAIN_ID,
        "Public chain (local stand-in)",
        ChainKindConfig::Public,
        vec![public.url()],
    );
    (public_chain.poll_interval_ms, public_chain.start_block) = (500, Some(carbon.block));
    public_chain.finality = Some(FinalityConfig::Confirmations { confirmations: 3 });
    let named = |chain, kind: &str, a: [u8; 20], block, name: &str| ContractConfig {
        name: Some(name.to_string()),
        ..ContractConfig::new(chain, kind, &address(a), block)
    };
    let config = IndexerConfig {
        chains: vec![ledger_chain, public_chain],
        contracts: vec![
            named(
                LEDGER_CHAIN_ID,
                "batch_anchor",
                deployed.batch_anchor,
                deployed.block,
                "BatchAnchor",
            ),
            named(
                LEDGER_CHAIN_ID,
                "trace_registry",
                deployed.trace_registry,
                deployed.block,
                "TraceRegistry",
            ),
            named(
                LEDGER_CHAIN_ID,
                "city_treasury",
                deployed.city_treasury,
                deployed.block,
                "CityTreasury",
            ),
            named(
                PUBLIC_CHAIN_ID,
                "toucan_tco2",
                carbon.carbon_credit,
                carbon.block,
                "TCO2 (stand-in)",
            ),
            named(
                PUBLIC_CHAIN_ID,
                "klima_retirement",
                carbon.klima,
                carbon.block,
                "KlimaDAO retirements (stand-in)",
            ),
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

    eprintln!("[6/6] Indexer, anchorer, metrics and explorer …");
    let metrics = Metrics::new();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics_listener = tokio::net::TcpListener::bind((args.host.as_str(), 0)).await?;
    let metrics_url = format!("http://{}/metrics", metrics_listener.local_addr()?);
    tokio::spawn(citytrace_indexer::metrics::serve(
        metrics_listener,
        metrics.clone(),
        stopped.clone(),
    ));
    let indexer = tokio::spawn(citytrace_indexer::run(
        config,
        pool.clone(),
        Some(DEV_KEY.to_string()),
        metrics,
        stopped,
    ));
    let uploads = demo_uploads(args, files_dir)?;
    let server = citytrace_explorer::serve(
        listener,
        pool.clone(),
        citytrace_explorer::ServeOptions {
            workers: 2,
            uploads,
        },
    )?;
    let handle = server.handle();
    let server = tokio::spawn(server);
    let watcher = tokio::spawn(report_anchoring(pool.clone(), batches));

    println!();
    println!("citytrace demo is ready: {explorer_url}");
    println!(
        "  city ledger   {} (chain {LEDGER_CHAIN_ID}), BatchAnchor at {}",
        ledger.url(),
        address(deployed.batch_anchor)
    );
    println!(
        "  public chain  {} (chain {PUBLIC_CHAIN_ID}), TCO2 stand-in at {}",
        public.url(),
        address(carbon.carbon_credit)
    );
    println!("  metrics       {metrics_url}");
    println!(
        "  upload page   {explorer_url}/import  sign in as {} with the API token\n                {}",
        upload_token.0, upload_token.1
    );
    println!("  files         {}", files_dir.display());
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
            skip_invalid: false,
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

/// An API token for the first demo supplier, so the upload page can be tried at once:
/// ("CODE (Name)", token).
fn demo_upload_token(
    pool: &PgPool,
    city: &demo_city::DemoCity,
) -> anyhow::Result<(String, String)> {
    let supplier = city
        .files
        .first()
        .map(|f| f.supplier)
        .context("the demo city has no suppliers")?;
    let (_, party, token) = super::token::issue(&mut *pool.get()?, supplier, "citytrace demo")?;
    Ok((format!("{} ({})", party.code, party.name), token))
}

/// The demo's upload folder: `--upload-dir`, or `<data-dir>/demo/uploads` emptied (the demo
/// database is new each run, so older uploads belong to no one).
fn demo_uploads(
    args: &DemoArgs,
    files_dir: &std::path::Path,
) -> anyhow::Result<citytrace_explorer::UploadOptions> {
    let default_dir = files_dir.join("uploads");
    if args.uploads.upload_dir.is_none() && default_dir.exists() {
        std::fs::remove_dir_all(&default_dir)
            .with_context(|| format!("emptying {}", default_dir.display()))?;
    }
    Ok(args.uploads.options(default_dir))
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
