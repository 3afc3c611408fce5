//! The city's calendar: when things happen, and how times are written — local time with its
//! UTC offset, as the city's systems export them (+02:00 from April to October, +01:00
//! otherwise; the switch days are simplified to month boundaries).

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

/// The building season the deliveries, waste and cold chain fall into.
pub const SEASON_DAYS: i64 = 238;

/// The first morning of the building season.
pub fn season_start() -> DateTime<Utc> {
    utc(2026, 3, 2, 5, 0)
}

/// A moment given in UTC.
pub fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .single()
        .unwrap_or_default()
}

/// The `i`-th of `n` moments spread evenly over the season (in minutes).
pub fn spread(i: usize, n: usize) -> DateTime<Utc> {
    let minutes = SEASON_DAYS * 24 * 60;
    season_start() + Duration::minutes((i as i64 * minutes) / n.max(1) as i64)
}

/// The city's UTC offset at `t`, in hours.
pub fn offset_hours(t: DateTime<Utc>) -> i64 {
    if (4..=10).contains(&t.month()) {
        2
    } else {
        1
    }
}

/// Append `t` as local ISO 8601 with its offset: `2026-04-12T07:30:00+02:00`.
pub fn push_iso(buf: &mut String, t: DateTime<Utc>) {
    let offset = offset_hours(t);
    let l = t + Duration::hours(offset);
    let _ = write!(
        buf,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+{offset:02}:00",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second()
    );
}

pub fn iso(t: DateTime<Utc>) -> String {
    let mut s = String::with_capacity(25);
    push_iso(&mut s, t);
    s
}

/// The local date as `yymmdd`, for lot codes.
pub fn yymmdd(t: DateTime<Utc>) -> String {
    let l = t + Duration::hours(offset_hours(t));
    format!("{:02}{:02}{:02}", l.year() % 100, l.month(), l.day())
}

/// The UTC offset as EPCIS writes it: `+02:00`.
pub fn offset_text(t: DateTime<Utc>) -> String {
    format!("+{:02}:00", offset_hours(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_local_with_the_season_offset() {
        assert_eq!(iso(utc(2026, 4, 12, 5, 30)), "2026-04-12T07:30:00+02:00");
        assert_eq!(iso(utc(2026, 1, 31, 23, 30)), "2026-02-01T00:30:00+01:00");
        assert_eq!(yymmdd(utc(2026, 9, 30, 23, 0)), "261001");
        assert_eq!(spread(0, 10), season_start());
    }
}
