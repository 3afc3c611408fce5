//! Repeated non-competitive awards and split purchases over hand-built award records.

use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::*;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{text}T00:00:00Z"))
        .unwrap()
        .with_timezone(&Utc)
}

fn record(
    ocid: &str,
    date: &str,
    value: Option<(&str, &str)>,
    method: Option<&str>,
) -> AwardRecord {
    AwardRecord {
        ocid: ocid.to_owned(),
        award_id: format!("{ocid}-a"),
        buyer_id: 1,
        supplier_id: 7,
        supplier: "Supplier Ltd".into(),
        date: at(date),
        value: value.map(|(a, c)| Money::new(BigDecimal::from_str(a).unwrap(), Some(c.to_owned()))),
        method: method.map(str::to_owned),
        category: Some("goods".into()),
    }
}

fn direct(ocid: &str, date: &str) -> AwardRecord {
    record(ocid, date, None, Some("direct"))
}

fn ocids(group: &AwardGroup) -> Vec<&str> {
    group.awards.iter().map(|a| a.ocid.as_str()).collect()
}

#[test]
fn no_awards_no_groups() {
    let rules = RedFlagRules::default();
    assert!(repeated_non_competitive_awards(&[], &rules).is_empty());
    assert!(split_purchases(&[], &rules).is_empty());
}

#[test]
fn three_direct_awards_within_a_year_repeat() {
    let rules = RedFlagRules::default();
    // 1 Jan → 31 Dec 2026 is 364 days: three awards in one window of 365.
    let records = vec![
        direct("p1", "2026-01-01"),
        direct("p2", "2026-06-01"),
        direct("p3", "2026-12-31"),
    ];
    let groups = repeated_non_competitive_awards(&records, &rules);
    assert_eq!(groups.len(), 1);
    assert_eq!(ocids(&groups[0]), ["p1", "p2", "p3"]);
    let flag = groups[0].flag_for("p2").unwrap();
    assert_eq!(flag.rule, RedFlagRule::RepeatedNonCompetitiveAwards);
    assert_eq!(flag.subject, FlagSubject::Award("p2-a".into()));
    assert_eq!(flag.figure("awards"), Some("3"));
    assert_eq!(flag.figure("supplier"), Some("Supplier Ltd"));
    assert!(groups[0].flag_for("p9").is_none());
    // Two are not "repeated" under the default minimum of three.
    assert!(repeated_non_competitive_awards(&records[..2], &rules).is_empty());
}

#[test]
fn the_window_includes_its_last_day() {
    let rules = RedFlagRules::default();
    // 1 Jan 2025 → 1 Jan 2026 is exactly 365 days: inside the window.
    let mut records = vec![
        direct("p1", "2025-01-01"),
        direct("p2", "2025-07-01"),
        direct("p3", "2026-01-01"),
    ];
    assert_eq!(repeated_non_competitive_awards(&records, &rules).len(), 1);
    // 2 Jan 2026 is 366 days after the first: no window holds three.
    records[2] = direct("p3", "2026-01-02");
    assert!(repeated_non_competitive_awards(&records, &rules).is_empty());
}

#[test]
fn only_non_competitive_awards_of_the_same_buyer_and_supplier_repeat() {
    let rules = RedFlagRules::default();
    let mut records = vec![
        direct("p1", "2026-01-01"),
        direct("p2", "2026-02-01"),
        record("p3", "2026-03-01", None, Some("open")),
    ];
    assert!(repeated_non_competitive_awards(&records, &rules).is_empty());
    records[2] = record("p3", "2026-03-01", None, Some("limited"));
    assert_eq!(repeated_non_competitive_awards(&records, &rules).len(), 1);
    records[2].supplier_id = 8;
    assert!(repeated_non_competitive_awards(&records, &rules).is_empty());
    records[2].supplier_id = 7;
    records[2].buyer_id = 2;
    assert!(repeated_non_competitive_awards(&records, &rules).is_empty());
}

#[test]
fn overlapping_windows_merge_into_one_group() {
    let rules = RedFlagRules::default();
    // Days 0, 100, 200, 500, 550 from 1 Jan 2026. Window from day 0 holds 0, 100, 200 (500 is
    // past 365): three. From day 100: 100, 200 (500 − 100 = 400 > 365): two. From day 200: 200,
    // 500, 550 (350 ≤ 365): three. The qualifying windows [0–200] and [200–550] share day 200:
    // one group of five.
    let records = vec![
        direct("d0", "2026-01-01"),
        direct("d100", "2026-04-11"),
        direct("d200", "2026-07-20"),
        direct("d500", "2027-05-16"),
        direct("d550", "2027-07-05"),
    ];
    let groups = repeated_non_competitive_awards(&records, &rules);
    assert_eq!(groups.len(), 1);
    assert_eq!(ocids(&groups[0]), ["d0", "d100", "d200", "d500", "d550"]);
}

#[test]
fn two_awards_within_thirty_days_adding_up_to_the_threshold_are_split() {
    let rules = RedFlagRules::default();
    // 120,000 + 101,000 = 221,000 EUR: each under the goods threshold of 221,000, together at
    // it; 1 March → 31 March is 30 days.
    let records = vec![
        record("p1", "2026-03-01", Some(("120000", "EUR")), Some("direct")),
        record("p2", "2026-03-31", Some(("101000", "EUR")), None),
    ];
    let groups = split_purchases(&records, &rules);
    assert_eq!(groups.len(), 1);
    let flag = groups[0].flag_for("p1").unwrap();
    assert_eq!(flag.rule, RedFlagRule::SplitPurchases);
    assert_eq!(flag.figure("total"), Some("221000 EUR"));
    assert_eq!(flag.figure("threshold"), Some("221000"));
    assert_eq!(flag.figure("awards"), Some("2"));

    // One cent less in all: 220,999.99 < 221,000.
    let mut under = records.clone();
    under[1] = record("p2", "2026-03-31", Some(("100999.99", "EUR")), None);
    assert!(split_purchases(&under, &rules).is_empty());
    // 31 days apart: not in one window.
    let mut apart = records.clone();
    apart[1] = record("p2", "2026-04-01", Some(("101000", "EUR")), None);
    assert!(split_purchases(&apart, &rules).is_empty());
    // Open procedures were competed: they are not split purchases.
    let mut open = records.clone();
    open[0].method = Some("open".into());
    assert!(split_purchases(&open, &rules).is_empty());
}

#[test]
fn an_award_at_the_threshold_is_not_part_of_a_split() {
    let rules = RedFlagRules::default();
    // 221,000 is not below the threshold; 10 alone is no split.
    let records = vec![
        record("p1", "2026-03-01", Some(("221000", "EUR")), Some("direct")),
        record("p2", "2026-03-02", Some(("10", "EUR")), Some("direct")),
    ];
    assert!(split_purchases(&records, &rules).is_empty());
}

#[test]
fn splits_are_judged_per_category_and_currency() {
    let rules = RedFlagRules::default();
    let works = |ocid: &str, date: &str, amount: &str| {
        let mut r = record(ocid, date, Some((amount, "EUR")), Some("direct"));
        r.category = Some("works".into());
        r
    };
    // Works: 3,000,000 + 2,600,000 = 5,600,000 ≥ 5,538,000.
    let records = vec![
        works("w1", "2026-05-01", "3000000"),
        works("w2", "2026-05-10", "2600000"),
    ];
    let groups = split_purchases(&records, &rules);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].threshold, Some(BigDecimal::from(5_538_000)));
    // Goods 120,000 and works 150,000 are not one purchase: no split under either threshold.
    let mixed = vec![
        record("g1", "2026-05-01", Some(("120000", "EUR")), Some("direct")),
        works("w1", "2026-05-02", "150000"),
    ];
    assert!(split_purchases(&mixed, &rules).is_empty());
    // No threshold in GBP.
    let gbp = vec![
        record("g1", "2026-05-01", Some(("200000", "GBP")), Some("direct")),
        record("g2", "2026-05-02", Some(("200000", "GBP")), Some("direct")),
    ];
    assert!(split_purchases(&gbp, &rules).is_empty());
}

#[test]
fn a_group_with_two_awards_of_one_process_flags_the_process() {
    let rules = RedFlagRules::default();
    let mut second = direct("p1", "2026-01-02");
    second.award_id = "p1-b".into();
    let records = vec![
        direct("p1", "2026-01-01"),
        second,
        direct("p2", "2026-01-03"),
    ];
    let groups = repeated_non_competitive_awards(&records, &rules);
    assert_eq!(
        groups[0].flag_for("p1").unwrap().subject,
        FlagSubject::Process
    );
    assert_eq!(
        groups[0].flag_for("p2").unwrap().subject,
        FlagSubject::Award("p2-a".into())
    );
}
