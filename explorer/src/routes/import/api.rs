//! `POST /api/v1/imports?format=shipments[&dry_run=true][&file_name=deliveries.csv]` with
//! `Authorization: Bearer <token>` and the file as the request body: the file is streamed to
//! disk (same limit as the page), imported as the token's party, and the outcome returned as
//! JSON — the same JSON `citytrace import --format json` prints: 200 `imported`,
//! `already_imported` or `validated`; 422 `invalid` with the problems; 401 without a valid
//! token; 413 over the limit.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::json;

use citytrace_importers::{import_file, ImportError, ImportOptions};
use citytrace_schema::models::{ApiToken, Party};

use super::upload_form::content_length;
use crate::credentials::secret_hash;
use crate::uploads::storage::{IncomingFile, WriteError};
use crate::uploads::{format_named, Uploads};
use crate::AppState;

#[derive(Deserialize)]
struct ImportQuery {
    format: Option<String>,
    #[serde(default)]
    dry_run: bool,
    file_name: Option<String>,
}

fn json_error(status: StatusCode, message: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"citytrace\""));
    }
    response.json(json!({ "error": message }))
}

fn internal(detail: impl std::fmt::Display) -> HttpResponse {
    tracing::error!(%detail, "API import failed");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error; it has been logged",
    )
}

/// The party of the request's bearer token, if it is a live one.
async fn authenticated(req: &HttpRequest, state: &AppState) -> Result<Option<Party>, HttpResponse> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Ok(None);
    };
    let hash = secret_hash(token);
    state
        .db(move |conn| {
            let Some((api_token, party)) = ApiToken::find_active(conn, &hash)? else {
                return Ok(None);
            };
            ApiToken::touch(conn, api_token.id)?;
            Ok(Some(party))
        })
        .await
        .map_err(internal)
}

pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    mut payload: web::Payload,
) -> HttpResponse {
    let party =
        match authenticated(&req, &state).await {
            Ok(Some(party)) => party,
            Ok(None) => return json_error(
                StatusCode::UNAUTHORIZED,
                "send a valid API token: Authorization: Bearer <token> (citytrace token create)",
            ),
            Err(response) => return response,
        };
    let query = match web::Query::<ImportQuery>::from_query(req.query_string()) {
        Ok(query) => query.into_inner(),
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let names: Vec<&str> = citytrace_importers::Format::ALL
        .iter()
        .map(|f| f.name())
        .collect();
    let Some(format) = query.format.as_deref().and_then(format_named) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            &format!("name the file's format: ?format={}", names.join("|")),
        );
    };
    let options = uploads.options();
    let too_large = || {
        json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the file is larger than the upload limit of {}",
                options.limit_text()
            ),
        )
    };
    if content_length(&req).is_some_and(|n| n > options.max_bytes) {
        return too_large();
    }
    let name = query
        .file_name
        .as_deref()
        .unwrap_or(format.name())
        .to_string();
    let mut incoming = IncomingFile::create(&options.dir, &name, options.max_bytes);
    while let Some(chunk) = payload.next().await {
        let written = match chunk {
            Ok(chunk) => incoming.write(chunk).await,
            Err(e) => {
                incoming.abandon().await;
                return json_error(
                    StatusCode::BAD_REQUEST,
                    &format!("the body could not be read: {e}"),
                );
            }
        };
        match written {
            Ok(()) => {}
            Err(WriteError::TooLarge) => {
                incoming.abandon().await;
                return too_large();
            }
            Err(WriteError::Io(e)) => {
                incoming.abandon().await;
                return internal(e);
            }
        }
    }
    let file = match incoming.finish().await {
        Ok(file) => file,
        Err(e) => return internal(e),
    };
    let import_options = ImportOptions {
        submitter: party.code.clone(),
        dry_run: query.dry_run,
        ..ImportOptions::default()
    };
    let pool = state.pool.clone();
    let result = web::block(move || {
        let outcome = pool
            .get()
            .map_err(|e| e.to_string())
            .map(|mut conn| import_file(&mut conn, format, &file.path, &import_options));
        if let Some(folder) = file.path.parent() {
            if let Err(e) = std::fs::remove_dir_all(folder) {
                tracing::warn!(error = %e, "could not remove an API upload");
            }
        }
        outcome
    })
    .await;
    match result {
        Ok(Ok(Ok(outcome))) => {
            tracing::info!(party = %party.code, "API import");
            HttpResponse::Ok().json(outcome)
        }
        Ok(Ok(Err(ImportError::Invalid(errors)))) => HttpResponse::UnprocessableEntity().json(
            json!({ "outcome": "invalid", "problems": errors.total, "errors": errors.errors }),
        ),
        Ok(Ok(Err(e))) => internal(e),
        Ok(Err(pool)) => {
            tracing::warn!(error = %pool, "API import: no database connection");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is busy; try again in a moment",
            )
        }
        Err(e) => internal(e),
    }
}
