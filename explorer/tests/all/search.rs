//! Search with the default backend (PostgreSQL) against a real database, as people type:
//! misspelt and misheard names, words typed so far, "did you mean" when nothing matches, exact
//! identifiers, results grouped by kind; areas as facets, suggestions for htmx, the JSON API,
//! and escaping of what was imported. The city is `search::city`, shared with the Meilisearch
//! tests.

pub mod city;

use actix_web::http::StatusCode;
use actix_web::test;

use citytrace_explorer::search::{PostgresSearch, SearchIndex, SearchRequest, SearchResults};
use citytrace_explorer::AppState;
use citytrace_schema::testing::TestDatabase;

/// Search with at most `limit` of each kind.
pub async fn find(
    search: &dyn SearchIndex,
    text: &str,
    area: Option<&str>,
    limit: usize,
) -> SearchResults {
    let request = SearchRequest {
        text: text.into(),
        area: area.map(String::from),
        kind: None,
        limit,
    };
    search.search(&request).await.unwrap()
}

/// (kind, title) of each hit, best first.
pub async fn titles(
    search: &dyn SearchIndex,
    text: &str,
    area: Option<&str>,
) -> Vec<(String, String)> {
    find(search, text, area, 20)
        .await
        .hits
        .into_iter()
        .map(|h| (h.kind, h.title))
        .collect()
}

/// (kind, href) of the first hit.
pub async fn first(search: &dyn SearchIndex, text: &str) -> (String, String) {
    let found = find(search, text, None, 5).await;
    let hit = found
        .hits
        .first()
        .unwrap_or_else(|| panic!("nothing for {text:?}"));
    (hit.kind.clone(), hit.href.clone())
}

pub fn pair(kind: &str, text: &str) -> (String, String) {
    (kind.to_string(), text.to_string())
}

#[actix_web::test]
async fn misspelt_and_misheard_names_find_their_target() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    city::fill(&pool);
    let search = PostgresSearch::new(pool.clone());

    // Two letters swapped (trigram spelling and sound): the carrier first.
    let found = titles(&search, "Canal Hualage", None).await;
    assert_eq!(
        found.first(),
        Some(&pair("party", "Canal Haulage")),
        "{found:?}"
    );
    // Ph heard as F (Double Metaphone FRM): the supplier and its distribution centre.
    let found = titles(&search, "Polar Farma", None).await;
    assert!(
        found.contains(&pair("party", "Polar Pharma Logistics")),
        "{found:?}"
    );
    assert!(
        found.contains(&pair("site", "Polar Pharma distribution centre")),
        "{found:?}"
    );
    // American spelling, lower case.
    let found = titles(&search, "harbor steel", None).await;
    assert_eq!(
        found.first(),
        Some(&pair("party", "Harbour Steel Mill")),
        "{found:?}"
    );
}

#[actix_web::test]
async fn words_typed_so_far_find_the_names_they_begin() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    city::fill(&pool);
    let search = PostgresSearch::new(pool.clone());

    // Each word the start of a word of the name, not only the last one.
    let found = titles(&search, "rivers cem", None).await;
    assert_eq!(
        found.first(),
        Some(&pair("party", "Riverside Cement Works")),
        "{found:?}"
    );
    let found = titles(&search, "polar ph", Some("spending")).await;
    assert_eq!(found, [pair("party", "Polar Pharma Logistics")]);
    // A title typed up to the middle of its fourth word.
    let found = titles(&search, "Elm Street school ext", None).await;
    assert_eq!(
        found.first(),
        Some(&pair(
            "contract",
            "Elm Street school extension: structural works"
        ))
    );
}

#[actix_web::test]
async fn nothing_found_offers_the_closest_name() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    city::fill(&pool);
    let search = PostgresSearch::new(pool.clone());

    let found = find(&search, "Palar Farmacy Logisticks", None, 5).await;
    assert!(found.hits.is_empty(), "{:?}", found.hits);
    assert_eq!(found.suggestion.as_deref(), Some("Polar Pharma Logistics"));
    // Nonsense: nothing, and nothing to suggest.
    let found = find(&search, "zzqqxx", None, 5).await;
    assert!(
        found.hits.is_empty() && found.suggestion.is_none(),
        "{found:?}"
    );
    // A search that finds something suggests nothing.
    assert_eq!(
        find(&search, "Canal Haulage", None, 5).await.suggestion,
        None
    );

    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;
    let (status, page) = get!(app, "/search?q=Palar+Farmacy+Logisticks");
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"Did you mean <a href="/search?q=Polar%20Pharma%20Logistics">Polar Pharma Logistics</a>?"#),
        "{page}"
    );
    let (_, fragment) = get!(
        app,
        "/search?q=Palar+Farmacy+Logisticks",
        ("HX-Request", "true"),
        ("HX-Target", "search-suggestions")
    );
    assert!(fragment.contains("Did you mean"), "{fragment}");
    let (_, body) = get!(app, "/api/v1/search?q=Palar+Farmacy+Logisticks");
    assert_eq!(
        crate::support::json(&body)["did_you_mean"],
        "Polar Pharma Logistics"
    );
}

/// Exact identifiers, each to its record first, on any backend.
pub async fn assert_identifiers_find_their_record(
    search: &dyn SearchIndex,
    batch_id: i64,
    merkle_root: &str,
) {
    let tx = |hash: String| pair("transaction", &format!("/ledger/chains/31337/tx/{hash}"));
    assert_eq!(
        first(search, &city::ANCHOR_BLOCK.to_string()).await,
        pair("block", "/ledger/chains/31337/blocks/124")
    );
    assert_eq!(
        first(search, &city::anchor_tx()).await,
        tx(city::anchor_tx())
    );
    assert_eq!(
        first(search, &city::payment_tx(3)).await,
        tx(city::payment_tx(3))
    );
    let shouted = format!(
        "0x{}",
        city::payment_tx(12).trim_start_matches("0x").to_uppercase()
    );
    assert_eq!(first(search, &shouted).await, tx(city::payment_tx(12)));
    assert_eq!(
        first(search, &city::anchor_contract()).await,
        pair("address", "/ledger/chains/31337")
    );
    let batch = pair("batch", &format!("/batches/{batch_id}"));
    assert_eq!(first(search, &batch_id.to_string()).await, batch);
    assert_eq!(first(search, merkle_root).await, batch);
    // A GTIN: its product (Meilisearch lists the lots whose subtitle carries it first).
    let gtin = titles(search, "05412345003014", None).await;
    assert!(
        gtin.contains(&pair("product", "Reinforcing steel B500B")),
        "{gtin:?}"
    );
    assert_eq!(
        first(search, city::GLN).await,
        pair("site", "/sites/PPL-DC")
    );
    assert_eq!(
        first(search, city::OCID).await,
        pair("contract", &format!("/spending/contracts/{}", city::OCID))
    );
}

#[actix_web::test]
async fn exact_identifiers_find_their_record_first() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch_id = city::fill(&pool);
    let root = city::merkle_root(&pool, batch_id);
    let search = PostgresSearch::new(pool.clone());
    assert_identifiers_find_their_record(&search, batch_id, &root).await;
    assert_eq!(
        titles(&search, "05412345003014", None).await.first(),
        Some(&pair("product", "Reinforcing steel B500B"))
    );
}

/// Twelve payments to Canal Haulage: a few, with their total, beside the carrier itself.
pub async fn assert_transactions_do_not_flood(search: &dyn SearchIndex) {
    let found = find(search, "Canal Haulage", None, 5).await;
    let of = |kind: &str| found.hits.iter().filter(|h| h.kind == kind).count();
    assert_eq!(of("transaction"), 5, "{:?}", found.hits);
    assert_eq!(of("party"), 1, "{:?}", found.hits);
    let payment = found.hits.iter().find(|h| h.kind == "transaction").unwrap();
    assert_eq!(payment.title, "Canal Haulage · 1,500.00 EUR");
    let total = |kind: &str| found.kinds.iter().find(|(k, _)| k == kind).map(|(_, n)| *n);
    assert_eq!(total("transaction"), Some(12));
    assert_eq!(total("party"), Some(1));
    assert!(
        found.areas.contains(&("ledger".to_string(), 12)),
        "{:?}",
        found.areas
    );
}

#[actix_web::test]
async fn ledger_transactions_come_a_few_at_a_time_grouped_by_kind() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    city::fill(&pool);
    assert_transactions_do_not_flood(&PostgresSearch::new(pool.clone())).await;

    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;
    let (status, page) = get!(app, "/search?q=Canal+Haulage");
    assert_eq!(status, StatusCode::OK);
    let transactions = crate::support::between(&page, r#"id="kind-transaction""#, "</section>");
    assert_eq!(transactions.matches("<li>").count(), 5, "{transactions}");
    assert!(
        transactions.contains("transaction <span class=\"muted\">(12)</span>"),
        "{transactions}"
    );
    assert!(
        transactions.contains(r#"<a href="/search?q=Canal%20Haulage&#38;kind=transaction" class="more">7 more transaction results</a>"#),
        "{transactions}"
    );
    assert!(page.contains(r#"id="kind-party""#), "{page}");
    // The link shows all twelve.
    let (status, page) = get!(app, "/search?q=Canal%20Haulage&kind=transaction");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.matches(r#"<span class="badge kind">transaction</span>"#)
            .count(),
        12
    );
    assert!(!page.contains(r#"id="kind-party""#));
    // The API says how many of each kind there are.
    let (_, body) = get!(app, "/api/v1/search?q=Canal+Haulage&limit=2");
    let json = crate::support::json(&body);
    assert!(
        json["kinds"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "transaction", "count": 12})),
        "{json}"
    );
    let (status, body) = get!(app, "/api/v1/search?q=x&kind=planet");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("no kind \\\"planet\\\""), "{body}");
}

#[actix_web::test]
async fn postgres_search_finds_substrings_typos_words_and_identifiers() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    city::fill(&pool);
    let search = PostgresSearch::new(pool.clone());

    // A substring of a lot code: the lot.
    assert_eq!(
        titles(&search, "B500-2609", None).await,
        [pair("lot", "HSM-B500-260902-01")]
    );
    // A word of a product name: the product first (exact word), then nothing unrelated.
    let found = titles(&search, "cement", None).await;
    assert_eq!(found[0], pair("product", "Portland cement CEM I"));
    assert!(
        found
            .iter()
            .all(|(_, t)| t.to_lowercase().contains("cement")),
        "{found:?}"
    );
    // Words of a contract title.
    assert_eq!(
        titles(&search, "school extension", Some("spending")).await,
        [pair(
            "contract",
            "Elm Street school extension: structural works"
        )]
    );
    // An area filter keeps only that area.
    let found = titles(&search, "ELM", Some("materials")).await;
    assert!(
        !found.is_empty() && found.iter().all(|(k, _)| k == "site" || k == "lot"),
        "{found:?}"
    );
    // LIKE's wildcards are text like any other.
    assert!(titles(&search, "%", None).await.is_empty());
    assert!(titles(&search, "_", None).await.is_empty());
    // Nothing for nonsense.
    assert!(titles(&search, "zzqqxx", None).await.is_empty());
}

#[actix_web::test]
async fn the_search_page_suggestions_and_api_show_results_with_facets_escaped() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    city::fill(&pool);
    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;

    let (status, page) = get!(app, "/search?q=elm");
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"<a href="/sites/SITE-ELM-SCHOOL">SITE-ELM-SCHOOL</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"<a href="/spending/contracts/ocds-b5fd17-2026-0017">"#));
    assert!(
        page.contains(r#"href="/search?q=elm&#38;area=spending""#),
        "facet link"
    );
    assert!(page.contains("Search by postgres"));

    let (_, page) = get!(app, "/search?q=bold");
    assert!(page.contains("LOT-&#60;b&#62;bold&#60;/b&#62;"), "{page}");
    assert!(!page.contains("<b>bold</b>"));

    let (_, fragment) = get!(
        app,
        "/search?q=cement",
        ("HX-Request", "true"),
        ("HX-Target", "search-suggestions")
    );
    assert!(
        fragment
            .trim_start()
            .starts_with("<ul class=\"suggestions\""),
        "{fragment}"
    );
    assert!(fragment.contains("Portland cement CEM I"));
    assert!(!fragment.contains("<html"));

    let (status, body) = get!(app, "/api/v1/search?q=harbour&limit=5");
    assert_eq!(status, StatusCode::OK);
    let json = crate::support::json(&body);
    assert_eq!(json["backend"], "postgres");
    assert!(json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["href"] == "/parties/NL-KVK-31266490"));

    let (status, body) = get!(app, "/api/v1/search?q=x&area=moon");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("no area \\\"moon\\\""), "{body}");
    let (status, _) = get!(app, "/api/v1/search");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
