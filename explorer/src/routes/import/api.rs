//! `POST /api/v1/imports?format=shipments[&dry_run=true][&file_name=deliveries.csv]` with
//! `Authorization: Bearer <token>` (the scheme in any case) and the file as the request body:
//! the file is streamed to disk (same limit as the page), imported as the token's party in one
//! of the job slots the upload page's jobs use too (waiting for one in turn), and the outcome
//! returned as JSON — the same JSON `citytrace import --format json` prints: 200 `imported`,
//! `already_imported` or `validated`; 422 `invalid` with the problems (or `error` when the
//! database refused the data); 401 without a valid token; 413 over the limit; 503 when the
//! database is away; 500 with what happened otherwise (a panic included). Nothing is imported
//! unless the answer is 200.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;
use serde_json::json;

use citytrace_importers::{Format, ImportOptions, ImportOutcome};
use citytrace_schema::models::{ApiToken, Party};

use super::upload_form::content_length;
use crate::credentials::secret_hash;
use crate::query::QueryParams;
use crate::state::AppState;
use crate::uploads::failure::JobFailure;
use crate::uploads::storage::{IncomingFile, StoredFile, WriteError};
use crate::uploads::{format_named, memory, Uploads};

/// What the query string asks.
pub(crate) struct ImportQuery {
    pub(crate) format: Format,
    pub(crate) dry_run: bool,
    pub(crate) file_name: Option<String>,
}

impl ImportQuery {
    pub(crate) fn parse(raw: &str) -> Result<Self, String> {
        let query = QueryParams::parse(raw).map_err(|e| e.to_string())?;
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        let format = query
            .get("format")
            .and_then(format_named)
            .ok_or_else(|| format!("name the file's format: ?format={}", names.join("|")))?;
        Ok(Self {
            format,
            dry_run: query
                .flag("dry_run")
                .map_err(|e| e.to_string())?
                .unwrap_or(false),
            file_name: query
                .text("file_name", 300)
                .map_err(|e| e.to_string())?
                .map(str::to_string),
        })
    }
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

/// The token of an `Authorization: Bearer <token>` header; the scheme is matched in any case
/// (RFC 7235).
pub(crate) fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The party of the request's bearer token, if it is a live one.
async fn authenticated(req: &HttpRequest, state: &AppState) -> Result<Option<Party>, HttpResponse> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
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
    let query = match ImportQuery::parse(req.query_string()) {
        Ok(query) => query,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    let format = query.format;
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
    match run_import(&state, &uploads, format, file, import_options).await {
        Ok(outcome) => {
            tracing::info!(party = %party.code, "API import");
            HttpResponse::Ok().json(outcome)
        }
        Err(failure) => failure_response(&failure),
    }
}

/// Import the stored file in a job slot (waiting for one), guarded against panics; the file is
/// removed afterwards and the slot given back, also when the client has gone meanwhile.
async fn run_import(
    state: &AppState,
    uploads: &Uploads,
    format: Format,
    file: StoredFile,
    options: ImportOptions,
) -> Result<ImportOutcome, JobFailure> {
    let Some(slot) = uploads.job_slot().await else {
        return Err(JobFailure::Internal("the server is shutting down".into()));
    };
    let (pool, search, uploads) = (state.pool.clone(), state.search.clone(), uploads.clone());
    let job = tokio::task::spawn_blocking(move || {
        let importer = uploads.importer();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut conn = pool.get().map_err(|_| JobFailure::Unavailable)?;
            let outcome = importer(&mut conn, format, &file.path, &options, &|_| {})
                .map_err(|e| JobFailure::of_import(e, Some(&file.path)));
            memory::retire(conn);
            outcome
        }))
        .unwrap_or_else(|panic| {
            let message = crate::app::panic_message(panic.as_ref());
            tracing::error!(%message, "an API import panicked");
            let step = if options.dry_run {
                "checking"
            } else {
                "importing"
            };
            Err(JobFailure::of_panic(&message, step))
        });
        if let Some(folder) = file.path.parent() {
            if let Err(e) = std::fs::remove_dir_all(folder) {
                tracing::warn!(error = %e, "could not remove an API upload");
            }
        }
        drop(slot);
        memory::return_freed_memory();
        // A page upload may have waited for this slot.
        uploads.run_queued(&pool, &search);
        outcome
    });
    match job.await {
        Ok(outcome) => outcome,
        Err(e) => Err(JobFailure::Internal(format!(
            "internal error: the import stopped ({e}); nothing was imported"
        ))),
    }
}

fn failure_response(failure: &JobFailure) -> HttpResponse {
    match failure {
        JobFailure::Rows(errors) => HttpResponse::UnprocessableEntity().json(
            json!({ "outcome": "invalid", "problems": errors.total, "errors": errors.errors }),
        ),
        JobFailure::Refused(message) => json_error(StatusCode::UNPROCESSABLE_ENTITY, message),
        JobFailure::Conflict(message) => json_error(StatusCode::CONFLICT, message),
        JobFailure::Unavailable => {
            let mut response = json_error(StatusCode::SERVICE_UNAVAILABLE, &failure.message());
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(crate::error::RETRY_AFTER_SECONDS),
            );
            response
        }
        JobFailure::Internal(message) => {
            tracing::error!(%message, "API import failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for header in [
            "Bearer ct_1",
            "bearer ct_1",
            "BEARER  ct_1 ",
            " bEaReR ct_1",
        ] {
            assert_eq!(bearer_token(header), Some("ct_1"), "{header}");
        }
        for header in ["Basic ct_1", "Bearerct_1", "Bearer ", "Bearer", "", "ct_1"] {
            assert_eq!(bearer_token(header), None, "{header}");
        }
    }
}
