//! Indexer configuration (TOML): the chains to follow, the contracts to decode, and where to
//! anchor import batches. docs/indexing.md explains every key; `docs/citytrace.example.toml` is a
//! complete example. Secrets come from the environment, never the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::IndexerError;
use crate::source::Address;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
mod validate;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexerConfig {
    #[serde(default, rename = "chain")]
    pub chains: Vec<ChainConfig>,
    #[serde(default, rename = "contract")]
    pub contracts: Vec<ContractConfig>,
    pub anchoring: Option<AnchoringConfig>,
    /// `[methods]`: the derived computations' settings, read by `citytrace serve`; checked here
    /// too so a typo fails `citytrace index` as well (docs/methods.md, "Settings").
    #[serde(default)]
    pub methods: citytrace_reads::MethodSettings,
    /// `[explorer]`: the explorer's settings (`time_zone`), read and checked by `citytrace serve`.
    #[serde(default)]
    pub explorer: Option<toml::Table>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainKindConfig {
    /// The city's Proof-of-Authority ledger: blocks are final once sealed.
    Ledger,
    /// A public EVM chain.
    Public,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    pub id: u64,
    pub name: String,
    pub kind: ChainKindConfig,
    /// JSON-RPC endpoints: the first is used while it works, the next ones on failure.
    pub rpc: Vec<String>,
    /// When a block is final: `{ tag = "finalized" }` or `{ tag = "safe" }` where the node
    /// supports block tags, or `{ confirmations = N }`. Default: 0 confirmations for the ledger,
    /// 12 for public chains.
    pub finality: Option<FinalityConfig>,
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// The `eth_getLogs` block range to start with.
    #[serde(default = "default_initial_block_range")]
    pub initial_block_range: u64,
    /// The largest `eth_getLogs` range asked for; the range shrinks when the node says a query
    /// is too large and grows back towards this after successes.
    #[serde(default = "default_max_block_range")]
    pub max_block_range: u64,
    /// First block to index when there is no checkpoint (default: the earliest contract start).
    pub start_block: Option<u64>,
    /// How many recent blocks' hashes are kept to find the common ancestor after a reorg.
    #[serde(default = "default_reorg_window")]
    pub reorg_window: u64,
    /// Ranges fetched at once during a backfill.
    #[serde(default = "default_fetch_concurrency")]
    pub fetch_concurrency: usize,
    /// Fetched ranges waiting to be written (the bounded channel between fetch and write).
    #[serde(default = "default_write_queue")]
    pub write_queue: usize,
    /// Poll intervals without progress (or with failing RPC) before the chain is reported stalled.
    #[serde(default = "default_stall_after_polls")]
    pub stall_after_polls: u32,
    /// Also report a stall when the node's head has not moved for this long (for chains that
    /// seal blocks on a schedule, like the city ledger). Default: not checked.
    pub max_head_age_secs: Option<u64>,
}

/// When a block counts as final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum FinalityConfig {
    Tag { tag: FinalityTag },
    Confirmations { confirmations: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FinalityTag {
    Finalized,
    Safe,
}

impl ChainConfig {
    pub fn finality(&self) -> FinalityConfig {
        self.finality.unwrap_or(match self.kind {
            ChainKindConfig::Ledger => FinalityConfig::Confirmations { confirmations: 0 },
            ChainKindConfig::Public => FinalityConfig::Confirmations { confirmations: 12 },
        })
    }

    /// A minimal configuration for a chain, everything else defaulted.
    pub fn new(id: u64, name: &str, kind: ChainKindConfig, rpc: Vec<String>) -> Self {
        Self {
            id,
            name: name.to_string(),
            kind,
            rpc,
            finality: None,
            poll_interval_ms: default_poll_interval_ms(),
            initial_block_range: default_initial_block_range(),
            max_block_range: default_max_block_range(),
            start_block: None,
            reorg_window: default_reorg_window(),
            fetch_concurrency: default_fetch_concurrency(),
            write_queue: default_write_queue(),
            stall_after_polls: default_stall_after_polls(),
            max_head_age_secs: None,
        }
    }
}

fn default_poll_interval_ms() -> u64 {
    1000
}
fn default_initial_block_range() -> u64 {
    20
}
fn default_max_block_range() -> u64 {
    2000
}
fn default_reorg_window() -> u64 {
    256
}
fn default_fetch_concurrency() -> usize {
    4
}
fn default_write_queue() -> usize {
    2
}
fn default_stall_after_polls() -> u32 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    pub chain: u64,
    /// A built-in decoder (`batch_anchor`, `trace_registry`, `city_treasury`, `erc20`,
    /// `toucan_tco2`, `klima_retirement`), or `abi` with `abi = "path.json"`.
    pub kind: String,
    pub address: String,
    #[serde(default)]
    pub start_block: u64,
    pub name: Option<String>,
    /// With `kind = "abi"`: the contract's ABI (a JSON array, or an object with an `abi` key),
    /// relative to the configuration file.
    pub abi: Option<PathBuf>,
    /// Keep only these events (by name); default: every event of the ABI.
    pub events: Option<Vec<String>>,
}

impl ContractConfig {
    pub fn new(chain: u64, kind: &str, address: &str, start_block: u64) -> Self {
        Self {
            chain,
            kind: kind.into(),
            address: address.into(),
            start_block,
            name: None,
            abi: None,
            events: None,
        }
    }

    pub fn address_bytes(&self) -> Result<Address, IndexerError> {
        parse_address(&self.address)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchoringConfig {
    /// The chain holding the BatchAnchor contract (the city ledger).
    pub chain: u64,
    /// The BatchAnchor contract's address.
    pub contract: String,
    /// Environment variable holding the signing key (hex private key).
    #[serde(default = "default_key_env")]
    pub key_env: String,
    /// Prefix of the `uri` stored with each anchor; the batch id is appended.
    #[serde(default = "default_uri_base")]
    pub uri_base: String,
    #[serde(default = "default_anchor_interval_ms")]
    pub interval_ms: u64,
    /// Seconds to wait for a sent anchor to be indexed before checking on it and resending.
    #[serde(default = "default_resubmit_after_secs")]
    pub resubmit_after_secs: u64,
}

fn default_key_env() -> String {
    "CITYTRACE_ANCHOR_KEY".into()
}
fn default_uri_base() -> String {
    "citytrace:batch/".into()
}
fn default_anchor_interval_ms() -> u64 {
    1000
}
fn default_resubmit_after_secs() -> u64 {
    30
}

pub const BUILTIN_KINDS: &[&str] = &[
    "batch_anchor",
    "trace_registry",
    "city_treasury",
    "erc20",
    "toucan_tco2",
    "klima_retirement",
];

impl IndexerConfig {
    /// Read, resolve ABI paths relative to the file, and validate. Errors name the file, the
    /// line and the key.
    pub fn from_file(path: &Path) -> Result<Self, IndexerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| IndexerError::Config(format!("could not read {}: {e}", path.display())))?;
        Self::parse(&text, path)
    }

    /// The configuration in `text`, read from `path` (for ABI paths and messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self, IndexerError> {
        let mut config: Self = toml::from_str(text).map_err(|e| {
            IndexerError::Config(format!("{}: {}", path.display(), e.to_string().trim_end()))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for contract in &mut config.contracts {
            if let Some(abi) = &contract.abi {
                if abi.is_relative() {
                    contract.abi = Some(base.join(abi));
                }
            }
        }
        config.check().map_err(|problem| {
            let at = match validate::line_of(text, &problem) {
                Some(line) => format!("{}, line {line}", path.display()),
                None => path.display().to_string(),
            };
            IndexerError::Config(format!("{at}: {}", problem.describe(&config)))
        })?;
        Ok(config)
    }

    /// Check what the types cannot: references between sections, addresses, kinds, ranges.
    pub fn validate(&self) -> Result<(), IndexerError> {
        self.check()
            .map_err(|problem| IndexerError::Config(problem.describe(self)))
    }

    pub fn chain(&self, id: u64) -> Option<&ChainConfig> {
        self.chains.iter().find(|c| c.id == id)
    }
}

pub fn parse_address(text: &str) -> Result<Address, IndexerError> {
    citytrace_schema::parse_hex(text.trim(), 20)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| IndexerError::Config(format!("{text:?} is not a 20-byte 0x address")))
}
