//! Every registered list ([`crate::lists`]) as a page and an API endpoint.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::listing::{export, ListDef, ListPage, ListParams, ListUrl, ListView, PageOfRows};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    for def in crate::lists::all() {
        cfg.route(
            def.path,
            web::get()
                .to(move |state: web::Data<AppState>, req: HttpRequest| page(def, state, req)),
        )
        .route(
            &def.api_path(),
            web::get().to(move |state: web::Data<AppState>, req: HttpRequest| api(def, state, req)),
        );
    }
}

fn params(def: &'static ListDef, req: &HttpRequest) -> Result<ListParams, AppError> {
    ListParams::from_query(def, req.query_string())
}

/// `GET <path>`: the page; with `HX-Target: list-<name>` only its table; with `format=csv|json`
/// the whole filtered list.
async fn page(
    def: &'static ListDef,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = params(def, &req)?;
    if params.format != "html" {
        return export(&state, def, params).await;
    }
    let fragment = req
        .headers()
        .get("HX-Target")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t == format!("list-{}", def.name));
    let (table, params) = state
        .db(move |conn| {
            let rows = PageOfRows::load(conn, def, &params)?;
            Ok((ListView::new(def, &params, &rows), params))
        })
        .await?;
    let response = if fragment {
        super::html(&table)?
    } else {
        super::html(&ListPage::new(def, &params, table))?
    };
    Ok(super::with_vary_hx(response))
}

/// `GET /api/v1/<name>`: one page as JSON; with `format=csv|json` the whole filtered list.
async fn api(
    def: &'static ListDef,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let result = async {
        let params = params(def, &req)?;
        if params.format != "html" {
            return export(&state, def, params).await;
        }
        let (rows, params) = state
            .db(move |conn| Ok((PageOfRows::load(conn, def, &params)?, params)))
            .await?;
        let capped = rows.total > crate::listing::COUNT_CAP;
        let shown = rows.rows.len() as i64;
        let before = i64::from(params.page - 1) * i64::from(params.per_page);
        let link = |page: u32| {
            format!(
                "{}{}",
                def.api_path(),
                params.query_string(def, &[("page", Some(&page.to_string()))])
            )
        };
        // The rows are JSON objects already: written into the body as they are.
        let mut body = String::from("{\"items\":[");
        body.push_str(&rows.rows.join(","));
        body.push_str("],");
        let meta = serde_json::json!({
            "list": def.name,
            "page": params.page,
            "per_page": params.per_page,
            "total": if capped { crate::listing::COUNT_CAP } else { rows.total },
            "total_is_lower_bound": capped,
            "sort": params.sort,
            "dir": if params.descending { "desc" } else { "asc" },
            "next": (shown > 0 && (capped || before + shown < rows.total)).then(|| link(params.page + 1)),
            "prev": (params.page > 1).then(|| link(params.page - 1)),
        });
        let meta = meta.to_string();
        // `{"list":…}` continues the object opened above: its `{` is already written.
        body.push_str(meta.strip_prefix('{').unwrap_or(&meta));
        Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(body))
    }
    .await;
    result.or_else(|e: AppError| Ok(e.json_response()))
}
