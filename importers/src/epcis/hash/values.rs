//! Canonical values of the pre-hash string: CBV URNs as web URIs, standard CURIEs expanded,
//! numbers without trailing zeros, GS1 identifiers as canonical Digital Links, timestamps in
//! UTC with milliseconds.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Duration, SecondsFormat, Timelike, Utc};
use serde_json::Value;

use super::super::epc;

/// A scalar as the reference implementation reads it: strings as they are, booleans in
/// lower case, numbers as their shortest decimal, null as `None`.
pub(super) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !(n.is_i64() || n.is_u64()) => format!("{f}"),
            _ => n.to_string(),
        },
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// A value canonised: CBV URNs as web URIs, standard CURIEs expanded, numbers without trailing
/// zeros, GS1 identifiers as canonical Digital Links.
pub(crate) fn canon(text: &str) -> String {
    let text = text.trim();
    let mut value = text
        .replace(
            "urn:epcglobal:cbv:bizstep:",
            "https://ref.gs1.org/cbv/BizStep-",
        )
        .replace("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-")
        .replace("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-")
        .replace("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-")
        .replace("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-");
    for (prefix, uri) in [
        ("gs1:", "https://ref.gs1.org/voc/"),
        ("cbv:", "https://ref.gs1.org/cbv/"),
        ("epcis:", "https://ref.gs1.org/epcis/"),
    ] {
        if let Some(rest) = value.strip_prefix(prefix) {
            value = format!("{uri}{rest}");
        }
    }
    if let Some(number) = plain_number(&value) {
        value = number;
    }
    epc::digital_link(&value).unwrap_or(value)
}

/// A decimal numeral without trailing zeros (a whole number without a fraction), or None
/// when `text` is not a plain decimal numeral.
pub(super) fn plain_number(text: &str) -> Option<String> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let value = BigDecimal::from_str(text.strip_prefix('+').unwrap_or(text)).ok()?;
    let plain = value.normalized().to_plain_string();
    Some(if text.starts_with('-') && plain == "0" {
        "-0".into()
    } else {
        plain
    })
}

/// A timestamp in UTC with milliseconds, rounded half up, and `Z`.
pub(crate) fn timestamp(text: &str) -> String {
    // A space between date and time, as some write it, is read as `T`.
    let normalised = match text
        .split_at_checked(10)
        .and_then(|(date, rest)| Some((date, rest.strip_prefix(' ')?)))
    {
        Some((date, time)) => format!("{date}T{time}"),
        None => text.to_string(),
    };
    let Ok(t) = DateTime::parse_from_rfc3339(&normalised) else {
        return text.to_string();
    };
    let t = t.with_timezone(&Utc);
    let micros = i64::from(t.nanosecond() / 1000);
    let millis = (micros + 500) / 1000;
    let whole = t.with_nanosecond(0).unwrap_or(t) + Duration::milliseconds(millis);
    whole.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_half_up_to_milliseconds() {
        assert_eq!(
            timestamp("2023-01-18T11:04:03.1415Z"),
            "2023-01-18T11:04:03.142Z"
        );
        assert_eq!(
            timestamp("2023-01-18T11:04:03.1414Z"),
            "2023-01-18T11:04:03.141Z"
        );
        assert_eq!(
            timestamp("2023-01-18T11:04:59.9995+01:00"),
            "2023-01-18T10:05:00.000Z"
        );
        assert_eq!(plain_number("26.0").as_deref(), Some("26"));
        assert_eq!(plain_number("0.180").as_deref(), Some("0.18"));
        assert_eq!(plain_number("0614141").as_deref(), Some("614141"));
        assert_eq!(plain_number("12a"), None);
    }

    /// Text cut after ten bytes: a multi-byte character there must not be cut.
    #[test]
    fn timestamps_with_multibyte_characters_are_kept_as_written() {
        assert_eq!(
            timestamp("2023-01-18 11:04:03Z"),
            "2023-01-18T11:04:03.000Z"
        );
        for text in ["2023-01-1é 11:04:03Z", "2023-01-18é1:04:03Z", "é"] {
            assert_eq!(timestamp(text), text);
        }
    }
}
