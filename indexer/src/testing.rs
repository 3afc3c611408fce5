//! Test helpers (`testing` feature): a real local ledger with the city contracts and the
//! carbon-credit stand-ins deployed, and a canonical dump of everything indexed for comparing
//! a database with a clean index of the same chain.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::config::{AnchoringConfig, ChainConfig, ChainKindConfig, ContractConfig, IndexerConfig};
use crate::evm::{AnvilControl, DemoLedger, DeployedContracts, EvmSigner};
use crate::follow::write::CHAIN_TABLES;
use crate::ledger_node::{LedgerNode, LedgerNodeOptions, DEV_KEY, LEDGER_CHAIN_ID};

/// anvil mining a block per transaction (fast and deterministic), every contract deployed.
pub struct TestLedger {
    pub node: LedgerNode,
    pub contracts: DeployedContracts,
    pub carbon: DemoLedger,
    pub signer: EvmSigner,
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
            .expect("deploy city contracts");
        let carbon = DemoLedger::deploy(&signer)
            .await
            .expect("deploy carbon stand-ins");
        Self {
            node,
            contracts,
            carbon,
            signer,
        }
    }

    pub fn url(&self) -> String {
        self.node.url()
    }

    pub fn control(&self) -> AnvilControl {
        AnvilControl::new(&self.url()).expect("anvil control")
    }

    /// An indexer configuration for this ledger: every contract, anchoring with the dev key.
    pub fn config(&self) -> IndexerConfig {
        let hex = |a: [u8; 20]| citytrace_schema::hex0x(&a);
        let mut chain = ChainConfig::new(
            LEDGER_CHAIN_ID,
            "test ledger",
            ChainKindConfig::Ledger,
            vec![self.url()],
        );
        (chain.poll_interval_ms, chain.start_block) = (50, Some(self.contracts.block));
        let block = self.contracts.block;
        IndexerConfig {
            chains: vec![chain],
            contracts: vec![
                ContractConfig::new(
                    LEDGER_CHAIN_ID,
                    "batch_anchor",
                    &hex(self.contracts.batch_anchor),
                    block,
                ),
                ContractConfig::new(
                    LEDGER_CHAIN_ID,
                    "trace_registry",
                    &hex(self.contracts.trace_registry),
                    block,
                ),
                ContractConfig::new(
                    LEDGER_CHAIN_ID,
                    "city_treasury",
                    &hex(self.contracts.city_treasury),
                    block,
                ),
                ContractConfig::new(
                    LEDGER_CHAIN_ID,
                    "toucan_tco2",
                    &hex(self.carbon.carbon_credit),
                    block,
                ),
                ContractConfig::new(
                    LEDGER_CHAIN_ID,
                    "klima_retirement",
                    &hex(self.carbon.klima),
                    block,
                ),
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

    /// A signer bound to this ledger's BatchAnchor (for the anchorer).
    pub async fn anchor_signer(&self) -> EvmSigner {
        EvmSigner::connect(&self.url(), DEV_KEY, Some(self.contracts.batch_anchor))
            .await
            .expect("signer")
    }
}

#[derive(QueryableByName)]
struct DumpRow {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Every row indexed from `chain_id`, table by table, as canonical JSON text without surrogate
/// ids, in natural-key order; plus the checkpoint. Two databases that indexed the same chain
/// must dump identically.
pub fn dump_chain(conn: &mut PgConnection, chain_id: i64) -> Vec<String> {
    let mut out = Vec::new();
    for table in CHAIN_TABLES {
        let rows: Vec<DumpRow> = diesel::sql_query(format!(
            "SELECT '{table} ' || (to_jsonb(t) - 'id')::text AS row FROM {table} t WHERE chain_id = $1 ORDER BY block_number, log_index"
        ))
        .bind::<BigInt, _>(chain_id)
        .load(conn)
        .expect("dump rows");
        out.extend(rows.into_iter().map(|r| r.row));
    }
    let checkpoint: Vec<DumpRow> = diesel::sql_query(
        "SELECT 'checkpoint ' || block_number || ' ' || encode(block_hash, 'hex') AS row FROM checkpoints WHERE chain_id = $1",
    )
    .bind::<BigInt, _>(chain_id)
    .load(conn)
    .expect("dump checkpoint");
    out.extend(checkpoint.into_iter().map(|r| r.row));
    out
}
