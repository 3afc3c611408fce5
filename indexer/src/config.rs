//! Indexer configuration (TOML): the chains to follow, the contracts to decode, and where to
//! anchor import batches. docs/indexing.md explains every key; `docs/citytrace.example.toml` is a
//! complete example. Secrets come from the environment, never the file.

use std::path::Path;

use serde::Deserialize;

use crate::error::IndexerError;
use crate::source::Address;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexerConfig {
    #[serde(default, rename = "chain")]
    pub chains: Vec<ChainConfig>,
    #[serde(default, rename = "contract")]
    pub contracts: Vec<ContractConfig>,
    pub anchoring: Option<AnchoringConfig>,
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
    /// JSON-RPC endpoints, tried in order.
    pub rpc: Vec<String>,
    /// Blocks behind the head before a block is indexed (default: 0 for the ledger, 12 for
    /// public chains).
    pub confirmations: Option<u64>,
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Largest `eth_getLogs` block range asked for.
    #[serde(default = "default_max_block_range")]
    pub max_block_range: u64,
    /// First block to index when there is no checkpoint (default: the earliest contract start).
    pub start_block: Option<u64>,
    /// How many recent block hashes are kept to find the common ancestor after a reorg.
    #[serde(default = "default_reorg_window")]
    pub reorg_window: u64,
}

impl ChainConfig {
    pub fn confirmations(&self) -> u64 {
        self.confirmations.unwrap_or(match self.kind {
            ChainKindConfig::Ledger => 0,
            ChainKindConfig::Public => 12,
        })
    }
}

fn default_poll_interval_ms() -> u64 {
    1000
}
fn default_max_block_range() -> u64 {
    2000
}
fn default_reorg_window() -> u64 {
    256
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    pub chain: u64,
    /// A built-in decoder: `batch_anchor` or `trace_registry`.
    pub kind: String,
    pub address: String,
    #[serde(default)]
    pub start_block: u64,
    pub name: Option<String>,
}

impl ContractConfig {
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

pub const BUILTIN_KINDS: &[&str] = &["batch_anchor", "trace_registry"];

impl IndexerConfig {
    pub fn from_file(path: &Path) -> Result<Self, IndexerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| IndexerError::Config(format!("could not read {}: {e}", path.display())))?;
        let config: Self = toml::from_str(&text)
            .map_err(|e| IndexerError::Config(format!("{}: {e}", path.display())))?;
        config.validate()?;
        Ok(config)
    }

    /// Check what the types cannot: references between sections, addresses, kinds.
    pub fn validate(&self) -> Result<(), IndexerError> {
        let err = |m: String| Err(IndexerError::Config(m));
        for chain in &self.chains {
            if chain.rpc.is_empty() {
                return err(format!("chain {} has no rpc URL", chain.id));
            }
            if chain.max_block_range == 0 {
                return err(format!(
                    "chain {}: max_block_range must be at least 1",
                    chain.id
                ));
            }
            if self.chains.iter().filter(|c| c.id == chain.id).count() > 1 {
                return err(format!("chain {} is configured twice", chain.id));
            }
        }
        for contract in &self.contracts {
            if !self.chains.iter().any(|c| c.id == contract.chain) {
                return err(format!(
                    "contract {} is on chain {}, which is not configured",
                    contract.address, contract.chain
                ));
            }
            if !BUILTIN_KINDS.contains(&contract.kind.as_str()) {
                return err(format!(
                    "contract {}: unknown kind {:?}; built-in kinds: {}",
                    contract.address,
                    contract.kind,
                    BUILTIN_KINDS.join(", ")
                ));
            }
            contract.address_bytes()?;
        }
        if let Some(a) = &self.anchoring {
            if !self.chains.iter().any(|c| c.id == a.chain) {
                return err(format!("anchoring chain {} is not configured", a.chain));
            }
            parse_address(&a.contract)?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[[chain]]
id = 31337
name = "City ledger"
kind = "ledger"
rpc = ["http://127.0.0.1:8545"]

[[contract]]
chain = 31337
kind = "batch_anchor"
address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"

[anchoring]
chain = 31337
contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
"#;

    #[test]
    fn defaults_fill_in_what_the_file_leaves_out() {
        let config: IndexerConfig = toml::from_str(EXAMPLE).unwrap();
        config.validate().unwrap();
        let chain = &config.chains[0];
        assert_eq!(
            (
                chain.confirmations(),
                chain.poll_interval_ms,
                chain.max_block_range,
                chain.reorg_window
            ),
            (0, 1000, 2000, 256)
        );
        let anchoring = config.anchoring.unwrap();
        assert_eq!(
            (anchoring.key_env.as_str(), anchoring.resubmit_after_secs),
            ("CITYTRACE_ANCHOR_KEY", 30)
        );
    }

    #[test]
    fn references_and_addresses_are_checked() {
        let bad_chain = EXAMPLE.replace(
            "chain = 31337\nkind = \"batch_anchor\"",
            "chain = 1\nkind = \"batch_anchor\"",
        );
        let e = toml::from_str::<IndexerConfig>(&bad_chain)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("on chain 1, which is not configured"),
            "{e}"
        );
        let bad_kind = EXAMPLE.replace("kind = \"batch_anchor\"", "kind = \"uniswap\"");
        let e = toml::from_str::<IndexerConfig>(&bad_kind)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("unknown kind \"uniswap\""), "{e}");
        let bad_address = EXAMPLE.replace(
            "address = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"",
            "address = \"0x1234\"",
        );
        let e = toml::from_str::<IndexerConfig>(&bad_address)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("not a 20-byte 0x address"), "{e}");
        let typo = EXAMPLE.replace("rpc =", "rpcs =");
        assert!(toml::from_str::<IndexerConfig>(&typo)
            .unwrap_err()
            .to_string()
            .contains("unknown field `rpcs`"));
    }
}

#[cfg(test)]
mod example_file {
    /// docs/citytrace.example.toml parses and validates.
    #[test]
    fn the_documented_example_is_a_valid_configuration() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/citytrace.example.toml");
        let config = super::IndexerConfig::from_file(&path).unwrap();
        assert_eq!((config.chains.len(), config.contracts.len()), (1, 2));
        assert_eq!(
            config.anchoring.unwrap().uri_base,
            "http://127.0.0.1:8080/batches/"
        );
    }
}
