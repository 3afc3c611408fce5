//! Evidence linking over hand-built payments of one process.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};

use super::*;

fn at(day: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(&format!("2026-{day}T12:00:00Z"))
            .unwrap()
            .with_timezone(&Utc),
    )
}

fn ocds(id: &str, contract: &str, amount: &str, day: &str) -> (Payment, Option<String>) {
    let p = Payment {
        ocid: "ocds-1".into(),
        contract_id: Some(contract.into()),
        source: PaymentSource::OcdsTransaction {
            transaction_id: id.into(),
            batch_id: 1,
            line: 1,
        },
        paid_at: at(day),
        amount: BigDecimal::from_str(amount).unwrap(),
        currency: Some("EUR".into()),
        payee: None,
        budget_line_id: None,
        evidence: None,
    };
    (p, None)
}

fn ledger(
    block: i64,
    amount: &str,
    day: &str,
    explicit: Option<&str>,
) -> (Payment, Option<String>) {
    let p = Payment {
        ocid: "ocds-1".into(),
        contract_id: None,
        source: PaymentSource::Ledger {
            payment_id: format!("0x{block:02}"),
            chain_id: 7,
            block_number: block,
            tx_hash: format!("0xt{block}"),
            log_index: 0,
            finality: "final".into(),
        },
        paid_at: at(day),
        amount: BigDecimal::from_str(amount).unwrap(),
        currency: Some("EUR".into()),
        payee: None,
        budget_line_id: Some(format!("BL-{block}")),
        evidence: None,
    };
    (p, explicit.map(Into::into))
}

/// Each payment as (what it is, its evidence's block and match).
fn summary(payments: &[Payment]) -> Vec<(String, Option<(i64, EvidenceMatch)>)> {
    payments
        .iter()
        .map(|p| {
            let what = match &p.source {
                PaymentSource::OcdsTransaction { transaction_id, .. } => transaction_id.clone(),
                PaymentSource::Ledger { block_number, .. } => format!("ledger {block_number}"),
            };
            let evidence = p
                .evidence
                .as_ref()
                .map(|e| (e.block_number, e.matched_by.clone()));
            (what, evidence)
        })
        .collect()
}

#[test]
fn a_payment_id_naming_the_transaction_is_its_evidence_whatever_the_date() {
    // The ledger payment is 61 days later, but its id is the transaction's: explicit.
    let linked = link_evidence(vec![
        ocds("t1", "c1", "100.00", "03-01"),
        ledger(5, "100", "05-01", Some("t1")),
    ]);
    assert_eq!(
        summary(&linked),
        vec![("t1".into(), Some((5, EvidenceMatch::PaymentId)))]
    );
    assert_eq!(linked[0].budget_line_id.as_deref(), Some("BL-5"));
    assert_eq!(
        linked[0].evidence.as_ref().unwrap().tx_hash,
        "0xt5".to_string()
    );
}

#[test]
fn the_closest_ledger_payment_of_the_same_amount_within_the_window_is_the_evidence() {
    // t1 on 1 March; ledger payments of 250 on 4 March (3 days) and 2 March (1 day): the
    // closer one evidences it, the other has no OCDS counterpart and stays.
    let linked = link_evidence(vec![
        ocds("t1", "c1", "250", "03-01"),
        ledger(8, "250.00", "03-04", None),
        ledger(9, "250", "03-02", None),
    ]);
    assert_eq!(
        summary(&linked),
        vec![
            (
                "t1".into(),
                Some((9, EvidenceMatch::AmountAndDate { days_apart: 1 }))
            ),
            ("ledger 8".into(), None),
        ]
    );
}

#[test]
fn seven_days_apart_is_within_the_window_and_a_minute_more_is_not() {
    let within = link_evidence(vec![
        ocds("t1", "c1", "10", "03-01"),
        ledger(3, "10", "03-08", None),
    ]);
    assert_eq!(
        summary(&within),
        vec![(
            "t1".into(),
            Some((3, EvidenceMatch::AmountAndDate { days_apart: 7 }))
        )]
    );
    let (mut late, _) = ledger(4, "10", "03-08", None);
    late.paid_at = late.paid_at.map(|t| t + Duration::minutes(1));
    let outside = link_evidence(vec![ocds("t1", "c1", "10", "03-01"), (late, None)]);
    assert_eq!(
        summary(&outside),
        vec![("t1".into(), None), ("ledger 4".into(), None)]
    );
}

#[test]
fn another_amount_currency_or_contract_is_no_evidence() {
    let (mut dollars, _) = ledger(2, "10", "03-01", None);
    dollars.currency = Some("USD".into());
    let (mut other_contract, _) = ledger(3, "10", "03-01", None);
    other_contract.contract_id = Some("c2".into());
    let linked = link_evidence(vec![
        ocds("t1", "c1", "10", "03-01"),
        ledger(1, "10.01", "03-01", None),
        (dollars, None),
        (other_contract, None),
    ]);
    assert_eq!(
        summary(&linked),
        vec![
            ("t1".into(), None),
            ("ledger 1".into(), None),
            ("ledger 2".into(), None),
            ("ledger 3".into(), None),
        ]
    );
}

#[test]
fn one_ledger_payment_evidences_one_transaction() {
    // Two transactions of 40 on 1 and 2 March, one ledger payment of 40 on 2 March: the
    // earlier transaction (matched first, in date order) gets it; the other has none.
    let linked = link_evidence(vec![
        ocds("t1", "c1", "40", "03-01"),
        ocds("t2", "c1", "40", "03-02"),
        ledger(6, "40", "03-02", None),
    ]);
    assert_eq!(
        summary(&linked),
        vec![
            (
                "t1".into(),
                Some((6, EvidenceMatch::AmountAndDate { days_apart: 1 }))
            ),
            ("t2".into(), None),
        ]
    );
}
