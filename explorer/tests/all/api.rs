//! The JSON API against a real PostgreSQL: a row's proof file (content type, download name,
//! the proof and its anchor), JSON errors under /api, and the batch page's links to proofs.

use crate::support::{anchor_batch, header, import_as};

use actix_web::http::StatusCode;

use citytrace_importers::merkle::{leaf_hash, Side};
use citytrace_importers::proof::anchored::{AnchorRef, AnchoredProof};
use citytrace_importers::Format;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{Chain, ChainKind, Finality, ImportBatch};
use citytrace_schema::schema::shipment_lines;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    SHP-9,1,LOT-A,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,2026-05-01T10:00:00+02:00\n\
    SHP-9,2,LOT-B,Cement,1.5,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,\n";

fn seed(pool: &PgPool) -> i64 {
    import_as(pool, Format::Shipments, "HSM", "s.csv", CSV)
}

/// What the indexer writes when it sees the batch's BatchAnchored event.
fn anchor(pool: &PgPool, batch_id: i64) -> AnchorRef {
    let conn = &mut pool.get().unwrap();
    Chain::upsert(conn, 31337, "test ledger", ChainKind::Ledger).unwrap();
    anchor_batch(conn, batch_id, 12, 0xbb, 1, Finality::Final);
    AnchorRef {
        chain_id: 31337,
        contract: [0x11; 20],
        tx_hash: [0xab; 32],
        block_number: 12,
        block_hash: [0xbb; 32],
        log_index: 1,
    }
}

fn merkle_root(pool: &PgPool, batch_id: i64) -> [u8; 32] {
    let batch = ImportBatch::find(&mut pool.get().unwrap(), batch_id).unwrap();
    batch.merkle_root.as_slice().try_into().unwrap()
}

#[actix_web::test]
async fn a_rows_proof_downloads_as_json_with_its_path_root_and_anchor() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let anchored = anchor(&pool, batch);
    let app = app!(pool);

    let (status, body, headers) =
        get_with_headers!(app, &format!("/api/v1/batches/{batch}/rows/3/proof"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        header(&headers, "content-disposition"),
        Some(format!(
            "attachment; filename=\"citytrace-batch-{batch}-line-3.proof.json\""
        ))
    );
    assert!(
        body.starts_with(&format!(
            "{{\n  \"format\": \"citytrace/proof/1\",\n  \"batch_id\": {batch},\n  \"line\": 3,\n  \"canonical\": \"{{\\\"encoding\\\":\\\"citytrace/shipments/1\\\","
        )),
        "{body}"
    );
    let proof = AnchoredProof::from_json(&body).unwrap();
    assert_eq!(proof.row.batch_id, batch);
    assert_eq!(
        (proof.row.line, proof.row.index, proof.row.leaf_count),
        (3, 1, 2)
    );
    assert_eq!(proof.row.leaf, leaf_hash(proof.row.canonical.as_bytes()));
    assert_eq!(proof.row.path.len(), 1);
    assert_eq!(proof.row.path[0].side, Side::Left);
    assert_eq!(proof.row.root, merkle_root(&pool, batch));
    assert!(proof.check_leaf().is_ok() && proof.check_path().is_ok());
    assert_eq!(proof.anchor, Some(anchored));
}

#[actix_web::test]
async fn an_unanchored_batchs_proof_has_a_null_anchor() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let (status, body) = get!(app!(pool), &format!("/api/v1/batches/{batch}/rows/2/proof"));
    assert_eq!(status, StatusCode::OK);
    assert!(body.ends_with("\n  \"anchor\": null\n}\n"), "{body}");
    let proof = AnchoredProof::from_json(&body).unwrap();
    assert_eq!((proof.row.index, proof.anchor), (0, None));
    assert_eq!(proof.row.root, merkle_root(&pool, batch));
}

#[actix_web::test]
async fn a_proof_over_a_changed_stored_row_leads_to_another_root_than_the_recorded_one() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    anchor(&pool, batch);
    diesel::update(
        shipment_lines::table
            .filter(shipment_lines::batch_id.eq(batch))
            .filter(shipment_lines::line.eq(2)),
    )
    .set(shipment_lines::unit.eq("KGM"))
    .execute(&mut db.conn())
    .unwrap();
    let (status, body) = get!(app!(pool), &format!("/api/v1/batches/{batch}/rows/3/proof"));
    assert_eq!(status, StatusCode::OK);
    let proof = AnchoredProof::from_json(&body).unwrap();
    assert!(
        proof.check_path().is_ok(),
        "the proof holds together over the rows as stored"
    );
    assert_ne!(
        proof.row.root,
        merkle_root(&pool, batch),
        "but its root is not the one recorded (and anchored): the ledger will say so"
    );
}

#[actix_web::test]
async fn api_errors_are_json_with_the_right_status() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);
    for (uri, message) in [
        (
            format!("/api/v1/batches/{batch}/rows/9/proof"),
            format!("Batch {batch} has no row at line 9."),
        ),
        (
            "/api/v1/batches/999/rows/2/proof".to_string(),
            "There is no batch 999.".to_string(),
        ),
        (
            "/api/v1/batches/x/rows/2/proof".to_string(),
            "There is no row 2 in batch x.".to_string(),
        ),
        (
            "/api/v1/nothing".to_string(),
            "There is no page at /api/v1/nothing.".to_string(),
        ),
    ] {
        let (status, body, headers) = get_with_headers!(app, &uri);
        let content_type = header(&headers, "content-type");
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(content_type.as_deref(), Some("application/json"), "{uri}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "not_found", "status": 404, "message": message}),
            "{uri}"
        );
    }
    let (_, body, headers) = get_with_headers!(app, "/no/such/page");
    let content_type = header(&headers, "content-type");
    assert!(content_type.unwrap().starts_with("text/html"));
    assert!(
        body.contains("<h1>Not found</h1>"),
        "pages keep their HTML errors"
    );
}

#[actix_web::test]
async fn the_batch_page_links_each_row_to_its_proof() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let (status, body) = get!(app!(pool), &format!("/batches/{batch}"));
    assert_eq!(status, StatusCode::OK);
    for line in [2, 3] {
        assert!(
            body.contains(&format!(
                r#"<a href="/batches/{batch}/rows/{line}/proof" title="This row's proof: its path to the batch's root, the anchor, and how to check it with citytrace verify">proof</a>"#
            )),
            "line {line}: {body}"
        );
    }
}
