//! One upload: its page (the dry run's result, or progress), the status fragment htmx polls
//! while a job runs, and the Import, Check again and Discard buttons.

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use citytrace_schema::models::{Upload, UploadStatus};

use super::sign_in::CsrfForm;
use super::views::{format_options, FormatOption, UploadView};
use super::{is_htmx, path_id, signed_in, signed_in_with_csrf, UploadError};
use crate::layout::Layout;
use crate::session::SignedIn;
use crate::state::AppState;
use crate::uploads::Uploads;

#[derive(Template)]
#[template(path = "import/upload.html")]
pub struct UploadPage {
    pub layout: Layout,
    pub view: UploadView,
    pub csrf: String,
    pub formats: Vec<FormatOption>,
    pub limit: String,
}

/// The part of the page that changes as jobs run (`templates/import/_status.html`).
#[derive(Template)]
#[template(path = "import/_status.html")]
pub struct UploadStatusFragment {
    pub view: UploadView,
    pub csrf: String,
    pub formats: Vec<FormatOption>,
    pub limit: String,
}

/// The upload if it is this supplier's (anyone else's is not found), after queueing it again
/// if its job was interrupted.
async fn own_upload(
    state: &AppState,
    uploads: &Uploads,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Upload, UploadError> {
    let id = path_id(id, "upload")?;
    let party_id = signed_in.party.id;
    let upload = state
        .db(move |conn| {
            let Some(upload) = Upload::find_of_party(conn, id, party_id)? else {
                return Ok(None);
            };
            if Uploads::recover_interrupted(conn, &upload)? {
                return Ok(Some(Upload::find(conn, id)?));
            }
            Ok(Some(upload))
        })
        .await?
        .ok_or_else(|| UploadError::not_found(&format!("There is no upload {id}.")))?;
    if matches!(
        upload.status(),
        UploadStatus::CheckQueued | UploadStatus::ImportQueued
    ) {
        uploads.run_queued(&state.pool, &state.search);
    }
    Ok(upload)
}

fn no_store(mut response: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    response
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

/// `GET /import/uploads/{id}`
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    path: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in(&req, &state).await?;
    let upload = own_upload(&state, &uploads, &signed_in, &path).await?;
    let page = UploadPage {
        layout: Layout::new(&format!("Upload {}: {}", upload.id, upload.file_name), ""),
        formats: format_options(Some(&upload.format)),
        view: UploadView::new(&upload),
        csrf: signed_in.csrf,
        limit: uploads.options().limit_text(),
    };
    Ok(no_store(HttpResponse::Ok()).body(page.render()?))
}

/// `GET /import/uploads/{id}/status`: the fragment. Once an import has finished, htmx is sent
/// on to the receipt.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    path: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in(&req, &state).await?;
    let upload = own_upload(&state, &uploads, &signed_in, &path).await?;
    fragment(&req, &uploads, &upload, signed_in.csrf)
}

fn fragment(
    req: &HttpRequest,
    uploads: &Uploads,
    upload: &Upload,
    csrf: String,
) -> Result<HttpResponse, UploadError> {
    let mut response = no_store(HttpResponse::Ok());
    if is_htmx(req) && upload.status() == UploadStatus::Imported {
        if let Some(batch) = upload.batch_id {
            response.insert_header(("HX-Redirect", format!("/import/batches/{batch}")));
        }
    }
    let fragment = UploadStatusFragment {
        formats: format_options(Some(&upload.format)),
        view: UploadView::new(upload),
        csrf,
        limit: uploads.options().limit_text(),
    };
    Ok(response.body(fragment.render()?))
}

/// After a button: htmx gets the fresh fragment, a plain form post goes back to the page.
async fn after_action(
    req: &HttpRequest,
    state: &AppState,
    uploads: &Uploads,
    signed_in: SignedIn,
    id: i64,
) -> Result<HttpResponse, UploadError> {
    if is_htmx(req) {
        let upload = own_upload(state, uploads, &signed_in, &id.to_string()).await?;
        fragment(req, uploads, &upload, signed_in.csrf)
    } else {
        Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/import/uploads/{id}")))
            .finish())
    }
}

/// `POST /import/uploads/{id}/import`: queue the import of a valid upload.
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in_with_csrf(&req, &state, form.csrf.as_deref()).await?;
    let id = path_id(&path, "upload")?;
    let party_id = signed_in.party.id;
    let queued = state
        .db(move |conn| {
            if Upload::find_of_party(conn, id, party_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(Upload::queue_import(conn, id, party_id)?))
        })
        .await?
        .ok_or_else(|| UploadError::not_found(&format!("There is no upload {id}.")))?;
    if queued {
        uploads.run_queued(&state.pool, &state.search);
    }
    // Not valid (any more): the page shows where the upload is, e.g. already importing.
    after_action(&req, &state, &uploads, signed_in, id).await
}

/// `POST /import/uploads/{id}/check`: check a failed upload again.
pub async fn check_again(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in_with_csrf(&req, &state, form.csrf.as_deref()).await?;
    let id = path_id(&path, "upload")?;
    let party_id = signed_in.party.id;
    let queued = state
        .db(move |conn| {
            if Upload::find_of_party(conn, id, party_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(Upload::queue_check_again(conn, id, party_id)?))
        })
        .await?
        .ok_or_else(|| UploadError::not_found(&format!("There is no upload {id}.")))?;
    if queued {
        uploads.run_queued(&state.pool, &state.search);
    }
    after_action(&req, &state, &uploads, signed_in, id).await
}

/// `POST /import/uploads/{id}/discard`: drop a valid or failed upload and its file.
pub async fn discard(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in_with_csrf(&req, &state, form.csrf.as_deref()).await?;
    let id = path_id(&path, "upload")?;
    let party_id = signed_in.party.id;
    let store = uploads.get_ref().clone();
    let found = state
        .db(move |conn| {
            if Upload::find_of_party(conn, id, party_id)?.is_none() {
                return Ok(false);
            }
            if let Some(upload) = Upload::discard(conn, id, party_id)? {
                store.remove_file(conn, &upload)?;
            }
            Ok(true)
        })
        .await?;
    if !found {
        return Err(UploadError::not_found(&format!("There is no upload {id}.")));
    }
    after_action(&req, &state, &uploads, signed_in, id).await
}
