//! Search across lots, products, parties, sites, contracts, consignments and transactions,
//! behind one trait with two backends (docs/search.md):
//!
//! - [`PostgresSearch`], the default: no extra service; words typed so far, spelling
//!   (trigrams), sound (Double Metaphone) and codes over the tables' own indexes;
//! - [`MeiliSearch`] when `MEILI_URL` is set: the same documents (the `search_documents`
//!   view) copied into a Meilisearch index, with its typo tolerance and facets by area and kind.
//!
//! Both find exact identifiers (block numbers, hashes, addresses, batch ids) in PostgreSQL first,
//! return at most `limit` results of each kind with how many there are in all (so ledger
//! transactions never flood the rest), and offer a "did you mean" when nothing matches.

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
    /// Only one kind (one of [`KINDS`]).
    pub kind: Option<String>,
    /// At most this many results of each kind.
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

/// The kinds of things found, in the order results are grouped when they score alike.
pub const KINDS: &[&str] = &[
    "block",
    "transaction",
    "address",
    "batch",
    "lot",
    "product",
    "party",
    "site",
    "contract",
    "consignment",
];

/// What was found, with how many hits each area has among them (the facets).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub areas: Vec<(String, usize)>,
    /// How many things of each kind match in all (at most `limit` of each are in `hits`), in
    /// the order of each kind's best hit.
    pub kinds: Vec<(String, usize)>,
    /// A name close to the text, when nothing matched ("did you mean …").
    pub suggestion: Option<String>,
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

/// How many things match in each area, in [`AREAS`] order: the totals of the kinds found there
/// (each kind belongs to one area), not only the hits shown.
pub fn facets(hits: &[SearchHit], kinds: &[(String, usize)]) -> Vec<(String, usize)> {
    AREAS
        .iter()
        .map(|a| {
            let total = kinds
                .iter()
                .filter(|(kind, _)| hits.iter().any(|h| h.kind == *kind && h.area == *a))
                .map(|(_, n)| n)
                .sum();
            (a.to_string(), total)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}
