//! Indexer configuration (TOML): the chains to follow, the contracts to decode, and where to
//! anchor import batches. docs/indexing.md explains every key; `docs/citytrace.example.toml` is a
//! complete example. Secrets come from the environment, never the file.

use std::path::{Path, PathBuf};

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
    /// `[methods]`: the derived computations' settings, read by `citytrace serve`; checked here
    /// too so a typo fails `citytrace index` as well (docs/methods.md, "Settings").
    #[serde(default)]
    pub methods: citytrace_schema::derived::MethodSettings,
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
    /// Read, resolve ABI paths relative to the file, and validate.
    pub fn from_file(path: &Path) -> Result<Self, IndexerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| IndexerError::Config(format!("could not read {}: {e}", path.display())))?;
        let mut config: Self = toml::from_str(&text)
            .map_err(|e| IndexerError::Config(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for contract in &mut config.contracts {
            if let Some(abi) = &contract.abi {
                if abi.is_relative() {
                    contract.abi = Some(base.join(abi));
                }
            }
        }
        config.validate()?;
        Ok(config)
    }

    /// Check what the types cannot: references between sections, addresses, kinds, ranges.
    pub fn validate(&self) -> Result<(), IndexerError> {
        let err = |m: String| Err(IndexerError::Config(m));
        for chain in &self.chains {
            let id = chain.id;
            if chain.rpc.is_empty() {
                return err(format!("chain {id} has no rpc URL"));
            }
            if chain.max_block_range == 0 || chain.initial_block_range == 0 {
                return err(format!("chain {id}: block ranges must be at least 1"));
            }
            if chain.initial_block_range > chain.max_block_range {
                return err(format!(
                    "chain {id}: initial_block_range is larger than max_block_range"
                ));
            }
            if chain.fetch_concurrency == 0 || chain.write_queue == 0 {
                return err(format!(
                    "chain {id}: fetch_concurrency and write_queue must be at least 1"
                ));
            }
            if self.chains.iter().filter(|c| c.id == id).count() > 1 {
                return err(format!("chain {id} is configured twice"));
            }
        }
        for contract in &self.contracts {
            let address = &contract.address;
            if !self.chains.iter().any(|c| c.id == contract.chain) {
                return err(format!(
                    "contract {address} is on chain {}, which is not configured",
                    contract.chain
                ));
            }
            match (contract.kind.as_str(), &contract.abi) {
                ("abi", None) => return err(format!("contract {address}: kind \"abi\" needs abi = \"path.json\"")),
                ("abi", Some(_)) => {}
                (kind, _) if !BUILTIN_KINDS.contains(&kind) => {
                    return err(format!(
                        "contract {address}: unknown kind {kind:?}; built-in kinds: {}, or \"abi\" with abi = \"path.json\"",
                        BUILTIN_KINDS.join(", ")
                    ))
                }
                (kind, Some(_)) => return err(format!("contract {address}: kind {kind:?} has a built-in ABI; drop `abi` or use kind = \"abi\"")),
                (_, None) => {}
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
            chain.finality(),
            FinalityConfig::Confirmations { confirmations: 0 }
        );
        assert_eq!(
            (
                chain.poll_interval_ms,
                chain.initial_block_range,
                chain.max_block_range,
                chain.reorg_window
            ),
            (1000, 20, 2000, 256)
        );
        assert_eq!(
            (
                chain.fetch_concurrency,
                chain.write_queue,
                chain.stall_after_polls
            ),
            (4, 2, 30)
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
mod finality_and_abi {
    use super::*;

    fn chain(extra: &str) -> Result<IndexerConfig, String> {
        let text = format!("[[chain]]\nid = 1\nname = \"x\"\nkind = \"public\"\nrpc = [\"http://a\", \"http://b\"]\n{extra}\n");
        let config: IndexerConfig = toml::from_str(&text).map_err(|e| e.to_string())?;
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    #[test]
    fn finality_is_a_tag_or_a_depth_with_per_kind_defaults() {
        assert_eq!(
            chain("").unwrap().chains[0].finality(),
            FinalityConfig::Confirmations { confirmations: 12 }
        );
        let tagged = chain("finality = { tag = \"finalized\" }").unwrap();
        assert_eq!(
            tagged.chains[0].finality(),
            FinalityConfig::Tag {
                tag: FinalityTag::Finalized
            }
        );
        let safe = chain("finality = { tag = \"safe\" }").unwrap();
        assert_eq!(
            safe.chains[0].finality(),
            FinalityConfig::Tag {
                tag: FinalityTag::Safe
            }
        );
        let deep = chain("finality = { confirmations = 64 }").unwrap();
        assert_eq!(
            deep.chains[0].finality(),
            FinalityConfig::Confirmations { confirmations: 64 }
        );
        assert!(chain("finality = { tag = \"latest\" }").is_err());
        assert_eq!(
            chain("").unwrap().chains[0].rpc.len(),
            2,
            "several URLs for failover"
        );
    }

    #[test]
    fn abi_contracts_need_a_file_and_builtins_refuse_one() {
        let abi = "[[contract]]\nchain = 1\nkind = \"abi\"\naddress = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"";
        assert!(chain(abi)
            .unwrap_err()
            .contains("needs abi = \"path.json\""));
        assert!(chain(&format!("{abi}\nabi = \"x.json\"\nevents = [\"Transfer\"]")).is_ok());
        let builtin = abi.replace("kind = \"abi\"", "kind = \"erc20\"");
        assert!(chain(&format!("{builtin}\nabi = \"x.json\""))
            .unwrap_err()
            .contains("has a built-in ABI"));
        assert!(chain("initial_block_range = 5000")
            .unwrap_err()
            .contains("larger than max_block_range"));
    }

    #[test]
    fn abi_paths_are_relative_to_the_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("citytrace.toml");
        std::fs::write(&path, "[[chain]]\nid = 1\nname = \"x\"\nkind = \"ledger\"\nrpc = [\"http://a\"]\n[[contract]]\nchain = 1\nkind = \"abi\"\naddress = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\nabi = \"abis/token.json\"\n").unwrap();
        let config = IndexerConfig::from_file(&path).unwrap();
        assert_eq!(
            config.contracts[0].abi.as_deref(),
            Some(dir.path().join("abis/token.json").as_path())
        );
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
        assert_eq!((config.chains.len(), config.contracts.len()), (2, 5));
        assert_eq!(
            config.anchoring.unwrap().uri_base,
            "http://127.0.0.1:8080/batches/"
        );
    }
}
