//! Red flags computed from OCDS releases imported through the real importer and CityTreasury
//! payments as the indexer stores them.

use citytrace_reads::spending::{
    list_flagged_processes, process_red_flags, FlagSubject, ProcessFlagQuery, RedFlagRule,
    RedFlagRules,
};
use serde_json::{json, Value};

use super::fixture::{award, eur, release, supplier, City, ENV, WORKS};

const S1: (&str, &str) = ("S1", "Alpha Supplies");
const S2: (&str, &str) = ("S2", "Bravo Construction");
const S3: (&str, &str) = ("S3", "Charlie Equipment");
const S4: (&str, &str) = ("S4", "Delta Services");
const S5: (&str, &str) = ("S5", "Echo Office");

fn ocid(n: u32) -> String {
    format!("ocds-ctspnd-{n:04}")
}

fn tender(method: &str, category: &str, extra: Value) -> Value {
    let mut t = json!({"id": "t", "status": "complete", "procurementMethod": method, "mainProcurementCategory": category});
    if let (Value::Object(t), Value::Object(extra)) = (&mut t, extra) {
        t.extend(extra);
    }
    t
}

/// A direct award of goods by `buyer` to `s` (one release).
fn direct_goods(n: u32, buyer: (&str, &str), s: (&str, &str), date: &str, amount: &str) -> Value {
    release(
        &ocid(n),
        &format!("p{n}-r1"),
        date,
        "award",
        buyer,
        json!({
            "tender": tender("direct", "goods", json!({})),
            "parties": [supplier(s)],
            "awards": [award("a1", date, amount, s)],
        }),
    )
}

/// The test city's procurement (see each process's comment for the flags it must raise).
fn city_releases() -> Vec<Value> {
    vec![
        // P1, open goods: one tenderer (single bid); tender period 1 → 11 February = 10 days
        // < 15 (short); awarded 99,500 against an estimate of 100,000: |−500| / 100,000 =
        // 0.5 % < 1 % (close to the estimate).
        release(
            &ocid(1),
            "p1-r1",
            "2026-02-01T00:00:00Z",
            "tender",
            WORKS,
            json!({
                "tender": tender("open", "goods", json!({
                    "value": eur("100000"),
                    "tenderPeriod": {"startDate": "2026-02-01T00:00:00Z", "endDate": "2026-02-11T00:00:00Z"},
                    "numberOfTenderers": 1,
                })),
            }),
        ),
        release(
            &ocid(1),
            "p1-r2",
            "2026-03-01T00:00:00Z",
            "award",
            WORKS,
            json!({
                "parties": [supplier(S1)],
                "awards": [award("a1", "2026-03-01T00:00:00Z", "99500", S1)],
            }),
        ),
        // P2, works awarded directly for 6,000,000 ≥ 5,538,000 (direct award above the
        // threshold). The contract is raised to 6,900,000 in a later release: +15 % exactly,
        // allowed for works.
        release(
            &ocid(2),
            "p2-r1",
            "2026-04-01T00:00:00Z",
            "award",
            WORKS,
            json!({
                "tender": tender("direct", "works", json!({})),
                "parties": [supplier(S2)],
                "awards": [award("a1", "2026-04-01T00:00:00Z", "6000000", S2)],
                "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "value": eur("6000000"), "dateSigned": "2026-04-05T00:00:00Z"}],
            }),
        ),
        release(
            &ocid(2),
            "p2-r2",
            "2026-09-01T00:00:00Z",
            "contractAmendment",
            WORKS,
            json!({
                "contracts": [{"id": "c1", "value": eur("6900000")}],
            }),
        ),
        // P3, open goods with three tenderers over 20 days, awarded 100,000 against 120,000
        // (16.7 % under): no flag. Its contract is amended from 100,000 (the amendment's former
        // value) to 110,000: +10 % exactly, allowed. Paid: OCDS 60,000 + ledger 50,000 =
        // 110,000, exactly the value (the ledger copy of the OCDS transaction is not counted
        // twice).
        release(
            &ocid(3),
            "p3-r1",
            "2026-02-15T00:00:00Z",
            "tender",
            WORKS,
            json!({
                "tender": tender("open", "goods", json!({
                    "value": eur("120000"),
                    "tenderPeriod": {"startDate": "2026-02-15T00:00:00Z", "endDate": "2026-03-07T00:00:00Z"},
                    "numberOfTenderers": 3,
                })),
            }),
        ),
        release(
            &ocid(3),
            "p3-r2",
            "2026-04-01T00:00:00Z",
            "award",
            WORKS,
            json!({
                "parties": [supplier(S3)],
                "awards": [award("a1", "2026-04-01T00:00:00Z", "100000", S3)],
                "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "value": eur("100000"), "dateSigned": "2026-04-02T00:00:00Z"}],
            }),
        ),
        release(
            &ocid(3),
            "p3-r3",
            "2026-06-01T00:00:00Z",
            "implementation",
            WORKS,
            json!({
                "contracts": [{
                    "id": "c1",
                    "value": eur("110000"),
                    "amendments": [{"id": "am1", "date": "2026-05-20T00:00:00Z", "rationale": "More units",
                                    "changes": [{"property": "value", "former_value": eur("100000")}]}],
                    "implementation": {"transactions": [{
                        "id": "ocds-ctspnd-0003-tx1", "date": "2026-06-01T00:00:00Z", "value": eur("60000"),
                        "payer": {"id": WORKS.0, "name": WORKS.1}, "payee": {"id": S3.0, "name": S3.1},
                    }]},
                }],
            }),
        ),
        // P4, P5, P6: goods awarded directly to S4 on 10 January, 10 May and 20 December 2026
        // (344 days from first to last ≤ 365): three non-competitive awards to one supplier
        // (repeated). 30,000 + 20,000 + 25,000 are months apart: no split.
        direct_goods(4, WORKS, S4, "2026-01-10T00:00:00Z", "30000"),
        direct_goods(5, WORKS, S4, "2026-05-10T00:00:00Z", "20000"),
        direct_goods(6, WORKS, S4, "2026-12-20T00:00:00Z", "25000"),
        // P7, P8: the Environment department buys goods from S5 directly on 1 and 20 March
        // (19 days): 150,000 + 80,000 = 230,000 ≥ 221,000, each under it (split purchase).
        direct_goods(7, ENV, S5, "2026-03-01T00:00:00Z", "150000"),
        direct_goods(8, ENV, S5, "2026-03-20T00:00:00Z", "80000"),
        // P9, open services without an award value: the contract is first published at
        // 200,000 and later at 223,000: +11.5 % > 10 % (amendments raise value).
        release(
            &ocid(9),
            "p9-r1",
            "2026-05-01T00:00:00Z",
            "contract",
            WORKS,
            json!({
                "tender": tender("open", "services", json!({})),
                "contracts": [{"id": "c1", "status": "active", "value": eur("200000"), "dateSigned": "2026-05-01T00:00:00Z"}],
            }),
        ),
        release(
            &ocid(9),
            "p9-r2",
            "2026-08-01T00:00:00Z",
            "contractUpdate",
            WORKS,
            json!({
                "contracts": [{"id": "c1", "value": eur("223000")}],
            }),
        ),
    ]
}

fn city() -> City {
    let city = City::new();
    city.ocds(city_releases());
    // 60,000.00 EUR: the OCDS transaction of P3 again (its id hashed), and 50,000.00 EUR more.
    city.ledger_payment(
        "ocds-ctspnd-0003-tx1",
        &ocid(3),
        "Public Works",
        6_000_000,
        "2026-06-01T10:00:00Z",
    );
    city.ledger_payment(
        "PAY-2026-0002",
        &ocid(3),
        "Public Works",
        5_000_000,
        "2026-07-01T10:00:00Z",
    );
    city
}

fn rules_of(city: &City, n: u32) -> Vec<RedFlagRule> {
    process_red_flags(&mut city.conn(), &ocid(n), &RedFlagRules::default())
        .unwrap()
        .unwrap()
        .rules()
}

#[test]
fn each_process_raises_the_flags_its_data_calls_for() {
    let city = city();
    use RedFlagRule::*;
    assert_eq!(
        rules_of(&city, 1),
        [SingleBid, ShortTenderPeriod, WinningBidCloseToEstimate]
    );
    assert_eq!(rules_of(&city, 2), [DirectAwardAboveThreshold]);
    assert_eq!(rules_of(&city, 3), []);
    for n in [4, 5, 6] {
        assert_eq!(
            rules_of(&city, n),
            [RepeatedNonCompetitiveAwards],
            "process {n}"
        );
    }
    for n in [7, 8] {
        assert_eq!(rules_of(&city, n), [SplitPurchases], "process {n}");
    }
    assert_eq!(rules_of(&city, 9), [AmendmentsRaiseValue]);
    assert!(process_red_flags(
        &mut city.conn(),
        "ocds-ctspnd-9999",
        &RedFlagRules::default()
    )
    .unwrap()
    .is_none());
}

#[test]
fn the_figures_name_their_values_and_fields() {
    let city = city();
    let c = &mut city.conn();
    let rules = RedFlagRules::default();
    let p1 = process_red_flags(c, &ocid(1), &rules).unwrap().unwrap();
    let short = &p1.flags[1];
    assert_eq!(short.rule, RedFlagRule::ShortTenderPeriod);
    assert_eq!(short.figure("days"), Some("10"));
    assert_eq!(short.figure("start"), Some("2026-02-01T00:00:00+00:00"));
    let close = &p1.flags[2];
    assert_eq!(close.figure("estimate"), Some("100000 EUR"));
    assert_eq!(close.figure("awarded"), Some("99500 EUR"));
    assert_eq!(close.figure("difference %"), Some("0.5"));

    let p2 = process_red_flags(c, &ocid(2), &rules).unwrap().unwrap();
    assert_eq!(p2.flags[0].figure("value"), Some("6000000 EUR"));
    assert_eq!(p2.flags[0].figure("threshold"), Some("5538000"));

    // P9's initial value comes from its first release (p9-r1): (223,000 − 200,000) / 200,000.
    let p9 = process_red_flags(c, &ocid(9), &rules).unwrap().unwrap();
    let raised = &p9.flags[0];
    assert_eq!(raised.subject, FlagSubject::Contract("c1".into()));
    assert_eq!(raised.figure("initial value"), Some("200000 EUR"));
    assert_eq!(
        raised.figures[0].source,
        "contracts[id=c1].value.amount (release p9-r1)"
    );
    assert_eq!(raised.figure("increase %"), Some("11.5"));

    // The repeated awards name the three awards, the split purchases their total.
    let p5 = process_red_flags(c, &ocid(5), &rules).unwrap().unwrap();
    assert_eq!(p5.flags[0].figure("awards"), Some("3"));
    assert_eq!(p5.flags[0].subject, FlagSubject::Award("a1".into()));
    assert_eq!(p5.flags[0].figure("supplier"), Some("Delta Services"));
    let p8 = process_red_flags(c, &ocid(8), &rules).unwrap().unwrap();
    assert_eq!(p8.flags[0].figure("total"), Some("230000 EUR"));
}

#[test]
fn later_releases_and_ledger_payments_change_the_flags() {
    let city = city();
    // P2's contract raised once more, to 6,900,000.01: (6,900,000.01 − 6,000,000) / 6,000,000
    // = 15.0000002 % > 15 %.
    city.ocds(vec![release(
        &ocid(2),
        "p2-r3",
        "2026-10-01T00:00:00Z",
        "contractAmendment",
        WORKS,
        json!({
            "contracts": [{"id": "c1", "value": eur("6900000.01")}],
        }),
    )]);
    let p2 = process_red_flags(&mut city.conn(), &ocid(2), &RedFlagRules::default())
        .unwrap()
        .unwrap();
    assert_eq!(
        p2.rules(),
        [
            RedFlagRule::DirectAwardAboveThreshold,
            RedFlagRule::AmendmentsRaiseValue
        ]
    );
    assert_eq!(p2.flags[1].figure("initial value"), Some("6000000 EUR"));
    assert_eq!(p2.flags[1].figure("limit %"), Some("15"));

    // One more cent paid on the ledger for P3: 110,000.01 > 110,000.
    city.ledger_payment(
        "PAY-2026-0003",
        &ocid(3),
        "Public Works",
        1,
        "2026-08-01T10:00:00Z",
    );
    let p3 = process_red_flags(&mut city.conn(), &ocid(3), &RedFlagRules::default())
        .unwrap()
        .unwrap();
    assert_eq!(p3.rules(), [RedFlagRule::PaymentsExceedContract]);
    let flag = &p3.flags[0];
    assert_eq!(flag.figure("paid"), Some("110000.01"));
    assert_eq!(flag.figure("OCDS transactions"), Some("60000 (1)"));
    // 50,000.00 + 0.01: the ledger copy of the OCDS transaction is left out.
    assert_eq!(
        flag.figure("ledger payments without an OCDS counterpart"),
        Some("50000.01 (2)")
    );
}

#[test]
fn the_listing_filters_by_flag_and_buyer_and_pages() {
    let city = city();
    let c = &mut city.conn();
    let rules = RedFlagRules::default();
    let listed = |c: &mut _, query: ProcessFlagQuery| {
        let page = list_flagged_processes(c, &rules, &query).unwrap();
        let ocids: Vec<String> = page.processes.iter().map(|p| p.ocid.clone()).collect();
        (page.total, ocids)
    };
    let by_flag = |c: &mut _, flag| {
        listed(
            c,
            ProcessFlagQuery {
                flag: Some(flag),
                ..Default::default()
            },
        )
        .1
    };
    assert_eq!(by_flag(c, RedFlagRule::SingleBid), [ocid(1)]);
    assert_eq!(
        by_flag(c, RedFlagRule::DirectAwardAboveThreshold),
        [ocid(2)]
    );
    assert_eq!(
        by_flag(c, RedFlagRule::PaymentsExceedContract),
        Vec::<String>::new()
    );
    // Latest release first: P6 (20 Dec), P5 (10 May), P4 (10 Jan).
    assert_eq!(
        by_flag(c, RedFlagRule::RepeatedNonCompetitiveAwards),
        [ocid(6), ocid(5), ocid(4)]
    );
    assert_eq!(by_flag(c, RedFlagRule::SplitPurchases), [ocid(8), ocid(7)]);

    // All nine, latest first: P6 12-20, P2 09-01, P9 08-01, P3 06-01, P5 05-10, P8 03-20,
    // P1 03-01 and P7 03-01 (same date: by ocid), P4 01-10.
    let (total, all) = listed(
        c,
        ProcessFlagQuery {
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(total, 9);
    assert_eq!(all, [6, 2, 9, 3, 5, 8, 1, 7, 4].map(ocid));
    // Flagged only (P3 is not), third to fifth.
    let (total, page) = listed(
        c,
        ProcessFlagQuery {
            flagged_only: true,
            offset: 2,
            limit: 3,
            ..Default::default()
        },
    );
    assert_eq!(total, 8);
    assert_eq!(page, [ocid(9), ocid(5), ocid(8)]);
    // One buyer: the Environment department bought P7 and P8 only.
    let env = city.party("XI-CT-ENV");
    let (total, page) = listed(
        c,
        ProcessFlagQuery {
            buyer_id: Some(env),
            ..Default::default()
        },
    );
    assert_eq!((total, page), (2, vec![ocid(8), ocid(7)]));
    let page = list_flagged_processes(c, &rules, &ProcessFlagQuery::default()).unwrap();
    let count = |rule| page.counts.iter().find(|(r, _)| *r == rule).unwrap().1;
    assert_eq!(count(RedFlagRule::RepeatedNonCompetitiveAwards), 3);
    assert_eq!(count(RedFlagRule::WinningBidCloseToEstimate), 1);
    assert_eq!(
        page.processes[0].flags,
        [RedFlagRule::RepeatedNonCompetitiveAwards]
    );
}

#[test]
fn thresholds_come_from_the_settings() {
    let city = city();
    let c = &mut city.conn();
    // A city whose competition threshold for goods is EUR 20,000: P4, P5, P6 (30,000, 20,000,
    // 25,000) are each at or above it, so each is a direct award above the threshold; and with
    // a 10-day minimum tender period P1's 10 days are enough.
    let rules: RedFlagRules = serde_json::from_value(json!({
        "competition_thresholds": {"goods": {"EUR": 20000}, "works": {"EUR": 5538000}},
        "tender_period": {"min_days": 10},
    }))
    .unwrap();
    for n in [4, 5, 6] {
        let flags = process_red_flags(c, &ocid(n), &rules).unwrap().unwrap();
        assert!(
            flags
                .rules()
                .contains(&RedFlagRule::DirectAwardAboveThreshold),
            "process {n}"
        );
    }
    let p1 = process_red_flags(c, &ocid(1), &rules).unwrap().unwrap();
    assert!(!p1.rules().contains(&RedFlagRule::ShortTenderPeriod));
    // P7 (150,000) is above the new goods threshold: no longer under it, no longer a split.
    let p7 = process_red_flags(c, &ocid(7), &rules).unwrap().unwrap();
    assert_eq!(p7.rules(), [RedFlagRule::DirectAwardAboveThreshold]);
}
