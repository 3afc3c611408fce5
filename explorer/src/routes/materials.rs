//! The materials area: its landing page (`/materials`), and the lists the area's pages embed
//! (first page of a [`ListDef`], filtered, with its links to the full list and exports).

mod products;
mod sites;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use diesel::PgConnection;

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::listing::{ListDef, ListParams, ListView, PageOfRows};
use crate::lists::materials::{DELIVERIES, LOTS, PRODUCTS, SITES};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/materials", web::get().to(landing))
        .route("/lots", web::get().to(to_lots_list))
        .route("/lots/", web::get().to(to_lots_list))
        .route("/api/v1/materials", web::get().to(landing_api))
        .route("/products/{code:.+}", web::get().to(products::show))
        .route("/api/v1/products/{code:.+}", web::get().to(products::api))
        .route("/sites/{code:.+}", web::get().to(sites::show))
        .route("/api/v1/sites/{code:.+}", web::get().to(sites::api));
}

/// The first `per_page` rows of `def` with these filters, as the list's own table fragment
/// (its sort, page and export links lead to the full list with the same filters).
pub(crate) fn embedded_list(
    conn: &mut PgConnection,
    def: &'static ListDef,
    filters: &[(&str, &str)],
    per_page: u32,
) -> Result<ListView, AppError> {
    let mut query: Vec<(String, String)> = filters
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    query.push(("per_page".into(), per_page.to_string()));
    let params = ListParams::parse(def, &query)?;
    let rows = PageOfRows::load(conn, def, &params)?;
    Ok(ListView::new(def, &params, &rows))
}

#[derive(Template)]
#[template(path = "materials/index.html")]
pub struct MaterialsPage {
    pub layout: Layout,
    pub lots: ListView,
    pub products: ListView,
    pub sites: ListView,
    pub map: crate::map::MapView,
}

/// `GET /materials`: search, the latest lots, products and sites, each leading to its list.
pub async fn landing(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let page = state
        .db(|conn| {
            Ok(MaterialsPage {
                layout: Layout::new("Materials", "/materials"),
                lots: embedded_list(conn, &LOTS, &[], 10)?,
                products: embedded_list(conn, &PRODUCTS, &[], 10)?,
                sites: embedded_list(conn, &SITES, &[], 10)?,
                map: crate::map::MapView::new(
                    &citytrace_reads::map::load_city_map(conn)?,
                    "city-map",
                    "The city's sites",
                ),
            })
        })
        .await?;
    super::html(&page)
}

/// `GET /api/v1/materials`: the landing page as JSON — the first rows of each list, and the
/// lists' own endpoints for the rest.
pub async fn landing_api(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let lists = state
        .db(|conn| {
            let mut out = serde_json::Map::new();
            for (key, def) in [("lots", &LOTS), ("products", &PRODUCTS), ("sites", &SITES)] {
                let params = ListParams::parse(def, &[("per_page".into(), "10".into())])?;
                let rows = PageOfRows::load(conn, def, &params)?;
                let items: Vec<serde_json::Value> = rows
                    .rows
                    .iter()
                    .map(|r| serde_json::from_str(r))
                    .collect::<Result<_, _>>()
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                out.insert(
                    key.into(),
                    serde_json::json!({ "latest": items, "list": def.api_path() }),
                );
            }
            out.insert(
                "deliveries".into(),
                serde_json::json!({ "list": DELIVERIES.api_path() }),
            );
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Ok().json(lists))
}

/// `GET /lots`: the lots list is `/materials/lots` (a lot's page is `/lots/{code}`); a reader
/// who types `/lots` lands on the list, with the query they typed (308: permanent, the method
/// kept).
async fn to_lots_list(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    let location = if query.is_empty() {
        LOTS.path.to_string()
    } else {
        format!("{}?{query}", LOTS.path)
    };
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Links to the deliveries list, for pages that embed it.
pub(crate) fn deliveries_href(filter: &str, value: &str) -> String {
    format!(
        "{}?{filter}={}",
        DELIVERIES.path,
        crate::fmt::path_segment(value)
    )
}
