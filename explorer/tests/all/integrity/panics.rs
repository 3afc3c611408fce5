//! Panics stop at the request: the page that panicked answers the 500 page with the security
//! headers (JSON under /api), the worker goes on, and the pages that used to panic render.

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{web, HttpResponse};
use diesel::RunQueryDsl;

use citytrace_explorer::{AppError, AppState};
use citytrace_schema::testing::TestDatabase;

use crate::upload_support::call;

fn get(uri: &str) -> actix_http::Request {
    TestRequest::get().uri(uri).to_request()
}

async fn panics() -> HttpResponse {
    panic!("a handler bug at byte 8")
}

async fn panics_in_database_work(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db(|_| -> Result<(), AppError> { panic!("a bug in blocking work") })
        .await?;
    Ok(HttpResponse::Ok().finish())
}

#[actix_web::test]
async fn a_panicking_handler_answers_the_500_page_and_the_worker_goes_on() {
    let db = TestDatabase::new();
    let app = test::init_service(
        citytrace_explorer::app(AppState::new(db.pool(2)), None)
            .route("/boom", web::get().to(panics))
            .route("/api/v1/boom", web::get().to(panics))
            .route("/boom-in-db", web::get().to(panics_in_database_work)),
    )
    .await;
    for uri in ["/boom", "/boom-in-db"] {
        let reply = call(&app, get(uri)).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        assert!(
            reply.body.contains("<h1>Something went wrong</h1>")
                && reply
                    .body
                    .contains("The explorer hit an internal error. It has been logged."),
            "{uri}: {}",
            reply.body
        );
        assert!(!reply.body.contains("byte 8") && !reply.body.contains("blocking work"));
        assert!(reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        assert!(
            reply
                .header("content-security-policy")
                .is_some_and(|csp| csp.contains("script-src 'self'")),
            "{uri}: security headers on the 500"
        );
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    }
    let reply = call(&app, get("/api/v1/boom")).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = crate::support::json(&reply.body);
    assert_eq!(body["error"], "internal");
    assert_eq!(body["status"], 500);
    // The same app (the same worker) goes on serving.
    let reply = call(&app, get("/healthz")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// Found 1: a string event parameter starting `0x` with a multi-byte character at byte 8 made
/// its transaction's and block's pages answer 500 forever.
#[actix_web::test]
async fn a_transaction_with_a_multibyte_character_at_byte_8_of_a_parameter_renders() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let value = "0x12345é tail of a note";
    assert!(!value.is_char_boundary(8), "byte 8 is inside the é");
    {
        let conn = &mut pool.get().unwrap();
        citytrace_schema::models::Chain::upsert(
            conn,
            31337,
            "city ledger",
            citytrace_schema::models::ChainKind::Ledger,
        )
        .unwrap();
        diesel::sql_query(
            "INSERT INTO ledger_events (chain_id, block_number, block_hash, block_time, tx_hash, \
             log_index, contract, event_name, signature, params, finality) \
             VALUES (31337, 5, $1, now(), $2, 0, $3, 'NoteFiled', 'NoteFiled(string)', $4, 'final')",
        )
        .bind::<diesel::sql_types::Bytea, _>(vec![0x05u8; 32])
        .bind::<diesel::sql_types::Bytea, _>(vec![0xeeu8; 32])
        .bind::<diesel::sql_types::Bytea, _>(vec![0x11u8; 20])
        .bind::<diesel::sql_types::Jsonb, _>(serde_json::json!({ "note": value }))
        .execute(conn)
        .unwrap();
    }
    let app = test::init_service(citytrace_explorer::app(AppState::new(pool), None)).await;
    let tx = format!("0x{}", "ee".repeat(32));
    for uri in [
        format!("/ledger/chains/31337/tx/{tx}"),
        "/ledger/chains/31337/blocks/5".to_string(),
    ] {
        let reply = call(&app, get(&uri)).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
        assert!(reply.body.contains("NoteFiled"), "{uri}");
        // Not a hash (not hex): shown whole, not shortened.
        assert!(
            reply.body.contains(&format!("<dd>{value}</dd>")),
            "{uri}: {}",
            reply.body
        );
    }
    let reply = call(&app, get(&format!("/api/v1/ledger/chains/31337/tx/{tx}"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = crate::support::json(&reply.body);
    assert_eq!(body["events"][0]["params"][0]["value"], value);
}
