//! What the explorer's integration tests share: the app over a pool, GET requests against it,
//! reading JSON and page sections, and importing a file with the real importer.
//!
//! Its macros (`app!`, `get!`, `get_with_headers!`) are in scope in every module declared after
//! it in `main.rs`.

use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::PgConnection;
use citytrace_schema::models::{BatchAnchor, Finality, ImportBatch, NewBatchAnchor};
use citytrace_schema::PgPool;

/// The explorer over `$pool` as `citytrace serve` builds it (its middleware included), as a
/// test service; over an `AppState` with `app!(state: …)`.
macro_rules! app {
    (state: $state:expr) => {
        actix_web::test::init_service(citytrace_explorer::app($state, None)).await
    };
    ($pool:expr) => {
        app!(state: citytrace_explorer::AppState::new($pool.clone()))
    };
}

/// GET `$uri` (with any request headers after it): `(status, body, response headers)`.
macro_rules! get_with_headers {
    ($app:expr, $uri:expr $(, $h:expr)*) => {{
        let request = actix_web::test::TestRequest::get()
            .uri($uri)
            $(.insert_header($h))*
            .to_request();
        let response = actix_web::test::call_service(&$app, request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = actix_web::test::read_body(response).await;
        (status, String::from_utf8_lossy(&body).into_owned(), headers)
    }};
}

/// GET `$uri` (with any request headers after it): `(status, body)`.
macro_rules! get {
    ($app:expr, $uri:expr $(, $h:expr)*) => {{
        let (status, body, _) = get_with_headers!($app, $uri $(, $h)*);
        (status, body)
    }};
}

/// A response header as text, if the response has it.
pub fn header(headers: &actix_web::http::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap().to_string())
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The part of a page from the first `from` up to the next `to` (or the end).
pub fn between<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let start = body
        .find(from)
        .unwrap_or_else(|| panic!("{from} not in page"));
    let rest = &body[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// Import `text` as `file_name` for `submitter` with the real importer; the batch id.
pub fn import_as(
    pool: &PgPool,
    format: Format,
    submitter: &str,
    file_name: &str,
    text: &str,
) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file_name);
    std::fs::write(&path, text).unwrap();
    let options = ImportOptions {
        submitter: submitter.into(),
        ..Default::default()
    };
    match import_file(&mut pool.get().unwrap(), format, &path, &options).unwrap() {
        ImportOutcome::Imported { batch, .. } => batch.id,
        other => panic!("{other:?}"),
    }
}

/// What the indexer writes when it sees batch `batch_id`'s BatchAnchored event on chain 31337
/// (which the caller has recorded): in block `block_number` (every byte of its hash
/// `block_hash_byte`), transaction 0xabab…, contract 0x1111…, at `log_index`.
pub fn anchor_batch(
    conn: &mut PgConnection,
    batch_id: i64,
    block_number: i64,
    block_hash_byte: u8,
    log_index: i32,
    finality: Finality,
) {
    let batch = ImportBatch::find(conn, batch_id).unwrap();
    BatchAnchor::insert_all(
        conn,
        &[NewBatchAnchor {
            chain_id: 31337,
            block_number,
            block_hash: vec![block_hash_byte; 32],
            block_time: chrono::Utc::now(),
            tx_hash: vec![0xab; 32],
            log_index,
            contract: vec![0x11; 20],
            finality: finality.as_str().into(),
            batch_id: batch_id.into(),
            merkle_root: batch.merkle_root,
            row_count: batch.row_count.into(),
            uri: String::new(),
        }],
    )
    .unwrap();
}
