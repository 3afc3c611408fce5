//! How the upload pages refuse: 403 for a missing or wrong CSRF token, 413 for a file over the
//! limit, a redirect to the sign-in page without a session, and the explorer's own errors
//! (404, 503, 500) for everything else.

use actix_web::http::header::{self, ContentType};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::error::AppError;
use crate::layout::Layout;

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{0}")]
    Forbidden(String),
    #[error("The file is larger than the upload limit of {limit}. Split it into smaller files, or ask the city to raise the limit.")]
    TooLarge { limit: String },
    /// No live session: back to the sign-in page (htmx requests are told to go there).
    #[error("sign in first")]
    SignInRequired { htmx: bool },
}

impl UploadError {
    pub fn csrf() -> Self {
        Self::Forbidden(
            "This form did not come with a valid security token (it may be from an old page or from another site). Go back to the upload page, reload it and try again.".into(),
        )
    }

    pub fn not_found(message: &str) -> Self {
        Self::App(AppError::NotFound(message.to_string()))
    }

    pub fn bad_request(message: &str) -> Self {
        Self::App(AppError::BadRequest(message.to_string()))
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::App(AppError::Internal(detail.to_string()))
    }
}

impl From<diesel::result::Error> for UploadError {
    fn from(e: diesel::result::Error) -> Self {
        Self::App(e.into())
    }
}

impl From<askama::Error> for UploadError {
    fn from(e: askama::Error) -> Self {
        Self::App(e.into())
    }
}

impl From<actix_web::error::BlockingError> for UploadError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::App(e.into())
    }
}

#[derive(Template)]
#[template(path = "import/refused.html")]
struct RefusedPage<'a> {
    layout: Layout,
    status: u16,
    heading: &'a str,
    message: String,
}

impl ResponseError for UploadError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::App(e) => e.status_code(),
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::SignInRequired { htmx: false } => StatusCode::SEE_OTHER,
            Self::SignInRequired { htmx: true } => StatusCode::OK,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let heading = match self {
            Self::App(e) => return e.error_response(),
            Self::SignInRequired { htmx: false } => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/import"))
                    .finish()
            }
            Self::SignInRequired { htmx: true } => {
                return HttpResponse::Ok()
                    .insert_header(("HX-Redirect", "/import"))
                    .finish()
            }
            Self::Forbidden(_) => "Not allowed",
            Self::TooLarge { .. } => "File too large",
        };
        let status = self.status_code();
        let page = RefusedPage {
            layout: Layout::new(heading, ""),
            status: status.as_u16(),
            heading,
            message: self.to_string(),
        };
        let body = page.render().unwrap_or_else(|_| self.to_string());
        HttpResponse::build(status)
            .content_type(ContentType::html())
            .body(body)
    }
}
