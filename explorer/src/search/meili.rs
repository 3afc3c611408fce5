//! The Meilisearch backend (meilisearch-sdk), used when `MEILI_URL` is set: one index of the
//! `search_documents` view, kept in sync by [`MeiliSearch::sync`] (the explorer runs it at
//! start and then every few minutes, and after each upload is imported), searched with typo
//! tolerance, one query per kind (a few of each, with their totals) in one multi-search
//! request. Exact identifiers and "did you mean" come from PostgreSQL, as in the default
//! backend.

use meilisearch_sdk::client::Client;
use meilisearch_sdk::tasks::Task;

use super::postgres::{self, kind_totals};
use super::{
    facets, href, SearchFuture, SearchHit, SearchIndex, SearchRequest, SearchResults, AREAS,
};
use crate::error::AppError;
use citytrace_schema::PgPool;

pub use citytrace_reads::search::SearchDocument;
use citytrace_reads::search::{
    each_document_batch, find_identified, suggest_spelling, FoundDocument,
};

/// Documents per request when syncing.
const SYNC_BATCH: usize = 10_000;

pub struct MeiliSearch {
    client: Client,
    index: String,
    pool: PgPool,
}

impl MeiliSearch {
    /// A backend for the server at `url` (with its API key, if any), on index `index`.
    pub fn new(
        url: &str,
        api_key: Option<&str>,
        index: &str,
        pool: PgPool,
    ) -> Result<Self, AppError> {
        let client = Client::new(url, api_key)
            .map_err(|e| AppError::Internal(format!("Meilisearch client for {url}: {e}")))?;
        Ok(Self {
            client,
            index: index.to_string(),
            pool,
        })
    }
}

/// Meilisearch ids allow `a-z A-Z 0-9 - _` only: other bytes become `_XX` (hex), so ids stay
/// unique and stable.
pub fn document_id(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => out.push(b as char),
            _ => out.push_str(&format!("_{b:02X}")),
        }
    }
    out
}

fn meili_error(e: meilisearch_sdk::errors::Error) -> AppError {
    tracing::warn!(error = %e, "Meilisearch");
    AppError::Internal(format!("Meilisearch: {e}"))
}

/// The kinds of the `search_documents` view, each searched on its own so that one kind (ledger
/// transactions) cannot crowd out the others.
const DOCUMENT_KINDS: &[&str] = &[
    "lot",
    "product",
    "party",
    "site",
    "contract",
    "consignment",
    "transaction",
];

/// How long a sync waits for Meilisearch to index what it was sent.
const INDEXING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

impl MeiliSearch {
    /// Exact identifiers and, when nothing matched, a spelling suggestion: read from PostgreSQL
    /// (blocks, batches, hashes and addresses are not Meilisearch documents).
    fn identified_and_suggested(
        &self,
        text: &str,
        per_kind: usize,
    ) -> SearchFuture<'static, (Vec<FoundDocument>, Option<String>)> {
        let pool = self.pool.clone();
        let text = text.to_string();
        Box::pin(async move {
            actix_web::web::block(move || -> Result<_, AppError> {
                let mut conn = pool.get()?;
                let per_kind = i64::try_from(per_kind).unwrap_or(i64::MAX);
                let identified = find_identified(&mut conn, &text, per_kind)?;
                Ok((identified, suggest_spelling(&mut conn, &text)?))
            })
            .await?
        })
    }

    /// One query per kind (filtered by area and kind), in one multi-search request.
    async fn search_by_kind(
        &self,
        request: &SearchRequest,
    ) -> Result<(Vec<SearchHit>, Vec<(String, usize)>), AppError> {
        let index = self.client.index(&self.index);
        let area = request.area.as_deref().filter(|a| AREAS.contains(a));
        let kinds: Vec<&str> = DOCUMENT_KINDS
            .iter()
            .copied()
            .filter(|k| request.kind.as_deref().is_none_or(|only| only == *k))
            .collect();
        let filters: Vec<String> = kinds
            .iter()
            .map(|k| match area {
                Some(a) => format!("kind = \"{k}\" AND area = \"{a}\""),
                None => format!("kind = \"{k}\""),
            })
            .collect();
        let mut multi = self.client.multi_search();
        for filter in &filters {
            let mut query = index.search();
            query
                .with_query(&request.text)
                .with_limit(request.limit)
                .with_filter(filter);
            multi.with_search_query(query);
        }
        let answers = multi
            .execute::<SearchDocument>()
            .await
            .map_err(meili_error)?;
        let mut hits = Vec::new();
        let mut totals = Vec::new();
        for (kind, found) in kinds.iter().zip(answers.results) {
            let shown = found.hits.len();
            let total = found.estimated_total_hits.or(found.total_hits);
            if shown > 0 {
                totals.push((kind.to_string(), total.unwrap_or(shown).max(shown)));
            }
            hits.extend(found.hits.into_iter().map(|h| SearchHit {
                href: href(&h.result.href_prefix, &h.result.key),
                kind: h.result.kind,
                area: h.result.area,
                title: h.result.title,
                subtitle: h.result.subtitle,
            }));
        }
        Ok((hits, totals))
    }
}

impl SearchIndex for MeiliSearch {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn search<'a>(&'a self, request: &'a SearchRequest) -> SearchFuture<'a, SearchResults> {
        Box::pin(async move {
            let (identified, suggestion) = self
                .identified_and_suggested(&request.text, request.limit)
                .await?;
            let mut kinds = kind_totals(&identified);
            let mut hits: Vec<SearchHit> = identified
                .into_iter()
                .filter(|f| {
                    request.area.as_deref().is_none_or(|a| f.area == a)
                        && request.kind.as_deref().is_none_or(|k| f.kind == k)
                })
                .map(postgres::hit)
                .collect();
            kinds.retain(|(k, _)| hits.iter().any(|h| h.kind == *k));
            let (found, totals) = self.search_by_kind(request).await?;
            for hit in found {
                if !hits
                    .iter()
                    .any(|h| h.kind == hit.kind && h.href == hit.href)
                {
                    hits.push(hit);
                }
            }
            for (kind, total) in totals {
                match kinds.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, n)) => *n = (*n).max(total),
                    None => kinds.push((kind, total)),
                }
            }
            Ok(SearchResults {
                areas: facets(&hits, &kinds),
                suggestion: suggestion.filter(|_| hits.is_empty()),
                hits,
                kinds,
                backend: "meilisearch",
            })
        })
    }

    fn sync(&self) -> SearchFuture<'_, usize> {
        Box::pin(async move {
            let index = self.client.index(&self.index);
            let mut tasks = vec![
                index
                    .set_filterable_attributes(["area", "kind"])
                    .await
                    .map_err(meili_error)?,
                index
                    .set_searchable_attributes(["title", "subtitle", "key"])
                    .await
                    .map_err(meili_error)?,
            ];
            // The view read in batches on a blocking thread (citytrace_reads::search), sent on as
            // they come: constant memory however many documents there are.
            let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<SearchDocument>>(2);
            let pool = self.pool.clone();
            let reader = actix_web::rt::task::spawn_blocking(move || -> Result<(), AppError> {
                let mut conn = pool.get()?;
                Ok(each_document_batch(&mut conn, SYNC_BATCH, |documents| {
                    sender.blocking_send(documents).is_ok()
                })?)
            });
            let mut sent = 0;
            while let Some(documents) = batches.recv().await {
                let batch: Vec<SearchDocument> = documents
                    .into_iter()
                    .map(|mut d| {
                        d.id = document_id(&d.id);
                        d
                    })
                    .collect();
                tasks.push(
                    index
                        .add_documents(&batch, Some("id"))
                        .await
                        .map_err(meili_error)?,
                );
                sent += batch.len();
            }
            reader
                .await
                .map_err(|e| AppError::Internal(format!("search sync: {e}")))??;
            // Meilisearch indexes in the background: a document it refuses fails its task, not
            // the request, so the sync waits for every task and reports the first failure.
            for task in tasks {
                let done = self
                    .client
                    .wait_for_task(task, None, Some(INDEXING_TIMEOUT))
                    .await
                    .map_err(meili_error)?;
                if let Task::Failed { content } = done {
                    return Err(AppError::Internal(format!(
                        "Meilisearch refused the sync: {}",
                        content.error
                    )));
                }
            }
            Ok(sent)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_keep_only_what_meilisearch_accepts() {
        assert_eq!(document_id("lot:LOT-1"), "lot_3ALOT-1");
        assert_eq!(
            document_id("lot:https://id.gs1.org/01/1"),
            "lot_3Ahttps_3A_2F_2Fid_2Egs1_2Eorg_2F01_2F1"
        );
        assert_ne!(document_id("a_b"), document_id("a:b"));
    }
}
