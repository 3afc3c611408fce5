//! The within-process rules on hand-built processes; every expected figure is worked out in a
//! comment.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::spending::payments::PaymentSource;
use crate::spending::red_flags::facts::AwardFacts;

fn d(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn money(amount: &str, currency: &str) -> Money {
    Money::new(d(amount), Some(currency.to_owned()))
}

fn process(method: &str, category: &str) -> ProcessFacts {
    ProcessFacts {
        ocid: "ocds-test01-1".into(),
        title: None,
        buyer_id: Some(1),
        method: Some(method.to_owned()),
        category: Some(category.to_owned()),
        tender_value: None,
        tender_period_start: None,
        tender_period_end: None,
        number_of_tenderers: None,
        bid_count: 0,
        last_release_date: at("2026-01-01T00:00:00Z"),
        awards: Vec::new(),
        contracts: Vec::new(),
        process_payments: Vec::new(),
    }
}

fn award(id: &str, value: Option<Money>) -> AwardFacts {
    AwardFacts {
        award_id: id.to_owned(),
        status: Some("active".into()),
        date: Some(at("2026-02-01T00:00:00Z")),
        value,
        first_release_value: None,
        suppliers: vec![(7, "Supplier".into())],
    }
}

fn contract(id: &str, award_id: Option<&str>, value: Option<Money>) -> ContractFacts {
    ContractFacts {
        contract_id: id.to_owned(),
        award_id: award_id.map(str::to_owned),
        status: Some("active".into()),
        value,
        first_amendment_value: None,
        first_release_value: None,
        payments: Vec::new(),
    }
}

fn payment(contract_id: Option<&str>, amount: &str, currency: &str, ledger: bool) -> Payment {
    let source = if ledger {
        PaymentSource::Ledger {
            payment_id: "0x01".into(),
            chain_id: 1,
            block_number: 1,
            tx_hash: "0x02".into(),
            log_index: 0,
            finality: "final".into(),
        }
    } else {
        PaymentSource::OcdsTransaction {
            transaction_id: "t".into(),
            batch_id: 1,
            line: 1,
        }
    };
    Payment {
        ocid: "ocds-test01-1".into(),
        contract_id: contract_id.map(str::to_owned),
        source,
        paid_at: None,
        amount: d(amount),
        currency: Some(currency.to_owned()),
        payee: None,
        budget_line_id: None,
        evidence: None,
    }
}

fn raised(p: &ProcessFacts, rules: &RedFlagRules, rule: RedFlagRule) -> Vec<RedFlag> {
    evaluate_within(p, rules)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

fn one(p: &ProcessFacts, rules: &RedFlagRules, rule: RedFlagRule) -> RedFlag {
    let mut flags = raised(p, rules, rule);
    assert_eq!(flags.len(), 1, "expected one {rule:?} flag, got {flags:?}");
    flags.remove(0)
}

fn none(p: &ProcessFacts, rules: &RedFlagRules, rule: RedFlagRule) {
    assert_eq!(
        raised(p, rules, rule),
        Vec::new(),
        "{rule:?} should not be raised"
    );
}

#[test]
fn an_empty_process_raises_nothing() {
    let rules = RedFlagRules::default();
    assert!(evaluate_within(&process("open", "goods"), &rules).is_empty());
    let mut bare = process("open", "goods");
    bare.method = None;
    bare.category = None;
    assert!(evaluate_within(&bare, &rules).is_empty());
}

#[test]
fn single_bid_needs_a_competitive_method_and_exactly_one_tenderer() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::SingleBid;
    let mut p = process("open", "goods");
    p.number_of_tenderers = Some(1);
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.subject, FlagSubject::Process);
    assert_eq!(flag.figure("tenderers"), Some("1"));
    assert_eq!(flag.figures[0].source, "tender.numberOfTenderers");

    p.number_of_tenderers = Some(2);
    none(&p, &rules, rule);
    p.number_of_tenderers = Some(0);
    none(&p, &rules, rule);
    // The published count wins over the bids listed: 2 tenderers, 1 bid published.
    p.number_of_tenderers = Some(2);
    p.bid_count = 1;
    none(&p, &rules, rule);

    // No count published: one bid received in bids.details.
    let mut s = process("selective", "works");
    s.bid_count = 1;
    let flag = one(&s, &rules, rule);
    assert_eq!(flag.figures[0].source, "bids.details[]");
    s.bid_count = 3;
    none(&s, &rules, rule);
    s.bid_count = 0;
    none(&s, &rules, rule);

    // Direct awards and unknown methods are not competitive: one tenderer is expected.
    let mut direct = process("direct", "goods");
    direct.number_of_tenderers = Some(1);
    none(&direct, &rules, rule);
    direct.method = None;
    none(&direct, &rules, rule);
}

#[test]
fn short_tender_period_below_and_at_the_minimum() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::ShortTenderPeriod;
    let mut p = process("open", "goods");
    p.tender_period_start = Some(at("2026-03-01T09:00:00Z"));
    // Exactly 15 days: the minimum is met.
    p.tender_period_end = Some(at("2026-03-16T09:00:00Z"));
    none(&p, &rules, rule);
    // One second short of 15 days: 1,295,999 s / 86,400 = 14.99998…, shown cut to 14.99.
    p.tender_period_end = Some(at("2026-03-16T08:59:59Z"));
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.figure("days"), Some("14.99"));
    assert_eq!(flag.figure("minimum days"), Some("15"));
    // 14 days 12 hours = 14.5 days.
    p.tender_period_end = Some(at("2026-03-15T21:00:00Z"));
    assert_eq!(one(&p, &rules, rule).figure("days"), Some("14.5"));
    // Not for direct awards, nor without both ends of the period.
    p.method = Some("direct".into());
    none(&p, &rules, rule);
    p.method = Some("open".into());
    p.tender_period_end = None;
    none(&p, &rules, rule);
}

#[test]
fn at_or_above_the_eu_threshold_the_directive_minimums_apply() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::ShortTenderPeriod;
    // Works estimated at EUR 6,000,000 ≥ 5,538,000: open procedure minimum 30 days.
    let mut works = process("open", "works");
    works.tender_value = Some(money("6000000", "EUR"));
    works.tender_period_start = Some(at("2026-03-01T00:00:00Z"));
    works.tender_period_end = Some(at("2026-03-21T00:00:00Z"));
    let flag = one(&works, &rules, rule);
    assert_eq!(flag.figure("days"), Some("20"));
    assert_eq!(flag.figure("minimum days"), Some("30"));
    assert_eq!(flag.figure("EU threshold"), Some("5538000"));
    assert_eq!(flag.figure("procedure value"), Some("6000000"));
    // Exactly 30 days is enough.
    works.tender_period_end = Some(at("2026-03-31T00:00:00Z"));
    none(&works, &rules, rule);

    // Services at exactly EUR 221,000 are at the threshold: 29 days < 30.
    let mut services = process("open", "services");
    services.tender_value = Some(money("221000", "EUR"));
    services.tender_period_start = Some(at("2026-03-01T00:00:00Z"));
    services.tender_period_end = Some(at("2026-03-30T00:00:00Z"));
    assert_eq!(
        one(&services, &rules, rule).figure("minimum days"),
        Some("30")
    );
    // One cent below the threshold: the general 15 days apply, 29 is plenty.
    services.tender_value = Some(money("220999.99", "EUR"));
    none(&services, &rules, rule);
    // A restricted procedure at the threshold: 25 days; 24 is short, 25 is not.
    services.tender_value = Some(money("221000", "EUR"));
    services.method = Some("selective".into());
    services.tender_period_end = Some(at("2026-03-25T00:00:00Z"));
    assert_eq!(
        one(&services, &rules, rule).figure("minimum days"),
        Some("25")
    );
    services.tender_period_end = Some(at("2026-03-26T00:00:00Z"));
    none(&services, &rules, rule);
    // No threshold in GBP: a GBP 9,000,000 estimate is judged by the general 15 days.
    services.tender_value = Some(money("9000000", "GBP"));
    services.tender_period_end = Some(at("2026-03-17T00:00:00Z"));
    none(&services, &rules, rule);
    // Without an estimate, what was awarded decides: EUR 221,000 awarded → 25 days.
    services.tender_value = None;
    services.awards = vec![award("a1", Some(money("221000", "EUR")))];
    services.tender_period_end = Some(at("2026-03-20T00:00:00Z"));
    let flag = one(&services, &rules, rule);
    assert_eq!(flag.figure("minimum days"), Some("25"));
    assert_eq!(
        flag.figures
            .iter()
            .find(|f| f.name == "procedure value")
            .map(|f| f.source.as_str()),
        Some("awards[].value.amount")
    );
}

#[test]
fn direct_award_at_or_above_the_threshold() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::DirectAwardAboveThreshold;
    // Goods awarded directly for exactly EUR 221,000: at the threshold, competition was due.
    let mut p = process("direct", "goods");
    p.awards = vec![award("a1", Some(money("221000", "EUR")))];
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.figure("value"), Some("221000 EUR"));
    assert_eq!(flag.figure("threshold"), Some("221000"));
    // One cent under: no flag.
    p.awards = vec![award("a1", Some(money("220999.99", "EUR")))];
    none(&p, &rules, rule);
    // Two awards (lots) of 120,000 + 110,000 = 230,000 ≥ 221,000.
    p.awards = vec![
        award("a1", Some(money("120000", "EUR"))),
        award("a2", Some(money("110000", "EUR"))),
    ];
    assert_eq!(one(&p, &rules, rule).figure("value"), Some("230000 EUR"));
    // A cancelled award does not count: 120,000 alone is under.
    p.awards[1].status = Some("cancelled".into());
    none(&p, &rules, rule);

    // Works: limited procedure, 5,538,000 flagged, 5,537,999 not.
    let mut works = process("limited", "works");
    works.awards = vec![award("a1", Some(money("5538000", "EUR")))];
    one(&works, &rules, rule);
    works.awards = vec![award("a1", Some(money("5537999", "EUR")))];
    none(&works, &rules, rule);
    // Without awards the estimate decides.
    works.awards.clear();
    works.tender_value = Some(money("6000000", "EUR"));
    let flag = one(&works, &rules, rule);
    assert_eq!(flag.figures[1].source, "tender.value.amount");
    // No threshold for the currency, or a competitive method: no flag.
    works.tender_value = Some(money("60000000", "GBP"));
    none(&works, &rules, rule);
    let mut open = process("open", "goods");
    open.awards = vec![award("a1", Some(money("9000000", "EUR")))];
    none(&open, &rules, rule);
}

#[test]
fn amendments_over_ten_percent_for_goods_and_fifteen_for_works() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::AmendmentsRaiseValue;
    // Goods: awarded 100,000, contract now 110,000: +10 % exactly, allowed.
    let mut goods = process("open", "goods");
    goods.awards = vec![award("a1", Some(money("100000", "EUR")))];
    goods.contracts = vec![contract("c1", Some("a1"), Some(money("110000", "EUR")))];
    none(&goods, &rules, rule);
    // 110,000.01: 10.00001 % > 10 %.
    goods.contracts[0].value = Some(money("110000.01", "EUR"));
    one(&goods, &rules, rule);
    // 112,000: +12 % is flagged for goods…
    goods.contracts[0].value = Some(money("112000", "EUR"));
    let flag = one(&goods, &rules, rule);
    assert_eq!(flag.subject, FlagSubject::Contract("c1".into()));
    assert_eq!(flag.figure("initial value"), Some("100000 EUR"));
    assert_eq!(flag.figure("current value"), Some("112000 EUR"));
    assert_eq!(flag.figure("increase %"), Some("12"));
    assert_eq!(flag.figure("limit %"), Some("10"));
    assert_eq!(flag.figures[0].source, "awards[id=a1].value.amount");
    // …and allowed for works, whose limit is 15 %.
    let mut works = goods.clone();
    works.category = Some("works".into());
    none(&works, &rules, rule);
    // Works at +15 % exactly: allowed; 115,001 (+15.001 %): flagged.
    works.contracts[0].value = Some(money("115000", "EUR"));
    none(&works, &rules, rule);
    works.contracts[0].value = Some(money("115001", "EUR"));
    assert_eq!(one(&works, &rules, rule).figure("limit %"), Some("15"));
    // A lower value is no increase; a contract in another currency is not compared.
    goods.contracts[0].value = Some(money("90000", "EUR"));
    none(&goods, &rules, rule);
    goods.contracts[0].value = Some(money("150000", "GBP"));
    none(&goods, &rules, rule);
}

#[test]
fn the_initial_value_is_the_first_one_published() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::AmendmentsRaiseValue;
    // The award was amended to 120,000 together with the contract; its first release said
    // 100,000: (120,000 − 100,000) / 100,000 = 20 %.
    let mut p = process("open", "services");
    let mut a = award("a1", Some(money("120000", "EUR")));
    a.first_release_value = Some((money("100000", "EUR"), "r-award".into()));
    p.awards = vec![a];
    p.contracts = vec![contract("c1", Some("a1"), Some(money("120000", "EUR")))];
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.figure("increase %"), Some("20"));
    assert_eq!(
        flag.figures[0].source,
        "awards[id=a1].value.amount (release r-award)"
    );

    // No award: the value before the first amendment, 200 → 230 = +15 % > 10 %.
    let mut q = process("open", "goods");
    let mut c = contract("c1", None, Some(money("230", "EUR")));
    c.first_amendment_value = Some(money("200", "EUR"));
    c.first_release_value = Some((money("50", "EUR"), "r1".into()));
    q.contracts = vec![c];
    let flag = one(&q, &rules, rule);
    assert_eq!(flag.figure("initial value"), Some("200 EUR"));
    assert_eq!(flag.figure("increase %"), Some("15"));
    // A former value without a currency is in the contract's: 200 → 230 again.
    q.contracts[0].first_amendment_value = Some(Money::new(d("200"), None));
    assert_eq!(
        one(&q, &rules, rule).figure("initial value"),
        Some("200 EUR")
    );
    // No amendment either: the first release's contract value, 50 → 56 = +12 %.
    q.contracts[0].first_amendment_value = None;
    q.contracts[0].value = Some(money("56", "EUR"));
    let flag = one(&q, &rules, rule);
    assert_eq!(flag.figure("increase %"), Some("12"));
    assert_eq!(
        flag.figures[0].source,
        "contracts[id=c1].value.amount (release r1)"
    );
    // An initial value of zero cannot be raised by a percentage.
    q.contracts[0].first_release_value = Some((money("0", "EUR"), "r1".into()));
    none(&q, &rules, rule);
}

#[test]
fn payments_above_the_contract_value() {
    let mut rules = RedFlagRules::default();
    let rule = RedFlagRule::PaymentsExceedContract;
    let mut p = process("open", "goods");
    p.contracts = vec![contract("c1", None, Some(money("1000", "EUR")))];
    none(&p, &rules, rule);
    // OCDS 600 + ledger 400 = 1,000: exactly the value.
    p.contracts[0].payments = vec![
        payment(Some("c1"), "600", "EUR", false),
        payment(Some("c1"), "400", "EUR", true),
    ];
    none(&p, &rules, rule);
    // One more cent on the ledger: 1,000.01 > 1,000.
    p.contracts[0]
        .payments
        .push(payment(Some("c1"), "0.01", "EUR", true));
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.subject, FlagSubject::Contract("c1".into()));
    assert_eq!(flag.figure("paid"), Some("1000.01"));
    assert_eq!(flag.figure("OCDS transactions"), Some("600 (1)"));
    assert_eq!(
        flag.figure("ledger payments without an OCDS counterpart"),
        Some("400.01 (2)")
    );
    // With a 5 % tolerance, up to 1,050 is accepted; 1,050.01 is not.
    rules.payments_tolerance_percent = d("5");
    none(&p, &rules, rule);
    p.contracts[0]
        .payments
        .push(payment(Some("c1"), "50", "EUR", false));
    one(&p, &rules, rule);
    // Payments in another currency are not added to a EUR contract.
    rules.payments_tolerance_percent = d("0");
    p.contracts[0].payments = vec![
        payment(Some("c1"), "900", "EUR", false),
        payment(Some("c1"), "500", "GBP", false),
    ];
    none(&p, &rules, rule);
}

#[test]
fn ledger_payments_of_a_process_with_several_contracts_are_compared_with_all_of_them() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::PaymentsExceedContract;
    // Contracts of 500 and 300 (800 in all); 500 and 100 paid under them, 250 more on the
    // ledger naming the process: 850 > 800, though neither contract alone is over.
    let mut p = process("open", "goods");
    p.contracts = vec![
        contract("c1", None, Some(money("500", "EUR"))),
        contract("c2", None, Some(money("300", "EUR"))),
    ];
    p.contracts[0].payments = vec![payment(Some("c1"), "500", "EUR", false)];
    p.contracts[1].payments = vec![payment(Some("c2"), "100", "EUR", false)];
    p.process_payments = vec![payment(None, "250", "EUR", true)];
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.subject, FlagSubject::Process);
    assert_eq!(flag.figure("contracts' value"), Some("800 EUR"));
    assert_eq!(flag.figure("paid"), Some("850"));
    // 200 on the ledger instead: 800, exactly the contracts' value.
    p.process_payments = vec![payment(None, "200", "EUR", true)];
    none(&p, &rules, rule);
}

#[test]
fn winning_bid_within_one_percent_of_the_estimate() {
    let rules = RedFlagRules::default();
    let rule = RedFlagRule::WinningBidCloseToEstimate;
    let mut p = process("open", "works");
    p.tender_value = Some(money("100000", "EUR"));
    // 99,000 is exactly 1 % under: not "less than 1 %".
    p.awards = vec![award("a1", Some(money("99000", "EUR")))];
    none(&p, &rules, rule);
    // 99,500: |99,500 − 100,000| / 100,000 = 0.5 %.
    p.awards = vec![award("a1", Some(money("99500", "EUR")))];
    let flag = one(&p, &rules, rule);
    assert_eq!(flag.figure("difference %"), Some("0.5"));
    assert_eq!(flag.figure("estimate"), Some("100000 EUR"));
    assert_eq!(flag.figure("awarded"), Some("99500 EUR"));
    // Above the estimate counts too: 100,900 is 0.9 % over. Exactly the estimate: 0 %.
    p.awards = vec![award("a1", Some(money("100900", "EUR")))];
    one(&p, &rules, rule);
    p.awards = vec![award("a1", Some(money("100000", "EUR")))];
    assert_eq!(one(&p, &rules, rule).figure("difference %"), Some("0"));
    // Two lots summing to 99,600 (0.4 %); a cancelled award is left out of the sum.
    p.awards = vec![
        award("a1", Some(money("60000", "EUR"))),
        award("a2", Some(money("39600", "EUR"))),
        award("a3", Some(money("50000", "EUR"))),
    ];
    p.awards[2].status = Some("unsuccessful".into());
    assert_eq!(one(&p, &rules, rule).figure("difference %"), Some("0.4"));
    // Another currency, or a direct award: no flag.
    p.awards = vec![award("a1", Some(money("100000", "GBP")))];
    none(&p, &rules, rule);
    p.awards = vec![award("a1", Some(money("100000", "EUR")))];
    p.method = Some("direct".into());
    none(&p, &rules, rule);
}

#[test]
fn a_tender_period_of_a_single_second_is_shown_as_zero_days() {
    let rules = RedFlagRules::default();
    let mut p = process("open", "goods");
    let start = at("2026-03-01T00:00:00Z");
    p.tender_period_start = Some(start);
    p.tender_period_end = Some(start + Duration::seconds(1));
    let flag = one(&p, &rules, RedFlagRule::ShortTenderPeriod);
    assert_eq!(flag.figure("days"), Some("0"));
}
