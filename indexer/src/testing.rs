//! Test helpers (`testing` feature): a real local ledger with the city contracts and the
//! carbon-credit stand-ins deployed, and a canonical dump of everything indexed for comparing
//! a database with a clean index of the same chain.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::config::{AnchoringConfig, ChainConfig, ChainKindConfig, ContractConfig, IndexerConfig};
use crate::evm::{AnvilControl, DemoLedger, DeployedContracts, EvmSigner};
use crate::evm::{CarbonRetirementCall, PaymentCall, TraceEventCall};
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
            methods: Default::default(),
            explorer: None,
        }
    }

    /// A signer bound to this ledger's BatchAnchor (for the anchorer).
    pub async fn anchor_signer(&self) -> EvmSigner {
        EvmSigner::connect(&self.url(), DEV_KEY, Some(self.contracts.batch_anchor))
            .await
            .expect("signer")
    }
}

pub const TONNE: u128 = 1_000_000_000_000_000_000;

/// Recipients of the generated transfers.
pub fn recipient(k: u8) -> [u8; 20] {
    [k; 20]
}

/// What [`generate`] put on the chain, for exact assertions.
#[derive(Debug, Default, Clone)]
pub struct Activity {
    pub transfer_txs: usize,
    pub transfers_per_tx: usize,
    pub allocations: usize,
    pub payments: usize,
    pub retirements: usize,
    pub legacy_retirements: usize,
    pub klima_retirements: usize,
    pub traces: usize,
}

impl Activity {
    /// Events of the configured contracts (the three constructor events of the city contracts
    /// included).
    pub fn events(&self) -> usize {
        1 + self.transfer_txs * self.transfers_per_tx
            + 2 * (self.retirements + self.legacy_retirements)
            + self.klima_retirements
            + self.allocations
            + self.payments
            + self.traces
            + 3
    }

    pub fn token_transfers(&self) -> usize {
        1 + self.transfer_txs * self.transfers_per_tx + self.retirements + self.legacy_retirements
    }
}

/// Put `activity` on the ledger, one transaction per block; returns the last tx hash.
/// Transfer amounts are 1, 2, 3 … in order; retirement n (from 1) retires n + 0.5 tonnes.
pub async fn generate(ledger: &TestLedger, activity: &Activity) -> [u8; 32] {
    let c = &ledger.carbon;
    let mut last = c.mint(c.sender(), 1_000_000 * TONNE).await.unwrap();
    let mut amount = 0u128;
    for _ in 0..activity.transfer_txs {
        let to: Vec<[u8; 20]> = (1..=activity.transfers_per_tx as u8)
            .map(recipient)
            .collect();
        let amounts: Vec<u128> = (0..activity.transfers_per_tx)
            .map(|_| {
                amount += 1;
                amount
            })
            .collect();
        last = c.batch_transfer(&to, &amounts).await.unwrap();
    }
    for n in 1..=activity.retirements as u128 {
        last = c.retire(n * TONNE + TONNE / 2).await.unwrap();
    }
    for n in 1..=activity.legacy_retirements as u128 {
        last = c.retire_legacy(n * TONNE).await.unwrap();
    }
    for n in 1..=activity.klima_retirements {
        let call = CarbonRetirementCall {
            carbon_bridge: 0,
            retiring_entity: "City of Example".into(),
            beneficiary: [0xbe; 20],
            beneficiary_name: format!("Department {n}"),
            message: format!("retirement {n}"),
            carbon_pool: [0xc0; 20],
            carbon_token: c.carbon_credit,
            amount: n as u128 * TONNE,
        };
        last = c.klima_retire(&call).await.unwrap();
    }
    let treasury = ledger.contracts.city_treasury;
    for n in 0..activity.allocations {
        last = ledger
            .signer
            .allocate(
                treasury,
                [n as u8 + 1; 32],
                2026,
                "Public Works",
                &format!("Program {n}"),
                "04.5",
                100_000 * (n as u128 + 1),
                "EUR",
            )
            .await
            .unwrap();
    }
    for n in 0..activity.payments {
        let payment = PaymentCall {
            payment_id: [n as u8 + 0x80; 32],
            payee: [0xaa; 20],
            department: "Public Works".into(),
            payee_name: "Metro Ready-Mix".into(),
            amount_minor: 50_000 + n as u128,
            currency: "EUR".into(),
            contract_ref: format!("ocds-test-{n}"),
        };
        last = ledger.signer.pay(treasury, &payment).await.unwrap();
    }
    for n in 0..activity.traces {
        let event = TraceEventCall {
            event_hash: [n as u8 + 1; 32],
            event_type: "ObjectEvent".into(),
            biz_step: "inspecting".into(),
            disposition: "conformant".into(),
            epc: format!("LOT-{n}"),
            biz_location: "SITE-NORTH-BRIDGE".into(),
            event_time: 1_780_000_000 + n as u64,
        };
        last = ledger
            .signer
            .record_trace_event(ledger.contracts.trace_registry, &event)
            .await
            .unwrap();
    }
    assert!(
        ledger.signer.wait_mined(last).await.unwrap(),
        "the last generated transaction succeeded"
    );
    last
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

#[derive(QueryableByName)]
struct LogKeyRow {
    #[diesel(sql_type = BigInt)]
    block_number: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    log_index: i32,
}

/// The (block number, log index) of every row indexed from `chain_id`, across every chain table
/// (quarantine included), sorted: each log stored once appears once.
pub fn stored_log_keys(conn: &mut PgConnection, chain_id: i64) -> Vec<(i64, i32)> {
    let mut keys = Vec::new();
    for table in CHAIN_TABLES {
        let rows: Vec<LogKeyRow> = diesel::sql_query(format!(
            "SELECT block_number, log_index FROM {table} WHERE chain_id = $1"
        ))
        .bind::<BigInt, _>(chain_id)
        .load(conn)
        .expect("stored log keys");
        keys.extend(rows.into_iter().map(|r| (r.block_number, r.log_index)));
    }
    keys.sort_unstable();
    keys
}

/// The (block number, log index) of the node's logs of the `contracts` in `from..=to`, sorted:
/// what [`stored_log_keys`] must equal.
pub async fn node_log_keys(
    url: &str,
    contracts: &[[u8; 20]],
    from: u64,
    to: u64,
) -> Vec<(i64, i32)> {
    use crate::source::{ChainSource, LogFilter};
    let source = crate::evm::EvmSource::new(url).expect("source");
    let logs = source
        .logs(&LogFilter {
            from_block: from,
            to_block: to,
            addresses: contracts.to_vec(),
        })
        .await
        .expect("the node's logs");
    let mut keys: Vec<(i64, i32)> = logs
        .iter()
        .map(|l| (l.block_number as i64, l.log_index as i32))
        .collect();
    keys.sort_unstable();
    keys
}

impl TestLedger {
    /// The addresses of every contract [`TestLedger::config`] follows.
    pub fn addresses(&self) -> Vec<[u8; 20]> {
        self.config()
            .contracts
            .iter()
            .map(|c| c.address_bytes().expect("address"))
            .collect()
    }
}
