//! `POST /import/uploads`: the upload form (multipart). The file is streamed to disk with its
//! sha256 computed on the way, never held in memory; over the limit the upload stops with 413.
//! The CSRF token must come before the file (the form puts its hidden field first; htmx may
//! send the `X-CSRF-Token` header instead), so nothing is written for a forged request.

use actix_multipart::{Field, Multipart};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;

use citytrace_schema::models::{NewUpload, Upload, UploadStatus};

use super::{signed_in, UploadError};
use crate::session::{SignedIn, CSRF_FIELD, CSRF_HEADER};
use crate::state::AppState;
use crate::uploads::storage::{IncomingFile, StoredFile, WriteError};
use crate::uploads::{format_named, Uploads};

/// Room for the form's other fields and multipart headers beyond the file itself.
const FORM_OVERHEAD: u64 = 64 * 1024;
/// The longest text field (the CSRF token, the format name) read.
const FIELD_LIMIT: usize = 1024;

pub async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    payload: web::Payload,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in(&req, &state).await?;
    let limit = uploads.options().max_bytes;
    if content_length(&req).is_some_and(|n| n > limit.saturating_add(FORM_OVERHEAD)) {
        return Err(too_large(&uploads));
    }
    let mut stored = None;
    let received = read_form(&req, &signed_in, &uploads, payload, &mut stored).await;
    let (format, file) = match (received, stored) {
        (Ok(format), Some(file)) => (format, file),
        (Ok(_), None) => {
            return Err(UploadError::bad_request(
                "Choose a file to upload, then press Upload and check.",
            ))
        }
        (Err(e), stored) => {
            if let Some(file) = stored {
                remove(file).await;
            }
            return Err(e);
        }
    };
    let party_id = signed_in.party.id;
    let record = file.clone();
    let upload = state
        .db(move |conn| {
            Ok(Upload::insert(
                conn,
                &NewUpload {
                    party_id,
                    format: format.name(),
                    file_name: &record.file_name,
                    stored_as: &record.relative,
                    size_bytes: i64::try_from(record.size).unwrap_or(i64::MAX),
                    sha256: &record.sha256,
                    status: UploadStatus::CheckQueued.as_str(),
                },
            )?)
        })
        .await;
    let upload = match upload {
        Ok(upload) => upload,
        Err(e) => {
            remove(file).await;
            return Err(e.into());
        }
    };
    tracing::info!(upload = upload.id, party = %signed_in.party.code, bytes = file.size, "file uploaded");
    uploads.run_queued(&state.pool, &state.search);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/import/uploads/{}", upload.id)))
        .finish())
}

/// Read the form: the format, with the file stored into `stored`.
async fn read_form(
    req: &HttpRequest,
    signed_in: &SignedIn,
    uploads: &Uploads,
    payload: web::Payload,
    stored: &mut Option<StoredFile>,
) -> Result<citytrace_importers::Format, UploadError> {
    let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let mut csrf_ok = signed_in.csrf_matches(header);
    let mut format = None;
    let mut multipart = Multipart::new(req.headers(), payload);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| unreadable(&e))?;
        match field.name().unwrap_or_default() {
            CSRF_FIELD => {
                let value = text_field(&mut field).await?;
                csrf_ok = csrf_ok || signed_in.csrf_matches(Some(&value));
                if !csrf_ok {
                    return Err(UploadError::csrf());
                }
            }
            "format" => {
                let name = text_field(&mut field).await?;
                format = Some(format_named(name.trim()).ok_or_else(|| {
                    UploadError::bad_request(&format!("There is no format {name:?}."))
                })?);
            }
            "file" => {
                if !csrf_ok {
                    return Err(UploadError::csrf());
                }
                if stored.is_some() {
                    return Err(UploadError::bad_request("Upload one file at a time."));
                }
                *stored = store_file(&mut field, uploads).await?;
            }
            _ => {
                text_field(&mut field).await?;
            }
        }
    }
    if !csrf_ok {
        return Err(UploadError::csrf());
    }
    format.ok_or_else(|| UploadError::bad_request("Choose the file's format."))
}

/// Stream the file field to disk; `None` when the form had no file chosen.
async fn store_file(
    field: &mut Field,
    uploads: &Uploads,
) -> Result<Option<StoredFile>, UploadError> {
    let name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .unwrap_or_default()
        .to_string();
    let options = uploads.options();
    let mut incoming = IncomingFile::create(&options.dir, &name, options.max_bytes);
    while let Some(chunk) = field.next().await {
        let written = match chunk {
            Ok(chunk) => incoming.write(chunk).await,
            Err(e) => {
                incoming.abandon().await;
                return Err(unreadable(&e));
            }
        };
        match written {
            Ok(()) => {}
            Err(WriteError::TooLarge) => {
                incoming.abandon().await;
                return Err(too_large(uploads));
            }
            Err(WriteError::Io(e)) => {
                incoming.abandon().await;
                return Err(UploadError::internal(format!("storing an upload: {e}")));
            }
        }
    }
    if name.is_empty() && incoming.size() == 0 {
        incoming.abandon().await;
        return Ok(None);
    }
    incoming
        .finish()
        .await
        .map(Some)
        .map_err(|e| UploadError::internal(format!("storing an upload: {e}")))
}

/// A small text field, read up to [`FIELD_LIMIT`] bytes.
async fn text_field(field: &mut Field) -> Result<String, UploadError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| unreadable(&e))?;
        if bytes.len() + chunk.len() > FIELD_LIMIT {
            return Err(UploadError::bad_request(
                "The form has a field that is far too long.",
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| UploadError::bad_request("The form is not UTF-8."))
}

fn unreadable(e: &actix_multipart::MultipartError) -> UploadError {
    tracing::info!(error = %e, "an upload form could not be read");
    UploadError::bad_request(
        "The upload could not be read (it may have been interrupted). Try again.",
    )
}

pub(super) fn too_large(uploads: &Uploads) -> UploadError {
    UploadError::TooLarge {
        limit: uploads.options().limit_text(),
    }
}

pub(super) fn content_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

async fn remove(file: StoredFile) {
    let folder = file.path.parent().map(std::path::Path::to_path_buf);
    if let Some(folder) = folder {
        let _ = web::block(move || std::fs::remove_dir_all(folder)).await;
    }
}
