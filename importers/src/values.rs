//! Field values shared by the formats: timestamps, quantities, units of measure, and their
//! canonical text in row encodings.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};

/// An instant with the UTC offset it was written with (EPCIS keeps both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub utc: DateTime<Utc>,
    pub offset: FixedOffset,
}

impl Timestamp {
    /// The offset as EPCIS writes it: `+01:00`.
    pub fn offset_text(&self) -> String {
        let secs = self.offset.local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let secs = secs.abs();
        format!("{sign}{:02}:{:02}", secs / 3600, (secs % 3600) / 60)
    }
}

/// ISO 8601 / RFC 3339 date-time with a UTC offset (`Z` or `±hh:mm`); `T` or a space between
/// date and time; at most microsecond precision (what PostgreSQL stores).
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    parse_timestamp_or(text, None).map_err(|e| e.replace(" (or import with --default-offset)", ""))
}

/// As [`parse_timestamp`], but a date-time without an offset takes `default` when one is
/// configured (`--default-offset`, for CSV files) instead of being an error.
pub fn parse_timestamp_or(text: &str, default: Option<FixedOffset>) -> Result<Timestamp, String> {
    // A space between date and time reads as `T`.
    let normalised = match text
        .split_at_checked(10)
        .and_then(|(date, rest)| Some((date, rest.strip_prefix(' ')?)))
    {
        Some((date, time)) => format!("{date}T{time}"),
        None => text.to_string(),
    };
    let checked = |dt: DateTime<FixedOffset>| {
        if !dt.timestamp_subsec_nanos().is_multiple_of(1000) {
            return Err("more precise than microseconds".to_string());
        }
        Ok(Timestamp {
            utc: dt.with_timezone(&Utc),
            offset: *dt.offset(),
        })
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(&normalised) {
        return checked(dt);
    }
    let local = NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M"));
    match (local, default) {
        (Ok(local), Some(offset)) => match local.and_local_timezone(offset).single() {
            Some(dt) => checked(dt),
            None => Err("not a valid local time".into()),
        },
        (Ok(_), None) => Err("no UTC offset: add Z or ±hh:mm, e.g. 2026-03-04T10:00:00+01:00 (or import with --default-offset)".into()),
        (Err(_), _) => Err("not an ISO 8601 date-time such as 2026-03-04T10:00:00+01:00".into()),
    }
}

/// Parse `+01:00`, `-05:30`, `+1:00`, `Z` or `UTC` as a fixed offset.
pub fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0).ok_or_else(|| "bad offset".into());
    }
    let bad = || format!("{text:?} is not an offset like +01:00");
    let (sign, rest) = if let Some(rest) = text.strip_prefix('+') {
        (1, rest)
    } else if let Some(rest) = text.strip_prefix('-') {
        (-1, rest)
    } else {
        return Err(bad());
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 1..=2) || !digits(m, 2..=2) {
        return Err(bad());
    }
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 14 || m > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

/// Canonical timestamp text for row encodings: UTC, microseconds, `Z`.
pub fn canonical_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Most fractional digits a quantity may have.
pub const MAX_QUANTITY_SCALE: usize = 6;

/// A positive decimal: digits with an optional fraction (`.`, or `,` when `decimal_comma`), no
/// exponent, no thousands separators, at most six decimals.
pub fn parse_quantity(text: &str, decimal_comma: bool) -> Result<BigDecimal, String> {
    let owned;
    let text = if decimal_comma && text.contains(',') && !text.contains('.') {
        owned = text.replacen(',', ".", 1);
        owned.as_str()
    } else {
        text
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || (text.ends_with('.')) {
        return Err("not a number: write digits with an optional decimal point, e.g. 12.5".into());
    }
    if fraction.len() > MAX_QUANTITY_SCALE {
        return Err(format!("more than {MAX_QUANTITY_SCALE} decimals"));
    }
    if whole.len() > 15 {
        return Err("too large".into());
    }
    let value = BigDecimal::from_str(text).map_err(|e| e.to_string())?;
    if value.sign() != bigdecimal::num_bigint::Sign::Plus {
        return Err("must be greater than zero".into());
    }
    Ok(value)
}

/// A signed decimal (`-3.25`; `,` accepted as the decimal mark when `decimal_comma`) with at
/// most `scale` decimals, within `min..=max`.
pub fn parse_decimal(
    text: &str,
    decimal_comma: bool,
    scale: usize,
    min: f64,
    max: f64,
) -> Result<BigDecimal, String> {
    let owned;
    let text = if decimal_comma && text.contains(',') && !text.contains('.') {
        owned = text.replacen(',', ".", 1);
        owned.as_str()
    } else {
        text
    };
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || unsigned.ends_with('.')
        || whole.len() > 15
    {
        return Err("not a number: write digits with an optional decimal point, e.g. -3.5".into());
    }
    if fraction.len() > scale {
        return Err(format!("more than {scale} decimals"));
    }
    let value = BigDecimal::from_str(text).map_err(|e| e.to_string())?;
    let as_f64 = text.parse::<f64>().unwrap_or(f64::NAN);
    if !(min..=max).contains(&as_f64) {
        return Err(format!("out of range: must be from {min} to {max}"));
    }
    Ok(value)
}

/// Canonical decimal text: plain notation, no trailing zeros (`12.50` → `12.5`, `1000` → `1000`).
pub fn canonical_decimal(d: &BigDecimal) -> String {
    d.normalized().to_plain_string()
}

/// UN/CEFACT Recommendation 20 codes accepted as units of measure, with their names.
pub const UNITS: &[(&str, &str)] = &[
    ("KGM", "kilogram"),
    ("GRM", "gram"),
    ("TNE", "tonne"),
    ("LTR", "litre"),
    ("MLT", "millilitre"),
    ("MTQ", "cubic metre"),
    ("MTK", "square metre"),
    ("MTR", "metre"),
    ("KMT", "kilometre"),
    ("CMT", "centimetre"),
    ("H87", "piece"),
    ("C62", "one (unit)"),
    ("EA", "each"),
    ("SET", "set"),
    ("PR", "pair"),
    ("KWH", "kilowatt hour"),
    ("MWH", "megawatt hour"),
];

/// The Rec 20 code for `text` (case-insensitive), or why it is not one.
pub fn parse_unit(text: &str) -> Result<&'static str, String> {
    let upper = text.to_ascii_uppercase();
    UNITS
        .iter()
        .find(|(code, _)| *code == upper)
        .map(|(code, _)| *code)
        .ok_or_else(|| {
            let codes: Vec<&str> = UNITS.iter().map(|(c, _)| *c).collect();
            format!(
                "not a UN/CEFACT Rec 20 unit code citytrace knows; use one of {}",
                codes.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_need_an_offset_and_keep_it() {
        let t = parse_timestamp("2026-03-04T10:00:30.5+01:00").unwrap();
        assert_eq!(canonical_time(&t.utc), "2026-03-04T09:00:30.500000Z");
        assert_eq!(t.offset_text(), "+01:00");
        assert_eq!(
            parse_timestamp("2026-03-04 10:00:30Z")
                .unwrap()
                .offset_text(),
            "+00:00"
        );
        assert_eq!(
            parse_timestamp("2026-03-04T10:00:00-05:30")
                .unwrap()
                .offset_text(),
            "-05:30"
        );
        assert!(parse_timestamp("2026-03-04T10:00:00")
            .unwrap_err()
            .starts_with("no UTC offset"));
        assert!(parse_timestamp("2026-03-04 10:00")
            .unwrap_err()
            .starts_with("no UTC offset"));
        assert!(parse_timestamp("04/03/2026")
            .unwrap_err()
            .starts_with("not an ISO 8601"));
        assert!(parse_timestamp("2026-02-30T10:00:00Z")
            .unwrap_err()
            .starts_with("not an ISO 8601"));
        assert_eq!(
            parse_timestamp("2026-03-04T10:00:00.1234567Z").unwrap_err(),
            "more precise than microseconds"
        );
        // A multi-byte character at or across byte 10, where a space would be read as `T`.
        for bad in [
            "2026-03-0é 10:00Z",
            "2026-03-04é10:00Z",
            "2026-03-04\u{a0}10:00Z",
            "éééééé",
        ] {
            assert!(
                parse_timestamp(bad)
                    .unwrap_err()
                    .starts_with("not an ISO 8601"),
                "{bad}"
            );
        }
    }

    #[test]
    fn quantities_are_positive_plain_decimals() {
        assert_eq!(
            canonical_decimal(&parse_quantity("12.500", false).unwrap()),
            "12.5"
        );
        assert_eq!(
            canonical_decimal(&parse_quantity("1000", false).unwrap()),
            "1000"
        );
        assert_eq!(
            canonical_decimal(&parse_quantity("0.000001", false).unwrap()),
            "0.000001"
        );
        assert_eq!(
            canonical_decimal(&parse_quantity("12,5", true).unwrap()),
            "12.5"
        );
        assert!(parse_quantity("12,5", false)
            .unwrap_err()
            .starts_with("not a number"));
        assert!(parse_quantity("1,000.5", true)
            .unwrap_err()
            .starts_with("not a number"));
        assert!(parse_quantity("1e3", false)
            .unwrap_err()
            .starts_with("not a number"));
        assert!(parse_quantity("-4", false)
            .unwrap_err()
            .starts_with("not a number"));
        assert!(parse_quantity(".5", false)
            .unwrap_err()
            .starts_with("not a number"));
        assert!(parse_quantity("5.", false)
            .unwrap_err()
            .starts_with("not a number"));
        assert_eq!(
            parse_quantity("0", false).unwrap_err(),
            "must be greater than zero"
        );
        assert_eq!(
            parse_quantity("1.1234567", false).unwrap_err(),
            "more than 6 decimals"
        );
    }

    #[test]
    fn signed_decimals_have_bounds_and_a_scale() {
        assert_eq!(
            canonical_decimal(&parse_decimal("-18.50", false, 2, -100.0, 100.0).unwrap()),
            "-18.5"
        );
        assert_eq!(
            canonical_decimal(&parse_decimal("4,2", true, 2, -100.0, 100.0).unwrap()),
            "4.2"
        );
        assert_eq!(
            parse_decimal("4.123", false, 2, -100.0, 100.0).unwrap_err(),
            "more than 2 decimals"
        );
        assert_eq!(
            parse_decimal("120", false, 2, -100.0, 100.0).unwrap_err(),
            "out of range: must be from -100 to 100"
        );
        assert!(parse_decimal("--1", false, 2, -100.0, 100.0)
            .unwrap_err()
            .starts_with("not a number"));
        assert!(parse_decimal("NaN", false, 2, -100.0, 100.0)
            .unwrap_err()
            .starts_with("not a number"));
    }

    #[test]
    fn a_default_offset_applies_only_when_one_is_missing() {
        let plus_two = parse_offset("+02:00").unwrap();
        let local = parse_timestamp_or("2026-07-01 08:00", Some(plus_two)).unwrap();
        assert_eq!(
            (canonical_time(&local.utc), local.offset_text()),
            (
                "2026-07-01T06:00:00.000000Z".to_string(),
                "+02:00".to_string()
            )
        );
        let explicit = parse_timestamp_or("2026-07-01T08:00:00Z", Some(plus_two)).unwrap();
        assert_eq!(
            explicit.offset_text(),
            "+00:00",
            "an offset in the file wins"
        );
        assert!(parse_timestamp_or("2026-07-01 08:00", None)
            .unwrap_err()
            .contains("--default-offset"));
        assert_eq!(parse_offset("Z").unwrap().local_minus_utc(), 0);
        assert_eq!(parse_offset("-05:30").unwrap().local_minus_utc(), -19800);
        assert!(parse_offset("+25:00").is_err());
        assert!(parse_offset("0200").is_err());
        assert_eq!(parse_offset("+1:00").unwrap().local_minus_utc(), 3600);
        for bad in [
            "+-1:00",
            "++1:00",
            "+01:5",
            "+01:+5",
            "+é:00",
            "é",
            "+",
            "+01:00:00",
        ] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn units_are_rec20_codes() {
        assert_eq!(parse_unit("tne").unwrap(), "TNE");
        assert!(parse_unit("tons").unwrap_err().contains("KGM"));
    }
}
