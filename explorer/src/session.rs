//! Upload-page sessions. A supplier signs in with an API token; the explorer then keeps a
//! server-side session: a random id in an HttpOnly, SameSite=Strict cookie (Secure over
//! https) limited to `/import`, stored in the database only as its sha256, expiring after
//! [`SESSION_HOURS`]. Each session has a random CSRF token that every state-changing form
//! carries in a hidden field (or htmx in the `X-CSRF-Token` header) and that is checked
//! before anything is done. The sign-in form itself is protected by a double-submit cookie.

pub mod cookie;

use actix_web::HttpRequest;
use chrono::{Duration, Utc};

use citytrace_schema::models::{ApiToken, NewUploadSession, Party, UploadSession};

use crate::credentials::{random_hex, same_secret, secret_hash};
use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "citytrace_session";
/// The sign-in form's double-submit CSRF cookie.
pub const SIGN_IN_COOKIE: &str = "citytrace_sign_in";
/// Cookies are sent only to the upload pages.
pub const COOKIE_PATH: &str = "/import";
pub const SESSION_HOURS: i64 = 12;
/// The hidden form field and the header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// A signed-in supplier.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: i64,
    pub token_id: i64,
    pub party: Party,
    pub csrf: String,
}

impl SignedIn {
    /// Whether a submitted CSRF token is this session's.
    pub fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| same_secret(s, &self.csrf))
    }
}

/// The request's session, if it carries a live one (unexpired, token not revoked).
pub async fn current(req: &HttpRequest, state: &AppState) -> Result<Option<SignedIn>, AppError> {
    let Some(id) = cookie::read(req, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = secret_hash(&id);
    state
        .db(move |conn| {
            Ok(
                UploadSession::find_active(conn, &hash)?.map(|(session, party)| SignedIn {
                    session_id: session.id,
                    token_id: session.token_id,
                    party,
                    csrf: session.csrf_token,
                }),
            )
        })
        .await
}

/// Sign in with an API token: a new session and the cookie value that names it, or `None`
/// when the token is unknown or revoked.
pub async fn sign_in(
    state: &AppState,
    token: String,
) -> Result<Option<(String, SignedIn)>, AppError> {
    let token_hash = secret_hash(&token);
    state
        .db(move |conn| {
            let Some((api_token, party)) = ApiToken::find_active(conn, &token_hash)? else {
                return Ok(None);
            };
            UploadSession::delete_expired(conn)?;
            ApiToken::touch(conn, api_token.id)?;
            let id = random_hex();
            let csrf = random_hex();
            let session = UploadSession::insert(
                conn,
                &NewUploadSession {
                    session_hash: &secret_hash(&id),
                    token_id: api_token.id,
                    csrf_token: &csrf,
                    expires_at: Utc::now() + Duration::hours(SESSION_HOURS),
                },
            )?;
            Ok(Some((
                id,
                SignedIn {
                    session_id: session.id,
                    token_id: api_token.id,
                    party,
                    csrf,
                },
            )))
        })
        .await
}

pub async fn sign_out(state: &AppState, session_id: i64) -> Result<(), AppError> {
    state
        .db(move |conn| Ok(UploadSession::delete(conn, session_id)?))
        .await
}

/// Whether the request reached us over https (directly or, per `Forwarded`/`X-Forwarded-Proto`,
/// through a proxy): cookies are then marked Secure.
pub fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(req: &HttpRequest, id: &str) -> String {
    cookie::set(
        SESSION_COOKIE,
        id,
        COOKIE_PATH,
        SESSION_HOURS * 3600,
        is_https(req),
    )
}

/// The `Set-Cookie` value that ends the session in the browser.
pub fn clear_session_cookie(req: &HttpRequest) -> String {
    cookie::clear(SESSION_COOKIE, COOKIE_PATH, is_https(req))
}

/// The sign-in form's CSRF value: the one the browser already has, or a new one (with the
/// `Set-Cookie` value to send).
pub fn sign_in_csrf(req: &HttpRequest) -> (String, Option<String>) {
    match cookie::read(req, SIGN_IN_COOKIE) {
        Some(value) => (value, None),
        None => {
            let value = random_hex();
            let set = cookie::set(SIGN_IN_COOKIE, &value, COOKIE_PATH, 3600, is_https(req));
            (value, Some(set))
        }
    }
}

/// Whether a submitted sign-in form carries the value of the browser's sign-in cookie.
pub fn sign_in_csrf_matches(req: &HttpRequest, submitted: Option<&str>) -> bool {
    match (cookie::read(req, SIGN_IN_COOKIE), submitted) {
        (Some(cookie), Some(submitted)) => same_secret(&cookie, submitted),
        _ => false,
    }
}
