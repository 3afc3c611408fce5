//! Database side of following: a fetched range's rows, blocks and checkpoint in one
//! transaction; finality advancing; deleting a chain's rows above a block after a reorg.
//!
//! A range whose rows the database refuses (a constraint the Rust checks of
//! `decoders::storable` do not know) is written again with the refused rows found by halving
//! ([`refused`]) and quarantined; the range's other rows are written as usual.

mod refused;

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use citytrace_schema::models::{
    BatchAnchor, Block, Checkpoint, Lot, NewBatchAnchor, NewCarbonRetirement, NewLedgerEvent,
    NewLedgerSupplyEvent, NewSite, NewSupplyEventLot, NewTokenTransfer, NewTreasuryAllocation,
    NewTreasuryPayment, QuarantineReason, QuarantinedLog, Site,
};
use citytrace_schema::schema::{
    carbon_retirements, ledger_events, supply_event_lots, supply_events, token_transfers,
    treasury_allocations, treasury_payments,
};

use super::fetch::FetchedRange;
use super::STREAM;
use crate::decoders::{ContractDecoder, DomainRow, LogContext, LogOutcome, TraceRow};
use crate::source::{Address, RawLog};

/// Every table holding rows indexed from a chain (all have chain_id, block_number, finality).
/// Table names are constants, never input, so they are spliced into the statements below.
///
/// quarantined_logs comes first: a reorg's deletes and a finality update reach it before the
/// domain tables, so they wait for a re-decode (`redecode`) holding its rows and then see the
/// rows it moved into the domain tables.
pub const CHAIN_TABLES: &[&str] = &[
    "quarantined_logs",
    "batch_anchors",
    "supply_events",
    "ledger_events",
    "token_transfers",
    "carbon_retirements",
    "treasury_allocations",
    "treasury_payments",
];

/// The safe and finalized block numbers at the time of writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinalityPoints {
    pub safe: u64,
    pub finalized: u64,
}

impl FinalityPoints {
    pub fn of(&self, block: u64) -> &'static str {
        if block <= self.finalized {
            "final"
        } else if block <= self.safe {
            "safe"
        } else {
            "pending"
        }
    }
}

/// A range's rows, decoded and ready to write.
#[derive(Debug, Default)]
pub struct RangeRows {
    pub from: u64,
    pub to: u64,
    pub last_hash: Vec<u8>,
    pub first_parent_hash: Vec<u8>,
    pub blocks: Vec<Block>,
    pub events: Vec<NewLedgerEvent>,
    pub anchors: Vec<NewBatchAnchor>,
    pub traces: Vec<TraceRow>,
    pub allocations: Vec<NewTreasuryAllocation>,
    pub payments: Vec<NewTreasuryPayment>,
    pub transfers: Vec<NewTokenTransfer>,
    pub retirements: Vec<NewCarbonRetirement>,
    /// Logs that cannot be stored as what they are, kept raw with their problem.
    pub quarantined: Vec<QuarantinedLog>,
    /// Events decoded (each stored once: in its domain table, or in ledger_events).
    pub decoded: usize,
    /// The range's logs of configured contracts, in (block, log index) order: what a row the
    /// database refuses is quarantined as.
    pub logs: Vec<RawLog>,
}

impl RangeRows {
    /// Add what one log became to the rows.
    pub fn push(&mut self, outcome: LogOutcome) {
        match outcome {
            LogOutcome::Decoded(decoded) => {
                self.decoded += 1;
                // An event with a domain table is stored there; the others (configured ABIs,
                // role changes of the city contracts) in ledger_events.
                match decoded.domain {
                    Some(DomainRow::Anchor(r)) => self.anchors.push(r),
                    Some(DomainRow::Trace(r)) => self.traces.push(r),
                    Some(DomainRow::Allocation(r)) => self.allocations.push(r),
                    Some(DomainRow::Payment(r)) => self.payments.push(r),
                    Some(DomainRow::Transfer(r)) => self.transfers.push(r),
                    Some(DomainRow::Retirement(r)) => self.retirements.push(r),
                    None => self.events.push(decoded.event),
                }
            }
            LogOutcome::Quarantined(log) => self.quarantined.push(*log),
            LogOutcome::NotKept => {}
        }
    }
}

/// What writing a range stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Decoded events stored in their tables.
    pub events: usize,
    /// Logs quarantined, by [`QuarantineReason::index`].
    pub quarantined: [usize; 3],
}

/// Decode a fetched range into the rows it becomes (no database needed: this runs in the
/// fetch stage, in parallel with the writer).
pub fn decode_range(
    chain_id: i64,
    range: FetchedRange,
    decoders: &HashMap<Address, ContractDecoder>,
    points: FinalityPoints,
) -> RangeRows {
    let mut rows = RangeRows {
        from: range.from,
        to: range.to,
        last_hash: range.last().hash.to_vec(),
        first_parent_hash: range.first().parent_hash.to_vec(),
        ..Default::default()
    };
    for log in &range.logs {
        let Some(decoder) = decoders.get(&log.address) else {
            continue;
        };
        let Some(header) = range.headers.get(&log.block_number) else {
            continue; // fetch checked every log's block has its header
        };
        let at = LogContext {
            chain_id,
            block_time: header.timestamp,
            finality: points.of(log.block_number),
        };
        rows.push(decoder.decode(log, at));
    }
    rows.blocks = range
        .headers
        .values()
        .map(|h| Block {
            chain_id,
            number: h.number as i64,
            hash: h.hash.to_vec(),
            parent_hash: h.parent_hash.to_vec(),
            timestamp: h.timestamp,
        })
        .collect();
    rows.logs = range.logs;
    rows
}

/// Write a range — its rows by binary COPY, its quarantined logs, its blocks, and the checkpoint
/// at its last block — in one transaction. The step that planned it has already removed any
/// rows above the checkpoint, so a replay writes nothing twice. When the database refuses a
/// row, the refused rows are found and quarantined and the others written (`decoders` gives
/// the quarantine rows their decoded name and parameters).
pub fn write_rows(
    conn: &mut PgConnection,
    chain_id: i64,
    rows: &RangeRows,
    decoders: &HashMap<Address, ContractDecoder>,
) -> QueryResult<Written> {
    conn.transaction(|conn| {
        let refused = write_decoded(conn, chain_id, rows, decoders)?;
        QuarantinedLog::insert_all(conn, &rows.quarantined)?;
        QuarantinedLog::insert_all(conn, &refused)?;
        Block::upsert_all(conn, &rows.blocks)?;
        Checkpoint::set(conn, chain_id, STREAM, rows.to as i64, &rows.last_hash)?;
        let mut written = Written {
            events: rows.decoded.saturating_sub(refused.len()),
            quarantined: [0; 3],
        };
        for log in rows.quarantined.iter().chain(&refused) {
            if let Some(reason) = QuarantineReason::ALL
                .iter()
                .find(|r| r.as_str() == log.reason)
            {
                written.quarantined[reason.index()] += 1;
            }
            tracing::warn!(
                chain_id,
                block = log.block_number,
                log_index = log.log_index,
                tx = %citytrace_schema::hex0x(&log.tx_hash),
                reason = %log.reason,
                problem = %log.problem,
                "log quarantined: kept raw in quarantined_logs (the ledger page \"logs not decoded\"); indexing goes on"
            );
        }
        Ok(written)
    })
}

/// The range's decoded rows, in the caller's transaction; when the database refuses some,
/// the others are written and the refused ones returned as quarantined logs.
pub(crate) fn write_decoded(
    conn: &mut PgConnection,
    chain_id: i64,
    rows: &RangeRows,
    decoders: &HashMap<Address, ContractDecoder>,
) -> QueryResult<Vec<QuarantinedLog>> {
    // A savepoint: if the database refuses a row, only this part is rolled back.
    match conn.transaction(|conn| write_domain_rows(conn, rows)) {
        Ok(()) => Ok(Vec::new()),
        Err(e) if refused::is_refusal(&e) => {
            tracing::info!(chain_id, from = rows.from, to = rows.to, error = %e, "the database refused a row of the range; finding it");
            refused::write_around_refusals(conn, chain_id, rows, decoders)
        }
        Err(e) => Err(e),
    }
}

/// Every decoded row of the range, each table in one statement.
fn write_domain_rows(conn: &mut PgConnection, rows: &RangeRows) -> QueryResult<()> {
    copy_events(conn, &rows.events)?;
    copy_transfers(conn, &rows.transfers)?;
    copy_retirements(conn, &rows.retirements)?;
    copy_allocations(conn, &rows.allocations)?;
    copy_payments(conn, &rows.payments)?;
    insert_anchors(conn, &rows.anchors)?;
    insert_traces(conn, &rows.traces)
}

fn copy_events(conn: &mut PgConnection, rows: &[NewLedgerEvent]) -> QueryResult<()> {
    diesel::copy_from(ledger_events::table)
        .from_insertable(rows)
        .execute(conn)
        .map(drop)
}

fn copy_transfers(conn: &mut PgConnection, rows: &[NewTokenTransfer]) -> QueryResult<()> {
    diesel::copy_from(token_transfers::table)
        .from_insertable(rows)
        .execute(conn)
        .map(drop)
}

fn copy_retirements(conn: &mut PgConnection, rows: &[NewCarbonRetirement]) -> QueryResult<()> {
    diesel::copy_from(carbon_retirements::table)
        .from_insertable(rows)
        .execute(conn)
        .map(drop)
}

fn copy_allocations(conn: &mut PgConnection, rows: &[NewTreasuryAllocation]) -> QueryResult<()> {
    diesel::copy_from(treasury_allocations::table)
        .from_insertable(rows)
        .execute(conn)
        .map(drop)
}

fn copy_payments(conn: &mut PgConnection, rows: &[NewTreasuryPayment]) -> QueryResult<()> {
    diesel::copy_from(treasury_payments::table)
        .from_insertable(rows)
        .execute(conn)
        .map(drop)
}

fn insert_anchors(conn: &mut PgConnection, rows: &[NewBatchAnchor]) -> QueryResult<()> {
    BatchAnchor::insert_all(conn, rows).map(drop)
}

/// TraceRegistry events become supply-chain events at their location (a site registered by
/// code if new), linked to the lot their EPC names when that lot is known.
fn insert_traces(conn: &mut PgConnection, traces: &[TraceRow]) -> QueryResult<()> {
    if traces.is_empty() {
        return Ok(());
    }
    let codes: Vec<&str> = traces
        .iter()
        .map(|t| t.biz_location.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    let new_sites: Vec<NewSite> = codes
        .iter()
        .map(|code| NewSite {
            code,
            name: code,
            kind: "other",
            gln: None,
            party_id: None,
            latitude: None,
            longitude: None,
        })
        .collect();
    Site::ensure_all(conn, &new_sites)?;
    let sites = Site::ids_by_code(conn, &codes)?;
    let epcs: Vec<&str> = traces.iter().map(|t| t.epc.as_str()).collect();
    let lots = Lot::ids_and_products_by_code(conn, &epcs)?;
    for t in traces {
        let id: i64 = diesel::insert_into(supply_events::table)
            .values(NewLedgerSupplyEvent {
                event_type: t.event_type.clone(),
                action: Some("OBSERVE".into()).filter(|_| t.event_type != "TransformationEvent"),
                biz_step: Some(t.biz_step.clone()).filter(|s| !s.is_empty()),
                disposition: Some(t.disposition.clone()).filter(|s| !s.is_empty()),
                event_time: t.event_time,
                event_tz_offset: "+00:00".into(),
                biz_location_id: sites.get(&t.biz_location).copied(),
                chain_id: Some(t.provenance.chain_id),
                block_number: Some(t.provenance.block_number),
                block_hash: Some(t.provenance.block_hash.clone()),
                tx_hash: Some(t.provenance.tx_hash.clone()),
                log_index: Some(t.provenance.log_index),
                finality: Some(t.provenance.finality.clone()),
            })
            .returning(supply_events::id)
            .get_result(conn)?;
        if let Some((lot_id, _)) = lots.get(&t.epc) {
            diesel::insert_into(supply_event_lots::table)
                .values(NewSupplyEventLot {
                    event_id: id,
                    lot_id: *lot_id,
                    role: "object".into(),
                    quantity: None,
                    unit: None,
                })
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Delete `chain_id`'s indexed rows with `above < block_number <= up_to` (no upper bound when
/// `up_to` is None), and the stored blocks in that span.
pub fn delete_rows(
    conn: &mut PgConnection,
    chain_id: i64,
    above: i64,
    up_to: Option<i64>,
) -> QueryResult<()> {
    let up_to = up_to.unwrap_or(i64::MAX);
    for table in CHAIN_TABLES {
        diesel::sql_query(format!(
            "DELETE FROM {table} WHERE chain_id = $1 AND block_number > $2 AND block_number <= $3"
        ))
        .bind::<BigInt, _>(chain_id)
        .bind::<BigInt, _>(above)
        .bind::<BigInt, _>(up_to)
        .execute(conn)?;
    }
    diesel::sql_query("DELETE FROM blocks WHERE chain_id = $1 AND number > $2 AND number <= $3")
        .bind::<BigInt, _>(chain_id)
        .bind::<BigInt, _>(above)
        .bind::<BigInt, _>(up_to)
        .execute(conn)?;
    Ok(())
}

/// Move rows to `safe`/`final` as the chain's safe and finalized blocks advance from
/// `before` to `now`. Only the blocks in between are touched, so the cost does not grow with
/// the table.
pub fn advance_finality(
    conn: &mut PgConnection,
    chain_id: i64,
    before: (i64, i64),
    now: FinalityPoints,
) -> QueryResult<()> {
    let (safe_before, final_before) = before;
    let steps = [
        ("final", final_before, now.finalized as i64),
        ("safe", safe_before, now.safe as i64),
    ];
    for (state, from, to) in steps {
        if to <= from {
            continue;
        }
        for table in CHAIN_TABLES {
            diesel::sql_query(format!(
                "UPDATE {table} SET finality = $1 WHERE chain_id = $2 AND block_number > $3 AND block_number <= $4 \
                 AND finality IS DISTINCT FROM 'final' AND finality IS DISTINCT FROM $1"
            ))
            .bind::<Text, _>(state)
            .bind::<BigInt, _>(chain_id)
            .bind::<BigInt, _>(from)
            .bind::<BigInt, _>(to)
            .execute(conn)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_final_safe_or_pending_by_the_points() {
        let points = FinalityPoints {
            safe: 90,
            finalized: 80,
        };
        assert_eq!(
            (points.of(80), points.of(81), points.of(90), points.of(91)),
            ("final", "safe", "safe", "pending")
        );
    }
}
