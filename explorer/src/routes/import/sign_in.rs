//! Signing in with an API token and signing out.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{dashboard, signed_in_with_csrf, UploadError};
use crate::credentials::TOKEN_PREFIX;
use crate::session::{self, cookie};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
    csrf: Option<String>,
}

/// `POST /import/sign-in`: a good token starts a session and goes to the upload page; a bad
/// or revoked one shows the form again (401).
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, UploadError> {
    let form = form.into_inner();
    if !session::sign_in_csrf_matches(&req, form.csrf.as_deref()) {
        return Err(UploadError::csrf());
    }
    let token = form.token.trim().to_string();
    if token.is_empty() {
        return dashboard::sign_in_page(
            &req,
            Some("Paste your API token to sign in.".into()),
            StatusCode::UNAUTHORIZED,
        );
    }
    match session::sign_in(&state, token.clone()).await? {
        Some((id, signed_in)) => {
            tracing::info!(party = %signed_in.party.code, token = signed_in.token_id, "signed in to the upload page");
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/import"))
                .append_header((header::SET_COOKIE, session::session_cookie(&req, &id)))
                .append_header((
                    header::SET_COOKIE,
                    cookie::clear(
                        session::SIGN_IN_COOKIE,
                        session::COOKIE_PATH,
                        session::is_https(&req),
                    ),
                ))
                .finish())
        }
        None => {
            let hint = if token.starts_with(TOKEN_PREFIX) {
                ""
            } else {
                " Tokens start with ct_."
            };
            dashboard::sign_in_page(
                &req,
                Some(format!(
                    "That token is not valid: it is unknown or has been revoked.{hint} Ask the city for a new one."
                )),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// `POST /import/sign-out`: end the session.
pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in_with_csrf(&req, &state, form.csrf.as_deref()).await?;
    session::sign_out(&state, signed_in.session_id).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/import"))
        .append_header((header::SET_COOKIE, session::clear_session_cookie(&req)))
        .finish())
}
