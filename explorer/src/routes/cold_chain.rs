//! The cold-chain area: the compliance figure, shipments in breach, shipments with readings
//! (a list), and one shipment's loggers against its products' ranges — each page with a JSON
//! twin under `/api/v1/cold-chain`. Every figure comes from
//! `citytrace_reads::cold_chain` (docs/methods/cold-chain.md).

mod breaches;
mod chart;
mod names;
mod shipment;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Serialize;

use citytrace_reads::cold_chain::{
    load_breaches, load_cold_chain_overview, load_shipment, ColdChainOverview,
};

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::listing::{ListParams, ListView, PageOfRows};
use crate::lists::cold_chain::LOTS;
use crate::state::AppState;
use breaches::{BreachRow, BreachRows};
use shipment::ShipmentView;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/cold-chain", web::get().to(index))
        .route("/api/v1/cold-chain", web::get().to(index_api))
        .route("/cold-chain/breaches", web::get().to(breach_page))
        .route("/api/v1/cold-chain/breaches", web::get().to(breach_api))
        .route("/cold-chain/shipments/{code:.+}", web::get().to(show))
        .route(
            "/api/v1/cold-chain/shipments/{code:.+}",
            web::get().to(show_api),
        );
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceView {
    pub shipments_assessed: i64,
    pub compliant: i64,
    pub within_budget: i64,
    /// A gap in the log and no breach: nothing shows the goods were kept cold during the gap.
    pub unverifiable: i64,
    pub breach: i64,
    /// Compliant or within budget, % of the assessed shipments (0.1), `None` when none is.
    pub compliance_rate_pct: Option<String>,
}

struct Overview {
    compliance: ComplianceView,
    breaches: BreachRows,
}

impl From<ColdChainOverview> for Overview {
    fn from(o: ColdChainOverview) -> Self {
        let c = o.compliance;
        Self {
            compliance: ComplianceView {
                shipments_assessed: c.shipments_assessed,
                compliant: c.compliant(),
                within_budget: c.within_budget,
                unverifiable: c.unverifiable,
                breach: c.breach,
                compliance_rate_pct: c.compliance_rate_pct().map(|r| r.to_plain_string()),
            },
            breaches: BreachRows::from(o.breaches),
        }
    }
}

#[derive(Template)]
#[template(path = "cold_chain/index.html")]
pub struct ColdChainPage {
    pub layout: Layout,
    pub compliance: ComplianceView,
    pub breaches: Vec<BreachRow>,
    pub more_breaches: Option<String>,
    pub shipments: ListView,
    /// The latest lots of food and medicine.
    pub lots: ListView,
}

/// `GET /cold-chain`.
async fn index(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let methods = state.methods.clone();
    let page = state
        .db(move |conn| {
            let o = Overview::from(load_cold_chain_overview(
                conn,
                &methods.cold_chain,
                breaches::PER_PAGE,
            )?);
            let def = &crate::lists::cold_chain::SHIPMENTS;
            let params = ListParams::parse(def, &[])?;
            let rows = PageOfRows::load(conn, def, &params)?;
            Ok(ColdChainPage {
                layout: Layout::new("Cold chain", "/cold-chain"),
                compliance: o.compliance,
                more_breaches: o.breaches.next_after.map(|a| breach_href(&a)),
                breaches: o.breaches.rows,
                shipments: ListView::new(def, &params, &rows),
                lots: super::materials::embedded_list(conn, &LOTS, &[], 10)?,
            })
        })
        .await?;
    super::html(&page)
}

fn breach_href(after: &str) -> String {
    format!(
        "/cold-chain/breaches?after={}",
        crate::listing::query::encode(after)
    )
}

#[derive(Serialize)]
struct IndexJson {
    compliance: ComplianceView,
    breaches: Vec<BreachRow>,
    /// The next page of breaches (`/api/v1/cold-chain/breaches?after=…`).
    next: Option<String>,
    shipments: &'static str,
    /// The list of lots of food and medicine.
    lots: String,
}

/// `GET /api/v1/cold-chain`.
async fn index_api(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let methods = state.methods.clone();
    let o = state
        .db(move |conn| {
            let o = load_cold_chain_overview(conn, &methods.cold_chain, breaches::PER_PAGE)?;
            Ok(Overview::from(o))
        })
        .await?;
    Ok(HttpResponse::Ok().json(IndexJson {
        compliance: o.compliance,
        next: o
            .breaches
            .next_after
            .map(|a| format!("/api/v1{}", breach_href(&a))),
        breaches: o.breaches.rows,
        shipments: "/api/v1/cold-chain-shipments",
        lots: LOTS.api_path(),
    }))
}

/// `?after=CODE&format=html|csv|json`.
pub(crate) struct BreachQuery {
    pub(crate) after: Option<String>,
    pub(crate) format: &'static str,
}

impl BreachQuery {
    fn of(req: &HttpRequest) -> Result<Self, AppError> {
        Self::parse(&crate::query::QueryParams::of(req)?)
    }

    pub(crate) fn parse(query: &crate::query::QueryParams) -> Result<Self, AppError> {
        Ok(Self {
            after: query
                .text("after", crate::query::MAX_VALUE_CHARS)?
                .map(str::to_string),
            format: match query.get("format").map(str::to_ascii_lowercase).as_deref() {
                None | Some("html") => "html",
                Some("csv") => "csv",
                Some("json") => "json",
                Some(other) => {
                    return Err(AppError::BadRequest(format!(
                        "format must be html, json or csv, not {}.",
                        crate::query::quoted(other)
                    )))
                }
            },
        })
    }
}

#[derive(Template)]
#[template(path = "cold_chain/breaches.html")]
pub struct BreachPage {
    pub layout: Layout,
    pub breaches: Vec<BreachRow>,
    pub after: Option<String>,
    pub next: Option<String>,
}

/// `GET /cold-chain/breaches?after=CODE`: a page of shipments in breach; `format=csv|json`: all.
async fn breach_page(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let q = BreachQuery::of(&req)?;
    let methods = state.methods.clone();
    if let Some(download) = breach_download(&state, &q).await? {
        return Ok(download);
    }
    let after = q.after;
    let page = state
        .db(move |conn| {
            let rows = BreachRows::from(load_breaches(
                conn,
                &methods.cold_chain,
                after.as_deref(),
                breaches::PER_PAGE,
            )?);
            Ok(BreachPage {
                layout: Layout::new("Shipments in breach", "/cold-chain"),
                breaches: rows.rows,
                next: rows.next_after.map(|a| breach_href(&a)),
                after,
            })
        })
        .await?;
    super::html(&page)
}

/// `format=csv|json`: every shipment in breach, streamed; `html` (or none): `None`, the page.
async fn breach_download(
    state: &AppState,
    q: &BreachQuery,
) -> Result<Option<HttpResponse>, AppError> {
    match q.format {
        "html" => Ok(None),
        format => Ok(Some(
            breaches::export(
                state.pool.clone(),
                state.methods.cold_chain.clone(),
                format.to_string(),
            )
            .await?,
        )),
    }
}

#[derive(Serialize)]
struct BreachJson {
    items: Vec<BreachRow>,
    next: Option<String>,
}

/// `GET /api/v1/cold-chain/breaches?after=CODE`; `format=csv|json`: all, streamed.
async fn breach_api(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = BreachQuery::of(&req)?;
    if let Some(download) = breach_download(&state, &q).await? {
        return Ok(download);
    }
    let after = q.after;
    let methods = state.methods.clone();
    let rows = state
        .db(move |conn| {
            let page = load_breaches(
                conn,
                &methods.cold_chain,
                after.as_deref(),
                breaches::PER_PAGE,
            )?;
            Ok(BreachRows::from(page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(BreachJson {
        items: rows.rows,
        next: rows
            .next_after
            .map(|a| format!("/api/v1{}", breach_href(&a))),
    }))
}

#[derive(Template)]
#[template(path = "cold_chain/shipment.html")]
pub struct ShipmentPage {
    pub layout: Layout,
    pub s: ShipmentView,
}

async fn shipment_view(state: &AppState, code: String) -> Result<ShipmentView, AppError> {
    let methods = state.methods.clone();
    state
        .db(move |conn| {
            let data = load_shipment(conn, &code, &methods.cold_chain)?
                .ok_or_else(|| AppError::NotFound(format!("No shipment {code} is known.")))?;
            Ok(ShipmentView::new(data))
        })
        .await
}

/// `GET /cold-chain/shipments/{code}`.
async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let s = shipment_view(&state, path.into_inner()).await?;
    super::html(&ShipmentPage {
        layout: Layout::new(
            &format!("Shipment {} · cold chain", s.shipment_code),
            "/cold-chain",
        ),
        s,
    })
}

/// `GET /api/v1/cold-chain/shipments/{code}`.
async fn show_api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let s = shipment_view(&state, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(s))
}
