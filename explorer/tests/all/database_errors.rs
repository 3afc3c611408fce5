//! Database errors typed at the boundary (issue 11, item 4c), through the app `citytrace serve`
//! builds, against a real PostgreSQL: a database that cannot answer now — a statement timeout,
//! an exhausted pool, a lost connection — is a 503 with `Retry-After` on pages and the API; a
//! constraint violation on a write (signing in with a token, an upload, an API import) is a
//! 409 that says what happened; neither is a 500 any more.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use citytrace_schema::diesel::connection::{AnsiTransactionManager, TransactionManager};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::r2d2::{self, ConnectionManager, CustomizeConnection, Pool};
use citytrace_schema::diesel::sql_types::BigInt;
use citytrace_schema::PgPool;

use citytrace_explorer::uploads::Importer;
use citytrace_importers::{Format, ImportOptions};

use crate::upload_support::{call, sign_in, Harness, Reply, SHIPMENTS};

/// Every connection of the pool gives up on a statement after `0` milliseconds.
#[derive(Debug)]
struct StatementTimeout(u32);

impl CustomizeConnection<PgConnection, r2d2::Error> for StatementTimeout {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), r2d2::Error> {
        diesel::sql_query(format!("SET statement_timeout = {}", self.0))
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }
}

/// A pool of `size` connections to the harness's database that waits `wait` for a free one.
fn pool(h: &Harness, size: u32, wait: Duration, timeout: Option<u32>) -> PgPool {
    let mut builder = Pool::builder().max_size(size).connection_timeout(wait);
    if let Some(ms) = timeout {
        builder = builder.connection_customizer(Box::new(StatementTimeout(ms)));
    }
    builder
        .build(ConnectionManager::new(h.db.url()))
        .expect("a pool for the test database")
}

fn get(uri: &str) -> actix_http::Request {
    TestRequest::get().uri(uri).to_request()
}

/// 503 with `Retry-After: 10`, and what the reader is told.
fn assert_unavailable(uri: &str, reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{uri}: {}",
        reply.body
    );
    assert_eq!(reply.header("retry-after"), Some("10"), "{uri}");
    if uri.starts_with("/api/") {
        let body = crate::support::json(&reply.body);
        assert_eq!(body["error"], "unavailable", "{uri}");
        assert_eq!(body["status"], 503, "{uri}");
    } else {
        assert!(reply.body.contains("Error 503"), "{uri}: {}", reply.body);
    }
    assert!(
        reply.body.contains("try again shortly"),
        "{uri}: {}",
        reply.body
    );
}

#[actix_web::test]
async fn a_query_cut_off_by_the_statement_timeout_is_503_with_retry_after() {
    let mut h = Harness::new(1 << 20);
    h.pool = pool(&h, 2, Duration::from_secs(10), Some(200));
    let app = upload_app!(h);
    // Another session holds the lots table: the lot page's query waits for it until the
    // server cancels it (SQLSTATE 57014, "canceling statement due to statement timeout").
    let mut holder = h.db.conn();
    AnsiTransactionManager::begin_transaction(&mut holder).unwrap();
    diesel::sql_query("LOCK TABLE lots IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .unwrap();
    for uri in ["/lots/LOT-1", "/api/v1/lots/LOT-1"] {
        let reply = call(&app, get(uri)).await;
        assert_unavailable(uri, &reply);
    }
    AnsiTransactionManager::rollback_transaction(&mut holder).unwrap();
    // Once the table is free, the same page answers as before.
    let reply = call(&app, get("/lots/LOT-1")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
}

#[actix_web::test]
async fn an_exhausted_pool_is_503_with_retry_after_on_pages_and_the_api() {
    let mut h = Harness::new(1 << 20);
    h.pool = pool(&h, 1, Duration::from_millis(200), None);
    let app = upload_app!(h);
    let held = h.pool.get().unwrap();
    for uri in ["/lots/LOT-1", "/api/v1/lots/LOT-1"] {
        let reply = call(&app, get(uri)).await;
        assert_unavailable(uri, &reply);
    }
    drop(held);
    let reply = call(&app, get("/api/v1/lots/LOT-1")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
}

/// Every further row of `table` is refused by a check constraint (rows already there stay).
fn refuse_new_rows(h: &Harness, table: &str) {
    diesel::sql_query(format!(
        "ALTER TABLE {table} ADD CONSTRAINT test_refuses_new_rows CHECK (false) NOT VALID"
    ))
    .execute(&mut h.db.conn())
    .unwrap();
}

fn assert_conflict_page(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert!(reply.body.contains("Error 409"), "{}", reply.body);
    assert!(
        reply
            .body
            .contains("it conflicts with what is already stored"),
        "{}",
        reply.body
    );
    assert!(
        !reply.body.contains("test_refuses_new_rows"),
        "details stay in the log: {}",
        reply.body
    );
}

#[actix_web::test]
async fn a_sign_in_whose_session_the_database_refuses_is_409() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    refuse_new_rows(&h, "upload_sessions");
    let Err(reply) = sign_in(&app, &token).await else {
        panic!("signed in although no session can be stored");
    };
    assert_conflict_page(&reply);
}

#[actix_web::test]
async fn an_upload_the_database_refuses_to_record_is_409_and_keeps_no_file() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    refuse_new_rows(&h, "uploads");
    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "april.csv",
            SHIPMENTS.as_bytes(),
        ),
    )
    .await;
    assert_conflict_page(&reply);
    assert_eq!(h.stored_files(), 0, "the stored file was removed");
}

fn api_import(token: &str, format: &str, body: &str) -> actix_http::Request {
    TestRequest::post()
        .uri(&format!("/api/v1/imports?format={format}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(body.to_string())
        .to_request()
}

const BUDGET: &str = "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
    2026-PW-0412,2026,approved,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck,1250000.00,EUR\n";

/// Backends of the test database waiting for a lock.
fn waiting_for_a_lock(conn: &mut PgConnection) -> i64 {
    #[derive(QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .get_result::<Waiting>(conn)
    .unwrap()
    .n
}

/// Two imports of the same budget line at once, in two files (the same file twice is found by
/// its checksum and names the first batch): the second writes the line while the first has not
/// committed, waits for it, and meets the first's row once it commits — a real unique
/// violation, answered 409 with the database's words, nothing imported.
#[actix_web::test]
async fn an_api_import_that_meets_rows_another_import_just_stored_is_409() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("DEPT-FINANCE", "Finance department");
    let app = upload_app!(h);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("budget.csv");
    std::fs::write(&path, BUDGET).unwrap();
    // The first import runs in a transaction left open until the second waits on it.
    let (url, first) = (h.db.url().to_string(), path.clone());
    let (imported, first_imported) = std::sync::mpsc::channel();
    let first = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        let mut watcher = PgConnection::establish(&url).unwrap();
        AnsiTransactionManager::begin_transaction(&mut conn).unwrap();
        let options = ImportOptions {
            submitter: "DEPT-FINANCE".into(),
            ..Default::default()
        };
        let outcome = citytrace_importers::import_file(&mut conn, Format::Budget, &first, &options);
        assert!(outcome.is_ok(), "{outcome:?}");
        imported.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut waited = false;
        while !waited && Instant::now() < deadline {
            waited = waiting_for_a_lock(&mut watcher) > 0;
            std::thread::sleep(Duration::from_millis(20));
        }
        AnsiTransactionManager::commit_transaction(&mut conn).unwrap();
        waited
    });
    first_imported.recv().unwrap();
    let revised = BUDGET.replace("North bridge deck", "North bridge deck (revised)");
    let reply = call(&app, api_import(&token, "budget", &revised)).await;
    let waited = first.join().unwrap();
    assert!(waited, "the second import never waited: {}", reply.body);
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    let body = crate::support::json(&reply.body);
    let message = body["error"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("the database refused the file's data: duplicate key value"),
        "{body}"
    );
    assert!(message.contains("nothing was imported"), "{body}");
    assert_eq!(batches(&h), 1, "only the first import's batch");
    assert_eq!(h.stored_files(), 0);
}

fn batches(h: &Harness) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM import_batches")
        .get_result::<crate::integrity::Count>(&mut h.pool.get().unwrap())
        .unwrap()
        .n
}

/// The importer reports a lost connection (`ImportError::ConnectionLost`): the session is
/// terminated by the server as the import starts. Before, the API answered 500.
#[actix_web::test]
async fn an_api_import_whose_connection_is_lost_is_503_with_retry_after() {
    let mut h = Harness::new(1 << 20);
    let cut_off: Importer = Arc::new(|conn, format, path, options, progress| {
        // The server ends this session; the statement itself fails as the session goes.
        let _ = diesel::sql_query("SELECT pg_terminate_backend(pg_backend_pid())").execute(conn);
        citytrace_importers::import_file_with_progress(conn, format, path, options, progress)
    });
    h.uploads = h.uploads.clone().with_importer(cut_off);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let reply = call(&app, api_import(&token, "shipments", SHIPMENTS)).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("retry-after"), Some("10"));
    let body = crate::support::json(&reply.body);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("nothing was imported"),
        "{body}"
    );
    assert_eq!(batches(&h), 0);
}
