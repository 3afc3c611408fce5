//! The search reads (docs/search.md): PostgreSQL search as people type over the tables themselves
//! (`search.sql`: words typed so far as prefixes, trigram spelling, Double Metaphone sound,
//! codes), exact identifiers (`search/identifiers.rs`), a "did you mean" when nothing matches
//! (`search/suggestion.sql`), and the `search_documents` view read in batches for an external
//! index (Meilisearch).

mod identifiers;

use std::collections::HashSet;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use serde::{Deserialize, Serialize};

pub use identifiers::{find_identified, Identifier};

/// How close a name must be, word by word, to match by spelling (pg_trgm's
/// `word_similarity_threshold`; "canal hualage" is 0.56 from Canal Haulage).
const WORD_SIMILARITY: &str = "0.5";

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
    /// How well it matched (the results come ordered by it; 2 for an exact identifier).
    #[diesel(sql_type = Double)]
    pub score: f64,
    /// How many things of this kind match in all (at most `per_kind` of them are returned).
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct DocumentQuery<'a> {
    pub text: &'a str,
    /// Only this area (`materials`, `spending`, `ledger`, …) when given.
    pub area: Option<&'a str>,
    /// Only this kind (`lot`, `party`, `transaction`, …) when given.
    pub kind: Option<&'a str>,
    /// At most this many of each kind.
    pub per_kind: usize,
}

/// The things matching the query, at most `per_kind` of each kind, best first: exact
/// identifiers, then matches by name or code.
pub fn find_documents(
    conn: &mut PgConnection,
    query: &DocumentQuery,
) -> QueryResult<Vec<FoundDocument>> {
    let per_kind = i64::try_from(query.per_kind).unwrap_or(i64::MAX);
    conn.transaction(|conn| {
        diesel::sql_query(format!(
            "SET LOCAL pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}"
        ))
        .execute(conn)?;
        let mut found = find_identified(conn, query.text, per_kind)?;
        found.retain(|f| {
            query.area.is_none_or(|a| f.area == a) && query.kind.is_none_or(|k| f.kind == k)
        });
        let by_name: Vec<FoundDocument> = diesel::sql_query(include_str!("search.sql"))
            .bind::<Text, _>(query.text)
            .bind::<BigInt, _>(per_kind)
            .bind::<Text, _>(query.area.unwrap_or(""))
            .bind::<Text, _>(prefix_query(query.text))
            .bind::<Text, _>(query.kind.unwrap_or(""))
            .load(conn)?;
        let mut seen: HashSet<(String, String, String)> = found
            .iter()
            .map(|f| (f.kind.clone(), f.href_prefix.clone(), f.key.clone()))
            .collect();
        found.extend(
            by_name
                .into_iter()
                .filter(|f| seen.insert((f.kind.clone(), f.href_prefix.clone(), f.key.clone()))),
        );
        Ok(found)
    })
}

/// The text as a full-text prefix query: every word (letters and digits) the start of a word,
/// `'rivers':* & 'cem':*`; quoted, so no character of the text is query syntax. Empty when the
/// text has no word.
pub fn prefix_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("'{}':*", word.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" & ")
}

#[derive(QueryableByName)]
struct Suggestion {
    #[diesel(sql_type = Text)]
    title: String,
}

/// "Did you mean …": the name closest to `text` in spelling (trigram similarity of at least
/// 0.2) among parties, sites, products and contract titles, for a search that found nothing.
pub fn suggest_spelling(conn: &mut PgConnection, text: &str) -> QueryResult<Option<String>> {
    let found: Option<Suggestion> = diesel::sql_query(include_str!("search/suggestion.sql"))
        .bind::<Text, _>(text)
        .get_result(conn)
        .optional()?;
    Ok(found.map(|s| s.title))
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
