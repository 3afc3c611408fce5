//! Exact money: amounts with their ISO 4217 currency, minor units from the ledger, percentages
//! compared without division, fiscal years.

use std::str::FromStr;

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::Serialize;

/// An amount and its currency as OCDS states it (`value.amount`, `value.currency`); the
/// currency may be missing in a publisher's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Money {
    pub amount: BigDecimal,
    pub currency: Option<String>,
}

impl Money {
    pub fn new(amount: BigDecimal, currency: Option<String>) -> Self {
        Self { amount, currency }
    }

    /// `Some` when the amount is given (an OCDS value without an amount is no value).
    pub fn from_parts(amount: Option<BigDecimal>, currency: Option<String>) -> Option<Self> {
        amount.map(|amount| Self { amount, currency })
    }

    /// Two amounts can be added or compared when their currencies agree; a missing currency
    /// agrees only with another missing one.
    pub fn same_currency(&self, other: &Money) -> bool {
        self.currency == other.currency
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.currency {
            Some(c) => write!(f, "{} {c}", plain(&self.amount)),
            None => write!(f, "{}", plain(&self.amount)),
        }
    }
}

/// Digits after the decimal point of a currency's minor unit (ISO 4217 list one): 0 for the
/// yen, the won and the CFA francs, 3 for the Gulf dinars, 4 for the Chilean and Uruguayan
/// units of account, 2 for every other currency.
pub fn minor_unit_exponent(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// A ledger amount in minor units (CityTreasury: cents for EUR) in the currency's major unit:
/// 18645000 EUR cents are 186450 EUR.
pub fn from_minor_units(amount_minor: &BigDecimal, currency: &str) -> BigDecimal {
    let exponent = i64::from(minor_unit_exponent(currency));
    amount_minor * BigDecimal::new(1.into(), exponent)
}

/// A decimal written without trailing zeros and without exponent: `1100000`, `12.5`.
pub fn plain(value: &BigDecimal) -> String {
    let n = value.normalized();
    if n.as_bigint_and_exponent().1 < 0 {
        n.with_scale(0).to_plain_string()
    } else {
        n.to_plain_string()
    }
}

/// `part` as a percentage of `whole`, rounded half-up to 2 decimals; None when `whole` is 0.
pub fn percent(part: &BigDecimal, whole: &BigDecimal) -> Option<BigDecimal> {
    if whole.is_zero() {
        return None;
    }
    let hundredths = (part * BigDecimal::from(100)) / whole;
    Some(hundredths.with_scale_round(2, RoundingMode::HalfUp))
}

/// Whether `value` is strictly more than `base` raised by `percent` %: value > base × (1 + p/100),
/// compared exactly as 100 × value > (100 + p) × base (no division, no rounding).
pub fn exceeds_by_more_than(value: &BigDecimal, base: &BigDecimal, percent: &BigDecimal) -> bool {
    value * BigDecimal::from(100) > base * (BigDecimal::from(100) + percent)
}

/// Whether `value` is strictly less than `percent` % of `base`: 100 × value < p × base.
pub fn below_percent_of(value: &BigDecimal, base: &BigDecimal, percent: &BigDecimal) -> bool {
    value * BigDecimal::from(100) < base * percent
}

/// A percentage setting given as a float (TOML `10`, `12.5`) as the exact decimal it was
/// written as: the shortest text of the double, so 1.1 is 1.1, not 1.100000000000000088….
pub(crate) fn decimal_of(value: f64) -> BigDecimal {
    BigDecimal::from_str(&value.to_string()).unwrap_or_default()
}

/// The fiscal calendar: a fiscal year is named by the calendar year it starts in (the budget
/// format's rule) and starts on the first day of `start_month` (1 = January) at 00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalCalendar {
    pub start_month: u32,
}

impl FiscalCalendar {
    pub fn new(start_month: u32) -> Self {
        Self {
            start_month: start_month.clamp(1, 12),
        }
    }

    /// The fiscal year a moment falls in.
    pub fn year_of(&self, at: DateTime<Utc>) -> i32 {
        if at.month() >= self.start_month {
            at.year()
        } else {
            at.year() - 1
        }
    }

    /// When fiscal year `year` starts.
    pub fn start_of(&self, year: i32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(year, self.start_month, 1, 0, 0, 0)
            .single()
    }

    /// When fiscal year `year` ends: the start of the next one.
    pub fn end_of(&self, year: i32) -> Option<DateTime<Utc>> {
        self.start_of(year + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn cents_become_euros_and_yen_stay_whole() {
        // CityTreasury PaymentMade amounts are minor units: 18,645,000 cents = 186,450.00 EUR.
        assert_eq!(from_minor_units(&d("18645000"), "EUR"), d("186450"));
        assert_eq!(from_minor_units(&d("1"), "EUR"), d("0.01"));
        // JPY has no minor unit; KWD has 3 decimals: 1234 fils = 1.234 KWD.
        assert_eq!(from_minor_units(&d("5000"), "JPY"), d("5000"));
        assert_eq!(from_minor_units(&d("1234"), "KWD"), d("1.234"));
        assert_eq!(from_minor_units(&d("0"), "EUR"), d("0"));
    }

    #[test]
    fn plain_text_has_no_exponent_and_no_trailing_zeros() {
        assert_eq!(plain(&d("1100000.00")), "1100000");
        assert_eq!(plain(&d("12.50")), "12.5");
        assert_eq!(plain(&d("0.0000001")), "0.0000001");
        assert_eq!(plain(&d("-3.10")), "-3.1");
    }

    #[test]
    fn percentages_round_half_up_and_thresholds_compare_exactly() {
        // 110 of 100 is exactly 10 % more: not more than 10 %.
        assert!(!exceeds_by_more_than(&d("110"), &d("100"), &d("10")));
        // 110.01 of 100 is 10.01 % more.
        assert!(exceeds_by_more_than(&d("110.01"), &d("100"), &d("10")));
        // 1/3 = 33.333… % → 33.33; 2/3 = 66.666… % → 66.67.
        assert_eq!(percent(&d("1"), &d("3")), Some(d("33.33")));
        assert_eq!(percent(&d("2"), &d("3")), Some(d("66.67")));
        assert_eq!(percent(&d("1"), &d("0")), None);
        // 85 of 100 is not below 85 %; 84.99 is.
        assert!(!below_percent_of(&d("85"), &d("100"), &d("85")));
        assert!(below_percent_of(&d("84.99"), &d("100"), &d("85")));
        // Settings written as floats keep their decimal text.
        assert_eq!(decimal_of(1.1), d("1.1"));
        assert_eq!(decimal_of(10.0), d("10"));
    }

    #[test]
    fn fiscal_years_are_named_by_the_year_they_start_in() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let calendar = FiscalCalendar::new(1);
        assert_eq!(calendar.year_of(at("2026-01-01T00:00:00Z")), 2026);
        assert_eq!(calendar.year_of(at("2025-12-31T23:59:59Z")), 2025);
        // A fiscal year starting in April (the UK's): 31 March 2026 is in FY2025.
        let april = FiscalCalendar::new(4);
        assert_eq!(april.year_of(at("2026-03-31T23:59:59Z")), 2025);
        assert_eq!(april.year_of(at("2026-04-01T00:00:00Z")), 2026);
        assert_eq!(april.end_of(2025), Some(at("2026-04-01T00:00:00Z")));
        // Out-of-range months are clamped.
        assert_eq!(FiscalCalendar::new(0).start_month, 1);
        assert_eq!(FiscalCalendar::new(13).start_month, 12);
    }
}
