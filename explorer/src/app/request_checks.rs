//! Checks every request passes before routing:
//!
//! - a NUL character (`%00`) anywhere in the path or query is a 400 naming where it is: no page
//!   or value of citytrace has one, and PostgreSQL cannot store or compare text with one;
//! - HEAD is answered as GET without a body (same status and headers; a streamed export is not
//!   computed for it);
//! - OPTIONS answers 204 with `Allow` on every route (404 where there is none).

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;

use crate::error::AppError;

pub use crate::routes::POST_ONLY;

/// `Allow` of GET routes, and of POST-only routes.
const GET_ALLOWED: &str = "GET, HEAD, OPTIONS";
const POST_ALLOWED: &str = "POST, OPTIONS";

pub(super) async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    if let Some(error) = nul_in_address(&req) {
        let response = error.response_for(req.path());
        return Ok(req.into_response(response).map_into_right_body());
    }
    let head = match *req.method() {
        Method::OPTIONS => {
            let response = options(&req);
            return Ok(req.into_response(response).map_into_right_body());
        }
        Method::HEAD => {
            req.head_mut().method = Method::GET;
            true
        }
        _ => false,
    };
    let response = next.call(req).await?.map_into_boxed_body();
    if !head {
        return Ok(response.map_into_left_body());
    }
    // The connection sends no body for HEAD; a body still to be computed is not computed.
    Ok(response
        .map_body(|_, body| match body.size() {
            BodySize::Stream => BoxBody::new(actix_web::body::None::new()),
            _ => body,
        })
        .map_into_left_body())
}

/// The 400 for a `%00` in the path or the query, naming the query parameter.
fn nul_in_address(req: &ServiceRequest) -> Option<AppError> {
    if has_encoded_nul(req.path()) {
        return Some(AppError::BadRequest(
            "The address has a NUL character (%00) in its path; no page of citytrace has one. Remove it from the address."
                .into(),
        ));
    }
    let query = req.query_string();
    if !has_encoded_nul(query) {
        return None;
    }
    Some(match crate::query::QueryParams::parse(query) {
        Err(e) => e,
        // The NUL is in a key's or value's raw text that decodes to something else: not
        // possible for `%00`, but named generally all the same.
        Ok(_) => crate::query::nul_in_parameter("?"),
    })
}

/// Whether raw (still percent-encoded) text encodes a NUL byte. A NUL cannot appear
/// unencoded: the HTTP parser refuses it before any of this runs.
fn has_encoded_nul(raw: &str) -> bool {
    raw.as_bytes().windows(3).any(|w| w == b"%00")
}

/// OPTIONS: the methods of the route the path matches.
fn options(req: &ServiceRequest) -> HttpResponse {
    let allowed = if req.path() == "*" {
        Some("GET, HEAD, POST, OPTIONS")
    } else {
        req.resource_map().match_pattern(req.path()).map(|pattern| {
            if POST_ONLY.contains(&pattern.as_str()) {
                POST_ALLOWED
            } else {
                GET_ALLOWED
            }
        })
    };
    match allowed {
        Some(allowed) => HttpResponse::build(StatusCode::NO_CONTENT)
            .insert_header((header::ALLOW, allowed))
            .finish(),
        None => AppError::NotFound(format!("There is no page at {}.", req.path()))
            .response_for(req.path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoded_nul_is_found_only_as_percent_zero_zero() {
        assert!(has_encoded_nul("/lots/%00"));
        assert!(has_encoded_nul("q=a%00"));
        assert!(
            !has_encoded_nul("/lots/%2500"),
            "an encoded percent sign then 00"
        );
        assert!(!has_encoded_nul("q=100%"));
        assert!(!has_encoded_nul("q=%0"));
    }
}
