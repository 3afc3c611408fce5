//! `citytrace serve`: the public explorer.

use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::Context;
use citytrace_schema::DEFAULT_DATABASE;

use super::config_file::ConfigArg;
use crate::globals::Globals;

#[derive(clap::Args)]
#[command(
    after_help = "The derived figures (cold chain, waste, carbon, spending) use the [methods] settings of the\n\
    configuration file: --config FILE or CITYTRACE_CONFIG, else ./citytrace.toml when there is one,\n\
    else the documented defaults. Unknown keys and wrong types stop the server with the file, line and\n\
    key. Every key and its default: docs/citytrace.example.toml and docs/methods.md.\n\n\
    Times: pages show times in the city's zone and name it once, in the footer: --time-zone, else\n\
    [explorer] time_zone of the configuration file, else UTC. An IANA name (Europe/Amsterdam,\n\
    America/New_York, UTC); the zone database is built into citytrace (docs/explorer.md).\n\n\
    Requests: addresses of up to 16 KiB and headers of up to 32 KiB are read; larger ones are\n\
    refused (414, 431) with the error page (docs/explorer.md). Uploads from the /import page and\n\
    from the API share two job slots: at most two files are checked or imported at once\n\
    (docs/uploads.md). Memory: glibc's malloc arenas are capped at one per core so that a job's\n\
    memory goes back when it ends; MALLOC_ARENA_MAX=N chooses another number."
)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    bind: String,
    /// HTTP worker threads (0: one per CPU core).
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Database connections in the pool.
    #[arg(long, default_value_t = 16)]
    pool_size: u32,
    /// The city's time zone, as the IANA database names it (e.g. Europe/Amsterdam) [default: [explorer] time_zone of the configuration file, else UTC].
    #[arg(long, env = "CITYTRACE_TIME_ZONE", value_name = "ZONE")]
    time_zone: Option<citytrace_explorer::CityZone>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    uploads: UploadArgs,
    #[command(flatten)]
    search: SearchArgs,
}

/// Search backend: PostgreSQL full-text and trigram search unless a Meilisearch server is given
/// (docs/search.md).
#[derive(clap::Args)]
pub struct SearchArgs {
    /// Meilisearch server to search with, e.g. http://127.0.0.1:7700 [default: PostgreSQL search, no extra service].
    #[arg(long, env = "MEILI_URL", value_name = "URL")]
    pub meili_url: Option<String>,
    /// Meilisearch API key (a key allowed to search, add documents and change settings).
    #[arg(
        long,
        env = "MEILI_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub meili_api_key: Option<String>,
    /// Meilisearch index citytrace fills and searches.
    #[arg(
        long,
        env = "MEILI_INDEX",
        default_value = "citytrace",
        value_name = "NAME"
    )]
    pub meili_index: String,
    /// How often the Meilisearch index is brought up to date, in seconds (it also is at start).
    #[arg(long, default_value_t = 300, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub meili_sync_seconds: u64,
}

impl SearchArgs {
    pub fn meilisearch(&self) -> Option<citytrace_explorer::MeiliOptions> {
        self.meili_url
            .as_ref()
            .map(|url| citytrace_explorer::MeiliOptions {
                url: url.clone(),
                api_key: self.meili_api_key.clone(),
                index: self.meili_index.clone(),
                sync_every: std::time::Duration::from_secs(self.meili_sync_seconds),
            })
    }
}

/// Where the supplier upload page (/import) and the upload API keep files, and how large a
/// file may be.
#[derive(clap::Args)]
pub struct UploadArgs {
    /// Folder for uploaded files while they are checked and imported [default: <data-dir>/uploads].
    #[arg(long, env = "CITYTRACE_UPLOAD_DIR", value_name = "DIR")]
    pub upload_dir: Option<std::path::PathBuf>,
    /// Largest file a supplier may upload, in MiB (larger uploads are refused with 413).
    #[arg(long, env = "CITYTRACE_MAX_UPLOAD_MB", default_value_t = 512, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_upload_mb: u64,
}

impl UploadArgs {
    /// The options, with `default_dir` when no folder was given.
    pub fn options(&self, default_dir: std::path::PathBuf) -> citytrace_explorer::UploadOptions {
        citytrace_explorer::UploadOptions {
            dir: self.upload_dir.clone().unwrap_or(default_dir),
            max_bytes: self.max_upload_mb.saturating_mul(1024 * 1024),
        }
    }
}

pub fn run(globals: &Globals, args: ServeArgs) -> anyhow::Result<ExitCode> {
    // First, before the pool's and the runtime's threads allocate (the explorer's server does
    // it too, for embedders, but by then those threads have their arenas).
    citytrace_explorer::uploads::memory::limit_arenas();
    let (methods, settings_from) = args.config.method_settings()?;
    let (time_zone, zone_from) = args.config.city_zone(args.time_zone)?;
    let pool = globals.open(DEFAULT_DATABASE, args.pool_size)?;
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("listening on {}", args.bind))?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let options = citytrace_explorer::ServeOptions {
            workers: args.workers,
            uploads: args.uploads.options(globals.data_dir.join("uploads")),
            methods,
            time_zone,
        };
        let meilisearch = args.search.meilisearch();
        let searching = match &meilisearch {
            Some(m) => format!("search: Meilisearch at {}", m.url),
            None => "search: PostgreSQL".to_string(),
        };
        let server =
            citytrace_explorer::serve_with_search(listener, pool.clone(), options, meilisearch)
            .context("starting the explorer (is the upload folder writable?)")?;
        let handle = server.handle();
        println!(
            "citytrace explorer: http://{address}  (suppliers upload at /import; {searching}; {settings_from}; {zone_from}; Ctrl-C to stop)"
        );
        tokio::select! {
            result = server => result?,
            _ = crate::shutdown::requested() => handle.stop(true).await,
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
