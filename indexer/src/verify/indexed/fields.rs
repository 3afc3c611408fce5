//! The columns a decoded log becomes, typed, and how a stored value (as PostgreSQL's
//! `jsonb_each_text` writes it) is compared with them.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::decoders::{DomainRow, LogContext, LogRows};
use crate::source::RawLog;

/// One column's value as the ledger says it should be.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    /// A bytea[] (a log's topics).
    ByteList(Vec<Vec<u8>>),
    Numeric(BigDecimal),
    Time(DateTime<Utc>),
    Json(Value),
    Null,
}

impl Field {
    fn text(value: Option<&str>) -> Self {
        value.map_or(Self::Null, |v| Self::Text(v.to_string()))
    }

    /// Does the stored text equal this value (numbers by value, times by instant, JSON by
    /// structure)?
    pub fn matches(&self, stored: Option<&str>) -> bool {
        let Some(s) = stored else {
            return *self == Self::Null;
        };
        match self {
            Self::Null => false,
            Self::Int(i) => s.parse::<i64>() == Ok(*i),
            Self::Text(t) => s == t,
            Self::Bytes(b) => stored_bytes(s).as_ref() == Some(b),
            Self::ByteList(list) => stored_byte_list(s).as_ref() == Some(list),
            Self::Numeric(n) => BigDecimal::from_str(s).is_ok_and(|v| v == *n),
            Self::Time(t) => DateTime::parse_from_rfc3339(s).is_ok_and(|v| v == *t),
            Self::Json(j) => serde_json::from_str::<Value>(s).is_ok_and(|v| v == *j),
        }
    }

    /// How the value reads in a report.
    pub fn show(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Text(t) => format!("{t:?}"),
            Self::Bytes(b) => citytrace_schema::hex0x(b),
            Self::ByteList(list) => show_byte_list(list),
            Self::Numeric(n) => n.normalized().to_plain_string(),
            Self::Time(t) => t.to_rfc3339(),
            Self::Json(j) => j.to_string(),
            Self::Null => "null".into(),
        }
    }

    /// How a stored value reads in a report, in the same notation as [`Field::show`].
    pub fn show_stored(&self, stored: Option<&str>) -> String {
        let Some(s) = stored else {
            return "null".into();
        };
        match self {
            Self::Text(_) => format!("{s:?}"),
            Self::Bytes(_) => {
                stored_bytes(s).map_or(s.to_string(), |b| citytrace_schema::hex0x(&b))
            }
            Self::ByteList(_) => stored_byte_list(s).map_or(s.to_string(), |l| show_byte_list(&l)),
            Self::Numeric(_) => {
                BigDecimal::from_str(s).map_or(s.to_string(), |n| n.normalized().to_plain_string())
            }
            Self::Json(_) => {
                serde_json::from_str::<Value>(s).map_or(s.to_string(), |v| v.to_string())
            }
            _ => s.to_string(),
        }
    }
}

/// bytea in JSON text: `\x0102…`.
fn stored_bytes(s: &str) -> Option<Vec<u8>> {
    hex::decode(s.strip_prefix("\\x")?).ok()
}

/// bytea[] in JSON text: `["\\x01…", …]`.
fn stored_byte_list(s: &str) -> Option<Vec<Vec<u8>>> {
    let items: Vec<String> = serde_json::from_str(s).ok()?;
    items.iter().map(|i| stored_bytes(i)).collect()
}

fn show_byte_list(list: &[Vec<u8>]) -> String {
    let items: Vec<String> = list.iter().map(|b| citytrace_schema::hex0x(b)).collect();
    format!("[{}]", items.join(", "))
}

/// A quarantined log's columns as the ledger says they are: where it was logged, and its raw
/// topics and data.
pub fn expected_raw(
    log: &RawLog,
    at: LogContext<'_>,
    with_block_time: bool,
) -> (&'static str, Vec<(&'static str, Field)>) {
    use Field::{ByteList, Bytes, Int, Time};
    let mut columns = vec![
        ("chain_id", Int(at.chain_id)),
        ("block_number", Int(log.block_number as i64)),
        ("block_hash", Bytes(log.block_hash.to_vec())),
        ("block_time", Time(at.block_time)),
        ("tx_hash", Bytes(log.tx_hash.to_vec())),
        ("log_index", Int(log.log_index as i64)),
        ("contract", Bytes(log.address.to_vec())),
        (
            "topics",
            ByteList(log.topics.iter().map(|t| t.to_vec()).collect()),
        ),
        ("data", Bytes(log.data.clone())),
    ];
    if !with_block_time {
        columns.retain(|(name, _)| *name != "block_time");
    }
    ("quarantined_logs", columns)
}

/// The columns every indexed row starts with: where on which chain it was logged, then `rest`.
macro_rules! located {
    ($r:expr, [$($rest:expr),* $(,)?]) => {
        vec![
            ("chain_id", Int($r.chain_id)),
            ("block_number", Int($r.block_number)),
            ("block_hash", Bytes($r.block_hash.clone())),
            ("block_time", Time($r.block_time)),
            ("tx_hash", Bytes($r.tx_hash.clone())),
            ("log_index", Int($r.log_index.into())),
            $($rest),*
        ]
    };
}

/// The table a decoded log is stored in, and its columns as the ledger says they are. Surrogate
/// ids and finality (a state, not part of the log) are not compared; `block_time` is left out
/// when `with_block_time` is false (the block's header could not be trusted).
pub fn expected(
    rows: &LogRows,
    with_block_time: bool,
) -> (&'static str, Vec<(&'static str, Field)>) {
    use Field::{Bytes, Int, Json, Numeric, Text, Time};
    let (table, mut columns) = match &rows.domain {
        None => {
            let e = &rows.event;
            (
                "ledger_events",
                located!(
                    e,
                    [
                        ("contract", Bytes(e.contract.clone())),
                        ("event_name", Text(e.event_name.clone())),
                        ("signature", Text(e.signature.clone())),
                        ("params", Json(e.params.clone())),
                    ]
                ),
            )
        }
        Some(DomainRow::Anchor(r)) => (
            "batch_anchors",
            located!(
                r,
                [
                    ("contract", Bytes(r.contract.clone())),
                    ("batch_id", Numeric(r.batch_id.clone())),
                    ("merkle_root", Bytes(r.merkle_root.clone())),
                    ("row_count", Int(r.row_count)),
                    ("uri", Text(r.uri.clone())),
                ]
            ),
        ),
        Some(DomainRow::Trace(r)) => (
            "supply_events",
            vec![
                ("chain_id", Int(r.provenance.chain_id)),
                ("block_number", Int(r.provenance.block_number)),
                ("block_hash", Bytes(r.provenance.block_hash.clone())),
                ("tx_hash", Bytes(r.provenance.tx_hash.clone())),
                ("log_index", Int(r.provenance.log_index.into())),
                ("event_type", Text(r.event_type.clone())),
                (
                    "action",
                    Field::text((r.event_type != "TransformationEvent").then_some("OBSERVE")),
                ),
                ("biz_step", Field::text(non_empty(&r.biz_step))),
                ("disposition", Field::text(non_empty(&r.disposition))),
                ("event_time", Time(r.event_time)),
                ("event_tz_offset", Text("+00:00".into())),
                // The site's code, joined in by the query (the row holds the site's id).
                ("biz_location", Field::text(non_empty(&r.biz_location))),
            ],
        ),
        Some(DomainRow::Allocation(r)) => (
            "treasury_allocations",
            located!(
                r,
                [
                    ("contract", Bytes(r.contract.clone())),
                    ("allocation_id", Bytes(r.allocation_id.clone())),
                    ("fiscal_year", Int(r.fiscal_year.into())),
                    ("department", Text(r.department.clone())),
                    ("program", Text(r.program.clone())),
                    ("cofog", Text(r.cofog.clone())),
                    ("amount_minor", Numeric(r.amount_minor.clone())),
                    ("currency", Text(r.currency.clone())),
                ]
            ),
        ),
        Some(DomainRow::Payment(r)) => (
            "treasury_payments",
            located!(
                r,
                [
                    ("contract", Bytes(r.contract.clone())),
                    ("payment_id", Bytes(r.payment_id.clone())),
                    ("payee", Bytes(r.payee.clone())),
                    ("payee_name", Text(r.payee_name.clone())),
                    ("department", Text(r.department.clone())),
                    ("amount_minor", Numeric(r.amount_minor.clone())),
                    ("currency", Text(r.currency.clone())),
                    ("contract_ref", Text(r.contract_ref.clone())),
                ]
            ),
        ),
        Some(DomainRow::Transfer(r)) => (
            "token_transfers",
            located!(
                r,
                [
                    ("token", Bytes(r.contract.clone())),
                    ("from_address", Bytes(r.from_address.clone())),
                    ("to_address", Bytes(r.to_address.clone())),
                    ("amount", Numeric(r.amount.clone())),
                ]
            ),
        ),
        Some(DomainRow::Retirement(r)) => (
            "carbon_retirements",
            located!(
                r,
                [
                    ("contract", Bytes(r.contract.clone())),
                    ("source", Text(r.source.clone())),
                    ("token", Bytes(r.token.clone())),
                    ("retiring_address", Bytes(r.retiring_address.clone())),
                    ("beneficiary", Bytes(r.beneficiary.clone())),
                    (
                        "beneficiary_name",
                        Field::text(r.beneficiary_name.as_deref()),
                    ),
                    ("retiring_entity", Field::text(r.retiring_entity.as_deref())),
                    ("message", Field::text(r.message.as_deref())),
                    ("amount", Numeric(r.amount.clone())),
                    ("tonnes", Numeric(r.tonnes.clone())),
                ]
            ),
        ),
    };
    if !with_block_time {
        columns.retain(|(name, _)| *name != "block_time");
    }
    (table, columns)
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_is_compared_by_value() {
        assert!(Field::Bytes(vec![1, 0xab]).matches(Some("\\x01ab")));
        assert!(!Field::Bytes(vec![1, 0xab]).matches(Some("\\x01ac")));
        assert!(Field::Numeric(BigDecimal::from(25)).matches(Some("25.000")));
        let big = BigDecimal::from_str("1000000000000000000000001").unwrap();
        assert!(Field::Numeric(big.clone()).matches(Some("1000000000000000000000001")));
        assert!(!Field::Numeric(big).matches(Some("1000000000000000000000000")));
        let t = DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(Field::Time(t).matches(Some("2026-05-01T10:00:00+02:00")));
        assert!(Field::Json(serde_json::json!({"a": "1", "b": "2"}))
            .matches(Some(r#"{"b": "2", "a": "1"}"#)));
        assert!(Field::Null.matches(None));
        let topics = Field::ByteList(vec![vec![1, 2], vec![0xff]]);
        assert!(topics.matches(Some(r#"["\\x0102", "\\xff"]"#)));
        assert!(!topics.matches(Some(r#"["\\x0102"]"#)));
        assert_eq!(topics.show(), "[0x0102, 0xff]");
        assert!(!Field::Text("x".into()).matches(None));
        assert_eq!(Field::Bytes(vec![]).show_stored(Some("\\x0a0b")), "0x0a0b");
        assert_eq!(
            Field::Numeric(BigDecimal::from(0)).show_stored(Some("50000.00")),
            "50000"
        );
        assert_eq!(
            Field::Json(Value::Null).show_stored(Some(r#"{"b": "2", "a": true}"#)),
            r#"{"a":true,"b":"2"}"#
        );
    }
}
