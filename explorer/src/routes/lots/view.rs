//! Everything the lot page shows, as HTML and JSON: the view of one `citytrace_reads::lots`
//! read.

use std::collections::HashSet;

use serde::Serialize;

use citytrace_reads::lots::{LocatedEvent, LotData};
use citytrace_schema::models::{ShipmentLineView, Site};

use super::carbon::CarbonView;
use super::trace::{self, Direction, Placement, TraceNode};
use crate::fmt;
use crate::routes::provenance::{tx_href, Hash, RowSource};
use crate::routes::trust::{AnchorLink, TrustBadge};

#[derive(Debug, Clone, Serialize)]
pub struct SiteRef {
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub href: String,
}

impl From<&Site> for SiteRef {
    fn from(s: &Site) -> Self {
        Self {
            name: s.name.clone(),
            code: s.code.clone(),
            href: crate::routes::provenance::site_href(&s.code),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyRef {
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub href: String,
}

impl PartyRef {
    pub fn new(code: &str, name: &str) -> Self {
        Self {
            code: code.to_string(),
            name: name.to_string(),
            href: format!("/parties/{}", fmt::path_segment(code)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductRef {
    pub code: String,
    pub name: String,
    pub gtin: Option<String>,
    pub material_class: Option<String>,
    pub unit: String,
    #[serde(skip)]
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShipmentRow {
    pub shipment: String,
    pub line_no: i32,
    pub quantity: String,
    pub unit: String,
    /// "4.2 t": the quantity with its unit as people write it.
    #[serde(skip)]
    pub quantity_shown: String,
    pub from: SiteRef,
    pub to: SiteRef,
    pub shipped_at: String,
    pub received_at: Option<String>,
    pub submitter: String,
    pub contract_ocid: Option<String>,
    #[serde(skip)]
    pub contract_href: String,
    /// The shipment's temperature log page, when it has sensor readings.
    pub cold_chain_href: Option<String>,
    pub source: RowSource,
    pub trust: &'static str,
    #[serde(skip)]
    pub badge: TrustBadge,
    /// The block and transaction that anchored the line's batch.
    pub anchor: Option<AnchorLink>,
}

/// A certificate, declaration of performance or test report named by a shipment line.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateRow {
    pub reference: String,
    pub shipment: String,
    pub source: RowSource,
    pub trust: &'static str,
    #[serde(skip)]
    pub badge: TrustBadge,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub time: String,
    pub offset: String,
    pub event_type: String,
    pub biz_step: String,
    pub disposition: String,
    pub role: String,
    pub quantity: Option<String>,
    /// "12 pieces": the quantity with its unit as people write it.
    #[serde(skip)]
    pub quantity_shown: Option<String>,
    pub location: Option<SiteRef>,
    /// "batch 3, line 2" or "chain 31337, tx 0x12…"
    pub source: String,
    #[serde(skip)]
    pub source_href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LotView {
    pub code: String,
    pub product: ProductRef,
    pub supplier: Option<PartyRef>,
    pub origin: Option<SiteRef>,
    pub trust: &'static str,
    /// The block and transaction that anchored the lot's least anchored row.
    pub anchor: Option<AnchorLink>,
    pub carbon: CarbonView,
    pub certificates: Vec<CertificateRow>,
    pub shipments: Vec<ShipmentRow>,
    pub depth: u32,
    pub trace_back: Vec<TraceNode>,
    pub trace_forward: Vec<TraceNode>,
    pub events: Vec<EventRow>,
}

/// The lot page's view of what `citytrace_reads::lots::load_lot` read.
pub fn view(data: LotData) -> (LotView, TrustBadge) {
    let LotData {
        lot,
        product,
        origin,
        supplier,
        shipments: lines,
        logged_shipments,
        trust,
        carbon,
        depth,
        trace_back,
        trace_forward,
        events,
    } = data;
    let mut certificates = Vec::new();
    for v in &lines {
        for reference in &v.line.certificates {
            certificates.push(CertificateRow {
                reference: reference.clone(),
                shipment: v.line.shipment_code.clone(),
                source: RowSource::new(v.batch.id, v.line.line),
                trust: v.trust.label(),
                badge: TrustBadge::new(&v.trust),
            });
        }
    }
    let shipments = lines
        .iter()
        .map(|v| shipment_row(v, &logged_shipments))
        .collect();
    let placement = |direction| Placement {
        direction,
        root_code: &lot.code,
        root_depth: 0,
    };
    let trace_back = trace::nodes(&trace_back, &placement(Direction::Back));
    let trace_forward = trace::nodes(&trace_forward, &placement(Direction::Forward));
    let view = LotView {
        code: lot.code,
        product: ProductRef {
            href: format!("/products/{}", fmt::path_segment(&product.code)),
            code: product.code,
            name: product.name,
            gtin: product.gtin,
            material_class: product.material_class,
            unit: product.unit,
        },
        supplier: supplier.map(|s| PartyRef::new(&s.code, &s.name)),
        origin: origin.as_ref().map(SiteRef::from),
        trust: trust.label(),
        anchor: AnchorLink::of(&trust),
        carbon: CarbonView::new(&carbon),
        certificates,
        shipments,
        depth,
        trace_back,
        trace_forward,
        events: events.into_iter().map(event_row).collect(),
    };
    (view, TrustBadge::new(&trust))
}

fn shipment_row(v: &ShipmentLineView, logged: &HashSet<String>) -> ShipmentRow {
    ShipmentRow {
        cold_chain_href: logged.contains(&v.line.shipment_code).then(|| {
            format!(
                "/cold-chain/shipments/{}",
                fmt::path_segment(&v.line.shipment_code)
            )
        }),
        shipment: v.line.shipment_code.clone(),
        line_no: v.line.line_no,
        quantity: v.line.quantity.normalized().to_plain_string(),
        quantity_shown: fmt::quantity(&v.line.quantity, &v.line.unit),
        unit: v.line.unit.clone(),
        from: (&v.from_site).into(),
        to: (&v.to_site).into(),
        shipped_at: fmt::city_time(&v.line.shipped_at),
        received_at: v.line.received_at.as_ref().map(fmt::city_time),
        submitter: v.line.submitter.clone(),
        contract_href: v
            .line
            .contract_ocid
            .as_deref()
            .map(|o| format!("/spending/contracts/{}", fmt::path_segment(o)))
            .unwrap_or_default(),
        contract_ocid: v.line.contract_ocid.clone(),
        source: RowSource::new(v.batch.id, v.line.line),
        trust: v.trust.label(),
        badge: TrustBadge::new(&v.trust),
        anchor: AnchorLink::of(&v.trust),
    }
}

fn event_row(located: LocatedEvent) -> EventRow {
    let LocatedEvent { event: e, location } = located;
    let (source, source_href) = match (e.batch_id, e.line, e.chain_id, &e.tx_hash) {
        (Some(b), Some(l), _, _) => (format!("batch {b}, line {l}"), RowSource::new(b, l).href),
        (_, _, Some(c), Some(tx)) => (
            format!("chain {c}, tx {}", Hash::new(tx).short),
            tx_href(c, tx),
        ),
        _ => ("–".into(), String::new()),
    };
    EventRow {
        time: fmt::city_time(&e.event_time),
        offset: e.event_tz_offset.unwrap_or_default(),
        event_type: e.event_type,
        biz_step: e.biz_step.unwrap_or_default(),
        disposition: e.disposition.unwrap_or_default(),
        role: e.role,
        quantity_shown: e
            .quantity
            .as_ref()
            .map(|q| fmt::quantity(q, e.unit.as_deref().unwrap_or_default())),
        quantity: e.quantity.map(|q| {
            format!(
                "{} {}",
                q.normalized().to_plain_string(),
                e.unit.unwrap_or_default()
            )
        }),
        location: location.as_ref().map(SiteRef::from),
        source,
        source_href,
    }
}
