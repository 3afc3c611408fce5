//! Search with the default backend (PostgreSQL full-text + trigram) against a real database:
//! substrings, typos, words, exact identifiers, areas as facets, suggestions for htmx, the JSON
//! API, and escaping of what was imported.

use crate::support::import_as;

use actix_web::http::StatusCode;
use actix_web::test;
use diesel::RunQueryDsl;

use citytrace_explorer::search::{PostgresSearch, SearchIndex, SearchRequest};
use citytrace_explorer::AppState;
use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CSV: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-1,1,HSM-B500-260902-01,05412345003014,Reinforcing steel B500B,4.2,TNE,HARBOUR-MILL,SITE-ELM-SCHOOL,2026-05-01T08:00:00+02:00\n\
    SHP-1,2,RCW-CEM-260412-01,,Portland cement CEM I,1.5,TNE,RIVERSIDE-PLANT,SITE-ELM-SCHOOL,2026-05-01T08:00:00+02:00\n\
    SHP-1,3,LOT-<b>bold</b>,,Portland cement CEM I,1.5,TNE,RIVERSIDE-PLANT,SITE-NORTH-BRIDGE,2026-05-01T08:00:00+02:00\n";

fn seed(pool: &PgPool) {
    let batch_id = import_as(pool, Format::Shipments, "HSM", "s.csv", CSV);
    let conn = &mut pool.get().unwrap();
    diesel::sql_query(
        "INSERT INTO parties (code, name, kind) VALUES ('HSM', 'Harbour Steel Mill', 'supplier'), \
         ('PW', 'City Public Works Department', 'department')",
    )
    .execute(conn)
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO procurement_processes (ocid, title, procurement_method, release_count, last_release_date, batch_id, line) \
         VALUES ('ocds-b5fd17-2026-0017', 'Elm Street school extension: structural works', 'open', 1, now(), {batch_id}, 1)",
    ))
    .execute(conn)
    .unwrap();
}

async fn titles(search: &PostgresSearch, text: &str, area: Option<&str>) -> Vec<(String, String)> {
    let request = SearchRequest {
        text: text.into(),
        area: area.map(String::from),
        limit: 20,
    };
    search
        .search(&request)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| (h.kind, h.title))
        .collect()
}

#[actix_web::test]
async fn postgres_search_finds_substrings_typos_words_and_identifiers() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let search = PostgresSearch::new(pool.clone());

    // A substring of a lot code: the lot.
    assert_eq!(
        titles(&search, "B500-2609", None).await,
        [("lot".to_string(), "HSM-B500-260902-01".to_string())]
    );
    // A word of a product name: the product first (exact word), then nothing unrelated.
    let found = titles(&search, "cement", None).await;
    assert_eq!(found[0], ("product".into(), "Portland cement CEM I".into()));
    assert!(
        found
            .iter()
            .all(|(_, t)| t.to_lowercase().contains("cement")),
        "{found:?}"
    );
    // A typo still finds the supplier (trigram similarity).
    let found = titles(&search, "Harbor Steel", None).await;
    assert!(
        found.contains(&("party".into(), "Harbour Steel Mill".into())),
        "{found:?}"
    );
    // Exact identifiers: a GTIN, an ocid, a site code.
    assert_eq!(
        titles(&search, "05412345003014", None).await[0],
        ("product".into(), "Reinforcing steel B500B".into())
    );
    assert_eq!(
        titles(&search, "ocds-b5fd17-2026-0017", None).await[0],
        (
            "contract".into(),
            "Elm Street school extension: structural works".into()
        )
    );
    // Words of a contract title.
    assert_eq!(
        titles(&search, "school extension", Some("spending")).await,
        [(
            "contract".to_string(),
            "Elm Street school extension: structural works".to_string()
        )]
    );
    // An area filter keeps only that area.
    let found = titles(&search, "ELM", Some("materials")).await;
    assert!(
        !found.is_empty() && found.iter().all(|(k, _)| k == "site" || k == "lot"),
        "{found:?}"
    );
    // Nothing for nonsense.
    assert!(titles(&search, "zzqqxx", None).await.is_empty());
}

#[actix_web::test]
async fn the_search_page_suggestions_and_api_show_results_with_facets_escaped() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
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
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["backend"], "postgres");
    assert!(json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["href"] == "/parties/HSM"));

    let (status, body) = get!(app, "/api/v1/search?q=x&area=moon");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("no area \\\"moon\\\""), "{body}");
    let (status, _) = get!(app, "/api/v1/search");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
