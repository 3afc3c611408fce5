//! Shared by the indexer's integration tests: activity on a real anvil, followers, and a
//! fault-injecting proxy for the RPC faults a real node cannot produce on demand.

pub mod fault_proxy;

use std::sync::Arc;

use citytrace_indexer::config::ChainConfig;
use citytrace_indexer::follow::ChainFollower;
use citytrace_indexer::testing::TestLedger;
use citytrace_indexer::Metrics;
use citytrace_schema::PgPool;

pub use citytrace_indexer::testing::{generate, recipient, Activity, TONNE};

/// A follower for `chain` (the ledger's own when None) with its own metrics.
pub fn follower(
    ledger: &TestLedger,
    pool: &PgPool,
    chain: Option<ChainConfig>,
) -> (ChainFollower, Arc<Metrics>) {
    let config = ledger.config();
    let metrics = Metrics::new();
    let chain = chain.unwrap_or_else(|| config.chains[0].clone());
    (
        ChainFollower::from_config(&chain, &config.contracts, pool.clone(), &metrics).unwrap(),
        metrics,
    )
}
