use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_schema::models::{Lot, LotEvent, Product, ShipmentLine, Site};

use super::trust::TrustBadge;
use crate::error::AppError;
use crate::fmt;
use crate::layout::Layout;
use crate::AppState;

pub struct SiteRef {
    pub name: String,
    pub code: String,
}

impl From<&Site> for SiteRef {
    fn from(s: &Site) -> Self {
        Self {
            name: s.name.clone(),
            code: s.code.clone(),
        }
    }
}

pub struct ShipmentRow {
    pub shipment: String,
    pub line_no: i32,
    pub quantity: String,
    pub unit: String,
    pub from: SiteRef,
    pub to: SiteRef,
    pub shipped_at: String,
    pub received_at: String,
    pub batch_id: i64,
    pub source_line: i32,
    pub trust: TrustBadge,
}

pub struct EventRow {
    pub time: String,
    pub offset: String,
    pub event_type: String,
    pub biz_step: String,
    pub disposition: String,
    pub location: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "lots/show.html")]
pub struct LotPage {
    pub layout: Layout,
    pub code: String,
    pub product_name: String,
    pub gtin: Option<String>,
    pub unit: String,
    pub origin: Option<SiteRef>,
    pub shipments: Vec<ShipmentRow>,
    pub events: Vec<EventRow>,
    pub summary: TrustBadge,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let page = state
        .db(move |conn| {
            let lot = Lot::find_by_code(conn, &code)?
                .ok_or_else(|| AppError::NotFound(format!("No lot {code} is known.")))?;
            let product = Product::find(conn, lot.product_id)?;
            let origin = lot
                .origin_site_id
                .map(|id| Site::find(conn, id))
                .transpose()?;
            let lines = ShipmentLine::for_lot(conn, lot.id)?;
            // The lot is as trustworthy as its least anchored row.
            let weakest = lines
                .iter()
                .map(|l| &l.trust)
                .min_by_key(|t| match t {
                    citytrace_schema::models::TrustState::Imported => 0,
                    citytrace_schema::models::TrustState::Anchored { .. } => 1,
                    citytrace_schema::models::TrustState::Final { .. } => 2,
                })
                .cloned()
                .unwrap_or(citytrace_schema::models::TrustState::Imported);
            let shipments = lines
                .iter()
                .map(|v| ShipmentRow {
                    shipment: v.line.shipment_code.clone(),
                    line_no: v.line.line_no,
                    quantity: v.line.quantity.normalized().to_plain_string(),
                    unit: v.line.unit.clone(),
                    from: (&v.from_site).into(),
                    to: (&v.to_site).into(),
                    shipped_at: fmt::time(&v.line.shipped_at),
                    received_at: v
                        .line
                        .received_at
                        .as_ref()
                        .map(fmt::time)
                        .unwrap_or_else(|| "not yet".into()),
                    batch_id: v.batch.id,
                    source_line: v.line.line,
                    trust: TrustBadge::new(&v.trust),
                })
                .collect();
            let events = LotEvent::for_lot(conn, lot.id)?
                .into_iter()
                .map(|e| {
                    let location = match e.biz_location_id {
                        Some(id) => Site::find(conn, id)?.name,
                        None => "–".into(),
                    };
                    let source = match (e.batch_id, e.line, e.chain_id, e.block_number) {
                        (Some(b), Some(l), _, _) => format!("batch {b}, line {l}"),
                        (_, _, Some(c), Some(n)) => format!("chain {c}, block {n}"),
                        _ => "–".into(),
                    };
                    Ok(EventRow {
                        time: fmt::time(&e.event_time),
                        offset: e.event_tz_offset.unwrap_or_default(),
                        event_type: e.event_type,
                        biz_step: e.biz_step.unwrap_or_default(),
                        disposition: e.disposition.unwrap_or_default(),
                        location,
                        source,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(LotPage {
                layout: Layout::new(&format!("Lot {}", lot.code), "/materials"),
                code: lot.code,
                product_name: product.name,
                gtin: product.gtin,
                unit: product.unit,
                origin: origin.as_ref().map(SiteRef::from),
                shipments,
                events,
                summary: TrustBadge::new(&weakest),
            })
        })
        .await?;
    super::html(&page)
}
