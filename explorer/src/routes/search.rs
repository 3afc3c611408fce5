//! `GET /search?q=&area=&kind=`: everything matching, grouped by kind (a few of each, with a
//! link to all of a kind) and counted by area (facets), "did you mean" when nothing matches;
//! as-you-type suggestions for htmx (`HX-Target: search-suggestions`); `GET /api/v1/search` as
//! JSON.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::query::QueryParams;
use crate::search::{SearchHit, SearchRequest, SearchResults, AREAS, KINDS};
use crate::state::AppState;

/// `?q=&area=&kind=&limit=`.
pub struct SearchQuery {
    q: String,
    area: String,
    kind: String,
    limit: Option<usize>,
}

impl SearchQuery {
    pub(crate) fn parse(query: &QueryParams) -> Result<Self, AppError> {
        Ok(Self {
            q: query.get("q").unwrap_or_default().to_string(),
            area: query.get("area").unwrap_or_default().to_string(),
            kind: query.get("kind").unwrap_or_default().to_string(),
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

/// The results of one kind: the best few, how many there are in all, and the link to all of
/// them when some are not shown.
pub struct KindGroup {
    pub kind: String,
    pub hits: Vec<SearchHit>,
    pub total: usize,
    pub more: Option<(usize, String)>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub query: String,
    pub area: String,
    pub kind: String,
    pub found: usize,
    pub groups: Vec<KindGroup>,
    pub facets: Vec<AreaFacet>,
    pub suggestion: Option<(String, String)>,
    pub backend: &'static str,
}

#[derive(Template)]
#[template(path = "_search_suggestions.html")]
pub struct Suggestions {
    pub query: String,
    pub groups: Vec<KindGroup>,
    pub suggestion: Option<(String, String)>,
}

/// Results of each kind on the search page; of the one kind asked for (`&kind=`).
const PAGE_PER_KIND: usize = 5;
const PAGE_ONE_KIND: usize = 100;
/// Results of each kind in the suggestions under the search box.
const SUGGESTIONS_PER_KIND: usize = 3;
/// Results of each kind through the API, unless `limit` says otherwise.
const API_PER_KIND: usize = 10;

/// `/search?q=…` plus an area and a kind when given.
fn search_href(text: &str, area: &str, kind: &str) -> String {
    let mut href = format!("/search?q={}", crate::listing::query::encode(text));
    if !area.is_empty() {
        href.push_str(&format!("&area={area}"));
    }
    if !kind.is_empty() {
        href.push_str(&format!("&kind={kind}"));
    }
    href
}

/// The hits grouped by kind, in the order of the kinds' totals (best kind first), each with
/// "N more" linking to all of its kind.
pub fn groups(results: SearchResults, text: &str, area: &str) -> Vec<KindGroup> {
    let mut hits = results.hits;
    results
        .kinds
        .into_iter()
        .map(|(kind, total)| {
            let (mine, rest): (Vec<SearchHit>, Vec<SearchHit>) =
                hits.drain(..).partition(|h| h.kind == kind);
            hits = rest;
            let more =
                (total > mine.len()).then(|| (total - mine.len(), search_href(text, area, &kind)));
            KindGroup {
                kind,
                total: total.max(mine.len()),
                hits: mine,
                more,
            }
        })
        .filter(|g| !g.hits.is_empty())
        .collect()
}

/// "Did you mean …" as the name and the search for it.
fn suggestion(results: &SearchResults, area: &str) -> Option<(String, String)> {
    results
        .suggestion
        .as_ref()
        .map(|name| (name.clone(), search_href(name, area, "")))
}

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
    let kind = match query.kind.trim() {
        "" => None,
        k if KINDS.contains(&k) => Some(k.to_string()),
        other => {
            return Err(AppError::BadRequest(format!(
                "no kind {other:?}; kinds: {}",
                KINDS.join(", ")
            )))
        }
    };
    let limit = query.limit.unwrap_or(default_limit);
    Ok((!text.is_empty()).then(|| SearchRequest {
        text: text.to_string(),
        area,
        kind,
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
    let per_kind = match (suggest, query.kind.trim().is_empty()) {
        (true, _) => SUGGESTIONS_PER_KIND,
        (false, true) => PAGE_PER_KIND,
        (false, false) => PAGE_ONE_KIND,
    };
    let request = request(&query, per_kind)?;
    let results = match &request {
        Some(r) => state.search.search(r).await?,
        None => SearchResults::default(),
    };
    let text = query.q.trim().to_string();
    let area = request
        .as_ref()
        .and_then(|r| r.area.clone())
        .unwrap_or_default();
    let kind = request
        .as_ref()
        .and_then(|r| r.kind.clone())
        .unwrap_or_default();
    let suggestion = suggestion(&results, &area);
    if suggest {
        return Ok(super::with_vary_hx(super::html(&Suggestions {
            groups: groups(results, &text, &area),
            query: text,
            suggestion,
        })?));
    }
    let facets = results
        .areas
        .iter()
        .map(|(a, n)| AreaFacet {
            href: search_href(&text, a, ""),
            active: *a == area,
            area: a.clone(),
            count: *n,
        })
        .collect();
    let backend = match request {
        Some(_) => results.backend,
        None => state.search.name(),
    };
    let groups = groups(results, &text, &area);
    Ok(super::with_vary_hx(super::html(&SearchPage {
        layout: Layout::new("Search", "").with_query(&text),
        found: groups.iter().map(|g| g.total).sum(),
        query: text,
        area,
        kind,
        groups,
        facets,
        suggestion,
        backend,
    })?))
}

/// `GET /api/v1/search?q=&area=&limit=`.
pub async fn api(state: web::Data<AppState>, query: QueryParams) -> Result<HttpResponse, ApiError> {
    let query = SearchQuery::parse(&query)?;
    let Some(request) = request(&query, API_PER_KIND)? else {
        return Err(AppError::BadRequest("give the text to search for: ?q=…".into()).into());
    };
    let results = state.search.search(&request).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "query": request.text,
        "area": request.area,
        "kind": request.kind,
        "backend": results.backend,
        "hits": results.hits,
        "areas": results.areas.iter().map(|(a, n)| serde_json::json!({"area": a, "count": n})).collect::<Vec<_>>(),
        "kinds": results.kinds.iter().map(|(k, n)| serde_json::json!({"kind": k, "count": n})).collect::<Vec<_>>(),
        "did_you_mean": results.suggestion,
    })))
}
