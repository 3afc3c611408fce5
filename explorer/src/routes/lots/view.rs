//! Everything the lot page shows, loaded once and served as HTML or JSON.

use diesel::prelude::*;
use serde::Serialize;

use citytrace_reads::carbon::lot_embodied_carbon;
use citytrace_schema::models::{
    ImportBatch, Lot, LotEvent, Party, Product, ProductionRun, ShipmentLine, Site, TrustState,
};

use super::carbon::CarbonView;
use super::trace::{self, Direction, TraceNode};
use crate::error::AppError;
use crate::fmt;
use crate::routes::provenance::{tx_href, Hash, RowSource};
use crate::routes::trust::TrustBadge;

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
            href: format!("/sites/{}", fmt::path_segment(&s.code)),
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
    pub carbon: CarbonView,
    pub certificates: Vec<CertificateRow>,
    pub shipments: Vec<ShipmentRow>,
    pub depth: u32,
    pub trace_back: Vec<TraceNode>,
    pub trace_forward: Vec<TraceNode>,
    pub events: Vec<EventRow>,
}

fn trust_rank(t: &TrustState) -> u8 {
    match t {
        TrustState::Imported => 0,
        TrustState::Anchored { .. } => 1,
        TrustState::Final { .. } => 2,
    }
}

pub fn load(
    conn: &mut PgConnection,
    lot: Lot,
    depth: u32,
) -> Result<(LotView, TrustBadge), AppError> {
    let product = Product::find(conn, lot.product_id)?;
    let origin = lot
        .origin_site_id
        .map(|id| Site::find(conn, id))
        .transpose()?;
    let lines = ShipmentLine::for_lot(conn, lot.id)?;
    // The production run that made it, if any, and how far its row can be trusted.
    let run = ProductionRun::by_output_lots(conn, &[lot.id])?
        .into_iter()
        .next();
    let run_trust = run
        .as_ref()
        .map(|r| ImportBatch::find(conn, r.batch_id)?.trust(conn))
        .transpose()?;
    // The lot is as trustworthy as its least anchored row.
    let weakest = lines
        .iter()
        .map(|l| &l.trust)
        .chain(run_trust.as_ref())
        .min_by_key(|t| trust_rank(t))
        .cloned()
        .unwrap_or(TrustState::Imported);
    let supplier = match lot.supplier_id {
        Some(id) => {
            let p = Party::find(conn, id)?;
            Some(PartyRef::new(&p.code, &p.name))
        }
        // Who made it, else the first shipment's submitter: who brought the lot in.
        None => run
            .as_ref()
            .map(|r| r.submitter.as_str())
            .or_else(|| lines.first().map(|l| l.line.submitter.as_str()))
            .map(|code| PartyRef::new(code, code)),
    };
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
    let logged = shipments_with_readings(
        conn,
        &lines
            .iter()
            .map(|v| v.line.shipment_code.clone())
            .collect::<Vec<_>>(),
    )?;
    let shipments = lines
        .iter()
        .map(|v| ShipmentRow {
            cold_chain_href: logged.contains(&v.line.shipment_code).then(|| {
                format!(
                    "/cold-chain/shipments/{}",
                    fmt::path_segment(&v.line.shipment_code)
                )
            }),
            shipment: v.line.shipment_code.clone(),
            line_no: v.line.line_no,
            quantity: v.line.quantity.normalized().to_plain_string(),
            unit: v.line.unit.clone(),
            from: (&v.from_site).into(),
            to: (&v.to_site).into(),
            shipped_at: fmt::time(&v.line.shipped_at),
            received_at: v.line.received_at.as_ref().map(fmt::time),
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
        })
        .collect();
    let carbon = CarbonView::new(&lot_embodied_carbon(conn, lot.id)?);
    let trace_back = trace::load(conn, lot.id, Direction::Back, depth, &lot.code, 0)?;
    let trace_forward = trace::load(conn, lot.id, Direction::Forward, depth, &lot.code, 0)?;
    let raw_events = LotEvent::for_lot(conn, lot.id)?;
    let mut site_ids: Vec<i64> = raw_events
        .iter()
        .filter_map(|e| e.biz_location_id)
        .collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    let sites: Vec<Site> = citytrace_schema::schema::sites::table
        .filter(citytrace_schema::schema::sites::id.eq_any(&site_ids))
        .select(Site::as_select())
        .load(conn)?;
    let events = raw_events
        .into_iter()
        .map(|e| {
            let (source, source_href) = match (e.batch_id, e.line, e.chain_id, &e.tx_hash) {
                (Some(b), Some(l), _, _) => {
                    (format!("batch {b}, line {l}"), RowSource::new(b, l).href)
                }
                (_, _, Some(c), Some(tx)) => (
                    format!("chain {c}, tx {}", Hash::new(tx).short),
                    tx_href(c, tx),
                ),
                _ => ("–".into(), String::new()),
            };
            EventRow {
                time: fmt::time(&e.event_time),
                offset: e.event_tz_offset.unwrap_or_default(),
                event_type: e.event_type,
                biz_step: e.biz_step.unwrap_or_default(),
                disposition: e.disposition.unwrap_or_default(),
                role: e.role,
                quantity: e.quantity.map(|q| {
                    format!(
                        "{} {}",
                        q.normalized().to_plain_string(),
                        e.unit.unwrap_or_default()
                    )
                }),
                location: e
                    .biz_location_id
                    .and_then(|id| sites.iter().find(|s| s.id == id))
                    .map(SiteRef::from),
                source,
                source_href,
            }
        })
        .collect();
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
        supplier,
        origin: origin.as_ref().map(SiteRef::from),
        trust: weakest.label(),
        carbon,
        certificates,
        shipments,
        depth,
        trace_back,
        trace_forward,
        events,
    };
    Ok((view, TrustBadge::new(&weakest)))
}

/// Which of these shipments have sensor readings (one index probe each).
fn shipments_with_readings(
    conn: &mut diesel::PgConnection,
    codes: &[String],
) -> diesel::QueryResult<std::collections::HashSet<String>> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = diesel::sql_types::Text)]
        shipment_code: String,
    }
    if codes.is_empty() {
        return Ok(Default::default());
    }
    let found: Vec<Code> = diesel::sql_query(
        "SELECT c AS shipment_code FROM unnest($1::text[]) c \
         WHERE EXISTS (SELECT 1 FROM sensor_readings r WHERE r.shipment_code = c)",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(codes)
    .load(conn)?;
    Ok(found.into_iter().map(|c| c.shipment_code).collect())
}
