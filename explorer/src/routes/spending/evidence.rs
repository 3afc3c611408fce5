//! What every figure of the spending and emissions pages carries: where its row came from
//! (batch + line, or chain + transaction), how far it can be trusted, and amounts written for
//! people (exact decimals, grouped thousands).

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use serde::Serialize;

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
}
