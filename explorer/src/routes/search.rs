//! `GET /search?q=&area=`: everything matching, grouped by area (facets); as-you-type
//! suggestions for htmx (`HX-Target: search-suggestions`); `GET /api/v1/search` as JSON.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::query::QueryParams;
use crate::search::{SearchHit, SearchRequest, SearchResults, AREAS};
use crate::state::AppState;

/// `?q=&area=&limit=`.
pub struct SearchQuery {
    q: String,
    area: String,
    limit: Option<usize>,
}

impl SearchQuery {
    pub(crate) fn parse(query: &QueryParams) -> Result<Self, AppError> {
        Ok(Self {
            q: query.get("q").unwrap_or_default().to_string(),
            area: query.get("area").unwrap_or_default().to_string(),
            limit: query.whole_number("limit", 1..=100)?,
        })
    }
}

pub struct AreaFacet {
    pub area: String,
    pub count: usize,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub query: String,
    pub area: String,
    pub hits: Vec<SearchHit>,
    pub facets: Vec<AreaFacet>,
    pub backend: &'static str,
}

#[derive(Template)]
#[template(path = "_search_suggestions.html")]
pub struct Suggestions {
    pub query: String,
    pub hits: Vec<SearchHit>,
}

const PAGE_RESULTS: usize = 50;
const SUGGESTIONS: usize = 8;

pub(crate) fn request(
    query: &SearchQuery,
    default_limit: usize,
) -> Result<Option<SearchRequest>, AppError> {
    let text = query.q.trim();
    if text.chars().count() > 200 {
        return Err(AppError::BadRequest(
            "the search text is too long (200 characters at most)".into(),
        ));
    }
    let area = match query.area.trim() {
        "" => None,
        a if AREAS.contains(&a) => Some(a.to_string()),
        other => {
            return Err(AppError::BadRequest(format!(
                "no area {other:?}; areas: {}",
                AREAS.join(", ")
            )))
        }
    };
    let limit = query.limit.unwrap_or(default_limit);
    Ok((!text.is_empty()).then(|| SearchRequest {
        text: text.to_string(),
        area,
        limit,
    }))
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: QueryParams,
) -> Result<HttpResponse, AppError> {
    let suggest =
        req.headers().get("HX-Target").and_then(|v| v.to_str().ok()) == Some("search-suggestions");
    let query = SearchQuery::parse(&query)?;
    let request = request(&query, if suggest { SUGGESTIONS } else { PAGE_RESULTS })?;
    let results = match &request {
        Some(r) => state.search.search(r).await?,
        None => SearchResults::default(),
    };
    if suggest {
        return Ok(super::with_vary_hx(super::html(&Suggestions {
            query: query.q.trim().to_string(),
            hits: results.hits,
        })?));
    }
    let text = query.q.trim().to_string();
    let area = request
        .as_ref()
        .and_then(|r| r.area.clone())
        .unwrap_or_default();
    let facets = results
        .areas
        .iter()
        .map(|(a, n)| AreaFacet {
            href: format!(
                "/search?q={}&area={}",
                crate::listing::query::encode(&text),
                a
            ),
            active: *a == area,
            area: a.clone(),
            count: *n,
        })
        .collect();
    Ok(super::with_vary_hx(super::html(&SearchPage {
        layout: Layout::new("Search", "").with_query(&text),
        query: text,
        area,
        hits: results.hits,
        facets,
        backend: if request.is_some() {
            results.backend
        } else {
            state.search.name()
        },
    })?))
}

/// `GET /api/v1/search?q=&area=&limit=`.
pub async fn api(state: web::Data<AppState>, query: QueryParams) -> Result<HttpResponse, ApiError> {
    let query = SearchQuery::parse(&query)?;
    let Some(request) = request(&query, 20)? else {
        return Err(AppError::BadRequest("give the text to search for: ?q=…".into()).into());
    };
    let results = state.search.search(&request).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "query": request.text,
        "area": request.area,
        "backend": results.backend,
        "hits": results.hits,
        "areas": results.areas.iter().map(|(a, n)| serde_json::json!({"area": a, "count": n})).collect::<Vec<_>>(),
    })))
}
