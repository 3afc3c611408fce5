//! citytrace indexer: follows the city ledger and public EVM chains into PostgreSQL, decodes
//! the city contracts and carbon-credit tokens into domain tables (and every configured ABI into
//! a raw event table), survives reorgs, crashes and bad RPC endpoints, and anchors import
//! batches on the ledger.
//!
//! Chain access goes through the [`source::ChainSource`] and [`source::AnchorSender`]
//! traits; [`evm`] is the one module that uses ethers-rs. Rows and checkpoints are written in
//! one transaction ([`follow`]).

pub mod anchor;
pub mod config;
mod db;
pub mod decoders;
pub mod error;
pub mod evm;
pub mod follow;
pub mod ledger_node;
pub mod metrics;
pub mod outage;
pub mod redecode;
pub mod rpc;
pub mod source;
#[cfg(feature = "testing")]
pub mod testing;
pub mod verify;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use citytrace_schema::PgPool;

pub use config::IndexerConfig;
pub use error::{IndexerError, RpcError};
pub use metrics::Metrics;

/// Follow every configured chain and anchor batches until `shutdown` turns true. Returns the
/// first error that stops a task (the others are then stopped too). `anchor_key` is the
/// signing key for `[anchoring]` (see [`anchor_key_from_env`]).
pub async fn run(
    config: IndexerConfig,
    pool: PgPool,
    anchor_key: Option<String>,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), IndexerError> {
    let mut tasks = JoinSet::new();
    for chain in &config.chains {
        let follower =
            follow::ChainFollower::from_config(chain, &config.contracts, pool.clone(), &metrics)?;
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
        let signer = evm::EvmSigner::connect(&chain.rpc[0], &key, Some(contract)).await?;
        let anchorer = anchor::Anchorer::new(
            pool.clone(),
            metrics.clone(),
            Arc::new(signer),
            anchoring.chain,
            anchoring.uri_base.clone(),
            Duration::from_secs(anchoring.resubmit_after_secs),
            Duration::from_millis(anchoring.interval_ms),
        );
        tasks.spawn(anchorer.run(shutdown.clone()));
    }
    while let Some(joined) = tasks.join_next().await {
        let failure = match joined {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e,
            Err(e) => IndexerError::Join(e.to_string()),
        };
        tasks.abort_all();
        return Err(failure);
    }
    Ok(())
}

/// Catch every configured chain up to its head once, then return (`index --once`): the chain
/// ids and the block each was indexed to.
pub async fn run_once(
    config: &IndexerConfig,
    pool: PgPool,
    metrics: &Metrics,
) -> Result<Vec<(u64, u64)>, IndexerError> {
    let mut heads = Vec::new();
    for chain in &config.chains {
        let follower =
            follow::ChainFollower::from_config(chain, &config.contracts, pool.clone(), metrics)?;
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
