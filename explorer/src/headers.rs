//! The headers every response carries unless its handler set them.

use actix_web::middleware::DefaultHeaders;

/// Security headers on every response: scripts only from this origin (no inline script), no
/// framing, no MIME sniffing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The headers every response carries unless its handler set them (see [`default_headers`]);
/// also on the answers the server gives before a request reaches the app (`server.rs`).
pub const DEFAULT_HEADERS: [(&str, &str); 5] = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cache-Control", "no-cache"),
    ("X-Frame-Options", "DENY"),
];

/// The headers every response carries unless its handler set them: security headers, and
/// `Cache-Control: no-cache` for pages and API answers (static files set a year).
pub fn default_headers() -> DefaultHeaders {
    DEFAULT_HEADERS
        .iter()
        .fold(DefaultHeaders::new(), |headers, header| {
            headers.add(*header)
        })
}
