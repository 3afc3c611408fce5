//! The custody chain of a consignment: producer → carrier → facility → onward movements.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use serde::Serialize;

use super::Consignment;

/// One movement in a custody chain, with its transfer note (producer, origin, carrier, facility,
/// EWC code, declared mass, planned operation) and its receipt (mass received, operation
/// performed, or the refusal).
#[derive(Debug, Clone, Serialize)]
pub struct CustodyStep {
    /// How far from the consignment asked for: −1 is the consignment it came from, 0 itself,
    /// 1 the consignments that moved it on, and so on.
    pub depth: i32,
    pub consignment: Consignment,
}

#[derive(QueryableByName)]
struct ChainLink {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Integer)]
    depth: i32,
}

/// The custody chain of `consignment_id`: the consignments it came from (following
/// `previous_consignment_id` back to the producer), itself, and every consignment that moved
/// it on (forwards, through every split), ordered by depth, then by when each left. Empty if
/// the consignment is unknown. Consignments that share an ancestor but did not carry this
/// waste (its siblings) are not part of its chain.
pub fn custody_chain(
    conn: &mut PgConnection,
    consignment_id: &str,
) -> QueryResult<Vec<CustodyStep>> {
    let links: Vec<ChainLink> = diesel::sql_query(include_str!("custody_chain.sql"))
        .bind::<Text, _>(consignment_id)
        .load(conn)?;
    let depths: HashMap<i64, i32> = links.iter().map(|l| (l.id, l.depth)).collect();
    let ids: Vec<i64> = links.iter().map(|l| l.id).collect();
    let mut steps: Vec<CustodyStep> = Consignment::by_transfer_ids(conn, &ids)?
        .into_iter()
        .filter_map(|consignment| {
            let depth = *depths.get(&consignment.transfer.id)?;
            Some(CustodyStep { depth, consignment })
        })
        .collect();
    steps.sort_by(|a, b| {
        (
            a.depth,
            a.consignment.transfer.transferred_at,
            a.consignment.consignment_id(),
        )
            .cmp(&(
                b.depth,
                b.consignment.transfer.transferred_at,
                b.consignment.consignment_id(),
            ))
    });
    Ok(steps)
}
