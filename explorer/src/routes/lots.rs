//! The lot page (`/lots/{code}`) and its JSON twin (`/api/v1/lots/{code}`): identity, product,
//! supplier, origin, certificates, embodied carbon with its factor and source, shipments, the
//! trace back and forward, and the event timeline — each row with its source. One read
//! (`citytrace_reads::lots`), mapped to a view.

mod carbon;
mod graph;
mod trace;
mod view;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use citytrace_reads::lots::{load_lot, load_lot_trace, TraceGraph};

use super::trust::TrustBadge;
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::query::QueryParams;
use crate::state::AppState;

#[cfg(test)]
pub(crate) use trace::MAX_DEPTH;
pub use trace::{Direction, FlatNode};
pub use view::{LotView, SiteRef};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/lots/{code:.+}", web::get().to(api))
        .route("/lots/{code:.+}", web::get().to(show));
}

#[derive(Debug, Default)]
pub struct LotQuery {
    /// Levels of the trace trees (default 2).
    pub depth: Option<u32>,
    /// A "show more" fragment: `back` or `forward`, one level below this lot.
    pub trace: Option<String>,
    /// The fragment's level below the page's lot, and that lot's code (for links without
    /// JavaScript).
    pub level: Option<u32>,
    pub root: Option<String>,
}

impl LotQuery {
    pub(crate) fn parse(query: &QueryParams) -> Result<Self, AppError> {
        Ok(Self {
            depth: query.whole_number("depth", 1..=trace::MAX_DEPTH)?,
            trace: query.text("trace", 20)?.map(str::to_string),
            level: query.whole_number("level", 0..=u32::MAX)?,
            root: query
                .text("root", crate::query::MAX_VALUE_CHARS)?
                .map(str::to_string),
        })
    }

    pub(crate) fn depth(&self) -> Result<u32, AppError> {
        Ok(self.depth.unwrap_or(trace::DEFAULT_DEPTH))
    }
}

#[derive(Template)]
#[template(path = "lots/show.html")]
pub struct LotPage {
    pub layout: Layout,
    pub lot: LotView,
    pub summary: TrustBadge,
    pub back: Vec<FlatNode>,
    pub forward: Vec<FlatNode>,
    pub deeper_href: String,
    pub api_href: String,
    pub graph: graph::GraphView,
    pub map: crate::map::MapView,
}

fn no_lot(code: &str) -> AppError {
    AppError::NotFound(format!("No lot {code} is known."))
}

/// The query string, or a 400 that says what is wrong with it.
fn lot_query(req: &HttpRequest) -> Result<LotQuery, AppError> {
    LotQuery::parse(&QueryParams::of(req)?)
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let query = lot_query(&req)?;
    let depth = query.depth()?;
    let is_htmx = req.headers().contains_key("HX-Request");
    if let (Some(direction), true) = (query.trace.as_deref(), is_htmx) {
        let direction = Direction::parse(direction).ok_or_else(|| {
            AppError::BadRequest(format!("trace must be back or forward, not {direction:?}"))
        })?;
        let level = query.level.unwrap_or(0).min(1000);
        let root = query.root.clone().unwrap_or_else(|| code.clone());
        let links = state
            .db(move |conn| load_lot_trace(conn, &code, direction, 1)?.ok_or_else(|| no_lot(&code)))
            .await?;
        let placement = trace::Placement {
            direction,
            root_code: &root,
            root_depth: level,
        };
        let fragment = trace::TraceFragment {
            nodes: trace::flatten(&trace::nodes(&links, &placement)),
            direction: direction.as_str(),
            empty: "Nothing further is recorded.",
        };
        return Ok(super::with_vary_hx(super::html(&fragment)?));
    }
    let data = state
        .db(move |conn| load_lot(conn, &code, depth)?.ok_or_else(|| no_lot(&code)))
        .await?;
    let graph = graph::GraphView::new(&TraceGraph::of(&data), &data.lot.code, depth);
    let map = crate::map::MapView::new(
        &citytrace_reads::map::CityMap::of_lot(&data),
        "lot-map",
        &format!("Where lot {} came from and went", data.lot.code),
    );
    let area = if citytrace_reads::cold_chain::is_cold_chain_goods(&data.product) {
        "/cold-chain"
    } else {
        "/materials"
    };
    let (view, summary) = view::view(data);
    let code = crate::fmt::path_segment(&view.code);
    let page = LotPage {
        layout: Layout::new(&format!("Lot {}", view.code), area),
        back: trace::flatten(&view.trace_back),
        forward: trace::flatten(&view.trace_forward),
        deeper_href: format!("/lots/{code}?depth={}", (depth + 1).min(trace::MAX_DEPTH)),
        api_href: format!("/api/v1/lots/{code}?depth={depth}"),
        lot: view,
        summary,
        graph,
        map,
    };
    Ok(super::with_vary_hx(super::html(&page)?))
}

/// `GET /api/v1/lots/{code}`: the same as the page, as JSON (`?depth=` for the trace).
pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let depth = lot_query(&req)?.depth()?;
    let data = state
        .db(move |conn| load_lot(conn, &code, depth)?.ok_or_else(|| no_lot(&code)))
        .await?;
    Ok(HttpResponse::Ok().json(view::view(data).0))
}
