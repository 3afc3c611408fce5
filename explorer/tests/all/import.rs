//! The supplier upload page against a real PostgreSQL: the size limit, the dry-run preview and
//! its error CSV, importing in the background, receipts, interrupted jobs, and that suppliers
//! see only their own uploads and batches. (Signing in and CSRF: import_sessions.rs.)

/// The explorer tests' shared helpers (only `anchor_batch` here: the upload pages have their own
/// app and requests in upload_support).
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

use crate::upload_support::{broken_shipments, call, sign_in, upload_id, Harness, SHIPMENTS};
use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::models::{
    Chain, ChainKind, Finality, ImportBatch, NewUpload, Upload, UploadStatus,
};

/// What `citytrace import --dry-run` says the file's Merkle root is.
fn dry_run_root(h: &Harness, content: &str) -> String {
    let path = h.dir.path().join("reference.csv");
    std::fs::write(&path, content).unwrap();
    let options = ImportOptions {
        submitter: "nobody".into(),
        dry_run: true,
        ..ImportOptions::default()
    };
    match import_file(
        &mut h.pool.get().unwrap(),
        Format::Shipments,
        &path,
        &options,
    )
    .unwrap()
    {
        ImportOutcome::Validated { merkle_root, .. } => merkle_root,
        other => panic!("{other:?}"),
    }
}

#[actix_web::test]
async fn an_upload_over_the_limit_is_refused_with_413_and_nothing_is_kept() {
    let h = Harness::new(1024);
    let (rcw, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let page = call(&app, session.get("/import")).await;
    assert!(page.body.contains("Up to 1 KiB"));

    // Found while streaming (the form is small enough to be read), and announced up front by
    // Content-Length.
    for size in [1025, 200 * 1024] {
        let reply = call(
            &app,
            session.upload(
                Some(&session.csrf),
                "shipments",
                "big.csv",
                &vec![b'x'; size],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes");
        assert!(reply.body.contains("<h1>File too large</h1>"));
        assert!(reply
            .body
            .contains("The file is larger than the upload limit of 1 KiB."));
    }
    // Exactly the limit is fine.
    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "ok.csv",
            &vec![b'x'; 1024],
        ),
    )
    .await;
    let id = upload_id(&reply);
    assert_eq!(h.settled(id).await.size_bytes, 1024);
    let uploads = Upload::of_party(&mut h.pool.get().unwrap(), rcw.id, 10).unwrap();
    assert_eq!(uploads.len(), 1, "only the one within the limit");
    assert_eq!(h.stored_files(), 0, "the refused files were removed");
}

#[actix_web::test]
async fn a_bad_file_shows_the_problems_and_a_csv_with_formula_cells_escaped() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let broken = broken_shipments();
    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "April <deliveries>.csv",
            broken.as_bytes(),
        ),
    )
    .await;
    let id = upload_id(&reply);
    let upload = h.settled(id).await;
    assert_eq!(upload.status(), UploadStatus::Invalid);
    assert_eq!(upload.file_name, "April _deliveries_.csv");
    assert_eq!(upload.stored_as, None, "an invalid file is not kept");
    assert_eq!(h.stored_files(), 0);

    let page = call(&app, session.get(&format!("/import/uploads/{id}"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("2 problems found: nothing was imported"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        r#"<tr><td class="num">2</td><td><code>unit</code></td><td><code class="value">=HYPERLINK(&#34;x&#34;)</code></td>"#
    ), "{}", page.body);
    assert!(
        page.body.contains(
            r#"<tr><td class="num">3</td><td><code>quantity</code></td><td><code class="value">&#60;b&#62;18&#60;/b&#62;</code></td>"#
        ),
        "file values are escaped"
    );
    assert!(!page.body.contains("<b>18"));
    assert!(page.body.contains(&format!(
        r#"href="/import/uploads/{id}/errors.csv" download"#
    )));
    assert!(
        !page.body.contains(r#"hx-trigger="every"#),
        "a finished check is not polled"
    );
    assert!(
        page.body.contains(r#"<option value="shipments" selected>"#),
        "the form to upload the fixed file keeps the format"
    );

    let csv = call(
        &app,
        session.get(&format!("/import/uploads/{id}/errors.csv")),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.header("content-disposition"),
        Some("attachment; filename=\"April__deliveries_-problems.csv\"")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert_eq!(lines[0], "line,column,value,reason");
    assert!(
        lines[1].starts_with("2,unit,\"'=HYPERLINK(\"\"x\"\")\","),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("3,quantity,<b>18</b>,"),
        "{}",
        lines[2]
    );
}

#[actix_web::test]
async fn importing_creates_the_partys_batch_which_no_other_party_can_see() {
    let h = Harness::new(1 << 20);
    let (rcw, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let (_, other_token, _) = h.supplier("HSM", "Harbour Steel Mill");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();

    let reply = call(
        &app,
        session.upload(
            Some(&session.csrf),
            "shipments",
            "deliveries.csv",
            SHIPMENTS.as_bytes(),
        ),
    )
    .await;
    let id = upload_id(&reply);
    let upload = h.settled(id).await;
    assert_eq!(upload.status(), UploadStatus::Valid);
    let root = dry_run_root(&h, SHIPMENTS);
    let page = call(&app, session.get(&format!("/import/uploads/{id}"))).await;
    assert!(page.body.contains("<h2 id=\"status-h\">Valid: 2 rows</h2>"));
    assert!(page.body.contains(&root), "the dry run's Merkle root");
    assert!(page.body.contains(&hex_sha256(SHIPMENTS)));
    assert_eq!(
        ImportBatch::counts(&mut h.pool.get().unwrap()).unwrap().0,
        0,
        "the preview writes nothing"
    );

    // Import, as htmx does: the fragment comes back, polling.
    let reply = call(
        &app,
        TestRequest::post()
            .uri(&format!("/import/uploads/{id}/import"))
            .insert_header(("cookie", format!("citytrace_session={}", session.cookie)))
            .insert_header(("HX-Request", "true"))
            .insert_header(("X-CSRF-Token", session.csrf.as_str()))
            .set_form([("unused", "")])
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.starts_with("<section id=\"upload-status\""));
    let upload = h.settled(id).await;
    assert_eq!(
        upload.status(),
        UploadStatus::Imported,
        "{:?}",
        upload.message
    );
    let batch_id = upload.batch_id.unwrap();
    let batch = ImportBatch::find(&mut h.pool.get().unwrap(), batch_id).unwrap();
    assert_eq!(
        (
            batch.submitter.as_str(),
            batch.row_count,
            batch.file_name.as_str()
        ),
        ("RCW", 2, "deliveries.csv")
    );
    assert_eq!(citytrace_schema::hex0x(&batch.merkle_root), root);
    assert_eq!(h.stored_files(), 0, "an imported file is not kept");

    // Polled once more, htmx is sent on to the receipt.
    let poll = call(
        &app,
        TestRequest::get()
            .uri(&format!("/import/uploads/{id}/status"))
            .insert_header(("cookie", format!("citytrace_session={}", session.cookie)))
            .insert_header(("HX-Request", "true"))
            .to_request(),
    )
    .await;
    assert_eq!(
        poll.header("hx-redirect"),
        Some(format!("/import/batches/{batch_id}").as_str())
    );

    let receipt_uri = format!("/import/batches/{batch_id}");
    let receipt = call(&app, session.get(&receipt_uri)).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.body.contains(&format!("<h1>Batch {batch_id}</h1>")));
    assert!(receipt.body.contains(&root));
    assert!(receipt.body.contains(&hex_sha256(SHIPMENTS)));
    assert!(receipt
        .body
        .contains("imported, waiting to be anchored on the ledger"));
    assert!(receipt.body.contains(&format!(
        r#"hx-get="/import/batches/{batch_id}/anchor" hx-trigger="every 2s""#
    )));
    assert!(receipt
        .body
        .contains(&format!(r#"<a href="/batches/{batch_id}">"#)));

    // Once final, the anchor fragment says so and stops polling.
    anchor(&h, batch_id, 9, Finality::Final);
    let fragment = call(&app, session.get(&format!("{receipt_uri}/anchor"))).await;
    assert!(fragment
        .body
        .contains(r#"<span class="badge trust-final">final</span> anchored in block <a class="anchor-block" href="/ledger/chains/31337/blocks/9">9</a>"#));
    assert!(!fragment.body.contains("hx-trigger"));

    // The dashboard lists the upload and the batch.
    let dashboard = call(&app, session.get("/import")).await;
    assert!(dashboard.body.contains(&format!(
        r#"<a href="/import/uploads/{id}">Upload {id}</a>"#
    )));
    assert!(dashboard.body.contains(&format!(
        r#"<a href="/import/batches/{batch_id}">Batch {batch_id}</a>"#
    )));

    // Another supplier finds none of it.
    let other = sign_in(&app, &other_token).await.ok().unwrap();
    for uri in [
        format!("/import/uploads/{id}"),
        format!("/import/uploads/{id}/status"),
        format!("/import/uploads/{id}/errors.csv"),
        receipt_uri.clone(),
        format!("{receipt_uri}/anchor"),
    ] {
        let reply = call(&app, other.get(&uri)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("<h1>Not found</h1>"));
    }
    for uri in ["import", "discard", "check"] {
        let reply = call(
            &app,
            other.post(&format!("/import/uploads/{id}/{uri}"), Some(&other.csrf)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let dashboard = call(&app, other.get("/import")).await;
    assert!(dashboard.body.contains("No uploads yet."));
    assert!(dashboard.body.contains("No batches yet."));
    assert_eq!(rcw.code, "RCW");
}

#[actix_web::test]
async fn the_same_file_again_is_recognised_as_already_imported() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let first = upload_id(
        &call(
            &app,
            session.upload(
                Some(&session.csrf),
                "shipments",
                "a.csv",
                SHIPMENTS.as_bytes(),
            ),
        )
        .await,
    );
    h.settled(first).await;
    let reply = call(
        &app,
        session.post(
            &format!("/import/uploads/{first}/import"),
            Some(&session.csrf),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "without htmx, back to the page"
    );
    let batch = h.settled(first).await.batch_id.unwrap();

    let second = upload_id(
        &call(
            &app,
            session.upload(
                Some(&session.csrf),
                "shipments",
                "b.csv",
                SHIPMENTS.as_bytes(),
            ),
        )
        .await,
    );
    let upload = h.settled(second).await;
    assert_eq!(upload.status(), UploadStatus::AlreadyImported);
    assert_eq!(upload.batch_id, Some(batch));
    let page = call(&app, session.get(&format!("/import/uploads/{second}"))).await;
    assert!(page
        .body
        .contains(&format!("Already imported as batch {batch}")));
}

#[actix_web::test]
async fn an_upload_left_checking_by_a_process_that_ended_is_checked_again() {
    let h = Harness::new(1 << 20);
    let (rcw, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    // As a crashed explorer leaves it: the file stored, the row `checking`, no job lock held.
    let folder = h.uploads.options().dir.join("0123456789abcdef");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("s.csv"), SHIPMENTS).unwrap();
    let upload = Upload::insert(
        &mut h.pool.get().unwrap(),
        &NewUpload {
            party_id: rcw.id,
            format: "shipments",
            file_name: "s.csv",
            stored_as: "0123456789abcdef/s.csv",
            size_bytes: SHIPMENTS.len() as i64,
            sha256: &sha256(SHIPMENTS),
            status: UploadStatus::Checking.as_str(),
        },
    )
    .unwrap();

    let page = call(&app, session.get(&format!("/import/uploads/{}", upload.id))).await;
    assert!(page.body.contains("Checking the file…"), "{}", page.body);
    let upload = h.settled(upload.id).await;
    assert_eq!(upload.status(), UploadStatus::Valid);
    assert_eq!(upload.row_count, Some(2));
    assert_eq!(upload.attempts, 1);
}

fn sha256(text: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).to_vec()
}

fn hex_sha256(text: &str) -> String {
    hex::encode(sha256(text))
}

/// What the indexer writes when it sees the batch's BatchAnchored event.
fn anchor(h: &Harness, batch_id: i64, block: i64, finality: Finality) {
    let conn = &mut h.pool.get().unwrap();
    Chain::upsert(conn, 31337, "test ledger", ChainKind::Ledger).unwrap();
    Chain::record_head(conn, 31337, block + 2, block + 2, block + 2).unwrap();
    crate::support::anchor_batch(conn, batch_id, block, 0xbb, 0, finality);
}
