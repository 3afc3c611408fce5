//! The search reads (docs/search.md): PostgreSQL full-text and trigram search over the tables
//! themselves (`search.sql`), and the `search_documents` view read in batches for an external
//! index (Meilisearch).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use serde::{Deserialize, Serialize};

/// One thing found: what it is, where it belongs, and its page as a prefix and a key.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct FoundDocument {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub area: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub subtitle: String,
    #[diesel(sql_type = Text)]
    pub href_prefix: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    /// How well it matched (the results come ordered by it).
    #[diesel(sql_type = Double)]
    pub score: f64,
}

/// At most `limit` things matching `text`, best first; only in `area` when given.
pub fn find_documents(
    conn: &mut PgConnection,
    text: &str,
    area: Option<&str>,
    limit: usize,
) -> QueryResult<Vec<FoundDocument>> {
    diesel::sql_query(include_str!("search.sql"))
        .bind::<Text, _>(text)
        .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind::<Text, _>(area.unwrap_or(""))
        .load(conn)
}

/// A row of the `search_documents` view, as an external index stores it.
#[derive(Debug, Clone, Serialize, Deserialize, QueryableByName)]
pub struct SearchDocument {
    /// `kind:key` (an external index may need it made safe for its ids).
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub area: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub subtitle: String,
    #[diesel(sql_type = Text)]
    pub href_prefix: String,
    #[diesel(sql_type = Text)]
    pub key: String,
}

/// Every search document, `batch` at a time, to `each` (which returns false to stop): one
/// read-only transaction with a cursor over the view, so memory stays constant however many
/// documents there are.
pub fn each_document_batch(
    conn: &mut PgConnection,
    batch: usize,
    mut each: impl FnMut(Vec<SearchDocument>) -> bool,
) -> QueryResult<()> {
    conn.build_transaction().read_only().run(|conn| {
        diesel::sql_query(
            "DECLARE citytrace_search_sync NO SCROLL CURSOR FOR \
             SELECT id, kind, area, title, coalesce(subtitle, '') AS subtitle, href_prefix, key \
               FROM search_documents",
        )
        .execute(conn)?;
        loop {
            let documents: Vec<SearchDocument> =
                diesel::sql_query(format!("FETCH {batch} FROM citytrace_search_sync"))
                    .load(conn)?;
            if documents.is_empty() || !each(documents) {
                return Ok(());
            }
        }
    })
}
