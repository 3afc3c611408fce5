//! Test helpers (`testing` feature): a real local ledger with the city contracts deployed.

use crate::config::{AnchoringConfig, ChainConfig, ChainKindConfig, ContractConfig, IndexerConfig};
use crate::evm::{DeployedContracts, EvmSigner};
use crate::ledger_node::{LedgerNode, LedgerNodeOptions, DEV_KEY, LEDGER_CHAIN_ID};

/// anvil mining a block per transaction (fast and deterministic), contracts deployed.
pub struct TestLedger {
    pub node: LedgerNode,
    pub contracts: DeployedContracts,
}

impl TestLedger {
    pub async fn start() -> Self {
        Self::start_with(LedgerNodeOptions {
            block_time: None,
            ..Default::default()
        })
        .await
    }

    pub async fn start_with(options: LedgerNodeOptions) -> Self {
        let node = LedgerNode::start(&options).await.expect("start anvil");
        let signer = EvmSigner::connect(&node.url(), DEV_KEY, None)
            .await
            .expect("connect signer");
        let contracts = signer
            .deploy_city_contracts()
            .await
            .expect("deploy contracts");
        Self { node, contracts }
    }

    pub fn url(&self) -> String {
        self.node.url()
    }

    /// An indexer configuration for this ledger: both contracts, anchoring with the dev key.
    pub fn config(&self) -> IndexerConfig {
        let hex = |a: [u8; 20]| citytrace_schema::hex0x(&a);
        IndexerConfig {
            chains: vec![ChainConfig {
                id: LEDGER_CHAIN_ID,
                name: "test ledger".into(),
                kind: ChainKindConfig::Ledger,
                rpc: vec![self.url()],
                confirmations: Some(0),
                poll_interval_ms: 100,
                max_block_range: 1000,
                start_block: Some(self.contracts.block),
                reorg_window: 256,
            }],
            contracts: vec![
                ContractConfig {
                    chain: LEDGER_CHAIN_ID,
                    kind: "batch_anchor".into(),
                    address: hex(self.contracts.batch_anchor),
                    start_block: self.contracts.block,
                    name: None,
                },
                ContractConfig {
                    chain: LEDGER_CHAIN_ID,
                    kind: "trace_registry".into(),
                    address: hex(self.contracts.trace_registry),
                    start_block: self.contracts.block,
                    name: None,
                },
            ],
            anchoring: Some(AnchoringConfig {
                chain: LEDGER_CHAIN_ID,
                contract: hex(self.contracts.batch_anchor),
                key_env: "CITYTRACE_ANCHOR_KEY".into(),
                uri_base: "citytrace:batch/".into(),
                interval_ms: 100,
                resubmit_after_secs: 30,
            }),
        }
    }

    pub async fn signer(&self) -> EvmSigner {
        EvmSigner::connect(&self.url(), DEV_KEY, Some(self.contracts.batch_anchor))
            .await
            .expect("signer")
    }
}
