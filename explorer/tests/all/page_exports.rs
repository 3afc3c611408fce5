//! Every page that shows a table offers its rows as CSV or JSON — a download link — or says
//! in a sentence why not (`class="no-export"`). The pages are rendered on the small city of
//! `spending_city` (budget, contracts, products, shipments, emissions, ledger payment and
//! retirement) with a supplier signed in for the upload pages.

use actix_web::http::StatusCode;

use crate::spending_city::fixture;
use crate::upload_support::{call, sign_in, Harness};

/// Every page with a table that the city above fills, public ones first.
fn pages() -> Vec<String> {
    [
        "/",
        "/materials",
        "/materials/lots",
        "/materials/deliveries",
        "/materials/products",
        "/materials/sites",
        "/cold-chain",
        "/cold-chain/shipments",
        "/cold-chain/breaches",
        "/waste",
        "/waste/consignments",
        "/emissions",
        "/emissions/credits",
        "/spending",
        "/spending/procurement",
        &format!("/spending/contracts/{}", fixture::OCID),
        "/spending/budget/2025/2025-PW-01",
        &format!("/parties/{}", fixture::SUPPLIER),
        "/ledger",
        "/ledger/events",
        "/ledger/blocks",
        "/ledger/anchors",
        "/ledger/chains/137",
        "/batches",
        "/batches/1",
        "/batches/1/rows/2/proof",
        "/search?q=cement",
        "/import/formats",
        "/import",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A link that downloads the rows, or a sentence saying why there is none.
fn offers_its_rows(body: &str) -> bool {
    body.contains("format=csv")
        || body.contains("format=json")
        || body.contains(".csv\"")
        || body.contains(" download>")
        || body.contains(" download=")
        || body.contains("class=\"no-export")
        || body.contains(">JSON</a>")
}

#[actix_web::test]
async fn every_page_with_a_table_offers_its_rows_or_says_why_not() {
    let h = Harness::new(1 << 20);
    fixture::seed(&h.db);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();

    let mut with_tables = 0;
    let mut missing = Vec::new();
    for uri in pages() {
        let reply = call(&app, session.get(&uri)).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
        if !reply.body.contains("<table") {
            continue;
        }
        with_tables += 1;
        if !offers_its_rows(&reply.body) {
            missing.push(uri);
        }
    }
    assert!(
        with_tables >= 20,
        "only {with_tables} pages showed a table: is the city empty?"
    );
    assert!(
        missing.is_empty(),
        "pages with a table but no CSV/JSON and no word why: {missing:?}"
    );
}

/// A batch page's rows as data: every row it lists, with its proof page and proof file, and a
/// format it does not know is refused in words.
#[actix_web::test]
async fn a_batch_page_answers_its_rows_as_json() {
    let h = Harness::new(1 << 20);
    fixture::seed(&h.db);
    let app = upload_app!(h);
    let page = call(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/batches/1")
            .to_request(),
    )
    .await;
    assert!(
        page.body.contains("href=\"/batches/1?format=json\""),
        "{}",
        page.body
    );
    let reply = call(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/batches/1?format=json")
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["id"], 1);
    let rows = json["rows"].as_i64().unwrap();
    let listed: Vec<&serde_json::Value> = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["canonical_rows"].as_array().unwrap())
        .collect();
    assert_eq!(listed.len() as i64, rows, "{json}");
    for (i, row) in listed.iter().enumerate() {
        let line = i + 1;
        assert_eq!(row["line"], line, "{json}");
        assert_eq!(row["proof"], format!("/batches/1/rows/{line}/proof"));
        assert_eq!(
            row["proof_file"],
            format!("/api/v1/batches/1/rows/{line}/proof")
        );
    }
    let refused = call(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/batches/1?format=xml")
            .to_request(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("format=json"), "{}", refused.body);
}
