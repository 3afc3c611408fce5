//! One logger's series of readings against a product's limits: the cold-chain report.
//!
//! Between two readings the temperature is taken to be the earlier one's (no interpolation):
//! an excursion lasts from its first reading outside the range to the next reading back
//! inside it (or outside on the other side), and time inside a logging gap counts as out of
//! range exactly when the reading before the gap was.

use std::borrow::Cow;

use bigdecimal::{BigDecimal, FromPrimitive, RoundingMode, ToPrimitive};
use chrono::{DateTime, TimeDelta, Utc};

use super::{
    mean_kinetic_temperature_c, ColdChainLimits, ColdChainSettings, Direction, Reading, ReadingRef,
    Verdict,
};

/// Decimals of the reported mean and mean kinetic temperature (the readings' own precision).
const REPORTED_DECIMALS: i64 = 2;

/// What one series of readings shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ColdChainReport {
    pub reading_count: usize,
    /// First and last reading, extremes, means; `None` without readings.
    pub summary: Option<TemperatureSummary>,
    /// In time order. Empty when the product has no range.
    pub excursions: Vec<Excursion>,
    /// The sum of the excursions' durations.
    pub time_out_of_range: TimeDelta,
    /// The longest excursion's duration (zero without excursions).
    pub longest_excursion: TimeDelta,
    /// The interval the gaps were judged against (the product's, else the settings'
    /// default); `None`: gaps were not checked.
    pub expected_interval: Option<TimeDelta>,
    /// Longer than `expected_interval` × the tolerance factor between two readings.
    pub gaps: Vec<LoggingGap>,
    /// The sum of the gaps' lengths: the time no reading vouches for.
    pub unlogged: TimeDelta,
    pub verdict: Verdict,
    /// Why the verdict is [`Verdict::Breach`]; empty otherwise.
    pub breach_reasons: Vec<BreachReason>,
}

/// The readings' extremes and means.
#[derive(Debug, Clone, PartialEq)]
pub struct TemperatureSummary {
    pub first_reading: DateTime<Utc>,
    pub last_reading: DateTime<Utc>,
    pub min_temp_c: BigDecimal,
    pub max_temp_c: BigDecimal,
    /// Arithmetic mean, exact then rounded to 0.01 °C (halves away from zero).
    pub mean_temp_c: BigDecimal,
    /// USP <1079>, each reading weighing the same, rounded to 0.01 °C (halves away from zero);
    /// `None` only when the configured ΔH/R is not a positive number.
    pub mean_kinetic_temp_c: Option<BigDecimal>,
}

/// A stretch of time outside the range, on one side.
#[derive(Debug, Clone, PartialEq)]
pub struct Excursion {
    pub direction: Direction,
    /// The first reading outside the range.
    pub start: DateTime<Utc>,
    /// The next reading back inside the range (or outside on the other side); when the log
    /// ends outside the range, its last reading (`open_at_end`).
    pub end: DateTime<Utc>,
    pub duration: TimeDelta,
    /// The highest temperature of an excursion above the range, the lowest of one below.
    pub peak_temp_c: BigDecimal,
    pub peak_at: DateTime<Utc>,
    /// How many readings were outside the range.
    pub reading_count: usize,
    pub first_reading: ReadingRef,
    /// The reading at `end`.
    pub end_reading: ReadingRef,
    /// The log ends during the excursion: `duration` runs to the last reading, a lower bound.
    pub open_at_end: bool,
}

/// Two consecutive readings further apart than the logging interval allows.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggingGap {
    /// The reading before the gap and when it was taken.
    pub from: DateTime<Utc>,
    pub from_reading: ReadingRef,
    /// The reading after the gap.
    pub to: DateTime<Utc>,
    pub to_reading: ReadingRef,
    pub length: TimeDelta,
    /// The reading before the gap was outside the range, so the gap's time is part of an
    /// excursion's duration.
    pub counted_as_excursion: bool,
}

/// What made a series a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachReason {
    /// The time out of range exceeds `max_excursion_minutes`.
    CumulativeOverBudget,
    /// An excursion is longer than `max_single_excursion_minutes`.
    SingleOverBudget,
    /// The product gives a range but no excursion budget: no excursion is allowed.
    NoBudget,
}

/// Assess one logger's readings against a product's limits. The readings may come in any
/// order (they are put in time order); they should be one device's.
pub fn assess_series(
    readings: &[Reading],
    limits: &ColdChainLimits,
    settings: &ColdChainSettings,
) -> ColdChainReport {
    let readings = in_time_order(readings);
    let readings = readings.as_ref();
    let excursions = if limits.has_range() {
        find_excursions(readings, limits)
    } else {
        Vec::new()
    };
    let expected_interval = limits
        .logging_interval_minutes
        .and_then(|m| u32::try_from(m).ok())
        .or(settings.default_logging_interval_minutes)
        .filter(|m| *m > 0)
        .map(|m| TimeDelta::minutes(i64::from(m)));
    let gaps = expected_interval
        .map(|interval| {
            let longest_allowed = scaled(interval, settings.gap_tolerance_factor);
            find_gaps(readings, longest_allowed, limits)
        })
        .unwrap_or_default();
    let unlogged: TimeDelta = gaps.iter().map(|g| g.length).sum();
    let time_out_of_range: TimeDelta = excursions.iter().map(|e| e.duration).sum();
    let longest_excursion = excursions
        .iter()
        .map(|e| e.duration)
        .max()
        .unwrap_or_default();
    let breach_reasons = if limits.has_range() && !excursions.is_empty() {
        breach_reasons(limits, time_out_of_range, longest_excursion)
    } else {
        Vec::new()
    };
    let verdict = if readings.is_empty() {
        Verdict::NoData
    } else if !limits.has_range() {
        Verdict::NoRange
    } else if !breach_reasons.is_empty() {
        Verdict::Breach
    } else if !gaps.is_empty() {
        Verdict::Unverifiable
    } else if excursions.is_empty() {
        Verdict::Compliant
    } else {
        Verdict::WithinBudget
    };
    ColdChainReport {
        reading_count: readings.len(),
        summary: summarise(readings, settings),
        excursions,
        time_out_of_range,
        longest_excursion,
        expected_interval,
        gaps,
        unlogged,
        verdict,
        breach_reasons,
    }
}

fn in_time_order(readings: &[Reading]) -> Cow<'_, [Reading]> {
    if readings.is_sorted_by_key(|r| r.recorded_at) {
        Cow::Borrowed(readings)
    } else {
        let mut sorted = readings.to_vec();
        sorted.sort_by_key(|r| r.recorded_at);
        Cow::Owned(sorted)
    }
}

/// Maximal runs of consecutive readings outside the range on the same side.
fn find_excursions(readings: &[Reading], limits: &ColdChainLimits) -> Vec<Excursion> {
    let mut excursions = Vec::new();
    let mut i = 0;
    while i < readings.len() {
        let Some(direction) = limits.outside(&readings[i].temperature_c) else {
            i += 1;
            continue;
        };
        let first = &readings[i];
        let mut peak = first;
        let mut j = i + 1;
        while j < readings.len() && limits.outside(&readings[j].temperature_c) == Some(direction) {
            let further = match direction {
                Direction::Above => readings[j].temperature_c > peak.temperature_c,
                Direction::Below => readings[j].temperature_c < peak.temperature_c,
            };
            if further {
                peak = &readings[j];
            }
            j += 1;
        }
        let (end, open_at_end) = match readings.get(j) {
            Some(back) => (back, false),
            None => (&readings[j - 1], true),
        };
        excursions.push(Excursion {
            direction,
            start: first.recorded_at,
            end: end.recorded_at,
            duration: end.recorded_at - first.recorded_at,
            peak_temp_c: peak.temperature_c.clone(),
            peak_at: peak.recorded_at,
            reading_count: j - i,
            first_reading: first.source_row(),
            end_reading: end.source_row(),
            open_at_end,
        });
        i = j;
    }
    excursions
}

/// Consecutive readings strictly further apart than `longest_allowed`.
fn find_gaps(
    readings: &[Reading],
    longest_allowed: TimeDelta,
    limits: &ColdChainLimits,
) -> Vec<LoggingGap> {
    readings
        .windows(2)
        .filter_map(|pair| {
            let (before, after) = (&pair[0], &pair[1]);
            let length = after.recorded_at - before.recorded_at;
            (length > longest_allowed).then(|| LoggingGap {
                from: before.recorded_at,
                from_reading: before.source_row(),
                to: after.recorded_at,
                to_reading: after.source_row(),
                length,
                counted_as_excursion: limits.outside(&before.temperature_c).is_some(),
            })
        })
        .collect()
}

/// `interval` × `factor`, to the microsecond (a factor that is not a positive number leaves
/// the interval as it is).
fn scaled(interval: TimeDelta, factor: f64) -> TimeDelta {
    if !(factor.is_finite() && factor > 0.0) {
        return interval;
    }
    let micros = interval.num_microseconds().unwrap_or(i64::MAX) as f64 * factor;
    TimeDelta::microseconds(micros.round().min(i64::MAX as f64) as i64)
}

/// The budgets a series with excursions exceeds. A budget equal to the time out of range is
/// not exceeded. A product that gives a range and neither budget allows no excursion; one
/// that gives only one budget is judged by that one alone.
fn breach_reasons(
    limits: &ColdChainLimits,
    time_out_of_range: TimeDelta,
    longest_excursion: TimeDelta,
) -> Vec<BreachReason> {
    let minutes = |m: i32| TimeDelta::minutes(i64::from(m));
    let (total, single) = (
        limits.max_excursion_minutes.map(minutes),
        limits.max_single_excursion_minutes.map(minutes),
    );
    if total.is_none() && single.is_none() {
        return vec![BreachReason::NoBudget];
    }
    let mut reasons = Vec::new();
    if total.is_some_and(|total| time_out_of_range > total) {
        reasons.push(BreachReason::CumulativeOverBudget);
    }
    if single.is_some_and(|single| longest_excursion > single) {
        reasons.push(BreachReason::SingleOverBudget);
    }
    reasons
}

fn summarise(readings: &[Reading], settings: &ColdChainSettings) -> Option<TemperatureSummary> {
    let (first, last) = (readings.first()?, readings.last()?);
    let temperatures = || readings.iter().map(|r| &r.temperature_c);
    let sum: BigDecimal = temperatures().sum();
    let mean = sum / BigDecimal::from(readings.len() as u64);
    let mkt = mean_kinetic_temperature_c(
        temperatures().filter_map(|t| t.to_f64()),
        settings.delta_h_over_r_kelvin,
    );
    Some(TemperatureSummary {
        first_reading: first.recorded_at,
        last_reading: last.recorded_at,
        min_temp_c: temperatures().min()?.clone(),
        max_temp_c: temperatures().max()?.clone(),
        mean_temp_c: reported(&mean),
        mean_kinetic_temp_c: mkt.and_then(BigDecimal::from_f64).map(|t| reported(&t)),
    })
}

fn reported(temperature_c: &BigDecimal) -> BigDecimal {
    temperature_c.with_scale_round(REPORTED_DECIMALS, RoundingMode::HalfUp)
}

#[cfg(test)]
mod tests;
