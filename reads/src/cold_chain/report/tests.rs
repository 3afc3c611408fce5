//! The report of one series, with values worked out by hand in the comments.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::cold_chain::{ColdChainLimits, ColdChainSettings, Direction, Reading, Verdict};

fn dec(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

/// 2026-04-12 at `hh:mm` or `hh:mm:ss`, UTC.
fn at(time: &str) -> DateTime<Utc> {
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_owned()
    };
    DateTime::parse_from_rfc3339(&format!("2026-04-12T{time}Z"))
        .unwrap()
        .with_timezone(&Utc)
}

/// Readings from (time, temperature) pairs, on lines 2, 3, … of batch 1.
fn series(points: &[(&str, &str)]) -> Vec<Reading> {
    points
        .iter()
        .enumerate()
        .map(|(i, (time, temperature))| Reading {
            batch_id: 1,
            line: i as i32 + 2,
            recorded_at: at(time),
            temperature_c: dec(temperature),
        })
        .collect()
}

fn row(line: i32) -> ReadingRef {
    ReadingRef { batch_id: 1, line }
}

/// A 2–8 °C range with the given budgets (minutes) and no logging interval.
fn two_to_eight(total: Option<i32>, single: Option<i32>) -> ColdChainLimits {
    ColdChainLimits {
        min_temp_c: Some(dec("2")),
        max_temp_c: Some(dec("8")),
        max_excursion_minutes: total,
        max_single_excursion_minutes: single,
        logging_interval_minutes: None,
    }
}

fn assess(points: &[(&str, &str)], limits: &ColdChainLimits) -> ColdChainReport {
    assess_series(&series(points), limits, &ColdChainSettings::default())
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

#[test]
fn no_readings_is_no_data_and_not_compliant() {
    let report = assess(&[], &two_to_eight(Some(60), Some(30)));
    assert_eq!(report.verdict, Verdict::NoData);
    assert!(!report.verdict.is_acceptable());
    assert_eq!(report.reading_count, 0);
    assert_eq!(report.summary, None);
    assert!(report.excursions.is_empty() && report.gaps.is_empty());
    assert_eq!(report.time_out_of_range, TimeDelta::zero());
}

#[test]
fn a_single_reading_in_range_is_compliant_and_is_every_statistic() {
    let report = assess(&[("07:00", "5.25")], &two_to_eight(Some(60), Some(30)));
    assert_eq!(report.verdict, Verdict::Compliant);
    assert_eq!(report.reading_count, 1);
    let summary = report.summary.unwrap();
    assert_eq!(
        (summary.first_reading, summary.last_reading),
        (at("07:00"), at("07:00"))
    );
    assert_eq!(summary.min_temp_c, dec("5.25"));
    assert_eq!(summary.max_temp_c, dec("5.25"));
    assert_eq!(summary.mean_temp_c, dec("5.25"));
    // One temperature: T_K = 10000 / −ln(exp(−10000/T)) = T.
    assert_eq!(summary.mean_kinetic_temp_c, Some(dec("5.25")));
}

#[test]
fn a_single_reading_out_of_range_is_an_open_excursion_of_zero_minutes() {
    let points = [("07:00", "9.5")];
    let report = assess(&points, &two_to_eight(Some(60), Some(30)));
    assert_eq!(
        report.excursions,
        vec![Excursion {
            direction: Direction::Above,
            start: at("07:00"),
            end: at("07:00"),
            duration: TimeDelta::zero(),
            peak_temp_c: dec("9.5"),
            peak_at: at("07:00"),
            reading_count: 1,
            first_reading: row(2),
            end_reading: row(2),
            open_at_end: true,
        }]
    );
    // 0 minutes out of range, within a 60/30 budget…
    assert_eq!(report.verdict, Verdict::WithinBudget);
    // …but a product with a range and no budget allows no excursion at all.
    let report = assess(&points, &two_to_eight(None, None));
    assert_eq!(report.verdict, Verdict::Breach);
    assert_eq!(report.breach_reasons, vec![BreachReason::NoBudget]);
}

#[test]
fn readings_exactly_on_the_limits_are_in_range() {
    let report = assess(
        &[("07:00", "2.00"), ("07:05", "8.00"), ("07:10", "2")],
        &two_to_eight(None, None),
    );
    assert_eq!(report.verdict, Verdict::Compliant);
    assert!(report.excursions.is_empty());
    // One hundredth above the maximum is out.
    let report = assess(
        &[("07:00", "8.01"), ("07:05", "8")],
        &two_to_eight(Some(5), None),
    );
    assert_eq!(report.excursions.len(), 1);
    assert_eq!(report.time_out_of_range, minutes(5));
    // 5 minutes out with a 5-minute budget: on the budget is within it.
    assert_eq!(report.verdict, Verdict::WithinBudget);
}

#[test]
fn an_excursion_lasts_from_its_first_reading_out_to_the_first_reading_back() {
    let report = assess(
        &[
            ("07:00", "5.0"),  // line 2
            ("07:05", "8.5"),  // 3: above from here
            ("07:10", "9.25"), // 4: peak
            ("07:15", "7.0"),  // 5: back: 07:05 → 07:15 = 10 min
            ("07:20", "1.5"),  // 6: below from here, peak
            ("07:25", "1.75"), // 7
            ("07:30", "3.0"),  // 8: back: 07:20 → 07:30 = 10 min
        ],
        &two_to_eight(Some(60), Some(30)),
    );
    let found: Vec<_> = report
        .excursions
        .iter()
        .map(|e| {
            (
                e.direction,
                e.start,
                e.end,
                e.duration,
                e.peak_temp_c.clone(),
                e.peak_at,
                e.reading_count,
                e.first_reading.line,
                e.end_reading.line,
                e.open_at_end,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                Direction::Above,
                at("07:05"),
                at("07:15"),
                minutes(10),
                dec("9.25"),
                at("07:10"),
                2,
                3,
                5,
                false
            ),
            (
                Direction::Below,
                at("07:20"),
                at("07:30"),
                minutes(10),
                dec("1.5"),
                at("07:20"),
                2,
                6,
                8,
                false
            ),
        ]
    );
    // 10 + 10 = 20 minutes out; the longest 10: within 60 in all and 30 each.
    assert_eq!(report.time_out_of_range, minutes(20));
    assert_eq!(report.longest_excursion, minutes(10));
    assert_eq!(report.verdict, Verdict::WithinBudget);
    assert!(report.breach_reasons.is_empty());
    let summary = report.summary.unwrap();
    assert_eq!(
        (summary.min_temp_c, summary.max_temp_c),
        (dec("1.5"), dec("9.25"))
    );
    // (5 + 8.5 + 9.25 + 7 + 1.5 + 1.75 + 3) / 7 = 36 / 7 = 5.142857… → 5.14
    assert_eq!(summary.mean_temp_c, dec("5.14"));
}

#[test]
fn a_jump_from_above_to_below_ends_one_excursion_and_starts_another() {
    let report = assess(
        &[("07:00", "9"), ("07:05", "1"), ("07:10", "5")],
        &two_to_eight(Some(60), Some(30)),
    );
    let found: Vec<_> = report
        .excursions
        .iter()
        .map(|e| (e.direction, e.start, e.end, e.duration))
        .collect();
    assert_eq!(
        found,
        vec![
            (Direction::Above, at("07:00"), at("07:05"), minutes(5)),
            (Direction::Below, at("07:05"), at("07:10"), minutes(5)),
        ]
    );
    assert_eq!(report.time_out_of_range, minutes(10));
}

/// Two excursions above 8 °C: 07:05 → 07:15 (10 min) and 07:20 → 07:35 (15 min).
const TEN_THEN_FIFTEEN: [(&str, &str); 5] = [
    ("07:00", "5"),
    ("07:05", "9"),
    ("07:15", "5"),
    ("07:20", "9"),
    ("07:35", "5"),
];

#[test]
fn a_breach_by_cumulative_time_with_every_excursion_within_the_single_budget() {
    // 10 + 15 = 25 minutes out > 20 allowed; the longest, 15, is on the single budget of 15.
    let report = assess(&TEN_THEN_FIFTEEN, &two_to_eight(Some(20), Some(15)));
    assert_eq!(report.time_out_of_range, minutes(25));
    assert_eq!(report.longest_excursion, minutes(15));
    assert_eq!(report.verdict, Verdict::Breach);
    assert_eq!(
        report.breach_reasons,
        vec![BreachReason::CumulativeOverBudget]
    );
    // 25 minutes allowed: exactly on the budget is within it.
    let report = assess(&TEN_THEN_FIFTEEN, &two_to_eight(Some(25), Some(15)));
    assert_eq!(report.verdict, Verdict::WithinBudget);
}

#[test]
fn a_breach_by_one_excursion_with_the_total_within_budget() {
    // The 15-minute excursion is longer than 14 allowed; 25 minutes in all is within 60.
    let report = assess(&TEN_THEN_FIFTEEN, &two_to_eight(Some(60), Some(14)));
    assert_eq!(report.verdict, Verdict::Breach);
    assert_eq!(report.breach_reasons, vec![BreachReason::SingleOverBudget]);
    // Both budgets exceeded: 25 > 24 and 15 > 14.
    let report = assess(&TEN_THEN_FIFTEEN, &two_to_eight(Some(24), Some(14)));
    assert_eq!(
        report.breach_reasons,
        vec![
            BreachReason::CumulativeOverBudget,
            BreachReason::SingleOverBudget
        ]
    );
    // Only a single budget given: the total is not limited (25 minutes, single 15 ≤ 15).
    let report = assess(&TEN_THEN_FIFTEEN, &two_to_eight(None, Some(15)));
    assert_eq!(report.verdict, Verdict::WithinBudget);
    // Only a total given: 25 ≤ 25, whatever the longest.
    let report = assess(&TEN_THEN_FIFTEEN, &two_to_eight(Some(25), None));
    assert_eq!(report.verdict, Verdict::WithinBudget);
}

#[test]
fn gaps_are_flagged_and_count_as_excursion_only_after_a_reading_out_of_range() {
    // Every 5 minutes expected; × 1.5 = 7 min 30 s allowed between readings.
    let limits = ColdChainLimits {
        logging_interval_minutes: Some(5),
        ..two_to_eight(Some(60), Some(30))
    };
    let report = assess(
        &[
            ("07:00", "5.0"),    // 2
            ("07:05", "5.0"),    // 3
            ("07:12:30", "5.0"), // 4: 7 min 30 s later, on the limit: no gap
            ("07:30", "5.0"),    // 5: 17 min 30 s later: a gap, in range
            ("07:35", "9.0"),    // 6: out
            ("08:05", "5.0"),    // 7: 30 min later: a gap inside the excursion
            ("08:10", "5.0"),    // 8
        ],
        &limits,
    );
    assert_eq!(report.expected_interval, Some(minutes(5)));
    assert_eq!(
        report.gaps,
        vec![
            LoggingGap {
                from: at("07:12:30"),
                from_reading: row(4),
                to: at("07:30"),
                to_reading: row(5),
                length: TimeDelta::seconds(17 * 60 + 30),
                counted_as_excursion: false,
            },
            LoggingGap {
                from: at("07:35"),
                from_reading: row(6),
                to: at("08:05"),
                to_reading: row(7),
                length: minutes(30),
                counted_as_excursion: true,
            },
        ]
    );
    // The gap after the 9 °C reading is the excursion: 07:35 → 08:05 = 30 minutes, exactly the
    // single budget, so within it — but 17 min 30 s + 30 min went unlogged: unverifiable.
    assert_eq!(report.time_out_of_range, minutes(30));
    assert_eq!(report.unlogged, TimeDelta::seconds(47 * 60 + 30));
    assert_eq!(report.verdict, Verdict::Unverifiable);
}

#[test]
fn the_settings_give_the_interval_of_products_without_one_and_the_tolerance() {
    let points = [("07:00", "5"), ("07:10", "5"), ("07:20:01", "5")];
    // No interval anywhere: gaps are not checked.
    let report = assess(&points, &two_to_eight(None, None));
    assert_eq!((report.expected_interval, report.gaps.len()), (None, 0));
    // A default of 10 minutes with no tolerance: 10 min is on it, 10 min 1 s is a gap.
    let settings = ColdChainSettings {
        default_logging_interval_minutes: Some(10),
        gap_tolerance_factor: 1.0,
        ..ColdChainSettings::default()
    };
    let report = assess_series(&series(&points), &two_to_eight(None, None), &settings);
    let gaps: Vec<_> = report.gaps.iter().map(|g| (g.from, g.length)).collect();
    assert_eq!(gaps, vec![(at("07:10"), TimeDelta::seconds(601))]);
    // The product's own interval wins over the default: 20 × 1.0, no gap.
    let limits = ColdChainLimits {
        logging_interval_minutes: Some(20),
        ..two_to_eight(None, None)
    };
    let report = assess_series(&series(&points), &limits, &settings);
    assert_eq!(
        (report.expected_interval, report.gaps.len()),
        (Some(minutes(20)), 0)
    );
}

#[test]
fn a_product_without_a_range_gets_statistics_and_no_verdict() {
    let report = assess(
        &[("07:00", "50"), ("07:05", "-50")],
        &ColdChainLimits::default(),
    );
    assert_eq!(report.verdict, Verdict::NoRange);
    assert!(report.excursions.is_empty() && report.breach_reasons.is_empty());
    let summary = report.summary.unwrap();
    // (50 − 50) / 2 = 0
    assert_eq!(summary.mean_temp_c, dec("0"));
    assert_eq!(
        (summary.min_temp_c, summary.max_temp_c),
        (dec("-50"), dec("50"))
    );
}

#[test]
fn an_open_ended_range_judges_one_side_only() {
    // Frozen food: at most −18 °C, no minimum.
    let limits = ColdChainLimits {
        max_temp_c: Some(dec("-18")),
        max_excursion_minutes: Some(10),
        ..ColdChainLimits::default()
    };
    let report = assess(
        &[
            ("07:00", "-25"),
            ("07:05", "-17.5"),
            ("07:15", "-18"),
            ("07:20", "-60"),
        ],
        &limits,
    );
    let found: Vec<_> = report
        .excursions
        .iter()
        .map(|e| (e.direction, e.start, e.duration))
        .collect();
    // −17.5 is above −18 from 07:05 to 07:15 (−18 is on the limit): 10 minutes; −60 is fine.
    assert_eq!(found, vec![(Direction::Above, at("07:05"), minutes(10))]);
    assert_eq!(report.verdict, Verdict::WithinBudget);
}

#[test]
fn readings_in_any_order_are_assessed_in_time_order() {
    let report = assess(
        &[
            ("07:15", "5"),
            ("07:05", "9"),
            ("07:00", "5"),
            ("07:10", "9.5"),
        ],
        &two_to_eight(Some(60), Some(30)),
    );
    // In time order: 5, 9, 9.5, 5 → above from 07:05 to 07:15, peak 9.5 (line 5).
    let e = &report.excursions[0];
    assert_eq!(
        (e.start, e.end, e.duration),
        (at("07:05"), at("07:15"), minutes(10))
    );
    assert_eq!(
        (e.peak_temp_c.clone(), e.peak_at),
        (dec("9.5"), at("07:10"))
    );
    assert_eq!((e.first_reading, e.end_reading), (row(3), row(2)));
    let summary = report.summary.unwrap();
    assert_eq!(
        (summary.first_reading, summary.last_reading),
        (at("07:00"), at("07:15"))
    );
}

#[test]
fn means_are_rounded_to_the_hundredth_halves_away_from_zero() {
    // (4.25 + 4.5 + 8.75) / 3 = 17.5 / 3 = 5.8333… → 5.83
    let report = assess(
        &[("07:00", "4.25"), ("07:05", "4.5"), ("07:10", "8.75")],
        &ColdChainLimits::default(),
    );
    assert_eq!(report.summary.unwrap().mean_temp_c, dec("5.83"));
    // (−0.01 − 0.02) / 2 = −0.015 → −0.02
    let report = assess(
        &[("07:00", "-0.01"), ("07:05", "-0.02")],
        &ColdChainLimits::default(),
    );
    assert_eq!(report.summary.unwrap().mean_temp_c, dec("-0.02"));
}

#[test]
fn the_mean_kinetic_temperature_follows_the_configured_constant() {
    let points = [("07:00", "20"), ("07:05", "30")];
    // Worked in mkt.rs: 26.26 °C with ΔH/R = 10,000 K, 25.61 °C with 5,000 K.
    let report = assess(&points, &ColdChainLimits::default());
    assert_eq!(
        report.summary.unwrap().mean_kinetic_temp_c,
        Some(dec("26.26"))
    );
    let settings = ColdChainSettings {
        delta_h_over_r_kelvin: 5_000.0,
        ..ColdChainSettings::default()
    };
    let report = assess_series(&series(&points), &ColdChainLimits::default(), &settings);
    assert_eq!(
        report.summary.unwrap().mean_kinetic_temp_c,
        Some(dec("25.61"))
    );
}

#[test]
fn the_worst_verdict_wins_and_none_is_no_data() {
    use Verdict::*;
    assert_eq!(Verdict::worst([Compliant, Breach, WithinBudget]), Breach);
    assert_eq!(Verdict::worst([Compliant, WithinBudget]), WithinBudget);
    // A product without a range does not hide another product's verdict.
    assert_eq!(Verdict::worst([NoRange, Compliant]), Compliant);
    assert_eq!(Verdict::worst([]), NoData);
    assert!(Compliant.is_acceptable() && WithinBudget.is_acceptable());
    assert!(!Breach.is_acceptable() && !NoRange.is_acceptable() && !NoData.is_acceptable());
}

#[test]
fn settings_deserialize_with_defaults_for_missing_keys() {
    let settings: ColdChainSettings =
        serde_json::from_str(r#"{"gap_tolerance_factor": 2.0}"#).unwrap();
    assert_eq!(
        settings,
        ColdChainSettings {
            gap_tolerance_factor: 2.0,
            ..ColdChainSettings::default()
        }
    );
    assert_eq!(ColdChainSettings::default().delta_h_over_r_kelvin, 10_000.0);
}

mod unverifiable;
