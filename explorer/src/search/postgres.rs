//! The default backend: PostgreSQL search as people type over the tables themselves
//! (`citytrace_reads::search`).

use diesel::{PgConnection, QueryResult};

use citytrace_reads::search::{find_documents, suggest_spelling, DocumentQuery, FoundDocument};

use super::{facets, href, SearchFuture, SearchHit, SearchIndex, SearchRequest, SearchResults};
use crate::error::AppError;
use citytrace_schema::PgPool;

pub struct PostgresSearch {
    pool: PgPool,
}

impl PostgresSearch {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// A found document as a hit.
pub fn hit(found: FoundDocument) -> SearchHit {
    SearchHit {
        href: href(&found.href_prefix, &found.key),
        kind: found.kind,
        area: found.area,
        title: found.title,
        subtitle: found.subtitle,
    }
}

/// How many of each kind match in all, in the order of each kind's first (best) document.
pub fn kind_totals(found: &[FoundDocument]) -> Vec<(String, usize)> {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for f in found {
        let total = usize::try_from(f.total).unwrap_or(0);
        match kinds.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, n)) => *n = (*n).max(total),
            None => kinds.push((f.kind.clone(), total)),
        }
    }
    kinds
}

/// Run the search on a connection: hits, totals by kind, and a suggestion when nothing matched.
pub fn search(conn: &mut PgConnection, request: &SearchRequest) -> QueryResult<SearchResults> {
    let found = find_documents(
        conn,
        &DocumentQuery {
            text: &request.text,
            area: request.area.as_deref(),
            kind: request.kind.as_deref(),
            per_kind: request.limit,
        },
    )?;
    let suggestion = if found.is_empty() {
        suggest_spelling(conn, &request.text)?
    } else {
        None
    };
    let kinds = kind_totals(&found);
    let hits: Vec<SearchHit> = found.into_iter().map(hit).collect();
    Ok(SearchResults {
        areas: facets(&hits, &kinds),
        hits,
        kinds,
        suggestion,
        backend: "postgres",
    })
}

impl SearchIndex for PostgresSearch {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn search<'a>(&'a self, request: &'a SearchRequest) -> SearchFuture<'a, SearchResults> {
        let pool = self.pool.clone();
        let request = request.clone();
        Box::pin(async move {
            actix_web::web::block(move || -> Result<_, AppError> {
                let mut conn = pool.get()?;
                Ok(search(&mut conn, &request)?)
            })
            .await?
        })
    }

    fn sync(&self) -> SearchFuture<'_, usize> {
        Box::pin(async { Ok(0) })
    }
}
