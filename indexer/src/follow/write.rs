//! Database side of following: a fetched range's rows, blocks and checkpoint in one
//! transaction; finality advancing; deleting a chain's rows above a block after a reorg.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use citytrace_schema::models::{
    BatchAnchor, Block, Checkpoint, Lot, NewBatchAnchor, NewCarbonRetirement, NewLedgerEvent,
    NewLedgerSupplyEvent, NewSite, NewSupplyEventLot, NewTokenTransfer, NewTreasuryAllocation,
    NewTreasuryPayment, Site,
};
use citytrace_schema::schema::{
    carbon_retirements, ledger_events, supply_event_lots, supply_events, token_transfers,
    treasury_allocations, treasury_payments,
};

use super::fetch::FetchedRange;
use super::STREAM;
use crate::decoders::{ContractDecoder, DomainRow, TraceRow};
use crate::source::Address;

/// Every table holding rows indexed from a chain (all have chain_id, block_number, finality).
/// Table names are constants, never input, so they are spliced into the statements below.
pub const CHAIN_TABLES: &[&str] = &[
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
    /// Events decoded (each stored once: in its domain table, or in ledger_events).
    pub decoded: usize,
    pub undecodable: usize,
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
        let time = range.headers[&log.block_number].timestamp;
        match decoder.rows(log, time, chain_id, points.of(log.block_number)) {
            Ok(Some(decoded)) => {
                rows.decoded += 1;
                // An event with a domain table is stored there; the others (configured ABIs,
                // role changes of the city contracts) in ledger_events.
                match decoded.domain {
                    Some(DomainRow::Anchor(r)) => rows.anchors.push(r),
                    Some(DomainRow::Trace(r)) => rows.traces.push(r),
                    Some(DomainRow::Allocation(r)) => rows.allocations.push(r),
                    Some(DomainRow::Payment(r)) => rows.payments.push(r),
                    Some(DomainRow::Transfer(r)) => rows.transfers.push(r),
                    Some(DomainRow::Retirement(r)) => rows.retirements.push(r),
                    None => rows.events.push(decoded.event),
                }
            }
            Ok(None) => {}
            Err(reason) => {
                rows.undecodable += 1;
                tracing::warn!(chain_id, block = log.block_number, log_index = log.log_index, %reason, "skipping an undecodable log");
            }
        }
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
    rows
}

/// Write a range — its rows by binary COPY, its blocks, and the checkpoint at its last block —
/// in one transaction. The step that planned it has already removed any rows above the
/// checkpoint, so a replay writes nothing twice. Returns the number of events written.
pub fn write_rows(conn: &mut PgConnection, chain_id: i64, rows: &RangeRows) -> QueryResult<usize> {
    conn.transaction(|conn| {
        diesel::copy_from(ledger_events::table)
            .from_insertable(&rows.events)
            .execute(conn)?;
        diesel::copy_from(token_transfers::table)
            .from_insertable(&rows.transfers)
            .execute(conn)?;
        diesel::copy_from(carbon_retirements::table)
            .from_insertable(&rows.retirements)
            .execute(conn)?;
        diesel::copy_from(treasury_allocations::table)
            .from_insertable(&rows.allocations)
            .execute(conn)?;
        diesel::copy_from(treasury_payments::table)
            .from_insertable(&rows.payments)
            .execute(conn)?;
        BatchAnchor::insert_all(conn, &rows.anchors)?;
        insert_traces(conn, &rows.traces)?;
        Block::upsert_all(conn, &rows.blocks)?;
        Checkpoint::set(conn, chain_id, STREAM, rows.to as i64, &rows.last_hash)?;
        Ok(rows.decoded)
    })
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
                chain_id: Some(t.chain_id),
                block_number: Some(t.block_number),
                block_hash: Some(t.block_hash.clone()),
                tx_hash: Some(t.tx_hash.clone()),
                log_index: Some(t.log_index),
                finality: Some(t.finality.clone()),
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
