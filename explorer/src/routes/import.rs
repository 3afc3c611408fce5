//! The supplier upload page (`/import`) and the upload API (`POST /api/v1/imports`).
//!
//! A supplier signs in with an API token (`citytrace token create`), picks a format, uploads a
//! file (streamed to disk), sees the dry run (the problems, or the rows and Merkle root),
//! imports it in the background while the page polls, and gets a receipt whose anchor status
//! updates until final. Suppliers see only their own uploads and batches: anyone else's are
//! "not found". Every page works without JavaScript; htmx only polls and swaps fragments.

pub(crate) mod api;
mod dashboard;
mod error;
mod error_csv;
mod formats;
mod receipts;
mod sign_in;
mod upload_form;
mod uploads;
mod views;

use actix_web::{web, HttpRequest};

pub use error::UploadError;

use crate::session::{self, SignedIn};
use crate::state::AppState;

/// The routes below that take POST only (see [`crate::routes::POST_ONLY`]).
pub const POST_ONLY: &[&str] = &[
    "/import/sign-in",
    "/import/sign-out",
    "/import/uploads",
    "/import/uploads/{id}/import",
    "/import/uploads/{id}/check",
    "/import/uploads/{id}/discard",
    "/api/v1/imports",
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/import", web::get().to(dashboard::show))
        .route("/import/formats", web::get().to(formats::index))
        .route("/import/formats/{format}", web::get().to(formats::show))
        .route(
            "/import/formats/{format}/template.csv",
            web::get().to(formats::template),
        )
        .route(
            "/import/formats/{format}/example.csv",
            web::get().to(formats::example),
        )
        .route("/import/sign-in", web::post().to(sign_in::sign_in))
        .route("/import/sign-out", web::post().to(sign_in::sign_out))
        .route("/import/uploads", web::post().to(upload_form::receive))
        .route("/import/uploads/{id}", web::get().to(uploads::show))
        .route(
            "/import/uploads/{id}/status",
            web::get().to(uploads::status),
        )
        .route(
            "/import/uploads/{id}/errors.csv",
            web::get().to(error_csv::download),
        )
        .route(
            "/import/uploads/{id}/import",
            web::post().to(uploads::import),
        )
        .route(
            "/import/uploads/{id}/check",
            web::post().to(uploads::check_again),
        )
        .route(
            "/import/uploads/{id}/discard",
            web::post().to(uploads::discard),
        )
        .route("/import/batches/{id}", web::get().to(receipts::show))
        .route(
            "/import/batches/{id}/anchor",
            web::get().to(receipts::anchor),
        )
        .route("/api/v1/imports", web::post().to(api::import));
}

/// The signed-in supplier, or a redirect to the sign-in page.
async fn signed_in(req: &HttpRequest, state: &AppState) -> Result<SignedIn, UploadError> {
    session::current(req, state)
        .await?
        .ok_or(UploadError::SignInRequired { htmx: is_htmx(req) })
}

/// The signed-in supplier whose form carried this session's CSRF token (403 otherwise).
async fn signed_in_with_csrf(
    req: &HttpRequest,
    state: &AppState,
    submitted: Option<&str>,
) -> Result<SignedIn, UploadError> {
    let signed_in = signed_in(req, state).await?;
    let header = req
        .headers()
        .get(session::CSRF_HEADER)
        .and_then(|v| v.to_str().ok());
    if signed_in.csrf_matches(submitted.or(header)) {
        Ok(signed_in)
    } else {
        Err(UploadError::csrf())
    }
}

/// An id from the path; anything that is not one is simply not found.
fn path_id(text: &str, what: &str) -> Result<i64, UploadError> {
    text.parse()
        .map_err(|_| UploadError::not_found(&format!("There is no {what} {text}.")))
}

/// Whether htmx made the request (it then gets a fragment, not a page).
fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("HX-Request")
}
