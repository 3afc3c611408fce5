//! The lot page's read (`/lots/{code}` and its JSON twin): the lot with its product, supplier,
//! origin, shipment lines and their trust, embodied carbon, the trace back and forward, and the
//! event timeline with the sites it names — plain rows for the explorer to show.

mod graph;
mod trace;

use std::collections::HashSet;

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use citytrace_schema::models::{
    ImportBatch, Lot, LotEvent, Party, Product, ProductionRun, ShipmentLine, ShipmentLineView,
    Site, TrustState,
};
use citytrace_schema::schema::sites;

use crate::carbon::{lot_embodied_carbon, LotCarbon};

pub use graph::{EdgeKind, GraphEdge, GraphNode, NodeKind, TraceGraph, MAX_LOTS as GRAPH_MAX_LOTS};
pub use trace::{load_trace, Direction, TraceLink, DEFAULT_DEPTH, MAX_DEPTH};

/// Everything the lot page shows about one lot.
#[derive(Debug, Clone)]
pub struct LotData {
    pub lot: Lot,
    pub product: Product,
    pub origin: Option<Site>,
    /// Who supplied it: the lot's supplier, else who made it, else the first shipment's
    /// submitter (who brought the lot in).
    pub supplier: Option<Supplier>,
    /// The lot's shipment lines, with their sites and trust, in shipping order.
    pub shipments: Vec<ShipmentLineView>,
    /// Which of those shipments have sensor readings (a temperature log).
    pub logged_shipments: HashSet<String>,
    /// The lot is as trustworthy as its least anchored row (shipment lines, production run).
    pub trust: TrustState,
    pub carbon: LotCarbon,
    /// The levels loaded below the lot in both directions.
    pub depth: u32,
    pub trace_back: Vec<TraceLink>,
    pub trace_forward: Vec<TraceLink>,
    /// The EPCIS and ledger events naming the lot, in time order, with their location.
    pub events: Vec<LocatedEvent>,
}

/// A party as the lot page names it: a registered party, or only the code a row gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct LocatedEvent {
    pub event: LotEvent,
    pub location: Option<Site>,
}

/// The lot `code` with everything its page shows, the traces `depth` levels deep; `None` when
/// no lot has that code.
pub fn load_lot(conn: &mut PgConnection, code: &str, depth: u32) -> QueryResult<Option<LotData>> {
    let Some(lot) = Lot::find_by_code(conn, code)? else {
        return Ok(None);
    };
    let product = Product::find(conn, lot.product_id)?;
    let origin = lot
        .origin_site_id
        .map(|id| Site::find(conn, id))
        .transpose()?;
    let shipments = ShipmentLine::for_lot(conn, lot.id)?;
    // The production run that made it, if any, and how far its row can be trusted.
    let run = ProductionRun::by_output_lots(conn, &[lot.id])?
        .into_iter()
        .next();
    let run_trust = run
        .as_ref()
        .map(|r| ImportBatch::find(conn, r.batch_id)?.trust(conn))
        .transpose()?;
    let trust = shipments
        .iter()
        .map(|l| &l.trust)
        .chain(run_trust.as_ref())
        .min_by_key(|t| trust_rank(t))
        .cloned()
        .unwrap_or(TrustState::Imported);
    let supplier = match lot.supplier_id {
        Some(id) => {
            let p = Party::find(conn, id)?;
            Some(Supplier {
                code: p.code,
                name: p.name,
            })
        }
        None => {
            let code = run
                .as_ref()
                .map(|r| r.submitter.as_str())
                .or_else(|| shipments.first().map(|l| l.line.submitter.as_str()));
            match code {
                // The registered party's name, else only the code the row gave.
                Some(code) => Some(Supplier {
                    name: Party::find_by_code(conn, code)?
                        .map_or_else(|| code.to_string(), |p| p.name),
                    code: code.to_string(),
                }),
                None => None,
            }
        }
    };
    let shipment_codes: Vec<String> = shipments
        .iter()
        .map(|v| v.line.shipment_code.clone())
        .collect();
    let logged_shipments = shipments_with_readings(conn, &shipment_codes)?;
    let carbon = lot_embodied_carbon(conn, lot.id)?;
    let trace_back = load_trace(conn, lot.id, Direction::Back, depth)?;
    let trace_forward = load_trace(conn, lot.id, Direction::Forward, depth)?;
    let events = located_events(conn, lot.id)?;
    Ok(Some(LotData {
        lot,
        product,
        origin,
        supplier,
        shipments,
        logged_shipments,
        trust,
        carbon,
        depth,
        trace_back,
        trace_forward,
        events,
    }))
}

/// One level of the lot `code`'s trace in `direction` (the page's "show more"); `None` when no
/// lot has that code.
pub fn load_lot_trace(
    conn: &mut PgConnection,
    code: &str,
    direction: Direction,
    depth: u32,
) -> QueryResult<Option<Vec<TraceLink>>> {
    let Some(lot) = Lot::find_by_code(conn, code)? else {
        return Ok(None);
    };
    load_trace(conn, lot.id, direction, depth).map(Some)
}

fn trust_rank(t: &TrustState) -> u8 {
    match t {
        TrustState::Imported => 0,
        TrustState::Anchored { .. } => 1,
        TrustState::Final { .. } => 2,
    }
}

/// The lot's events with the sites they happened at (one query for the sites).
fn located_events(conn: &mut PgConnection, lot_id: i64) -> QueryResult<Vec<LocatedEvent>> {
    let events = LotEvent::for_lot(conn, lot_id)?;
    let mut site_ids: Vec<i64> = events.iter().filter_map(|e| e.biz_location_id).collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    let located: Vec<Site> = sites::table
        .filter(sites::id.eq_any(&site_ids))
        .select(Site::as_select())
        .load(conn)?;
    Ok(events
        .into_iter()
        .map(|event| LocatedEvent {
            location: event
                .biz_location_id
                .and_then(|id| located.iter().find(|s| s.id == id))
                .cloned(),
            event,
        })
        .collect())
}

/// Which of these shipments have sensor readings (one index probe each).
fn shipments_with_readings(
    conn: &mut PgConnection,
    codes: &[String],
) -> QueryResult<HashSet<String>> {
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = Text)]
        shipment_code: String,
    }
    if codes.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Code> = diesel::sql_query(
        "SELECT c AS shipment_code FROM unnest($1::text[]) c \
         WHERE EXISTS (SELECT 1 FROM sensor_readings r WHERE r.shipment_code = c)",
    )
    .bind::<Array<Text>, _>(codes)
    .load(conn)?;
    Ok(found.into_iter().map(|c| c.shipment_code).collect())
}
