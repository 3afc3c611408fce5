//! Reporting periods: a year, a quarter, a month, a day or an ISO 8601 interval of dates, all
//! read as first and last day, inclusive.

use chrono::{Datelike, NaiveDate};

/// First and last day of a period, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

const SHAPE: &str = "not a period: write a year (2026), a quarter (2026-Q1), a month (2026-03), a day (2026-03-31) or two dates (2026-01-01/2026-06-30)";

/// Parse `2026`, `2026-Q1`, `2026-03`, `2026-03-31` or `2026-01-01/2026-06-30`.
pub fn parse_period(text: &str) -> Result<Period, String> {
    if let Some((start, end)) = text.split_once('/') {
        let (start, end) = (date(start.trim())?, date(end.trim())?);
        if end < start {
            return Err("the period ends before it starts".into());
        }
        return Ok(Period { start, end });
    }
    match text.len() {
        4 => months(year(text)?, 1, 12),
        7 => year_and_part(text),
        10 => {
            let day = date(text)?;
            Ok(Period {
                start: day,
                end: day,
            })
        }
        _ => Err(SHAPE.into()),
    }
}

/// Four ASCII digits.
fn year(text: &str) -> Result<i32, String> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().map_err(|_| SHAPE.to_string())
    } else {
        Err(SHAPE.into())
    }
}

/// `2026-Q1` or `2026-03` (seven bytes, cut only at character boundaries: the text comes from
/// the file, and `2026-é` is seven bytes too).
fn year_and_part(text: &str) -> Result<Period, String> {
    let Some((y, part)) = text
        .split_at_checked(4)
        .and_then(|(y, rest)| Some((y, rest.strip_prefix('-')?)))
    else {
        return Err(SHAPE.into());
    };
    if let Some(quarter) = part.strip_prefix(['q', 'Q']) {
        let y = year(y)?;
        return match quarter {
            "1" | "2" | "3" | "4" => {
                let q: u32 = quarter.parse().map_err(|_| SHAPE.to_string())?;
                months(y, 3 * q - 2, 3 * q)
            }
            _ => Err("a quarter is Q1 to Q4".into()),
        };
    }
    let y = year(y)?;
    match part.parse::<u32>() {
        Ok(m) if (1..=12).contains(&m) && part.bytes().all(|b| b.is_ascii_digit()) => {
            months(y, m, m)
        }
        _ => Err(SHAPE.into()),
    }
}

/// The period as one text: `2026-01-01/2026-12-31`.
pub fn interval(period: &Period) -> String {
    format!("{}/{}", period.start, period.end)
}

fn date(text: &str) -> Result<NaiveDate, String> {
    if text.len() != 10 {
        return Err(SHAPE.into());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| SHAPE.to_string())
}

/// From the first day of month `first` to the last day of month `last` of `year`.
fn months(year: i32, first: u32, last: u32) -> Result<Period, String> {
    let start = NaiveDate::from_ymd_opt(year, first, 1).ok_or_else(|| SHAPE.to_string())?;
    let next = if last == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, last + 1, 1)
    };
    let end = next
        .and_then(|d| d.pred_opt())
        .ok_or_else(|| SHAPE.to_string())?;
    debug_assert_eq!(end.year(), year);
    Ok(Period { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: &str) -> String {
        interval(&parse_period(p).unwrap())
    }

    #[test]
    fn periods_are_read_as_first_and_last_day() {
        assert_eq!(text("2026"), "2026-01-01/2026-12-31");
        assert_eq!(text("2026-Q1"), "2026-01-01/2026-03-31");
        assert_eq!(text("2026-q4"), "2026-10-01/2026-12-31");
        assert_eq!(text("2028-02"), "2028-02-01/2028-02-29");
        assert_eq!(text("2026-12"), "2026-12-01/2026-12-31");
        assert_eq!(text("2026-03-31"), "2026-03-31/2026-03-31");
        assert_eq!(text("2026-01-01/2026-06-30"), "2026-01-01/2026-06-30");
        assert_eq!(
            parse_period("2026-06-30/2026-01-01").unwrap_err(),
            "the period ends before it starts"
        );
        assert_eq!(
            parse_period("2026-Q5").unwrap_err(),
            "a quarter is Q1 to Q4"
        );
        for bad in [
            "26",
            "2026-13",
            "2026-00",
            "Q1 2026",
            "2026-02-30",
            "march 2026",
            "2026-1",
            "2026-é",
            "0000-é",
            "2026-Qé",
            "2026é03",
            "é026-03",
            "2026-€",
            "2026-03-é1",
        ] {
            assert_eq!(parse_period(bad).unwrap_err(), SHAPE, "{bad}");
        }
    }
}
