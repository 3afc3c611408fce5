//! A backfill of more than 10,000 events over more than 1,000 blocks from several contracts on
//! a real anvil: exact row counts and decoded values, against a real PostgreSQL.

use std::sync::atomic::Ordering;

use crate::support::{follower, generate, recipient, Activity};
use bigdecimal::BigDecimal;
use citytrace_indexer::evm::EvmSource;
use citytrace_indexer::source::{ChainSource, LogFilter};
use citytrace_indexer::verify::indexed::{stored_rows, LogKey};
use citytrace_schema::diesel::dsl::sum;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{CarbonRetirement, Reorg, TreasuryAllocation, TreasuryPayment};
use citytrace_schema::schema::{
    blocks, carbon_retirements, ledger_events, supply_events, token_transfers,
    treasury_allocations, treasury_payments,
};
use citytrace_schema::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_of_ten_thousand_events_over_a_thousand_blocks_is_exact() {
    let ledger = citytrace_indexer::testing::TestLedger::start().await;
    let activity = Activity {
        transfer_txs: 1000,
        transfers_per_tx: 10,
        allocations: 30,
        payments: 30,
        retirements: 15,
        legacy_retirements: 10,
        klima_retirements: 10,
        traces: 20,
    };
    generate(&ledger, &activity).await;
    let head = ledger.control().block_number().await.unwrap();
    let start = ledger.contracts.block;
    assert!(
        head - start >= 1000,
        "the activity spans {} blocks",
        head - start
    );

    let db = TestDatabase::new();
    let pool = db.pool(4);
    let mut chain = ledger.config().chains[0].clone();
    // Small ranges and several in flight, so the pipeline really runs concurrently.
    (
        chain.initial_block_range,
        chain.max_block_range,
        chain.fetch_concurrency,
        chain.write_queue,
    ) = (64, 64, 4, 2);
    let (follower, metrics) = follower(&ledger, &pool, Some(chain));
    assert_eq!(follower.catch_up().await.unwrap(), head);

    // The node's own count of the contracts' logs, fetched raw.
    let source = EvmSource::new(&ledger.url()).unwrap();
    let config = ledger.config();
    let addresses = config
        .contracts
        .iter()
        .map(|c| c.address_bytes().unwrap())
        .collect();
    let raw = source
        .logs(&LogFilter {
            from_block: start,
            to_block: head,
            addresses,
        })
        .await
        .unwrap();
    assert_eq!(raw.len(), activity.events());

    // Headers asked for in one JSON-RPC batch are the ones asked for one by one; a block the
    // node does not have yet is None in its place.
    let numbers: Vec<u64> = (start..=head).step_by(7).chain([head + 5]).collect();
    let batched = source.headers(&numbers).await.unwrap();
    assert_eq!(batched.len(), numbers.len());
    for (n, header) in numbers.iter().zip(&batched) {
        assert_eq!(header, &source.header(*n).await.unwrap(), "block {n}");
    }
    assert!(batched[..numbers.len() - 1].iter().all(Option::is_some));
    assert_eq!(batched.last(), Some(&None), "a block beyond the head");
    assert!(raw.len() >= 10_000);

    let conn = &mut db.conn();
    let count = |n: i64| n as usize;
    assert_eq!(
        count(ledger_events::table.count().get_result(conn).unwrap()),
        3,
        "the city contracts' role changes: the events without a domain table"
    );
    assert_eq!(
        metrics.chains()[0].1.events_written.load(Ordering::Relaxed) as usize,
        raw.len()
    );
    assert_eq!(
        count(token_transfers::table.count().get_result(conn).unwrap()),
        activity.token_transfers()
    );
    assert_eq!(
        count(carbon_retirements::table.count().get_result(conn).unwrap()),
        35
    );
    assert_eq!(
        count(
            treasury_allocations::table
                .count()
                .get_result(conn)
                .unwrap()
        ),
        30
    );
    assert_eq!(
        count(treasury_payments::table.count().get_result(conn).unwrap()),
        30
    );
    assert_eq!(
        count(
            supply_events::table
                .filter(supply_events::chain_id.eq(31337))
                .count()
                .get_result(conn)
                .unwrap()
        ),
        20
    );

    // Decoded values: the 10,000 batch transfers carried 1, 2, … 10,000.
    let recipients: Vec<Vec<u8>> = (1..=10).map(|k| recipient(k).to_vec()).collect();
    let total: Option<BigDecimal> = token_transfers::table
        .filter(token_transfers::to_address.eq_any(&recipients))
        .select(sum(token_transfers::amount))
        .first(conn)
        .unwrap();
    assert_eq!(total, Some(BigDecimal::from(50_005_000)));
    let to_third: i64 = token_transfers::table
        .filter(token_transfers::to_address.eq(recipient(3).to_vec()))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(to_third, 1000);

    let retirements: Vec<CarbonRetirement> = carbon_retirements::table
        .order((
            carbon_retirements::block_number,
            carbon_retirements::log_index,
        ))
        .select(CarbonRetirement::as_select())
        .load(conn)
        .unwrap();
    let tonnes = |source: &str| {
        retirements
            .iter()
            .filter(|r| r.source == source)
            .map(|r| r.tonnes.clone())
            .sum::<BigDecimal>()
    };
    assert_eq!(
        tonnes("toucan_tco2"),
        BigDecimal::from(255) / 2,
        "1.5 + 2.5 + … + 15.5 t"
    );
    assert_eq!(tonnes("toucan_tco2_2021"), BigDecimal::from(55));
    assert_eq!(tonnes("klima"), BigDecimal::from(55));
    let klima = retirements.iter().find(|r| r.source == "klima").unwrap();
    assert_eq!(
        (
            klima.beneficiary.clone(),
            klima.beneficiary_name.as_deref(),
            klima.retiring_entity.as_deref()
        ),
        (
            vec![0xbe; 20],
            Some("Department 1"),
            Some("City of Example")
        )
    );
    assert_eq!(
        klima.token,
        ledger.carbon.carbon_credit.to_vec(),
        "KlimaDAO names the retired token"
    );
    let toucan = retirements
        .iter()
        .find(|r| r.source == "toucan_tco2")
        .unwrap();
    assert_eq!(toucan.beneficiary, ledger.carbon.sender().to_vec());
    assert!(
        retirements.iter().all(|r| r.finality == "final"),
        "the ledger's blocks are final at once"
    );

    let allocation: TreasuryAllocation = treasury_allocations::table
        .order(treasury_allocations::block_number)
        .select(TreasuryAllocation::as_select())
        .first(conn)
        .unwrap();
    assert_eq!(
        (
            allocation.fiscal_year,
            allocation.program.as_str(),
            allocation.cofog.as_str(),
            allocation.amount_minor.to_string()
        ),
        (2026, "Program 0", "04.5", "100000".to_string())
    );
    let payment: TreasuryPayment = treasury_payments::table
        .order(treasury_payments::block_number.desc())
        .select(TreasuryPayment::as_select())
        .first(conn)
        .unwrap();
    assert_eq!(
        (
            payment.contract_ref.as_str(),
            payment.payee_name.as_str(),
            payment.amount_minor.to_string()
        ),
        ("ocds-test-29", "Metro Ready-Mix", "50029".to_string())
    );

    // Events without a domain table keep their named params as JSON.
    let (signature, params): (String, serde_json::Value) = ledger_events::table
        .filter(ledger_events::event_name.eq("TreasurerChanged"))
        .select((ledger_events::signature, ledger_events::params))
        .first(conn)
        .unwrap();
    assert_eq!(signature, "TreasurerChanged(address,bool)");
    assert_eq!(
        params,
        serde_json::json!({"account": citytrace_schema::hex0x(&ledger.signer.address()), "allowed": true})
    );
    assert_eq!(Reorg::of_chain(conn, 31337).unwrap().len(), 0);

    // `verify log` finds a stored row by its log's key while its block is stored, and after
    // the block has left the reorg window (blocks pruned) too.
    let (block_hash, log_index): (Vec<u8>, i32) = token_transfers::table
        .order((token_transfers::block_number, token_transfers::log_index))
        .select((token_transfers::block_hash, token_transfers::log_index))
        .first(conn)
        .unwrap();
    let key = LogKey {
        chain_id: 31337,
        block_hash: block_hash.try_into().unwrap(),
        log_index: log_index as u64,
    };
    let rows = |conn: &mut PgConnection| {
        stored_rows(conn, &key)
            .unwrap()
            .into_iter()
            .map(|r| (r.table, r.columns))
            .collect::<Vec<_>>()
    };
    let while_stored = rows(conn);
    assert_eq!(while_stored.len(), 1);
    assert_eq!(while_stored[0].0, "token_transfers");
    diesel::delete(blocks::table).execute(conn).unwrap();
    assert_eq!(rows(conn), while_stored, "found without its block");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_with_a_configured_abi_has_its_chosen_events_stored_with_named_params() {
    use citytrace_indexer::config::ContractConfig;
    use citytrace_indexer::follow::ChainFollower;
    use citytrace_schema::models::LedgerEvent;

    let ledger = citytrace_indexer::testing::TestLedger::start().await;
    generate(
        &ledger,
        &Activity {
            transfer_txs: 3,
            transfers_per_tx: 2,
            retirements: 2,
            legacy_retirements: 1,
            ..Default::default()
        },
    )
    .await;
    let abi = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../contracts/build/MockCarbonCredit.abi.json");
    let mut token = ContractConfig::new(
        31337,
        "abi",
        &citytrace_schema::hex0x(&ledger.carbon.carbon_credit),
        ledger.contracts.block,
    );
    (token.abi, token.events) = (Some(abi), Some(vec!["Retired".into()]));
    let db = TestDatabase::new();
    let metrics = citytrace_indexer::Metrics::new();
    let follower =
        ChainFollower::from_config(&ledger.config().chains[0], &[token], db.pool(2), &metrics)
            .unwrap();
    follower.catch_up().await.unwrap();

    let conn = &mut db.conn();
    let events: Vec<LedgerEvent> = ledger_events::table
        .order((ledger_events::block_number, ledger_events::log_index))
        .select(LedgerEvent::as_select())
        .load(conn)
        .unwrap();
    let signatures: Vec<&str> = events.iter().map(|e| e.signature.as_str()).collect();
    assert_eq!(
        signatures,
        [
            "Retired(address,uint256,uint256)",
            "Retired(address,uint256,uint256)",
            "Retired(address,uint256)"
        ],
        "only the events asked for, both overloads"
    );
    let sender = citytrace_schema::hex0x(&ledger.carbon.sender());
    assert_eq!(
        events[1].params,
        serde_json::json!({"sender": sender, "amount": "2500000000000000000", "eventId": "2"})
    );
    assert_eq!(
        events[2].params,
        serde_json::json!({"sender": sender, "amount": "1000000000000000000"})
    );
    assert_eq!(events[0].contract, ledger.carbon.carbon_credit.to_vec());
    assert_eq!(
        count(token_transfers::table.count().get_result(conn).unwrap()),
        0,
        "a configured ABI makes no domain rows"
    );
}

fn count(n: i64) -> usize {
    n as usize
}
