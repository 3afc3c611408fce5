//! The ledger page "logs not decoded" (`/ledger/undecoded`, JSON twin under `/api/v1`) against a
//! real PostgreSQL holding quarantined logs as the indexer writes them: linked from the ledger
//! page, each log with chain, block, transaction, contract, problem and raw data, hostile text
//! escaped, pages of 50, malformed parameters answered 400.

use crate::support::json;

use actix_web::http::StatusCode;
use chrono::DateTime;

use citytrace_schema::models::{Chain, ChainKind, QuarantinedLog};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CHAIN: i64 = 31337;

/// Log `n` of block `100 + n`: a TraceEventRecorded whose eventType is not EPCIS; the first
/// one's problem and parameters hold markup.
fn log(n: i32) -> QuarantinedLog {
    let event_type = if n == 0 {
        "<script>alert(1)</script>".to_string()
    } else {
        format!("NotEpcis{n}")
    };
    QuarantinedLog {
        chain_id: CHAIN,
        block_number: 100 + i64::from(n),
        block_hash: vec![n as u8; 32],
        block_time: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        tx_hash: vec![0xab; 32],
        log_index: 2,
        contract: vec![0x11; 20],
        topics: vec![vec![0x09; 32], vec![n as u8; 32]],
        data: vec![0xde, 0xad, 0xbe, 0xef],
        event_name: Some("TraceEventRecorded".into()),
        signature: Some(
            "TraceEventRecorded(bytes32,address,string,string,string,string,string,uint64)".into(),
        ),
        params: Some(serde_json::json!({ "eventType": event_type })),
        reason: "invalid".into(),
        problem: format!("eventType {event_type:?} is not an EPCIS event type"),
        finality: "final".into(),
    }
}

fn seed(pool: &PgPool, count: i32) {
    let conn = &mut pool.get().unwrap();
    Chain::upsert(conn, CHAIN, "city ledger", ChainKind::Ledger).unwrap();
    let logs: Vec<QuarantinedLog> = (0..count).map(log).collect();
    assert_eq!(
        QuarantinedLog::insert_all(conn, &logs).unwrap(),
        count as usize
    );
}

#[actix_web::test]
async fn logs_not_decoded_are_listed_with_their_problem_and_raw_data_newest_first() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/ledger/undecoded");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Every log of the followed contracts was decoded and stored."));
    seed(&pool, 55);

    let (_, ledger) = get!(app, "/ledger");
    assert!(ledger.contains(r#"<a href="/ledger/undecoded">Logs not decoded</a>"#));

    let (status, body) = get!(app, "/ledger/undecoded");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("55 logs not decoded."), "{body}");
    assert_eq!(body.matches("<tr>").count(), 1 + 50, "a header and 50 logs");
    // Newest first: block 154 opens the page, block 105 closes it.
    assert!(body.contains(r#"<a href="/ledger/chains/31337/blocks/154">154</a>"#));
    assert!(!body.contains(r#"blocks/104">"#));
    assert!(body.contains("NotEpcis54") && body.contains("0xdeadbeef"));
    assert!(body.contains(&format!(
        r#"href="/ledger/chains/31337/tx/0x{}""#,
        "ab".repeat(32)
    )));
    let next = r#"href="/ledger/undecoded?before=105-2-31337""#;
    assert!(body.contains(next), "{body}");

    let (status, older) = get!(app, "/ledger/undecoded?before=105-2-31337");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(older.matches("<tr>").count(), 1 + 5);
    assert!(older.contains("blocks/100\">") && !older.contains("Older →"));
    // Markup from the chain is text.
    assert!(older.contains("&#60;script&#62;alert(1)"), "{older}");
    assert!(!older.contains("<script>alert"));

    let (status, body) = get!(app, "/api/v1/ledger/undecoded?chain=31337");
    assert_eq!(status, StatusCode::OK);
    let page = json(&body);
    assert_eq!(page["total"], 55);
    assert_eq!(page["logs"].as_array().unwrap().len(), 50);
    assert_eq!(page["next"], "105-2-31337");
    let first = &page["logs"][0];
    assert_eq!(first["block_number"], 154);
    assert_eq!(first["reason"], "invalid");
    assert_eq!(first["data"], "0xdeadbeef");
    assert_eq!(first["topics"][1], format!("0x{}", "36".repeat(32)));
    assert_eq!(first["params"]["eventType"], "NotEpcis54");
    assert_eq!(first["contract"], format!("0x{}", "11".repeat(20)));

    let (_, other) = get!(app, "/api/v1/ledger/undecoded?chain=1");
    assert_eq!(json(&other)["total"], 0);
}

#[actix_web::test]
async fn malformed_parameters_answer_400_never_500() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool, 1);
    let app = app!(pool);
    for query in [
        "chain=abc",
        "chain=%00",
        "before=1-2",
        "before=1-2-3-4",
        "before=1-99999999999-3",
        "before=%F0%9F%98%80",
        "chain=99999999999999999999",
    ] {
        let (status, body) = get!(app, &format!("/ledger/undecoded?{query}"));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(body.contains("<h1"), "the HTML error page for {query}");
        let (status, body) = get!(app, &format!("/api/v1/ledger/undecoded?{query}"));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(json(&body)["error"], "bad_request", "{query}");
    }
}
