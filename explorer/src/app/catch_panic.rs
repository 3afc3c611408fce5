//! A request whose handler panics answers the 500 error page (or the JSON error body under
//! `/api`) with the security headers, and the worker goes on serving: the panic is caught
//! around the whole app — middleware, routing, extractors, handler — and logged with its
//! message. Work run on the blocking pool ([`crate::state::AppState::db`]) is caught there and
//! answers the same 500.
//!
//! The answer is given as an error carrying the finished response (the request itself went
//! down with the panic, and a request cannot be copied before routing), so the guard sits
//! outside the other middleware and adds the default headers itself.

use std::panic::AssertUnwindSafe;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use futures::FutureExt;

use crate::error::AppError;

pub(super) async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let method = req.method().clone();
    let path = req.path().to_string();
    // The call itself runs inside the future, so a panic while routing is caught too.
    let answer = AssertUnwindSafe(async move { next.call(req).await })
        .catch_unwind()
        .await;
    match answer {
        Ok(result) => result,
        Err(panic) => {
            let message = panic_message(panic.as_ref());
            tracing::error!(%method, %path, %message, "a request panicked; it was answered with 500");
            let error = AppError::Internal(format!("a request panicked: {message}"));
            let mut response = error.response_for(&path);
            for (name, value) in crate::headers::DEFAULT_HEADERS {
                if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                    response
                        .headers_mut()
                        .insert(name, HeaderValue::from_static(value));
                }
            }
            Err(InternalError::from_response(format!("panic: {message}"), response).into())
        }
    }
}

/// What a panic said: the importers' reading of a panic payload, one for the workspace's
/// boundaries.
pub use citytrace_importers::panic_message;
