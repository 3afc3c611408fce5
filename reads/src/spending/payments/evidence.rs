//! Ledger payments as evidence of OCDS payments.
//!
//! The OCDS transactions say what the city paid; a CityTreasury payment on the ledger is the
//! tamper-evident record of a payment. When both record the same payment, the ledger payment
//! is the transaction's evidence: shown beside it ("evidenced on the ledger", with its
//! transaction), and the payment is counted once, as the OCDS transaction. A ledger payment
//! evidences at most one transaction, and a transaction has at most one evidence:
//!
//! 1. **Explicit reference** ([`EvidenceMatch::PaymentId`]): the ledger payment's `paymentId`
//!    is the SHA-256 of the UTF-8 id of an OCDS transaction of the same process (the
//!    treasury's own key for that payment).
//! 2. **Amount and date** ([`EvidenceMatch::AmountAndDate`]): otherwise, a ledger payment of the
//!    same process — under the same contract, when it names one — in the same currency, of
//!    exactly the same amount, whose block time is within [`EVIDENCE_WINDOW_DAYS`] days of the
//!    transaction's date (either side). Transactions are matched in date order, each to the
//!    closest such ledger payment still unmatched (then the earliest on the ledger).
//!
//! Every other ledger payment has no OCDS counterpart and stays a payment of its own.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Payment, PaymentSource};

/// How far apart (days) an OCDS transaction's date and a ledger payment's block time may be
/// for the ledger payment to evidence it by amount and date.
pub const EVIDENCE_WINDOW_DAYS: i64 = 7;

/// Why a ledger payment evidences an OCDS transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceMatch {
    /// Its payment id is the SHA-256 of the transaction's id.
    PaymentId,
    /// Same process, contract, currency and amount, `days_apart` whole days apart (at most
    /// [`EVIDENCE_WINDOW_DAYS`]).
    AmountAndDate { days_apart: i64 },
}

/// The ledger payment that evidences an OCDS transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEvidence {
    pub payment_id: String,
    pub chain_id: i64,
    pub block_number: i64,
    pub tx_hash: String,
    pub log_index: i32,
    pub finality: String,
    /// The block's time.
    pub paid_at: Option<DateTime<Utc>>,
    pub matched_by: EvidenceMatch,
}

/// The payments with each ledger payment that evidences an OCDS transaction folded into it;
/// `rows`: each payment with, for a ledger payment, the id of the OCDS transaction its payment
/// id names. The order is kept.
pub(super) fn link_evidence(rows: Vec<(Payment, Option<String>)>) -> Vec<Payment> {
    let mut evidence: Vec<Option<(usize, EvidenceMatch)>> = vec![None; rows.len()];
    let mut used = vec![false; rows.len()];
    for (j, (ledger, explicit)) in rows.iter().enumerate() {
        let Some(transaction_id) = explicit.as_deref() else {
            continue;
        };
        let found = rows.iter().enumerate().position(|(i, (p, _))| {
            evidence[i].is_none() && p.ocid == ledger.ocid && transaction(p) == Some(transaction_id)
        });
        if let (Some(i), true) = (found, ledger.is_ledger()) {
            evidence[i] = Some((j, EvidenceMatch::PaymentId));
            used[j] = true;
        }
    }
    let mut by_date: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].0.is_ledger() && evidence[i].is_none())
        .collect();
    by_date.sort_by_key(|&i| rows[i].0.paid_at);
    for i in by_date {
        let closest = (0..rows.len())
            .filter(|&j| !used[j])
            .filter_map(|j| apart(&rows[i].0, &rows[j].0).map(|d| (d, j)))
            .min_by_key(|&(d, j)| (d, ledger_position(&rows[j].0), j));
        if let Some((d, j)) = closest {
            let days_apart = d.num_days();
            evidence[i] = Some((j, EvidenceMatch::AmountAndDate { days_apart }));
            used[j] = true;
        }
    }
    let ledger: Vec<Option<Payment>> = rows
        .iter()
        .enumerate()
        .map(|(j, (p, _))| used[j].then(|| p.clone()))
        .collect();
    rows.into_iter()
        .enumerate()
        .filter(|(j, _)| !used[*j])
        .map(|(i, (mut p, _))| {
            let found = evidence[i].take();
            if let Some((l, matched_by)) = found.and_then(|(j, m)| Some((ledger[j].as_ref()?, m))) {
                p.evidence = evidence_from(l, matched_by);
                if p.budget_line_id.is_none() {
                    p.budget_line_id.clone_from(&l.budget_line_id);
                }
            }
            p
        })
        .collect()
}

fn transaction(p: &Payment) -> Option<&str> {
    match &p.source {
        PaymentSource::OcdsTransaction { transaction_id, .. } => Some(transaction_id),
        PaymentSource::Ledger { .. } => None,
    }
}

fn ledger_position(p: &Payment) -> (i64, i32) {
    match &p.source {
        PaymentSource::Ledger {
            block_number,
            log_index,
            ..
        } => (*block_number, *log_index),
        PaymentSource::OcdsTransaction { .. } => (i64::MAX, i32::MAX),
    }
}

/// How far apart an OCDS transaction and a ledger payment are, when the ledger payment can
/// evidence it by amount and date.
fn apart(ocds: &Payment, ledger: &Payment) -> Option<Duration> {
    let same_contract = ledger.contract_id.is_none() || ledger.contract_id == ocds.contract_id;
    let comparable = ledger.is_ledger()
        && ledger.ocid == ocds.ocid
        && same_contract
        && ledger.currency.is_some()
        && ledger.currency == ocds.currency
        && ledger.amount == ocds.amount;
    if !comparable {
        return None;
    }
    let d = (ledger.paid_at? - ocds.paid_at?).abs();
    (d <= Duration::days(EVIDENCE_WINDOW_DAYS)).then_some(d)
}

fn evidence_from(ledger: &Payment, matched_by: EvidenceMatch) -> Option<LedgerEvidence> {
    let PaymentSource::Ledger {
        payment_id,
        chain_id,
        block_number,
        tx_hash,
        log_index,
        finality,
    } = &ledger.source
    else {
        return None;
    };
    Some(LedgerEvidence {
        payment_id: payment_id.clone(),
        chain_id: *chain_id,
        block_number: *block_number,
        tx_hash: tx_hash.clone(),
        log_index: *log_index,
        finality: finality.clone(),
        paid_at: ledger.paid_at,
        matched_by,
    })
}

#[cfg(test)]
mod tests;
