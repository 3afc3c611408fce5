//! `GET /import`: the sign-in form, or, signed in, the upload form with the supplier's own
//! uploads and batches.

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use citytrace_schema::models::{upload::batches_submitted_by, BatchAnchor, TrustState, Upload};

use super::views::{format_options, BatchRow, FormatOption, UploadView};
use super::UploadError;
use crate::layout::Layout;
use crate::routes::trust::TrustBadge;
use crate::session::{self, SignedIn};
use crate::state::AppState;
use crate::uploads::Uploads;

/// Uploads and batches listed on the page.
const LISTED: i64 = 50;

#[derive(Template)]
#[template(path = "import/sign_in.html")]
pub struct SignInPage {
    pub layout: Layout,
    pub csrf: String,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "import/dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub party_name: String,
    pub party_code: String,
    pub csrf: String,
    pub formats: Vec<FormatOption>,
    pub limit: String,
    pub uploads: Vec<UploadView>,
    pub batches: Vec<BatchRow>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
) -> Result<HttpResponse, UploadError> {
    match session::current(&req, &state).await? {
        Some(signed_in) => dashboard(&state, &uploads, signed_in).await,
        None => sign_in_page(&req, None, actix_web::http::StatusCode::OK),
    }
}

/// The sign-in form (with `problem` after a failed attempt), setting the form's CSRF cookie.
pub fn sign_in_page(
    req: &HttpRequest,
    problem: Option<String>,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, UploadError> {
    let (csrf, set_cookie) = session::sign_in_csrf(req);
    let page = SignInPage {
        layout: Layout::new("Supplier sign-in", ""),
        csrf,
        problem,
    };
    let mut response = HttpResponse::build(status);
    response
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(cookie) = set_cookie {
        response.append_header((header::SET_COOKIE, cookie));
    }
    Ok(response.body(page.render()?))
}

async fn dashboard(
    state: &AppState,
    uploads: &Uploads,
    signed_in: SignedIn,
) -> Result<HttpResponse, UploadError> {
    let party = signed_in.party.clone();
    let (upload_rows, batches) = state
        .db(move |conn| {
            let uploads = Upload::of_party(conn, party.id, LISTED)?;
            let batches = batches_submitted_by(conn, &party.code, LISTED)?;
            let anchors = BatchAnchor::for_batches(conn, &batches)?;
            let rows = batches
                .iter()
                .map(|b| {
                    let anchor = anchors.iter().find(|a| a.batch_id == b.id);
                    BatchRow::new(b, TrustBadge::new(&TrustState::from_anchor(anchor)))
                })
                .collect::<Vec<_>>();
            Ok((uploads, rows))
        })
        .await?;
    let page = DashboardPage {
        layout: Layout::new("Upload a file", ""),
        party_name: signed_in.party.name.clone(),
        party_code: signed_in.party.code.clone(),
        csrf: signed_in.csrf.clone(),
        formats: format_options(None),
        limit: uploads.options().limit_text(),
        uploads: upload_rows.iter().map(UploadView::new).collect(),
        batches,
    };
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.render()?))
}
