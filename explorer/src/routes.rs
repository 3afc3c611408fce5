//! Routes, one file per resource. Handlers return `Result<impl Responder, AppError>`.

mod api;
mod batches;
mod cold_chain;
mod emissions;
mod evidence;
mod health;
pub(crate) mod home;
mod import;
mod ledger;
mod lists;
mod lots;
mod materials;
mod proof;
pub(crate) mod provenance;
#[cfg(test)]
mod query_fuzz;
mod search;
mod spending;
mod trust;
mod waste;

use actix_web::http::header::ContentType;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::error::AppError;

/// Paths of the routes that take POST only (every other route takes GET): what OPTIONS answers
/// (`Allow`) is read from this list, checked against the registered routes by the tests.
pub const POST_ONLY: &[&str] = import::POST_ONLY;

/// Every route; the supplier upload pages and API only `with_uploads` (an upload folder).
pub fn configure(cfg: &mut web::ServiceConfig, with_uploads: bool) {
    if with_uploads {
        cfg.configure(import::configure);
    }
    cfg.route("/", web::get().to(home::show))
        .route("/api/v1/home", web::get().to(home::api))
        .route("/healthz", web::get().to(health::check))
        .route("/static/{name:.+}", web::get().to(crate::assets::serve))
        .route("/search", web::get().to(search::show))
        .route("/api/v1/search", web::get().to(search::api))
        .route("/api/v1/openapi.json", web::get().to(crate::openapi::serve))
        .route("/batches/{id}", web::get().to(batches::show))
        .route(
            "/batches/{id}/rows/{line}/proof",
            web::get().to(proof::show),
        )
        .route(
            "/api/v1/batches/{id}/rows/{line}/proof",
            web::get().to(api::row_proof),
        )
        .configure(lists::configure)
        .configure(lots::configure)
        .configure(materials::configure)
        .configure(ledger::configure)
        .configure(cold_chain::configure)
        .configure(waste::configure)
        .configure(spending::configure)
        .configure(emissions::configure)
        .default_service(web::to(not_found));
}

/// Render a page template as an HTML response.
pub(crate) fn html<T: Template>(page: &T) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(page.render()?))
}

/// Pages that answer htmx requests with a fragment vary on these headers (for caches).
pub(crate) fn with_vary_hx(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("HX-Request, HX-Target"),
    );
    response
}

async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    AppError::NotFound(format!("There is no page at {}.", req.path())).response_for(req.path())
}
