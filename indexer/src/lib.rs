//! citytrace indexer: follows the city ledger and EVM chains into PostgreSQL, and anchors
//! import batches on the ledger.
//!
//! Chain access goes through the [`source::ChainSource`] and [`source::AnchorSender`]
//! traits; [`evm`] is the one module that uses ethers-rs. Writes of rows and checkpoints
//! happen in one transaction ([`follow`]).

pub mod anchor;
pub mod config;
mod db;
pub mod error;
pub mod evm;
pub mod follow;
pub mod ledger_node;
pub mod source;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use citytrace_schema::PgPool;

pub use config::IndexerConfig;
pub use error::{IndexerError, RpcError};

/// Follow every configured chain and anchor batches until `shutdown` turns true. Returns the
/// first error that stops a task (the others are then stopped too). `anchor_key` is the
/// signing key for `[anchoring]` (see [`anchor_key_from_env`]).
pub async fn run(
    config: IndexerConfig,
    pool: PgPool,
    anchor_key: Option<String>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), IndexerError> {
    let mut tasks = JoinSet::new();
    for chain in &config.chains {
        let url = chain
            .rpc
            .first()
            .ok_or_else(|| IndexerError::Config(format!("chain {} has no rpc URL", chain.id)))?;
        let source = Arc::new(evm::EvmSource::new(url)?);
        let follower = follow::ChainFollower::new(
            chain.clone(),
            config.contracts.clone(),
            source,
            pool.clone(),
        )?;
        tasks.spawn(follower.run(shutdown.clone()));
    }
    if let Some(anchoring) = &config.anchoring {
        let chain = config
            .chain(anchoring.chain)
            .ok_or_else(|| IndexerError::Config("anchoring chain missing".into()))?;
        let key = anchor_key.ok_or_else(|| {
            IndexerError::Config(format!(
                "anchoring needs a signing key in the environment variable {}",
                anchoring.key_env
            ))
        })?;
        let contract = config::parse_address(&anchoring.contract)?;
        let url = &chain.rpc[0];
        let signer = evm::EvmSigner::connect(url, &key, Some(contract)).await?;
        let anchorer = anchor::Anchorer::new(
            pool.clone(),
            Arc::new(signer),
            anchoring.chain,
            anchoring.uri_base.clone(),
            Duration::from_secs(anchoring.resubmit_after_secs),
            Duration::from_millis(anchoring.interval_ms),
        );
        tasks.spawn(anchorer.run(shutdown.clone()));
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tasks.abort_all();
                return Err(e);
            }
            Err(e) => {
                tasks.abort_all();
                return Err(IndexerError::Join(e.to_string()));
            }
        }
    }
    Ok(())
}

/// Catch every configured chain up to its safe head once, then return (`index --once`).
pub async fn run_once(
    config: &IndexerConfig,
    pool: PgPool,
) -> Result<Vec<(u64, u64)>, IndexerError> {
    let mut heads = Vec::new();
    for chain in &config.chains {
        let source = Arc::new(evm::EvmSource::new(&chain.rpc[0])?);
        let follower = follow::ChainFollower::new(
            chain.clone(),
            config.contracts.clone(),
            source,
            pool.clone(),
        )?;
        heads.push((chain.id, follower.catch_up().await?));
    }
    Ok(heads)
}

/// The signing key `[anchoring]` names (`key_env`, default `CITYTRACE_ANCHOR_KEY`), if set.
pub fn anchor_key_from_env(config: &IndexerConfig) -> Option<String> {
    config
        .anchoring
        .as_ref()
        .and_then(|a| std::env::var(&a.key_env).ok())
        .filter(|k| !k.trim().is_empty())
}
