//! The contract page with an OCDS payment evidenced on the ledger (issue 12): the spending
//! city's process `ocds-ctexpl-0001` has OCDS transaction `t1` of 400 000 EUR on 1 April 2025
//! and a ledger payment of 250 000 EUR on 1 May with no OCDS counterpart; here the treasury
//! also records 400 000.00 EUR on 2 April (1 day after `t1`, same process, amount and
//! currency), which evidences `t1`.
//!
//! Hand-computed: two payments (t1 with its evidence, and the 250 000 ledger payment on its
//! own), paid 400 000 + 250 000 = 650 000 of the contract's 950 000 EUR — not 1 050 000.

use super::*;
use citytrace_schema::diesel::RunQueryDsl;

const EVIDENCE_TX: &str = "0x8888888888888888888888888888888888888888888888888888888888888888";

fn seed_with_evidence(db: &TestDatabase) {
    fixture::seed(db);
    citytrace_schema::diesel::sql_query(
        "INSERT INTO treasury_payments (chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract, payment_id, payee, payee_name, department, amount_minor, currency, contract_ref, finality) \
         VALUES (31337, 11, decode(repeat('11', 32), 'hex'), '2025-04-02T10:00:00Z', decode(repeat('88', 32), 'hex'), 0, decode(repeat('c7', 20), 'hex'), decode(repeat('02', 32), 'hex'), decode(repeat('0b', 20), 'hex'), 'Alpha Works', $1, 40000000, 'EUR', $2, 'final')",
    )
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(BUYER)
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(OCID)
    .execute(&mut db.conn())
    .unwrap();
}

#[actix_web::test]
async fn an_ocds_payment_evidenced_on_the_ledger_shows_its_transaction_and_counts_once() {
    let db = TestDatabase::new();
    seed_with_evidence(&db);
    let app = app!(db);

    let (status, body, _) = get!(app, &format!("/spending/contracts/{OCID}"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(&format!(
            "paid <strong>{} EUR</strong> of {} EUR",
            money("650 000.00"),
            money("950 000.00")
        )),
        "the header says paid X of Y"
    );
    let payments = crate::support::between(&body, "id=\"payments-h\"", "</table>");
    assert_eq!(
        payments.matches("<tr>").count(),
        3,
        "a header row and two payments"
    );
    let t1 = crate::support::between(payments, "<th scope=\"row\">OCDS transaction", "</tr>");
    assert!(t1.contains("evidenced on the ledger"), "{t1}");
    assert!(t1.contains(&format!("href=\"/ledger/chains/31337/tx/{EVIDENCE_TX}\"")));
    let own = crate::support::between(payments, "<th scope=\"row\">ledger payment", "</tr>");
    assert!(own.contains("no OCDS counterpart"), "{own}");
    assert!(own.contains(&format!(
        "href=\"/ledger/chains/31337/tx/{}\"",
        fixture::LEDGER_TX
    )));

    let (_, body, _) = get!(app, &format!("/api/v1/spending/contracts/{OCID}"));
    let v = json(&body);
    let payments = v["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 2);
    assert_eq!(payments[0]["evidence"]["tx_hash"], EVIDENCE_TX);
    assert_eq!(
        payments[0]["evidence"]["matched_by"],
        serde_json::json!({"kind": "amount_and_date", "days_apart": 1})
    );
    assert!(payments[1]["evidence"].is_null());
    assert_eq!(v["paid"]["EUR"], "650000");
}
