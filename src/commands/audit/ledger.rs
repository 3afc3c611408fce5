//! The audit's questions to ledger nodes: which node and BatchAnchor contract hold the city's
//! anchors (from the arguments, the configuration, else what the indexer registered), every
//! `BatchAnchored` event they emitted, and indexed logs checked against their chain's node.

use std::collections::HashMap;

use citytrace_indexer::config::{parse_address, FinalityConfig};
use citytrace_indexer::decoders::ContractDecoder;
use citytrace_indexer::source::Address;
use citytrace_indexer::verify::audit::{anchored_batches, NodeAnchor};
use citytrace_indexer::verify::indexed::{stored_rows, verify_log, LogKey};
use citytrace_indexer::verify::{Ledger, Status};
use citytrace_indexer::IndexerConfig;
use citytrace_schema::diesel::PgConnection;
use citytrace_schema::hex0x;
use citytrace_schema::models::ContractRow;

use super::findings::Mismatch;

/// Which node and contract to ask, as given on the command line.
pub struct NodeArgs<'a> {
    pub rpc: Option<&'a str>,
    pub contract: Option<&'a str>,
}

/// Where the city's anchors are.
pub struct AnchorNode {
    pub ledger: Ledger,
    pub chain_id: u64,
    pub contract: Address,
    /// Where the contract address came from, for the report.
    pub contract_origin: String,
    /// The first block to look at: the contract's start block.
    pub from_block: u64,
    /// Blocks per `eth_getLogs`.
    pub range: u64,
}

impl AnchorNode {
    pub fn describe(&self) -> String {
        format!(
            "node {} (chain {}), BatchAnchor {} ({}), from block {}",
            self.ledger.url(),
            self.chain_id,
            hex0x(&self.contract),
            self.contract_origin,
            self.from_block
        )
    }

    /// Every `BatchAnchored` event of the contract, asked of the node.
    pub async fn anchors(&self) -> Result<Vec<NodeAnchor>, String> {
        anchored_batches(&self.ledger, self.contract, self.from_block, self.range)
            .await
            .map_err(|e| format!("could not ask the node at {}: {e}", self.ledger.url()))
    }
}

/// The node and contract holding the anchors; Err: why the anchors cannot be checked.
pub async fn anchor_node(
    args: &NodeArgs<'_>,
    config: Option<&IndexerConfig>,
    registered: &[ContractRow],
) -> Result<AnchorNode, String> {
    let anchoring = config.and_then(|c| c.anchoring.as_ref());
    let registered_one = match registered {
        [one] => Some(one),
        _ => None,
    };
    let (contract, contract_origin, chain) = match (args.contract, anchoring, registered_one) {
        (Some(text), _, _) => (
            parse_address(text).map_err(|e| e.to_string())?,
            "given with --contract".to_string(),
            anchoring.map(|a| a.chain).or(registered_one.map(|r| r.chain_id as u64)),
        ),
        (None, Some(a), _) => (
            parse_address(&a.contract).map_err(|e| e.to_string())?,
            "the configuration's [anchoring] contract".to_string(),
            Some(a.chain),
        ),
        (None, None, Some(row)) => (
            row.address.as_slice().try_into().map_err(|_| "the registered BatchAnchor address is not 20 bytes".to_string())?,
            "the BatchAnchor the indexer registered in the database: pass --contract or --config to hold the audit to the city's own".to_string(),
            Some(row.chain_id as u64),
        ),
        (None, None, None) if registered.is_empty() => {
            return Err("no BatchAnchor contract to ask: pass --contract ADDRESS, or --config with [anchoring]".into())
        }
        (None, None, None) => {
            return Err(format!(
                "{} BatchAnchor contracts are registered: pass --contract ADDRESS, or --config with [anchoring]",
                registered.len()
            ))
        }
    };
    let chain_config = chain.and_then(|id| config.and_then(|c| c.chain(id)));
    let urls: Vec<String> = match (args.rpc, chain_config) {
        (Some(url), _) => vec![url.to_string()],
        (None, Some(c)) => c.rpc.clone(),
        (None, None) => {
            return Err(format!(
                "no node to ask{}: pass --rpc URL, set CITYTRACE_RPC, or give --config a [[chain]] with its rpc",
                chain.map_or(String::new(), |id| format!(" for chain {id}"))
            ))
        }
    };
    let (ledger, node_chain) = connect_first(&urls).await?;
    if let Some(id) = chain.filter(|id| *id != node_chain) {
        return Err(format!(
            "the node at {} is on chain {node_chain}, not chain {id}",
            ledger.url()
        ));
    }
    let configured_start = config.and_then(|c| {
        c.contracts
            .iter()
            .find(|k| k.chain == node_chain && parse_address(&k.address).ok() == Some(contract))
            .map(|k| k.start_block)
    });
    let registered_start = registered
        .iter()
        .find(|r| r.chain_id as u64 == node_chain && r.address.as_slice() == contract)
        .map(|r| r.start_block.max(0) as u64);
    let from_block = configured_start
        .or(registered_start)
        .or(chain_config.and_then(|c| c.start_block))
        .unwrap_or(0);
    let range = chain_config.map_or(2000, |c| c.max_block_range);
    Ok(AnchorNode {
        ledger,
        chain_id: node_chain,
        contract,
        contract_origin,
        from_block,
        range,
    })
}

/// The first of `urls` whose node answers, with its chain id.
async fn connect_first(urls: &[String]) -> Result<(Ledger, u64), String> {
    let mut last = String::from("no RPC URL");
    for url in urls {
        let ledger = Ledger::connect(url).map_err(|e| format!("RPC URL {url}: {e}"))?;
        match ledger.chain_id().await {
            Ok(id) => return Ok((ledger, id)),
            Err(e) => last = format!("could not ask the node at {url}: {e}"),
        }
    }
    Err(last)
}

/// The indexed logs checked against their nodes.
#[derive(Default)]
pub struct LogAudit {
    pub checked: u64,
    pub mismatches: Vec<Mismatch>,
    /// (log key, why it could not be checked).
    pub unchecked: Vec<(String, String)>,
}

/// Check each log of `keys` against its chain's node: the rows stored under its key against
/// the log fetched again and decoded, and its block on the node's chain. A chain's node is the
/// anchors' node for its chain, else the configuration's.
pub fn check_logs(
    runtime: &tokio::runtime::Runtime,
    conn: &mut PgConnection,
    keys: &[LogKey],
    anchor_node: Option<&AnchorNode>,
    config: Option<&IndexerConfig>,
    progress: &dyn Fn(),
) -> anyhow::Result<LogAudit> {
    let mut audit = LogAudit::default();
    let mut nodes: HashMap<u64, Result<LogNode, String>> = HashMap::new();
    for key in keys {
        progress();
        let node = nodes.entry(key.chain_id).or_insert_with(|| {
            let ledger = runtime.block_on(log_node(key.chain_id, anchor_node, config))?;
            let decoders = crate::commands::verify::decoders(conn, config, key.chain_id)
                .map_err(|e| format!("the decoders of chain {}: {e:#}", key.chain_id))?;
            Ok(LogNode { ledger, decoders })
        });
        let LogNode { ledger, decoders } = match node {
            Ok(node) => &*node,
            Err(reason) => {
                audit.unchecked.push((key.to_string(), reason.clone()));
                continue;
            }
        };
        let stored = stored_rows(conn, key)?;
        // The audit checks that the row is the log and its block the node's: finality is
        // `citytrace verify`'s question, and a log of the last blocks is not a mismatch.
        let finality = FinalityConfig::Confirmations { confirmations: 0 };
        let report = runtime.block_on(verify_log(ledger, key, &stored, decoders, finality));
        match report.deciding() {
            None => audit.checked += 1,
            Some(check) if check.status == Status::Fail => {
                audit.checked += 1;
                audit.mismatches.push(Mismatch {
                    check: "log",
                    batch: None,
                    kind: None,
                    file: None,
                    line: None,
                    log: Some(key.to_string()),
                    expected: format!(
                        "the indexed row is log {} of block {} on chain {}, as the node has it",
                        key.log_index,
                        hex0x(&key.block_hash),
                        key.chain_id
                    ),
                    found: format!("{}: {}", check.step, check.message),
                });
            }
            Some(check) => audit.unchecked.push((
                key.to_string(),
                format!("{}: {}", check.step, check.message),
            )),
        }
    }
    Ok(audit)
}

/// A chain's node, with its contracts' decoders.
struct LogNode {
    ledger: Ledger,
    decoders: HashMap<Address, ContractDecoder>,
}

/// The node to ask about logs of `chain_id`.
async fn log_node(
    chain_id: u64,
    anchor_node: Option<&AnchorNode>,
    config: Option<&IndexerConfig>,
) -> Result<Ledger, String> {
    let urls = match (anchor_node, config.and_then(|c| c.chain(chain_id))) {
        (Some(node), _) if node.chain_id == chain_id => vec![node.ledger.url().to_string()],
        (_, Some(chain)) => chain.rpc.clone(),
        _ => {
            return Err(format!(
                "no node for chain {chain_id}: give --config a [[chain]] with id = {chain_id} and its rpc"
            ))
        }
    };
    let (ledger, id) = connect_first(&urls).await?;
    if id != chain_id {
        return Err(format!(
            "the node at {} is on chain {id}, not chain {chain_id}",
            ledger.url()
        ));
    }
    Ok(ledger)
}
