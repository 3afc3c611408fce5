use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use citytrace_schema::models::Lot;

use super::home::LotLink;
use crate::error::AppError;
use crate::fmt;
use crate::layout::Layout;
use crate::AppState;

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub query: String,
    pub lots: Vec<LotLink>,
}

const RESULTS: i64 = 50;

/// `GET /search?q=`: lots whose code contains the text. (Full-text search across every
/// entity is the explorer issue's.)
pub async fn show(
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner().q.trim().to_string();
    let page = state
        .db(move |conn| {
            let lots = if q.is_empty() {
                Vec::new()
            } else {
                Lot::search(conn, &q, RESULTS)?
            };
            let lots = lots
                .into_iter()
                .map(|l| {
                    let product = citytrace_schema::models::Product::find(conn, l.product_id)?.name;
                    Ok(LotLink {
                        href: format!("/lots/{}", fmt::path_segment(&l.code)),
                        code: l.code,
                        product,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(SearchPage {
                layout: Layout::new("Search", "").with_query(&q),
                query: q,
                lots,
            })
        })
        .await?;
    super::html(&page)
}
