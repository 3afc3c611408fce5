//! `citytrace index`: follow the configured chains and anchor imported batches.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use citytrace_indexer::IndexerConfig;
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

#[derive(clap::Args)]
pub struct IndexArgs {
    /// Indexer configuration (TOML); see docs/citytrace.example.toml and docs/indexing.md.
    #[arg(
        long,
        short,
        env = "CITYTRACE_CONFIG",
        default_value = "citytrace.toml",
        value_name = "FILE"
    )]
    config: PathBuf,
    /// Catch every chain up to its safe head, then exit (0 on success).
    #[arg(long)]
    once: bool,
}

pub fn run(globals: &Globals, args: IndexArgs) -> anyhow::Result<ExitCode> {
    if !args.config.exists() {
        anyhow::bail!(
            "no configuration at {}: copy docs/citytrace.example.toml there and edit it (docs/indexing.md), or pass --config FILE",
            args.config.display()
        );
    }
    let config = IndexerConfig::from_file(&args.config)?;
    let pool = globals.open(DEFAULT_DATABASE, 8)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        if args.once {
            for (chain, head) in citytrace_indexer::run_once(&config, pool.clone()).await? {
                println!("chain {chain}: indexed up to block {head}");
            }
            return anyhow::Ok(());
        }
        let key = citytrace_indexer::anchor_key_from_env(&config);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let indexer = tokio::spawn(citytrace_indexer::run(config, pool.clone(), key, stopped));
        tokio::select! {
            result = indexer => result.context("indexer task")??,
            _ = crate::shutdown::requested() => {
                let _ = stop.send(true);
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
