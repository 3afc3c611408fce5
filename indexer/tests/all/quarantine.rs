//! Quarantine on a real anvil with the real contracts (issue 10, found 3 and 4): a log that
//! cannot be stored as what it is is kept raw in `quarantined_logs` with its problem, counted,
//! and indexing goes on; values that do not fit BIGINT or INTEGER are stored whole; rows only
//! the database refuses are found and quarantined alone; random payloads sent through the
//! contracts all end up stored, decoded or quarantined.

use std::str::FromStr;
use std::sync::atomic::Ordering;

use crate::support::follower;
use bigdecimal::BigDecimal;
use citytrace_indexer::evm::{PaymentCall, TraceEventCall};
use citytrace_indexer::source::AnchorSender;
use citytrace_indexer::testing::{node_log_keys, stored_log_keys, TestLedger};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{Checkpoint, QuarantinedLog};
use citytrace_schema::schema::{batch_anchors, quarantined_logs, supply_events, treasury_payments};
use citytrace_schema::testing::fuzz_cases;
use citytrace_schema::testing::TestDatabase;
use rand::{Rng, SeedableRng};

const CHAIN: i64 = 31337;

fn trace(n: u8, event_type: &str, event_time: u64) -> TraceEventCall {
    TraceEventCall {
        event_hash: [n; 32],
        event_type: event_type.into(),
        biz_step: "inspecting".into(),
        disposition: "conformant".into(),
        epc: format!("LOT-{n}"),
        biz_location: "SITE-NORTH-BRIDGE".into(),
        event_time,
    }
}

async fn record(ledger: &TestLedger, event: &TraceEventCall) -> [u8; 32] {
    ledger
        .signer
        .record_trace_event(ledger.contracts.trace_registry, event)
        .await
        .unwrap()
}

fn quarantined(db: &TestDatabase) -> Vec<QuarantinedLog> {
    quarantined_logs::table
        .order((quarantined_logs::block_number, quarantined_logs::log_index))
        .select(QuarantinedLog::as_select())
        .load(&mut db.conn())
        .unwrap()
}

fn checkpoint(db: &TestDatabase) -> Option<i64> {
    Checkpoint::get(&mut db.conn(), CHAIN, "logs")
        .unwrap()
        .map(|c| c.block_number)
}

/// Found 3: a TraceEventRecorded whose eventType is not an EPCIS event type violated the
/// supply_events CHECK, `citytrace index` exited 1 and no later block of the chain was indexed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_type_outside_epcis_is_quarantined_and_later_blocks_are_indexed() {
    let ledger = TestLedger::start().await;
    record(&ledger, &trace(1, "ObjectEvent", 1_780_000_000)).await;
    let bad = record(&ledger, &trace(2, "NotAnEpcisEvent", 1_780_000_001)).await;
    record(&ledger, &trace(3, "TransformationEvent", 1_780_000_002)).await;
    let last = ledger
        .signer
        .pay(
            ledger.contracts.city_treasury,
            &PaymentCall {
                payment_id: [9; 32],
                payee: [0xaa; 20],
                department: "Public Works".into(),
                payee_name: "Metro Ready-Mix".into(),
                amount_minor: 50_000,
                currency: "EUR".into(),
                contract_ref: "ocds-1".into(),
            },
        )
        .await
        .unwrap();
    assert!(ledger.signer.wait_mined(last).await.unwrap());

    let db = TestDatabase::new();
    let (follower, metrics) = follower(&ledger, &db.pool(2), None);
    let head = follower.catch_up().await.unwrap();
    assert_eq!(checkpoint(&db), Some(head as i64), "indexed to the head");

    let conn = &mut db.conn();
    let types: Vec<String> = supply_events::table
        .filter(supply_events::chain_id.eq(CHAIN))
        .order(supply_events::block_number)
        .select(supply_events::event_type)
        .load(conn)
        .unwrap();
    assert_eq!(types, ["ObjectEvent", "TransformationEvent"]);
    let payments: i64 = treasury_payments::table.count().get_result(conn).unwrap();
    assert_eq!(payments, 1, "the block after the bad event is indexed");

    let kept = quarantined(&db);
    assert_eq!(kept.len(), 1);
    let q = &kept[0];
    assert_eq!(q.tx_hash, bad.to_vec());
    assert_eq!(q.contract, ledger.contracts.trace_registry.to_vec());
    assert_eq!(q.reason, "invalid");
    assert_eq!(
        q.problem,
        "eventType \"NotAnEpcisEvent\" is not an EPCIS event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)"
    );
    assert_eq!(q.event_name.as_deref(), Some("TraceEventRecorded"));
    assert_eq!(
        q.params.as_ref().and_then(|p| p["eventType"].as_str()),
        Some("NotAnEpcisEvent")
    );
    assert_eq!(q.topics.len(), 3, "topic0, eventHash, recorder");
    assert_eq!(q.topics[1], vec![2u8; 32]);
    assert_eq!(q.finality, "final");
    let chain = &metrics.chains()[0].1;
    assert_eq!(
        chain
            .quarantined
            .each_ref()
            .map(|c| c.load(Ordering::Relaxed)),
        [0, 1, 0]
    );
    assert!(metrics
        .render()
        .contains("citytrace_quarantined_logs_total{chain=\"31337\",name=\"test ledger\",reason=\"invalid\"} 1\n"));
}

/// Found 4: BatchAnchored with rowCount ≥ 2^31 or batchId = 2^64 − 1 and TraceEventRecorded
/// with eventTime = 2^64 − 1 were logged "out of range" and stored nowhere. The anchors are
/// stored whole now; a time no timestamp holds is quarantined; the last one that fits is
/// stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uint_values_beyond_bigint_are_stored_whole_and_a_time_past_timestamps_is_quarantined() {
    let ledger = TestLedger::start().await;
    let anchor = ledger.anchor_signer().await;
    anchor
        .send_anchor(u64::MAX, [1; 32], 1 << 31, "citytrace:batch/max")
        .await
        .unwrap();
    anchor
        .send_anchor(1 << 63, [2; 32], u32::MAX, "")
        .await
        .unwrap();
    // 262142-12-31T23:59:59Z, the last second a timestamp holds, then the next one and 2^64 − 1.
    const LAST_SECOND: u64 = 8_210_266_876_799;
    record(&ledger, &trace(1, "ObjectEvent", LAST_SECOND)).await;
    record(&ledger, &trace(2, "ObjectEvent", LAST_SECOND + 1)).await;
    let last = record(&ledger, &trace(3, "ObjectEvent", u64::MAX)).await;
    assert!(ledger.signer.wait_mined(last).await.unwrap());

    let db = TestDatabase::new();
    let (follower, _) = follower(&ledger, &db.pool(2), None);
    follower.catch_up().await.unwrap();

    let conn = &mut db.conn();
    let anchors: Vec<(BigDecimal, i64, String)> = batch_anchors::table
        .order(batch_anchors::block_number)
        .select((
            batch_anchors::batch_id,
            batch_anchors::row_count,
            batch_anchors::uri,
        ))
        .load(conn)
        .unwrap();
    let big = |s: &str| BigDecimal::from_str(s).unwrap();
    assert_eq!(
        anchors,
        [
            (
                big("18446744073709551615"),
                2_147_483_648,
                "citytrace:batch/max".into()
            ),
            (big("9223372036854775808"), 4_294_967_295, String::new()),
        ]
    );
    let times: Vec<String> = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "(SELECT string_agg(to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ',') FROM supply_events)",
    ))
    .load(conn)
    .unwrap();
    assert_eq!(times, ["262142-12-31 23:59:59"]);
    let kept = quarantined(&db);
    let problems: Vec<&str> = kept.iter().map(|q| q.problem.as_str()).collect();
    assert_eq!(
        problems,
        [
            "eventTime = 8210266876800 s is past the latest time a timestamp holds (year 262142)",
            "eventTime = 18446744073709551615 s is past the latest time a timestamp holds (year 262142)",
        ]
    );
    assert!(kept.iter().all(|q| q.reason == "invalid"));
}

/// The write-time fallback: a constraint only the database knows (added here for the test)
/// refuses three payments of a range; they are quarantined with the database's message, and
/// every other row of that range — payments, allocations, trace events — is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_only_the_database_refuses_are_quarantined_alone_and_the_range_written() {
    let ledger = TestLedger::start().await;
    let treasury = ledger.contracts.city_treasury;
    let mut last = [0; 32];
    for n in 0..12u8 {
        let currency = if n % 4 == 3 { "XXX" } else { "EUR" };
        last = ledger
            .signer
            .pay(
                treasury,
                &PaymentCall {
                    payment_id: [n + 1; 32],
                    payee: [0xaa; 20],
                    department: "Public Works".into(),
                    payee_name: format!("Supplier {n}"),
                    amount_minor: 1_000 + u128::from(n),
                    currency: currency.into(),
                    contract_ref: format!("ocds-{n}"),
                },
            )
            .await
            .unwrap();
        if n % 3 == 0 {
            record(&ledger, &trace(n + 1, "ObjectEvent", 1_780_000_000)).await;
        }
    }
    assert!(ledger.signer.wait_mined(last).await.unwrap());

    let db = TestDatabase::new();
    diesel::sql_query(
        "ALTER TABLE treasury_payments ADD CONSTRAINT only_in_this_test CHECK (currency <> 'XXX')",
    )
    .execute(&mut db.conn())
    .unwrap();
    let mut chain = ledger.config().chains[0].clone();
    // One range: the whole chain.
    (chain.initial_block_range, chain.max_block_range) = (1_000, 1_000);
    let (follower, metrics) = follower(&ledger, &db.pool(2), Some(chain));
    let head = follower.catch_up().await.unwrap();

    let conn = &mut db.conn();
    let refs: Vec<String> = treasury_payments::table
        .order(treasury_payments::block_number)
        .select(treasury_payments::contract_ref)
        .load(conn)
        .unwrap();
    assert_eq!(
        refs,
        [
            "ocds-0", "ocds-1", "ocds-2", "ocds-4", "ocds-5", "ocds-6", "ocds-8", "ocds-9",
            "ocds-10"
        ]
    );
    let traces: i64 = supply_events::table.count().get_result(conn).unwrap();
    assert_eq!(traces, 4);
    let kept = quarantined(&db);
    assert_eq!(kept.len(), 3);
    for q in &kept {
        assert_eq!(q.reason, "refused");
        assert!(
            q.problem.starts_with("the database refused its row: ")
                && q.problem.contains("only_in_this_test"),
            "{}",
            q.problem
        );
        assert_eq!(q.event_name.as_deref(), Some("PaymentMade"));
        assert_eq!(
            q.params.as_ref().and_then(|p| p["currency"].as_str()),
            Some("XXX")
        );
    }
    let refused = metrics.chains()[0].1.quarantined[2].load(Ordering::Relaxed);
    assert_eq!(refused, 3);
    assert_eq!(
        stored_log_keys(conn, CHAIN),
        node_log_keys(
            &ledger.url(),
            &ledger.addresses(),
            ledger.contracts.block,
            head
        )
        .await,
        "every log stored once"
    );
}

/// Random printable and hostile text: NUL, multi-byte characters, the EPCIS words, long runs.
fn text(rng: &mut rand::rngs::StdRng) -> String {
    const WORDS: &[&str] = &[
        "ObjectEvent",
        "TransactionEvent",
        "",
        "EUR",
        "é",
        "\0",
        "😀",
        "x",
    ];
    match rng.random_range(0..6) {
        0 => "é\0".repeat(rng.random_range(1..4)),
        1 => "Z".repeat(rng.random_range(1_990..2_010)),
        _ => (0..rng.random_range(0..5))
            .map(|_| WORDS[rng.random_range(0..WORDS.len())])
            .collect(),
    }
}

/// The database side of fuzzing on a real chain: random payloads sent through the real
/// contracts (fuzz_cases(10_000) / 100 transactions) all end up stored, decoded or quarantined:
/// the stored log keys equal the node's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_payloads_through_the_real_contracts_all_end_up_stored() {
    let ledger = TestLedger::start().await;
    let anchor = ledger.anchor_signer().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x0c17_7ace);
    let times = [
        0,
        1_780_000_000,
        8_210_266_876_799,
        8_210_266_876_800,
        u64::MAX,
    ];
    let mut last = [0; 32];
    let count = fuzz_cases(10_000) / 100;
    for n in 0..count {
        let id = n as u64 + 1;
        last = match n % 4 {
            0 => {
                let event = TraceEventCall {
                    event_hash: rng.random(),
                    event_type: text(&mut rng),
                    biz_step: text(&mut rng),
                    disposition: text(&mut rng),
                    epc: text(&mut rng),
                    biz_location: text(&mut rng),
                    event_time: times[rng.random_range(0..times.len())],
                };
                record(&ledger, &event).await
            }
            1 => {
                let batch = [rng.random(), u64::MAX - id, id][rng.random_range(0..3)];
                let rows = [0, u32::MAX, 1 << 31][rng.random_range(0..3)];
                let uri = text(&mut rng);
                anchor
                    .send_anchor(batch, [n as u8 | 1; 32], rows, &uri)
                    .await
                    .unwrap()
                    .hash
            }
            2 => {
                let payment = PaymentCall {
                    payment_id: rng.random(),
                    payee: rng.random(),
                    department: text(&mut rng),
                    payee_name: text(&mut rng),
                    amount_minor: rng.random(),
                    currency: text(&mut rng),
                    contract_ref: text(&mut rng),
                };
                ledger
                    .signer
                    .pay(ledger.contracts.city_treasury, &payment)
                    .await
                    .unwrap()
            }
            _ => ledger
                .signer
                .allocate(
                    ledger.contracts.city_treasury,
                    rng.random(),
                    rng.random(),
                    &text(&mut rng),
                    &text(&mut rng),
                    &text(&mut rng),
                    rng.random(),
                    &text(&mut rng),
                )
                .await
                .unwrap(),
        };
    }
    assert!(ledger.signer.wait_mined(last).await.unwrap());

    let db = TestDatabase::new();
    let (follower, _) = follower(&ledger, &db.pool(2), None);
    let head = follower.catch_up().await.unwrap();
    let conn = &mut db.conn();
    let stored = stored_log_keys(conn, CHAIN);
    let node = node_log_keys(
        &ledger.url(),
        &ledger.addresses(),
        ledger.contracts.block,
        head,
    )
    .await;
    assert!(node.len() > count as usize, "{} logs", node.len());
    assert_eq!(stored, node, "every log stored exactly once");
    let kept = quarantined(&db);
    assert!(
        !kept.is_empty() && kept.len() < count as usize,
        "some payloads are quarantined, not all: {}",
        kept.len()
    );
    assert!(
        kept.iter().all(|q| q.reason == "invalid"),
        "none refused by the database"
    );
}

/// `citytrace index --retry-quarantined`: once the database takes them (the constraint that
/// refused them dropped), the quarantined payments are decoded again and move to their table;
/// an event that still breaks a rule stays, and the result equals a clean index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quarantined_logs_decoded_again_move_to_their_tables_once_they_fit() {
    let ledger = TestLedger::start().await;
    for n in 0..4u8 {
        let currency = if n % 2 == 1 { "XXX" } else { "EUR" };
        ledger
            .signer
            .pay(
                ledger.contracts.city_treasury,
                &PaymentCall {
                    payment_id: [n + 1; 32],
                    payee: [0xaa; 20],
                    department: "Public Works".into(),
                    payee_name: format!("Supplier {n}"),
                    amount_minor: 1_000,
                    currency: currency.into(),
                    contract_ref: format!("ocds-{n}"),
                },
            )
            .await
            .unwrap();
    }
    let last = record(&ledger, &trace(9, "NotAnEpcisEvent", 1_780_000_000)).await;
    assert!(ledger.signer.wait_mined(last).await.unwrap());
    let db = TestDatabase::new();
    let constraint =
        "ALTER TABLE treasury_payments ADD CONSTRAINT only_in_this_test CHECK (currency <> 'XXX')";
    diesel::sql_query(constraint)
        .execute(&mut db.conn())
        .unwrap();
    let (indexer, _) = follower(&ledger, &db.pool(2), None);
    let head = indexer.catch_up().await.unwrap();
    let reasons = |db: &TestDatabase| -> Vec<String> {
        quarantined(db).into_iter().map(|q| q.reason).collect()
    };
    assert_eq!(reasons(&db), ["refused", "refused", "invalid"]);

    let config = ledger.config();
    let again = citytrace_indexer::redecode::retry_quarantined(&config, db.pool(2))
        .await
        .unwrap();
    assert_eq!(
        (again[0].stored, again[0].quarantined),
        (0, 3),
        "still refused"
    );
    assert_eq!(reasons(&db), ["refused", "refused", "invalid"]);

    diesel::sql_query("ALTER TABLE treasury_payments DROP CONSTRAINT only_in_this_test")
        .execute(&mut db.conn())
        .unwrap();
    let again = citytrace_indexer::redecode::retry_quarantined(&config, db.pool(2))
        .await
        .unwrap();
    assert_eq!((again[0].stored, again[0].quarantined), (2, 1));
    assert_eq!(reasons(&db), ["invalid"]);
    let payments: i64 = treasury_payments::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(payments, 4);

    let clean = TestDatabase::new();
    let (fresh, _) = follower(&ledger, &clean.pool(2), None);
    assert_eq!(fresh.catch_up().await.unwrap(), head);
    assert_eq!(
        citytrace_indexer::testing::dump_chain(&mut db.conn(), CHAIN),
        citytrace_indexer::testing::dump_chain(&mut clean.conn(), CHAIN),
        "as if the payments had been stored at once"
    );
}
