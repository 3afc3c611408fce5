//! Found 2 and 8 (the server side), and the upload API's answer to a NUL (found 5): a job that
//! panics ends `failed` with its message and is never run again by a status poll; the file a
//! NUL spoils is refused with its line, never a 500; API imports wait for the same job slots as
//! the upload page's jobs.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use diesel::{PgConnection, RunQueryDsl};

use citytrace_explorer::uploads::{Importer, JOBS};
use citytrace_importers::{Format, ImportError, ImportOptions, ImportOutcome, Progress};
use citytrace_schema::models::{Upload, UploadStatus};

use crate::upload_support::{call, sign_in, upload_id, Harness, SHIPMENTS};

fn real_import(
    conn: &mut PgConnection,
    format: Format,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportOutcome, ImportError> {
    citytrace_importers::import_file_with_progress(conn, format, path, options, progress)
}

/// Rows of the tables an import writes.
fn imported_rows(h: &Harness) -> (i64, i64) {
    #[derive(diesel::QueryableByName)]
    struct Counts {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        batches: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        lines: i64,
    }
    let counts: Counts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM import_batches) AS batches, \
                (SELECT count(*) FROM shipment_lines) AS lines",
    )
    .get_result(&mut h.pool.get().unwrap())
    .unwrap();
    (counts.batches, counts.lines)
}

fn api_post(token: &str, query: &str, body: Vec<u8>) -> actix_http::Request {
    TestRequest::post()
        .uri(&format!("/api/v1/imports?{query}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(body)
        .to_request()
}

/// Found 2: the check panics; before, the upload stayed "checking", every status poll queued
/// it again and it panicked again, forever.
#[actix_web::test]
async fn an_upload_whose_check_panics_ends_failed_and_polls_never_run_it_again() {
    let mut h = Harness::new(1 << 20);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let panicking: Importer = Arc::new(move |conn, format, path, options, progress| {
        counted.fetch_add(1, Ordering::SeqCst);
        if options.dry_run {
            panic!("an importer bug at line 3");
        }
        real_import(conn, format, path, options, progress)
    });
    h.uploads = h.uploads.clone().with_importer(panicking);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "s.csv",
            SHIPMENTS.as_bytes(),
        ),
    )
    .await;
    let id = upload_id(&reply);
    let upload = h.settled(id).await;
    assert_eq!(upload.status(), UploadStatus::Failed);
    let message = upload.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("internal error while checking the file: an importer bug at line 3; nothing was imported."),
        "{message}"
    );
    for _ in 0..3 {
        let status = call(&app, session.get(&format!("/import/uploads/{id}/status"))).await;
        assert_eq!(status.status, StatusCode::OK);
        assert!(
            status.body.contains("an importer bug at line 3"),
            "{}",
            status.body
        );
    }
    let again = Upload::find(&mut h.pool.get().unwrap(), id).unwrap();
    assert_eq!(
        again.status(),
        UploadStatus::Failed,
        "not queued again by the polls"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the job ran once");
    assert_eq!(imported_rows(&h), (0, 0));
    // The lock was released: checking it again runs the job again (and fails the same way).
    let page = call(&app, session.get(&format!("/import/uploads/{id}"))).await;
    let csrf = page.csrf();
    let reply = call(
        &app,
        session.post(&format!("/import/uploads/{id}/check"), Some(&csrf)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(h.settled(id).await.status(), UploadStatus::Failed);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// The same through the API: a panicking import answers 500 with the message, nothing stored.
#[actix_web::test]
async fn an_api_import_that_panics_answers_500_with_the_message() {
    let mut h = Harness::new(1 << 20);
    h.uploads = h.uploads.clone().with_importer(Arc::new(|_, _, _, _, _| {
        panic!("an importer bug at line 7")
    }));
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let reply = call(&app, api_post(&token, "format=shipments", SHIPMENTS.into())).await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.body
    );
    let body = crate::support::json(&reply.body);
    assert_eq!(
        body["error"].as_str().unwrap_or_default().split(". ").next(),
        Some("internal error while importing the file: an importer bug at line 7; nothing was imported")
    );
    assert_eq!(imported_rows(&h), (0, 0));
    assert_eq!(h.stored_files(), 0, "the file was removed");
    // The slots were given back: more imports than there are slots still get their answer.
    for _ in 0..=JOBS {
        let reply = call(&app, api_post(&token, "format=shipments", SHIPMENTS.into())).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}

/// A value that made the real importer panic (issue 10, found 1: `cofog` = `0é`): whether the
/// importer panics (caught by the job) or reports it (once it no longer panics), the upload
/// ends in a final state, with nothing imported, and polls do not run it again.
#[actix_web::test]
async fn a_budget_whose_cofog_used_to_panic_the_importer_ends_final_with_nothing_imported() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("DEPT-FINANCE", "Finance department");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let budget = "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
        2026-PW-0412,2026,approved,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck,1250000.00,EUR\n\
        2026-PW-0413,2026,approved,expenditure,DEPT-WORKS,Bridge renewal,0é,31,South bridge deck,1000.00,EUR\n";
    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "budget",
            "budget.csv",
            budget.as_bytes(),
        ),
    )
    .await;
    let id = upload_id(&reply);
    let upload = h.settled(id).await;
    match upload.status() {
        UploadStatus::Failed => {
            let message = upload.message.clone().unwrap_or_default();
            assert!(
                message.starts_with("internal error while checking the file: "),
                "{message}"
            );
            assert!(message.contains("nothing was imported"), "{message}");
        }
        UploadStatus::Invalid => {
            let problems = upload.problems.clone().unwrap_or_default().to_string();
            assert!(
                problems.contains("\"line\":3") && problems.contains("cofog"),
                "{problems}"
            );
        }
        other => panic!("the upload ended {other:?}"),
    }
    let final_status = upload.status();
    for _ in 0..3 {
        call(&app, session.get(&format!("/import/uploads/{id}/status"))).await;
    }
    let again = Upload::find(&mut h.pool.get().unwrap(), id).unwrap();
    assert_eq!(
        again.status(),
        final_status,
        "not queued again by the polls"
    );
    let batches: i64 = diesel::sql_query("SELECT count(*) AS n FROM import_batches")
        .get_result::<super::Count>(&mut h.pool.get().unwrap())
        .unwrap()
        .n;
    assert_eq!(batches, 0);
}

/// Found 5: a NUL in a CSV cell made the upload API answer 500; the page's job failed without
/// saying where. Both now name the line, and nothing is imported.
#[actix_web::test]
async fn a_file_with_a_nul_is_refused_naming_its_line_never_500() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let spoiled = SHIPMENTS.replace("Crushed granite", "Crushed\u{0}granite");
    let reply = call(
        &app,
        api_post(&token, "format=shipments", spoiled.clone().into()),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    let body = crate::support::json(&reply.body);
    assert_eq!(body["outcome"], "invalid");
    assert_eq!(body["errors"][0]["line"], 3, "{body}");
    assert!(
        body["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("NUL"),
        "{body}"
    );
    assert_eq!(imported_rows(&h), (0, 0));

    let session = sign_in(&app, &token).await.ok().unwrap();
    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "s.csv",
            spoiled.as_bytes(),
        ),
    )
    .await;
    let id = upload_id(&reply);
    let upload = h.settled(id).await;
    if upload.status() == UploadStatus::Valid {
        // The dry run may pass (nothing is written); the import itself then refuses it.
        let page = call(&app, session.get(&format!("/import/uploads/{id}"))).await;
        let reply = call(
            &app,
            session.post(&format!("/import/uploads/{id}/import"), Some(&page.csrf())),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let upload = h.settled(id).await;
    assert_eq!(
        upload.status(),
        UploadStatus::Invalid,
        "{:?}",
        upload.message
    );
    let problems = upload.problems.clone().unwrap_or_default().to_string();
    assert!(
        problems.contains("\"line\":3") && problems.contains("NUL"),
        "{problems}"
    );
    assert_eq!(imported_rows(&h), (0, 0));
}

/// Found 8 (server side): imports from the API ran outside the job limit. Four imports — three
/// through the API, one from the upload page — are held inside the importer until the test
/// lets them go: no more than [`JOBS`] are ever inside at once, and all of them finish.
#[actix_web::test]
async fn api_imports_and_page_jobs_share_the_job_slots() {
    let mut h = Harness::new(1 << 20);
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let (i, m, g) = (inside.clone(), most.clone(), gate.clone());
    let waiting: Importer = Arc::new(move |conn, format, path, options, progress| {
        let now = i.fetch_add(1, Ordering::SeqCst) + 1;
        m.fetch_max(now, Ordering::SeqCst);
        let (open, opened) = &*g;
        let mut open = open.lock().unwrap();
        while !*open {
            open = opened.wait(open).unwrap();
        }
        drop(open);
        let outcome = real_import(conn, format, path, options, progress);
        i.fetch_sub(1, Ordering::SeqCst);
        outcome
    });
    h.uploads = h.uploads.clone().with_importer(waiting);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let page_upload = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "page.csv",
            SHIPMENTS.as_bytes(),
        ),
    );
    let api = (0..3).map(|_| {
        call(
            &app,
            api_post(&token, "format=shipments&dry_run=true", SHIPMENTS.into()),
        )
    });
    let release = async {
        let began = Instant::now();
        while inside.load(Ordering::SeqCst) < JOBS {
            assert!(
                began.elapsed() < Duration::from_secs(30),
                "the jobs did not start"
            );
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        // Give the other two every chance to get in if nothing held them back.
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        let seen = inside.load(Ordering::SeqCst);
        let (open, opened) = &*gate;
        *open.lock().unwrap() = true;
        opened.notify_all();
        seen
    };
    let (page_reply, api_replies, seen) =
        futures::join!(page_upload, futures::future::join_all(api), release);
    assert_eq!(seen, JOBS, "imports inside the importer at once");
    for reply in api_replies {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let upload = h.settled(upload_id(&page_reply)).await;
    assert_eq!(upload.status(), UploadStatus::Valid, "{:?}", upload.message);
    assert_eq!(most.load(Ordering::SeqCst), JOBS);
}
