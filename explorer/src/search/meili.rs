//! The Meilisearch backend (meilisearch-sdk), used when `MEILI_URL` is set: one index of the
//! `search_documents` view, kept in sync by [`MeiliSearch::sync`] (the explorer runs it at
//! start and then every few minutes, and after each upload is imported), searched with typo
//! tolerance and faceted by area.

use std::collections::HashMap;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::search::Selectors;

use super::{href, SearchFuture, SearchHit, SearchIndex, SearchRequest, SearchResults, AREAS};
use crate::error::AppError;
use citytrace_schema::PgPool;

use citytrace_reads::search::each_document_batch;
pub use citytrace_reads::search::SearchDocument;

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

impl SearchIndex for MeiliSearch {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn search<'a>(&'a self, request: &'a SearchRequest) -> SearchFuture<'a, SearchResults> {
        Box::pin(async move {
            let index = self.client.index(&self.index);
            let filter = request
                .area
                .as_deref()
                .filter(|a| AREAS.contains(a))
                .map(|a| format!("area = \"{a}\""));
            let facets: &[&str] = &["area"];
            let mut query = index.search();
            query
                .with_query(&request.text)
                .with_limit(request.limit)
                .with_facets(Selectors::Some(facets));
            if let Some(filter) = &filter {
                query.with_filter(filter);
            }
            let found = query
                .execute::<SearchDocument>()
                .await
                .map_err(meili_error)?;
            let hits: Vec<SearchHit> = found
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    href: href(&h.result.href_prefix, &h.result.key),
                    kind: h.result.kind,
                    area: h.result.area,
                    title: h.result.title,
                    subtitle: h.result.subtitle,
                })
                .collect();
            let distribution: HashMap<String, usize> = found
                .facet_distribution
                .and_then(|mut d| d.remove("area"))
                .unwrap_or_default();
            let areas = AREAS
                .iter()
                .filter_map(|a| distribution.get(*a).map(|n| (a.to_string(), *n)))
                .filter(|(_, n)| *n > 0)
                .collect();
            Ok(SearchResults {
                hits,
                areas,
                backend: "meilisearch",
            })
        })
    }

    fn sync(&self) -> SearchFuture<'_, usize> {
        Box::pin(async move {
            let index = self.client.index(&self.index);
            index
                .set_filterable_attributes(["area", "kind"])
                .await
                .map_err(meili_error)?;
            index
                .set_searchable_attributes(["title", "subtitle", "key"])
                .await
                .map_err(meili_error)?;
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
                index
                    .add_documents(&batch, Some("id"))
                    .await
                    .map_err(meili_error)?;
                sent += batch.len();
            }
            reader
                .await
                .map_err(|e| AppError::Internal(format!("search sync: {e}")))??;
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
