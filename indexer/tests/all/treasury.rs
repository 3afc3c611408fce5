//! CityTreasury payments on a real anvil with the real contract: a `PaymentMadeOnBudgetLine`
//! (the payment's second version) is stored with its budget line id, and a `PaymentMade` (the
//! first, still recorded and decoded) without one.

use crate::support::follower;
use bigdecimal::BigDecimal;
use citytrace_indexer::evm::PaymentCall;
use citytrace_indexer::testing::TestLedger;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::schema::treasury_payments;
use citytrace_schema::testing::TestDatabase;

fn payment(n: u8, contract_ref: &str) -> PaymentCall {
    PaymentCall {
        payment_id: [n; 32],
        payee: [0xaa; 20],
        department: "Public Works".into(),
        payee_name: "Metro Ready-Mix".into(),
        amount_minor: 50_000 + u128::from(n),
        currency: "EUR".into(),
        contract_ref: contract_ref.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_on_a_budget_line_is_stored_with_its_line_and_an_old_payment_without() {
    let ledger = TestLedger::start().await;
    let treasury = ledger.contracts.city_treasury;
    ledger
        .signer
        .pay(treasury, &payment(1, "ocds-1"))
        .await
        .unwrap();
    let last = ledger
        .signer
        .pay_on_budget_line(treasury, &payment(2, "ocds-2"), "PW-ROADS")
        .await
        .unwrap();
    assert!(ledger.signer.wait_mined(last).await.unwrap());

    let db = TestDatabase::new();
    let (follower, _) = follower(&ledger, &db.pool(2), None);
    follower.catch_up().await.unwrap();
    let rows: Vec<(String, BigDecimal, Option<String>)> = treasury_payments::table
        .order(treasury_payments::block_number)
        .select((
            treasury_payments::contract_ref,
            treasury_payments::amount_minor,
            treasury_payments::budget_line_id,
        ))
        .load(&mut db.conn())
        .unwrap();
    assert_eq!(
        rows,
        vec![
            ("ocds-1".into(), BigDecimal::from(50_001), None),
            (
                "ocds-2".into(),
                BigDecimal::from(50_002),
                Some("PW-ROADS".into())
            ),
        ]
    );
}
