//! The write-time fallback of quarantine: a range whose rows the database refused is written
//! again table by table, each table's rows in halves inside savepoints, down to the single rows
//! it refuses; those are quarantined with the database's message and every other row is
//! written. k refused rows among n cost about 2·k·log₂(n) statements instead of one.

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::{Connection, QueryResult};

use citytrace_schema::models::{
    NewBatchAnchor, NewCarbonRetirement, NewLedgerEvent, NewTokenTransfer, NewTreasuryAllocation,
    NewTreasuryPayment, Provenance, QuarantinedLog,
};

use super::{
    copy_allocations, copy_events, copy_payments, copy_retirements, copy_transfers, insert_anchors,
    insert_traces, RangeRows,
};
use crate::decoders::{ContractDecoder, LogContext, TraceRow};
use crate::source::Address;

/// Is `error` the database refusing a row for what it holds — a constraint violation, or a
/// value PostgreSQL cannot take (a data exception, a too large index entry) — rather than
/// trouble with the database itself (a lost connection, a timeout), which must not quarantine
/// anything? Constraint violations are recognised by their SQLSTATE class (23); the others by
/// PostgreSQL's English messages, as diesel gives no other SQLSTATE.
pub fn is_refusal(error: &Error) -> bool {
    let Error::DatabaseError(kind, info) = error else {
        return false;
    };
    match kind {
        DatabaseErrorKind::UniqueViolation
        | DatabaseErrorKind::ForeignKeyViolation
        | DatabaseErrorKind::NotNullViolation
        | DatabaseErrorKind::CheckViolation
        | DatabaseErrorKind::RestrictViolation
        | DatabaseErrorKind::ExclusionViolation => true,
        DatabaseErrorKind::Unknown => {
            const DATA_PROBLEMS: &[&str] = &[
                "out of range",
                "invalid byte sequence",
                "invalid input syntax",
                "unsupported unicode escape sequence",
                "null character not permitted",
                "value too long",
                "index row size",
                "index row requires",
                "numeric field overflow",
                "character with byte sequence",
                "cannot be converted",
            ];
            let message = info.message().to_ascii_lowercase();
            DATA_PROBLEMS.iter().any(|p| message.contains(p))
        }
        _ => false,
    }
}

/// A row of a range: where its log is, and its finality.
trait RangeRow {
    fn key(&self) -> (i64, i32);
    fn finality(&self) -> &str;
}

macro_rules! range_row {
    ($($t:ty),*) => {$(
        impl RangeRow for $t {
            fn key(&self) -> (i64, i32) {
                (self.block_number, self.log_index)
            }
            fn finality(&self) -> &str {
                &self.finality
            }
        }
    )*};
}
range_row!(
    NewLedgerEvent,
    NewTokenTransfer,
    NewCarbonRetirement,
    NewTreasuryAllocation,
    NewTreasuryPayment,
    NewBatchAnchor,
    Provenance
);

impl RangeRow for TraceRow {
    fn key(&self) -> (i64, i32) {
        self.provenance.key()
    }
    fn finality(&self) -> &str {
        self.provenance.finality()
    }
}

/// A row the database refused: its log's key, its finality, and the database's message.
struct Refused {
    key: (i64, i32),
    finality: String,
    problem: String,
}

/// Write the range's decoded rows around the ones the database refuses (inside the caller's
/// transaction; the first attempt's savepoint has been rolled back). Returns the refused rows
/// as quarantined logs.
pub fn write_around_refusals(
    conn: &mut PgConnection,
    chain_id: i64,
    rows: &RangeRows,
    decoders: &HashMap<Address, ContractDecoder>,
) -> QueryResult<Vec<QuarantinedLog>> {
    let mut refused = Vec::new();
    halve(conn, &rows.events, copy_events, &mut refused)?;
    halve(conn, &rows.transfers, copy_transfers, &mut refused)?;
    halve(conn, &rows.retirements, copy_retirements, &mut refused)?;
    halve(conn, &rows.allocations, copy_allocations, &mut refused)?;
    halve(conn, &rows.payments, copy_payments, &mut refused)?;
    halve(conn, &rows.anchors, insert_anchors, &mut refused)?;
    halve(conn, &rows.traces, insert_traces, &mut refused)?;
    refused
        .into_iter()
        .map(|r| quarantined(chain_id, rows, decoders, r))
        .collect()
}

/// The quarantine row of a refused row: its raw log, decoded again for its name and params.
fn quarantined(
    chain_id: i64,
    rows: &RangeRows,
    decoders: &HashMap<Address, ContractDecoder>,
    refused: Refused,
) -> QueryResult<QuarantinedLog> {
    let log = rows
        .logs
        .binary_search_by_key(&refused.key, |l| {
            (l.block_number as i64, l.log_index as i32)
        })
        .ok()
        .and_then(|i| rows.logs.get(i));
    let block_time = rows
        .blocks
        .iter()
        .find(|b| b.number == refused.key.0)
        .map(|b| b.timestamp);
    let decoder = log.and_then(|l| decoders.get(&l.address));
    let (Some(log), Some(block_time), Some(decoder)) = (log, block_time, decoder) else {
        // Every decoded row comes from one of the range's logs, of a configured contract, in
        // a block whose header was fetched: reaching this is a bug, and the range must not be
        // half written.
        return Err(Error::QueryBuilderError(
            format!(
                "no log, block or decoder for the refused row at block {}, log {}",
                refused.key.0, refused.key.1
            )
            .into(),
        ));
    };
    let at = LogContext {
        chain_id,
        block_time,
        finality: &refused.finality,
    };
    Ok(decoder.refused(
        log,
        at,
        format!("the database refused its row: {}", refused.problem),
    ))
}

/// Write `rows` with `write` in a savepoint; when the database refuses them, write each half
/// the same way, down to single rows, which are refused alone.
fn halve<T: RangeRow>(
    conn: &mut PgConnection,
    rows: &[T],
    write: fn(&mut PgConnection, &[T]) -> QueryResult<()>,
    refused: &mut Vec<Refused>,
) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn.transaction(|conn| write(conn, rows)) {
        Ok(()) => Ok(()),
        Err(e) if is_refusal(&e) => match rows {
            [row] => {
                refused.push(Refused {
                    key: row.key(),
                    finality: row.finality().to_string(),
                    problem: e.to_string(),
                });
                Ok(())
            }
            _ => {
                let (first, second) = rows.split_at(rows.len() / 2);
                halve(conn, first, write, refused)?;
                halve(conn, second, write, refused)
            }
        },
        Err(e) => Err(e),
    }
}
