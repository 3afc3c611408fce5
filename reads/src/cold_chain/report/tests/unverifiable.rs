//! Gaps in the log make a series unverifiable for the minutes nobody recorded (issue 12), unless
//! the readings there are show a breach. Minutes worked out by hand in the comments.

use super::*;

/// 2–8 °C, 60 minutes out in all, 30 at once, a reading every 10 minutes: more than
/// 10 × 1.5 = 15 minutes between two readings is a gap.
fn vaccine() -> ColdChainLimits {
    ColdChainLimits {
        logging_interval_minutes: Some(10),
        ..two_to_eight(Some(60), Some(30))
    }
}

#[test]
fn a_fifty_minute_gap_makes_a_series_in_range_unverifiable_during_fifty_minutes() {
    // Every reading in range, but nothing from 07:20 to 08:10: 50 minutes > 15.
    let report = assess(
        &[
            ("07:00", "5"),
            ("07:10", "5"),
            ("07:20", "5"),
            ("08:10", "5"),
            ("08:20", "5"),
        ],
        &vaccine(),
    );
    assert!(report.excursions.is_empty());
    assert_eq!(report.gaps.len(), 1);
    assert_eq!(report.verdict, Verdict::Unverifiable);
    assert_eq!(report.unlogged, minutes(50));
    assert!(!report.verdict.is_acceptable());
    assert!(report.breach_reasons.is_empty());
}

#[test]
fn the_minutes_without_readings_add_up_over_every_gap() {
    // 07:00 → 07:20 (20 min) and 07:30 → 08:15 (45 min) are gaps; 07:20 → 07:30 (10) and
    // 08:15 → 08:30 (15, exactly 10 × 1.5) are not: 20 + 45 = 65 minutes unverifiable.
    let report = assess(
        &[
            ("07:00", "5"),
            ("07:20", "5"),
            ("07:30", "5"),
            ("08:15", "5"),
            ("08:30", "5"),
        ],
        &vaccine(),
    );
    assert_eq!(report.gaps.len(), 2);
    assert_eq!(report.unlogged, minutes(65));
    assert_eq!(report.verdict, Verdict::Unverifiable);
}

#[test]
fn excursions_within_budget_and_a_gap_are_unverifiable() {
    // 07:10 → 07:20 above (10 min, within both budgets), then 07:20 → 08:00 nothing: 40 min.
    let report = assess(
        &[
            ("07:00", "5"),
            ("07:10", "9"),
            ("07:20", "5"),
            ("08:00", "5"),
        ],
        &vaccine(),
    );
    assert_eq!(report.time_out_of_range, minutes(10));
    assert_eq!(report.unlogged, minutes(40));
    assert_eq!(report.verdict, Verdict::Unverifiable);
}

#[test]
fn a_breach_stays_a_breach_with_a_gap_beside_it() {
    // 07:00 → 07:40 above: 40 min at once > 30 allowed; then 07:40 → 08:30 nothing (50 min).
    let report = assess(
        &[
            ("07:00", "9"),
            ("07:10", "9"),
            ("07:20", "9"),
            ("07:30", "9"),
            ("07:40", "5"),
            ("08:30", "5"),
        ],
        &vaccine(),
    );
    assert_eq!(report.unlogged, minutes(50));
    assert_eq!(report.verdict, Verdict::Breach);
    assert_eq!(report.breach_reasons, vec![BreachReason::SingleOverBudget]);
}

#[test]
fn without_a_range_or_an_interval_a_gap_changes_no_verdict() {
    let points = [("07:00", "5"), ("09:00", "5")];
    // No interval: gaps are not checked, so nothing is unlogged.
    let report = assess(&points, &two_to_eight(Some(60), Some(30)));
    assert_eq!(
        (report.verdict, report.unlogged),
        (Verdict::Compliant, TimeDelta::zero())
    );
    // No range: no verdict to make; the gap is still listed and counted.
    let limits = ColdChainLimits {
        logging_interval_minutes: Some(10),
        ..ColdChainLimits::default()
    };
    let report = assess(&points, &limits);
    assert_eq!(
        (report.verdict, report.unlogged),
        (Verdict::NoRange, minutes(120))
    );
}

#[test]
fn unverifiable_ranks_between_within_budget_and_breach() {
    use Verdict::*;
    assert_eq!(
        Verdict::worst([Compliant, Unverifiable, WithinBudget]),
        Unverifiable
    );
    assert_eq!(Verdict::worst([Unverifiable, Breach]), Breach);
}
