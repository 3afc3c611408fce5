//! The breach list's read (`/cold-chain/breaches`, the cold-chain page's first page of it, and
//! its exports): a page of [`shipments_in_breach`], each shipment with the reading its row
//! points to (the first reading of its first excursion in breach), how far that reading's
//! batch can be trusted, and its route (where it was delivered, under which contract).

use diesel::prelude::*;

use citytrace_schema::models::TrustState;

use super::{
    cold_chain_compliance, shipment_route, shipments_in_breach, ColdChainCompliance,
    ColdChainSettings, ReadingRef, ShipmentColdChain, ShipmentRoute, Verdict,
};
use crate::trust::TrustOfBatches;

/// One shipment in breach, with the reading that shows it.
#[derive(Debug, Clone)]
pub struct ShipmentInBreach {
    pub shipment: ShipmentColdChain,
    /// The first reading of the first excursion in breach (first product, then logger, in
    /// breach).
    pub source: Option<ReadingRef>,
    /// How far that reading's batch can be trusted.
    pub trust: Option<TrustState>,
    /// Where it went (the clinic, the school kitchen) and the contract it was bought under.
    pub route: Option<ShipmentRoute>,
}

/// A page of the breach list, in shipment code order, and the cursor of the next.
#[derive(Debug, Clone)]
pub struct ShipmentsInBreach {
    pub shipments: Vec<ShipmentInBreach>,
    /// Pass as `after` for the next page; `None` when there are no more.
    pub next_after: Option<String>,
}

/// The first reading of the first excursion of the first logger in breach of the first product
/// in breach.
pub fn breach_source(shipment: &ShipmentColdChain) -> Option<ReadingRef> {
    shipment
        .products
        .iter()
        .filter(|p| p.verdict == Verdict::Breach)
        .flat_map(|p| &p.devices)
        .filter(|d| d.report.verdict == Verdict::Breach)
        .find_map(|d| d.report.excursions.first())
        .map(|e| e.first_reading)
}

/// Up to `limit` shipments in breach after the code `after`, with their source reading's trust.
pub fn load_breaches(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
    after: Option<&str>,
    limit: usize,
) -> QueryResult<ShipmentsInBreach> {
    let page = shipments_in_breach(conn, settings, after, limit)?;
    let mut trust = TrustOfBatches::default();
    let mut shipments = Vec::with_capacity(page.shipments.len());
    for shipment in page.shipments {
        let source = breach_source(&shipment);
        let trust = source.map(|s| trust.of(conn, s.batch_id)).transpose()?;
        let route = shipment_route(conn, &shipment.shipment_code)?;
        shipments.push(ShipmentInBreach {
            shipment,
            source,
            trust,
            route,
        });
    }
    Ok(ShipmentsInBreach {
        shipments,
        next_after: page.next_after,
    })
}

/// The cold-chain page's figures: the compliance figure and the first page of breaches.
#[derive(Debug, Clone)]
pub struct ColdChainOverview {
    pub compliance: ColdChainCompliance,
    pub breaches: ShipmentsInBreach,
}

/// The compliance figure and the first `limit` shipments in breach, from one snapshot (a
/// read-only, repeatable-read transaction), so the two agree.
pub fn load_cold_chain_overview(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
    limit: usize,
) -> QueryResult<ColdChainOverview> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| {
            Ok(ColdChainOverview {
                compliance: cold_chain_compliance(conn, settings)?,
                breaches: load_breaches(conn, settings, None, limit)?,
            })
        })
}
