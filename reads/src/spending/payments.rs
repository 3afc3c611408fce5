//! Payments under contracts, from both sources: OCDS implementation transactions and the
//! CityTreasury `PaymentMade` events indexed from the city ledger (`treasury_payments`).
//!
//! A ledger payment names its contract by `contractRef`, which citytrace reads as the OCDS
//! ocid of the process. It is attributed to the process's contract when the process has exactly
//! one, else to the process as a whole. A ledger payment that records the same payment as an
//! OCDS transaction is that transaction's **evidence** ([`evidence`]): it is shown beside the
//! transaction and counted once, as the transaction; a ledger payment with no OCDS counterpart
//! is a payment of its own.

mod evidence;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Integer, Nullable, Numeric, Text, Timestamptz};
use serde::Serialize;

use super::money::from_minor_units;

pub use evidence::{EvidenceMatch, LedgerEvidence, EVIDENCE_WINDOW_DAYS};

/// Which contracting processes a query covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessScope {
    Ocid(String),
    Ocids(Vec<String>),
    Buyer(i64),
    All,
}

impl ProcessScope {
    /// The `(ocids, buyer)` bind values of the scope's SQL filters.
    pub(crate) fn binds(&self) -> (Option<Vec<String>>, Option<i64>) {
        match self {
            Self::Ocid(ocid) => (Some(vec![ocid.clone()]), None),
            Self::Ocids(ocids) => (Some(ocids.clone()), None),
            Self::Buyer(buyer) => (None, Some(*buyer)),
            Self::All => (None, None),
        }
    }
}

/// Where a payment is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentSource {
    /// `contracts[].implementation.transactions[]` of an OCDS release (row `batch_id:line`).
    OcdsTransaction {
        transaction_id: String,
        batch_id: i64,
        line: i32,
    },
    /// A CityTreasury `PaymentMade` event on the city ledger.
    Ledger {
        payment_id: String,
        chain_id: i64,
        block_number: i64,
        tx_hash: String,
        log_index: i32,
        finality: String,
    },
}

/// One payment, in the currency's major unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payment {
    pub ocid: String,
    /// The contract paid under; None for a ledger payment of a process with several
    /// contracts (or none).
    pub contract_id: Option<String>,
    pub source: PaymentSource,
    pub paid_at: Option<DateTime<Utc>>,
    pub amount: BigDecimal,
    pub currency: Option<String>,
    pub payee: Option<String>,
    /// The budget line the ledger says the payment was made from (`PaymentMadeOnBudgetLine`;
    /// for an OCDS transaction, its evidence's).
    pub budget_line_id: Option<String>,
    /// An OCDS transaction: the ledger payment that evidences it, when one does.
    pub evidence: Option<LedgerEvidence>,
}

impl Payment {
    pub fn is_ledger(&self) -> bool {
        matches!(self.source, PaymentSource::Ledger { .. })
    }
}

#[derive(QueryableByName)]
struct PaymentRow {
    #[diesel(sql_type = Text)]
    ocid: String,
    #[diesel(sql_type = Nullable<Text>)]
    contract_id: Option<String>,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    reference: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    batch_id: Option<i64>,
    #[diesel(sql_type = Nullable<Integer>)]
    line: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    chain_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    block_number: Option<i64>,
    #[diesel(sql_type = Nullable<Bytea>)]
    tx_hash: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Integer>)]
    log_index: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    finality: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    paid_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Numeric)]
    amount: BigDecimal,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    payee: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    budget_line_id: Option<String>,
    /// A ledger payment whose id is the SHA-256 of this OCDS transaction id of its process.
    #[diesel(sql_type = Nullable<Text>)]
    explicit_transaction_id: Option<String>,
}

impl PaymentRow {
    fn into_payment(self) -> (Payment, Option<String>) {
        let explicit = self.explicit_transaction_id.clone();
        (self.payment(), explicit)
    }

    fn payment(self) -> Payment {
        let (source, amount) = if self.source == "ledger" {
            let amount = from_minor_units(&self.amount, self.currency.as_deref().unwrap_or(""));
            let source = PaymentSource::Ledger {
                payment_id: format!("0x{}", self.reference),
                chain_id: self.chain_id.unwrap_or_default(),
                block_number: self.block_number.unwrap_or_default(),
                tx_hash: citytrace_schema::hex0x(self.tx_hash.as_deref().unwrap_or_default()),
                log_index: self.log_index.unwrap_or_default(),
                finality: self.finality.unwrap_or_default(),
            };
            (source, amount)
        } else {
            let source = PaymentSource::OcdsTransaction {
                transaction_id: self.reference,
                batch_id: self.batch_id.unwrap_or_default(),
                line: self.line.unwrap_or_default(),
            };
            (source, self.amount)
        };
        Payment {
            ocid: self.ocid,
            contract_id: self.contract_id,
            source,
            paid_at: self.paid_at,
            amount,
            currency: self.currency,
            payee: self.payee,
            budget_line_id: self.budget_line_id,
            evidence: None,
        }
    }
}

/// The payments of the processes in `scope`, by ocid, then date (undated last): the OCDS
/// transactions with the ledger payments that evidence them, and the ledger payments with no
/// OCDS counterpart.
pub fn payments_of(conn: &mut PgConnection, scope: &ProcessScope) -> QueryResult<Vec<Payment>> {
    let (ocids, buyer) = scope.binds();
    let rows: Vec<PaymentRow> = diesel::sql_query(include_str!("payments/payments.sql"))
        .bind::<Nullable<Array<Text>>, _>(ocids)
        .bind::<Nullable<BigInt>, _>(buyer)
        .load(conn)?;
    Ok(evidence::link_evidence(
        rows.into_iter().map(PaymentRow::into_payment).collect(),
    ))
}

#[derive(QueryableByName)]
struct UnlinkedRow {
    #[diesel(sql_type = BigInt)]
    department_id: i64,
    #[diesel(embed)]
    payment: PaymentRow,
}

/// CityTreasury payments whose `contractRef` names no known process, with the department
/// party their `department` text names (by code, else by name; payments naming no party are
/// left out). `department`: only that party's.
pub fn unlinked_ledger_payments(
    conn: &mut PgConnection,
    department: Option<i64>,
) -> QueryResult<Vec<(i64, Payment)>> {
    let rows: Vec<UnlinkedRow> = diesel::sql_query(include_str!("payments/unlinked.sql"))
        .bind::<Nullable<BigInt>, _>(department)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.department_id, r.payment.payment()))
        .collect())
}

/// The sum of the payments in `currency` (a missing currency matches only a missing one), and
/// how many there were.
pub fn total_in(payments: &[&Payment], currency: Option<&str>) -> (BigDecimal, usize) {
    payments
        .iter()
        .filter(|p| p.currency.as_deref() == currency)
        .fold((BigDecimal::from(0), 0), |(sum, n), p| {
            (sum + &p.amount, n + 1)
        })
}
