//! The explorer's one error type. Handlers return `Result<_, AppError>`; it renders as an HTML
//! page with the right status (templates/error.html), or as JSON for `/api` requests.
//! Not-found maps to 404, a malformed request to 400 (or the 4xx its problem has). Database
//! errors are classified once ([`DbFailure::of`]): a database that cannot answer now — pool
//! exhausted, statement timeout or cancel, connection lost, a serialization failure or
//! deadlock — is a 503 with `Retry-After`; a constraint violation on a write a 409 saying so;
//! anything else — a panic included — a 500 (logged, not shown).

use actix_web::http::header::{ContentType, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use citytrace_importers::DbFailure;

use crate::layout::Layout;

/// Seconds a client is asked to wait (`Retry-After`) when the database cannot answer now.
pub const RETRY_AFTER_SECONDS: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// A request refused with another client-error status (413, 415, …), and why.
    #[error("{1}")]
    Refused(StatusCode, String),
    /// The database cannot answer now (503 with `Retry-After`).
    #[error("the database is busy just now; try again shortly")]
    Unavailable,
    /// A write met a constraint (409): why, in the user's words.
    #[error("{0}")]
    Conflict(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        if let diesel::result::Error::NotFound = e {
            return Self::NotFound("no such record".into());
        }
        match DbFailure::of(&e) {
            failure if failure.is_unavailable() => {
                tracing::warn!(error = %e, ?failure, "the database could not answer");
                Self::Unavailable
            }
            DbFailure::Conflict => {
                tracing::info!(error = %e, "a write met a constraint");
                Self::Conflict(CONFLICT.into())
            }
            _ => Self::Internal(e.to_string()),
        }
    }
}

/// What a user is told when a write met a constraint (the details go to the log).
pub const CONFLICT: &str = "This could not be saved: it conflicts with what is already stored (it may have been saved already, or changed meanwhile). Nothing was changed; reload the page and try again.";

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(e.to_string())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    heading: &'a str,
    message: String,
}

impl AppError {
    fn heading(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "Not found",
            Self::BadRequest(_) => "Bad request",
            Self::Refused(status, _) => status.canonical_reason().unwrap_or("Refused"),
            Self::Unavailable => "Busy",
            Self::Conflict(_) => "Conflict",
            Self::Internal(_) => "Something went wrong",
        }
    }

    /// What the visitor is told: internal details stay in the log.
    fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "The explorer hit an internal error. It has been logged.".into(),
            other => other.to_string(),
        }
    }
}

impl AppError {
    /// The JSON form, for `/api` paths: `{"error": "not_found", "status": 404, "message": …}`.
    pub fn json_response(&self) -> HttpResponse {
        if let Self::Internal(detail) = self {
            tracing::error!(%detail, "API request failed");
        }
        let status = self.status_code();
        self.response_builder().json(serde_json::json!({
            "error": self.code(),
            "status": status.as_u16(),
            "message": self.public_message(),
        }))
    }

    /// The status, with `Retry-After` when the database cannot answer now.
    fn response_builder(&self) -> actix_web::HttpResponseBuilder {
        let mut builder = HttpResponse::build(self.status_code());
        if let Self::Unavailable = self {
            builder.insert_header((RETRY_AFTER, RETRY_AFTER_SECONDS));
        }
        builder
    }
}

impl AppError {
    /// The answer for a request to `path`: the JSON body under `/api/`, the error page
    /// elsewhere. For errors met outside a handler (middleware, extractors, panics).
    pub fn response_for(&self, path: &str) -> HttpResponse {
        if is_api(path) {
            self.json_response()
        } else {
            self.error_response()
        }
    }
}

impl AppError {
    /// The answer's content type and text for a request to `path`, for answers written
    /// outside actix (the server's refusals of unreadable requests).
    pub fn body_for(&self, path: &str) -> (&'static str, String) {
        if is_api(path) {
            let body = serde_json::json!({
                "error": self.code(),
                "status": self.status_code().as_u16(),
                "message": self.public_message(),
            });
            ("application/json", body.to_string())
        } else {
            ("text/html; charset=utf-8", self.page_text())
        }
    }

    /// The error page.
    fn page_text(&self) -> String {
        let page = ErrorPage {
            layout: Layout::new(self.heading(), ""),
            status: self.status_code().as_u16(),
            heading: self.heading(),
            message: self.public_message(),
        };
        page.render().unwrap_or_else(|_| self.public_message())
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Refused(..) => "refused",
            Self::Unavailable => "unavailable",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "internal",
        }
    }
}

/// Whether `path` is one of the JSON API's.
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// An [`AppError`] on an `/api` path: the same statuses, as JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.json_response()
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Refused(status, _) => *status,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
        self.response_builder()
            .content_type(ContentType::html())
            .body(self.page_text())
    }
}
