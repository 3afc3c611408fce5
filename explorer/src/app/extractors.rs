//! What the extractors answer when a request cannot be read into a handler's arguments:
//! the error page (or the JSON error body under `/api`) with the status the problem has —
//! 400 for a malformed query, form or JSON body, 404 for a path segment that cannot be read,
//! 413 for a body over the limit — never actix's plain-text default.

use actix_web::error::{
    InternalError, JsonPayloadError, PathError, QueryPayloadError, UrlencodedError,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, ResponseError};

use crate::error::AppError;

pub(super) fn query() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|e: QueryPayloadError, req: &HttpRequest| {
        refuse(
            AppError::BadRequest(format!("The query string cannot be read: {e}.")),
            e,
            req,
        )
    })
}

pub(super) fn path() -> web::PathConfig {
    web::PathConfig::default().error_handler(|e: PathError, req: &HttpRequest| {
        refuse(
            AppError::NotFound(format!("There is no page at {}.", req.path())),
            e,
            req,
        )
    })
}

pub(super) fn form() -> web::FormConfig {
    web::FormConfig::default().error_handler(|e: UrlencodedError, req: &HttpRequest| {
        let status = e.status_code();
        let error = if status == StatusCode::BAD_REQUEST {
            AppError::BadRequest(format!("The form cannot be read: {e}."))
        } else {
            AppError::Refused(status, format!("The form cannot be read: {e}."))
        };
        refuse(error, e, req)
    })
}

pub(super) fn json() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|e: JsonPayloadError, req: &HttpRequest| {
        let status = e.status_code();
        let error = if status == StatusCode::BAD_REQUEST {
            AppError::BadRequest(format!("The JSON body cannot be read: {e}."))
        } else {
            AppError::Refused(status, format!("The JSON body cannot be read: {e}."))
        };
        refuse(error, e, req)
    })
}

/// `error` as the answer, `cause` kept for the log.
fn refuse(
    error: AppError,
    cause: impl std::fmt::Debug + std::fmt::Display + 'static,
    req: &HttpRequest,
) -> actix_web::Error {
    InternalError::from_response(cause, error.response_for(req.path())).into()
}
