//! Search across lots, products, parties, sites, contracts, consignments and transactions,
//! behind one trait with two backends (docs/search.md):
//!
//! - [`PostgresSearch`], the default: no extra service; trigram similarity (substrings and
//!   typos) and full-text matching over the tables' own indexes;
//! - [`MeiliSearch`] when `MEILI_URL` is set: the same documents (the `search_documents`
//!   view) copied into a Meilisearch index, with its typo tolerance and facets by area and kind.

mod meili;
mod postgres;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

pub use meili::MeiliSearch;
pub use postgres::PostgresSearch;

use crate::error::AppError;

/// The areas results belong to (the facet).
pub const AREAS: &[&str] = &[
    "materials",
    "cold-chain",
    "waste",
    "emissions",
    "spending",
    "ledger",
];

/// What was asked.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    /// Only one area (one of [`AREAS`]).
    pub area: Option<String>,
    pub limit: usize,
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// lot, product, party, site, contract, consignment, transaction.
    pub kind: String,
    pub area: String,
    pub title: String,
    pub subtitle: String,
    /// The page of the thing.
    pub href: String,
}

/// What was found, with how many hits each area has among them (the facets).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub areas: Vec<(String, usize)>,
    /// Which backend answered: `postgres` or `meilisearch`.
    pub backend: &'static str,
}

pub type SearchFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>;

/// A search backend.
pub trait SearchIndex: Send + Sync {
    fn name(&self) -> &'static str;
    /// Find things matching the request.
    fn search<'a>(&'a self, request: &'a SearchRequest) -> SearchFuture<'a, SearchResults>;
    /// Bring the index up to date with the database (a no-op for Postgres, which searches the
    /// tables themselves); how many documents were sent.
    fn sync(&self) -> SearchFuture<'_, usize>;
}

/// The page URL of a thing: the prefix plus its key, percent-encoded.
pub fn href(prefix: &str, key: &str) -> String {
    format!("{prefix}{}", crate::fmt::path_segment(key))
}

/// Count hits per area, in [`AREAS`] order.
pub fn facets(hits: &[SearchHit]) -> Vec<(String, usize)> {
    AREAS
        .iter()
        .map(|a| (a.to_string(), hits.iter().filter(|h| h.area == *a).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}
