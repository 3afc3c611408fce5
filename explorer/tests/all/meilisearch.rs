//! The Meilisearch backend against a small fake Meilisearch: no registry this project can
//! install from ships a Meilisearch server (docs/search.md), so this checks the requests
//! meilisearch-sdk sends — settings, documents, searches with filters and facets, the API key —
//! and that answers in Meilisearch's format become search results. The documents come from a
//! real PostgreSQL.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

use citytrace_explorer::search::{MeiliSearch, SearchIndex, SearchRequest};
use citytrace_importers::{import_file, CsvOptions, Format, ImportOptions};
use citytrace_schema::testing::TestDatabase;

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    authorization: String,
    body: serde_json::Value,
}

type Log = Arc<Mutex<Vec<Seen>>>;

const TASK: &str = r#"{"taskUid":7,"indexUid":"citytrace","status":"enqueued","type":"documentAdditionOrUpdate","enqueuedAt":"2026-11-24T00:00:00Z"}"#;
const SETTINGS_TASK: &str = r#"{"taskUid":8,"indexUid":"citytrace","status":"enqueued","type":"settingsUpdate","enqueuedAt":"2026-11-24T00:00:00Z"}"#;
const FOUND: &str = r#"{"hits":[{"id":"lot_3ALOT-A","kind":"lot","area":"materials","title":"LOT-A","subtitle":"Rebar B500B","href_prefix":"/lots/","key":"LOT-A"}],
  "query":"lot-a","processingTimeMs":1,"limit":20,"offset":0,"estimatedTotalHits":1,
  "facetDistribution":{"area":{"materials":1,"waste":0}}}"#;

async fn fake(req: HttpRequest, body: web::Bytes, log: web::Data<Log>) -> HttpResponse {
    log.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        path: req.path().to_string(),
        query: req.query_string().to_string(),
        authorization: req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    let (status, answer) = match (req.method().as_str(), req.path()) {
        ("PUT", p) if p.starts_with("/indexes/citytrace/settings/") => (202, SETTINGS_TASK),
        ("POST", "/indexes/citytrace/documents") => (202, TASK),
        ("POST", "/indexes/citytrace/search") => (200, FOUND),
        _ => (
            404,
            r#"{"message":"not here","code":"not_found","type":"invalid_request","link":""}"#,
        ),
    };
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .content_type("application/json")
        .body(answer)
}

#[actix_web::test]
async fn meilisearch_gets_settings_documents_and_searches_and_its_answers_become_results() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    std::fs::write(
        &path,
        "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
         SHP-1,1,LOT-A,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00\n\
         SHP-1,2,https://id.gs1.org/01/04012345111118/10/B,Rebar B500B,1,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00\n",
    )
    .unwrap();
    let options = ImportOptions {
        submitter: "HSM".into(),
        csv: CsvOptions::default(),
        ..Default::default()
    };
    import_file(&mut pool.get().unwrap(), Format::Shipments, &path, &options).unwrap();

    let log: Log = Arc::default();
    let data = web::Data::new(log.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(fake))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let meili = MeiliSearch::new(&url, Some("search-key"), "citytrace", pool.clone()).unwrap();
    let sent = meili.sync().await.unwrap();
    // 2 lots, 1 product, 2 sites (MILL, SITE-A).
    assert_eq!(sent, 5);
    let found = meili
        .search(&SearchRequest {
            text: "lot-a".into(),
            area: Some("materials".into()),
            limit: 20,
        })
        .await
        .unwrap();
    handle.stop(true).await;

    let seen = log.lock().unwrap().clone();
    assert!(
        seen.iter().all(|s| s.authorization == "Bearer search-key"),
        "{seen:?}"
    );
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("PUT", "/indexes/citytrace/settings/filterable-attributes"),
            ("PUT", "/indexes/citytrace/settings/searchable-attributes"),
            ("POST", "/indexes/citytrace/documents"),
            ("POST", "/indexes/citytrace/search"),
        ]
    );
    assert_eq!(seen[0].body, serde_json::json!(["area", "kind"]));
    assert_eq!(
        seen[1].body,
        serde_json::json!(["title", "subtitle", "key"])
    );
    assert_eq!(seen[2].query, "primaryKey=id");
    let documents = seen[2].body.as_array().unwrap();
    assert_eq!(documents.len(), 5);
    let lot = documents
        .iter()
        .find(|d| d["key"] == "https://id.gs1.org/01/04012345111118/10/B")
        .unwrap();
    assert_eq!(
        lot["id"],
        "lot_3Ahttps_3A_2F_2Fid_2Egs1_2Eorg_2F01_2F04012345111118_2F10_2FB"
    );
    assert_eq!(
        (
            lot["kind"].as_str(),
            lot["area"].as_str(),
            lot["href_prefix"].as_str()
        ),
        (Some("lot"), Some("materials"), Some("/lots/"))
    );
    assert_eq!(seen[3].body["q"], "lot-a");
    assert_eq!(seen[3].body["filter"], "area = \"materials\"");
    assert_eq!(seen[3].body["facets"], serde_json::json!(["area"]));
    assert_eq!(seen[3].body["limit"], 20);

    assert_eq!(found.backend, "meilisearch");
    assert_eq!(found.hits.len(), 1);
    assert_eq!(
        (found.hits[0].title.as_str(), found.hits[0].href.as_str()),
        ("LOT-A", "/lots/LOT-A")
    );
    assert_eq!(found.areas, [("materials".to_string(), 1)]);
}

#[actix_web::test]
async fn an_unreachable_meilisearch_is_an_error_not_a_panic() {
    let db = TestDatabase::new();
    let meili = MeiliSearch::new("http://127.0.0.1:9", None, "citytrace", db.pool(1)).unwrap();
    let error = meili
        .search(&SearchRequest {
            text: "x".into(),
            area: None,
            limit: 5,
        })
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Meilisearch"), "{error}");
}
