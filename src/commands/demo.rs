//! `citytrace demo`: the whole system on one machine, on a generated city.
//!
//! Local PostgreSQL (a fresh `citytrace_demo` database), a local ledger node (anvil, fresh
//! chain each run) with the city contracts deployed, the demo city's files — every import
//! format — generated under the data folder, imported through the real importers and anchored
//! through the real indexer, and the explorer. `citytrace demo generate` writes the files only.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::RunQueryDsl;

use citytrace_indexer::config::{
    AnchoringConfig, ChainConfig, ChainKindConfig, ContractConfig, FinalityConfig,
};
use citytrace_indexer::evm::{AnvilControl, DemoLedger, EvmSigner};
use citytrace_indexer::ledger_node::{LedgerNode, LedgerNodeOptions, DEV_KEY, LEDGER_CHAIN_ID};
use citytrace_indexer::{IndexerConfig, Metrics};
use citytrace_schema::database::{connect, quote_ident};
use citytrace_schema::models::ImportBatch;
use citytrace_schema::{DatabaseLocation, PgPool, DEFAULT_DATABASE};

use crate::demo_city::{self, GeneratedCity, Plan, PlanReport, Scale};
use crate::demo_ledger;
use crate::globals::Globals;

const DEMO_DATABASE: &str = "citytrace_demo";
/// The demo city is Dutch: its explorer shows times on Amsterdam's clocks.
const DEMO_TIME_ZONE: &str = "Europe/Amsterdam";
/// The chain id of the demo's stand-in for a public chain.
const PUBLIC_CHAIN_ID: u64 = 31338;

#[derive(clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "The demo writes the city's files to <data-dir>/demo/city/ (one file per supplier and format, \
    with manifest.json) before importing them; open them there.\n\n\
    Only the files, for benchmarks or to look at them: `citytrace demo generate DIR --scale large` \
    writes every format without starting anything (`--plan` prints what a scale holds, `--import` \
    then loads the files into the database). See `citytrace demo generate --help`."
)]
pub struct DemoArgs {
    #[command(subcommand)]
    action: Option<DemoAction>,
    /// Port for the explorer.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address for the explorer.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Seed of the generated city (the same seed gives the same files, byte for byte).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// How big a city: small (seconds to import), medium (about a million sensor readings),
    /// large (over a million shipment lines and ten million readings; many minutes).
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
    #[command(flatten)]
    uploads: super::serve::UploadArgs,
}

#[derive(clap::Subcommand)]
enum DemoAction {
    /// Write the demo city's files — every import format, in import order, with manifest.json
    /// — without running the demo; optionally import them.
    #[command(after_help = "Examples:\n  \
        citytrace demo generate city/\n      \
            the small city into city/ (24 files, about 250 kB, instantly)\n  \
        citytrace demo generate --scale medium /data/city\n      \
            about 29,000 shipment lines and 1,000,000 sensor readings (about 80 MB)\n  \
        citytrace demo generate --scale large /data/city\n      \
            over 1,000,000 shipment lines and 10,000,000 sensor readings (about 1.3 GB)\n  \
        citytrace demo generate --plan --scale large\n      \
            what a scale holds, as JSON: its counts and the rows of each format; nothing written\n  \
        citytrace demo generate city/ --import\n      \
            then import them (DATABASE_URL, else the embedded database), showing the importers' progress\n\n\
        Files are written in constant memory; the same seed and scale give byte-identical files (their sha256s are in \
        manifest.json). To import them by hand, follow the manifest's order: `citytrace import <format> FILE --party <submitter>`.")]
    Generate(GenerateArgs),
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// The folder to write into (created if needed).
    #[arg(required_unless_present = "plan", value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Seed of the generated city.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// How big a city: small, medium or large.
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
    /// Print what the scale holds — its counts and the rows of each format — as JSON, and
    /// write nothing.
    #[arg(long)]
    plan: bool,
    /// Then import the files, in order and each as its submitter, into the database
    /// (DATABASE_URL, else the embedded `citytrace` database). Nothing is anchored: no chain
    /// runs; `citytrace index` anchors the batches later.
    #[arg(long, conflicts_with = "plan")]
    import: bool,
}

pub fn run(globals: &Globals, args: DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(DemoAction::Generate(generate)) = args.action {
        return generate_only(globals, generate);
    }
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
    // Absolute, so the folder printed at the end can be opened from anywhere.
    let files_dir = std::path::absolute(globals.data_dir.join("demo"))?;
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

    let city_dir = files_dir.join("city");
    eprintln!(
        "[4/6] Generating the demo city ({} scale, seed {}) into {} and importing it through the importers …",
        args.scale.name(),
        args.seed,
        city_dir.display()
    );
    let city = write_city(&city_dir, args.seed, args.scale)?;
    let batches: Vec<i64> = {
        let mut conn = pool.get()?;
        demo_city::import_city(&mut conn, &city_dir, &city.manifest, &city.world)?
            .into_iter()
            .map(|f| f.batch)
            .collect()
    };
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
        methods: demo_ledger::city_methods(&carbon),
        explorer: None,
    };
    config.validate()?;
    let methods = config.methods.clone();
    let audit_config = config.clone();

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
            methods,
            time_zone: citytrace_explorer::CityZone::parse(DEMO_TIME_ZONE)?,
        },
    )?;
    let handle = server.handle();
    let server = tokio::spawn(server);
    let watcher = tokio::spawn(report_anchoring(pool.clone(), batches, audit_config));

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
    println!(
        "  files         {} ({} files, {}; manifest.json lists them)",
        city_dir.display(),
        city.manifest.files.len(),
        size(city.manifest.bytes())
    );
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

/// Generate the city into `dir`, emptied first (a previous run may have had another scale).
fn write_city(dir: &Path, seed: u64, scale: Scale) -> anyhow::Result<GeneratedCity> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    let started = Instant::now();
    let city = demo_city::generate(dir, seed, scale)?;
    eprintln!(
        "      {} files, {} rows, {} written in {:.1} s",
        city.manifest.files.len(),
        city.manifest.files.iter().map(|f| f.rows).sum::<u64>(),
        size(city.manifest.bytes()),
        started.elapsed().as_secs_f64()
    );
    Ok(city)
}

/// `citytrace demo generate`: the files only (and, with --import, into the database).
fn generate_only(globals: &Globals, args: GenerateArgs) -> anyhow::Result<ExitCode> {
    if args.plan {
        let report = PlanReport::from(Plan::for_scale(args.scale));
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let dir = args.dir.context("name the folder to write into")?;
    let started = Instant::now();
    let city = demo_city::generate(&dir, args.seed, args.scale)?;
    let elapsed = started.elapsed();
    println!(
        "The {} demo city (seed {}) in {}:\n",
        args.scale.name(),
        args.seed,
        dir.display()
    );
    let width = city
        .manifest
        .files
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(4);
    println!(
        "{:<width$} {:<16} {:<16} {:>11} {:>10}",
        "file", "format", "submitter", "rows", "size"
    );
    for f in &city.manifest.files {
        println!(
            "{:<width$} {:<16} {:<16} {:>11} {:>10}",
            f.name,
            f.format,
            f.submitter,
            f.rows,
            size(f.bytes)
        );
    }
    let by_format = city.manifest.rows_by_format();
    let by_format: Vec<String> = by_format.iter().map(|(f, n)| format!("{f} {n}")).collect();
    println!("\nRows per format: {}", by_format.join(", "));
    println!(
        "{} files, {} rows, {} in {:.1} s. Import them in this order, each as its submitter (manifest.json lists them with their sha256).",
        city.manifest.files.len(),
        city.manifest.files.iter().map(|f| f.rows).sum::<u64>(),
        size(city.manifest.bytes()),
        elapsed.as_secs_f64()
    );
    if args.import {
        let pool = globals.open(DEFAULT_DATABASE, 1)?;
        let mut conn = pool.get()?;
        eprintln!("Importing into the database …");
        let started = Instant::now();
        let imported = demo_city::import_city(&mut conn, &dir, &city.manifest, &city.world)?;
        println!(
            "Imported {} files ({} rows) in {:.1} s; the batches wait for `citytrace index` to anchor them.",
            imported.len(),
            imported.iter().map(|f| i64::from(f.rows)).sum::<i64>(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `12.3 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.2} GB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// An API token for the first supplier who ships, so the upload page can be tried at once:
/// ("CODE (Name)", token).
fn demo_upload_token(pool: &PgPool, city: &GeneratedCity) -> anyhow::Result<(String, String)> {
    let supplier = city
        .manifest
        .files
        .iter()
        .find(|f| f.format == citytrace_importers::Format::Shipments.name())
        .map(|f| f.submitter.as_str())
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

/// Say once every demo batch is anchored (or after a minute, that some are not yet), then
/// audit the city against the ledger.
async fn report_anchoring(pool: PgPool, batches: Vec<i64>, config: IndexerConfig) {
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
            super::audit::demo_audit(pool, config).await;
            return;
        }
    }
    println!("Some demo batches are not anchored after a minute; see the batch pages and the log.");
}
