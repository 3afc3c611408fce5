//! What every figure of the spending and emissions pages carries: where its row came from
//! (batch + line, or chain + transaction), how far it can be trusted, and amounts written for
//! people (exact decimals, grouped thousands).

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use serde::Serialize;

use citytrace_reads::spending::{Figure, FigureReading, Money};
use citytrace_schema::models::TrustState;

use crate::error::AppError;
use crate::routes::trust::TrustBadge;

/// An imported row: its batch and line, the links to it and to its proof, and its trust badge.
pub struct Provenance {
    pub batch_id: i64,
    pub line: i32,
    pub href: String,
    pub proof_href: String,
    pub trust: TrustBadge,
}

/// The same, for JSON twins.
#[derive(Serialize)]
pub struct ProvenanceJson {
    pub batch_id: i64,
    pub line: i32,
    pub href: String,
    pub proof: String,
    pub trust: &'static str,
}

impl Clone for Provenance {
    fn clone(&self) -> Self {
        Self {
            batch_id: self.batch_id,
            line: self.line,
            href: self.href.clone(),
            proof_href: self.proof_href.clone(),
            trust: TrustBadge {
                label: self.trust.label,
                class: self.trust.class,
                text: self.trust.text.clone(),
                tx_hash: self.trust.tx_hash.clone(),
            },
        }
    }
}

impl Provenance {
    pub fn json(&self) -> ProvenanceJson {
        ProvenanceJson {
            batch_id: self.batch_id,
            line: self.line,
            href: self.href.clone(),
            proof: crate::routes::provenance::proof_file_href(self.batch_id, self.line),
            trust: self.trust.label,
        }
    }
}

impl Provenance {
    /// Row `line` of batch `batch_id`, whose trust is known.
    pub fn of(batch_id: i64, line: i32, trust: &TrustState) -> Self {
        Provenance {
            batch_id,
            line,
            href: format!("/batches/{batch_id}#line-{line}"),
            proof_href: crate::routes::provenance::proof_href(batch_id, line),
            trust: TrustBadge::new(trust),
        }
    }

    /// Row `line` of batch `batch_id`, its trust found in `trust` (the batches a read named).
    pub fn known(
        trust: &HashMap<i64, TrustState>,
        batch_id: i64,
        line: i32,
    ) -> Result<Self, AppError> {
        let state = trust.get(&batch_id).ok_or_else(|| {
            AppError::Internal(format!("the trust of batch {batch_id} was not read"))
        })?;
        Ok(Self::of(batch_id, line, state))
    }
}

/// A ledger transaction: its page and a short form for tables.
#[derive(Serialize, Clone)]
pub struct TxLink {
    pub chain_id: i64,
    pub tx_hash: String,
    pub href: String,
    #[serde(skip)]
    pub short: String,
}

impl TxLink {
    /// `tx_hash` as `0x…` hex.
    pub fn new(chain_id: i64, tx_hash: &str) -> Self {
        let short = crate::fmt::short(tx_hash, 8, 4);
        Self {
            chain_id,
            tx_hash: tx_hash.to_string(),
            href: format!("/ledger/chains/{chain_id}/tx/{tx_hash}"),
            short,
        }
    }
}

/// An amount for people: rounded half-up to 2 decimals, thousands grouped with thin spaces
/// (`1 234 567.50`). JSON twins carry the exact value.
pub fn amount(value: &BigDecimal) -> String {
    decimal(value, 2)
}

pub use crate::fmt::decimal;

/// kg CO2e as tonnes with 3 decimals (exact division by 1 000, then rounded for display).
pub fn tonnes(kg: &BigDecimal) -> String {
    decimal(&(kg / BigDecimal::from(1000)), 3)
}

/// A value for chart geometry only (figures shown as text stay exact).
pub fn approx(value: &BigDecimal) -> f64 {
    value.to_string().parse::<f64>().unwrap_or(0.0)
}

pub fn date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// A red flag's figure as people read it: money grouped with its currency, a time as its date
/// (and its time of day in the city's zone when it has one), a number grouped with at most two decimals,
/// payments as their total and how many they are. The JSON twins and the CSV keep the exact
/// `value`.
pub fn flag_figure(figure: &Figure) -> String {
    let money = |m: &Money| crate::fmt::money(Some(&m.amount), m.currency.as_deref());
    match &figure.reading {
        FigureReading::Text => figure.value.clone(),
        FigureReading::Decimal(v) => number(v),
        FigureReading::Money(m) => money(m),
        FigureReading::Time(t) => moment(t),
        FigureReading::Payments { total, count } => {
            let n = i64::try_from(*count).unwrap_or(i64::MAX);
            let word = if *count == 1 { "payment" } else { "payments" };
            format!("{} in {} {word}", money(total), crate::fmt::count(n))
        }
        FigureReading::Award {
            ocid,
            award_id,
            value,
            date: on,
        } => {
            let value = value.as_ref().map_or_else(|| "no value".to_owned(), money);
            format!("{ocid} / {award_id}: {value} on {}", date(on))
        }
    }
}

/// A number with its own decimals, at most two (`15`, `12.5`, `1 234.57`).
fn number(value: &BigDecimal) -> String {
    let (_, scale) = value.normalized().as_bigint_and_exponent();
    decimal(value, scale.clamp(0, 2))
}

/// A date, with its time of day (in the city's zone) when it is not midnight UTC.
fn moment(t: &chrono::DateTime<chrono::Utc>) -> String {
    if t.time() == chrono::NaiveTime::MIN {
        date(t)
    } else {
        crate::fmt::city_time(t)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn amounts_are_rounded_half_up_and_grouped() {
        let d = |s: &str| BigDecimal::from_str(s).unwrap();
        assert_eq!(amount(&d("1234567.505")), "1\u{2009}234\u{2009}567.51");
        assert_eq!(amount(&d("-12")), "-12.00");
        assert_eq!(tonnes(&d("2280")), "2.280");
        assert_eq!(decimal(&d("0.4"), 0), "0");
    }

    #[test]
    fn flag_figures_are_written_as_people_read_them() {
        use chrono::TimeZone;
        let d = |s: &str| BigDecimal::from_str(s).unwrap();
        let eur = |s: &str| Money::new(d(s), Some("EUR".into()));
        let shown = |f: Figure| flag_figure(&f);
        assert_eq!(
            shown(Figure::money("value", &eur("1100000"), "x")),
            "1\u{2009}100\u{2009}000.00 EUR"
        );
        assert_eq!(
            shown(Figure::payments("p", eur("400.01"), 2, "x")),
            "400.01 EUR in 2 payments"
        );
        assert_eq!(
            shown(Figure::payments("p", eur("250000"), 1, "x")),
            "250\u{2009}000.00 EUR in 1 payment"
        );
        assert_eq!(shown(Figure::amount("increase %", &d("12.5"), "x")), "12.5");
        assert_eq!(shown(Figure::amount("limit %", &d("15"), "x")), "15");
        assert_eq!(
            shown(Figure::amount("t", &d("139000.006"), "x")),
            "139\u{2009}000.01"
        );
        // Outside a request the city zone is UTC; a page names its zone once, in its footer.
        let noon = chrono::Utc.with_ymd_and_hms(2025, 2, 1, 12, 30, 0).unwrap();
        let midnight = chrono::Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap();
        assert_eq!(shown(Figure::time("start", midnight, "x")), "2025-02-01");
        assert_eq!(shown(Figure::time("start", noon, "x")), "2025-02-01 12:30");
        assert_eq!(shown(Figure::new("tenderers", 1, "x")), "1");
    }
}
