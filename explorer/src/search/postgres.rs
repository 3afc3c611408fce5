//! The default backend: PostgreSQL full-text and trigram search over the tables themselves
//! (`citytrace_reads::search`).

use diesel::{PgConnection, QueryResult};

use citytrace_reads::search::find_documents;

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

/// Run the search query on a connection.
pub fn search(conn: &mut PgConnection, request: &SearchRequest) -> QueryResult<Vec<SearchHit>> {
    let found = find_documents(conn, &request.text, request.area.as_deref(), request.limit)?;
    Ok(found
        .into_iter()
        .map(|f| SearchHit {
            href: href(&f.href_prefix, &f.key),
            kind: f.kind,
            area: f.area,
            title: f.title,
            subtitle: f.subtitle,
        })
        .collect())
}

impl SearchIndex for PostgresSearch {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn search<'a>(&'a self, request: &'a SearchRequest) -> SearchFuture<'a, SearchResults> {
        let pool = self.pool.clone();
        let request = request.clone();
        Box::pin(async move {
            let hits = actix_web::web::block(move || -> Result<_, AppError> {
                let mut conn = pool.get()?;
                Ok(search(&mut conn, &request)?)
            })
            .await??;
            Ok(SearchResults {
                areas: facets(&hits),
                hits,
                backend: "postgres",
            })
        })
    }

    fn sync(&self) -> SearchFuture<'_, usize> {
        Box::pin(async { Ok(0) })
    }
}
