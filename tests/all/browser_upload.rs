//! A supplier's journey on the upload page in a real headless Chromium against the real system
//! (PostgreSQL, anvil, indexer and anchorer, explorer): sign in with a token, upload a file with
//! a mistake, read the problems, upload the fixed file, import it, and watch the receipt until
//! the batch's root is anchored on the ledger.

use std::time::{Duration, Instant};

use crate::support::browser::Browser;
use crate::support::{citytrace, text, System, SHIPMENTS};
use fantoccini::Locator;

async fn choose_file_and_upload(browser: &Browser, path: &std::path::Path) {
    browser.type_into("#file", path.to_str().unwrap()).await;
    browser
        .click(Locator::Css(".upload-form button[type=submit]"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_signs_in_fixes_a_file_imports_it_and_sees_it_anchored() {
    let system = System::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| citytrace(Some(system.db.url()), args, dir.path());
    let added = cli(&["party", "add", "RCW", "--name", "Riverside Cement Works"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let created = cli(&["token", "create", "--party", "RCW"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let token = text(&created.stdout).trim().to_string();
    let broken = dir.path().join("deliveries-april.csv");
    std::fs::write(&broken, SHIPMENTS.replace(",18,TNE,", ",18,tons,")).unwrap();
    let fixed = dir.path().join("deliveries-april-fixed.csv");
    std::fs::write(&fixed, SHIPMENTS).unwrap();

    let browser = Browser::start().await;
    let c = &browser.client;

    // Sign in.
    c.goto(&format!("{}/import", system.explorer))
        .await
        .unwrap();
    assert_eq!(browser.text("h1").await, "Sign in to upload files");
    browser.screenshot("upload-sign-in").await;
    browser.type_into("#token", &token).await;
    browser
        .follow(
            Locator::Css("form[action='/import/sign-in'] button"),
            Locator::XPath("//h1[text()='Upload a file']"),
        )
        .await;
    assert!(browser
        .text(".page-head")
        .await
        .contains("Signed in as Riverside Cement Works (RCW)."));
    browser.screenshot("upload-form").await;

    // A file with a mistake: the check's problems, as a table.
    choose_file_and_upload(&browser, &broken).await;
    browser.wait_for(Locator::Css("table.problems")).await;
    assert_eq!(
        browser.text("#status-h").await,
        "1 problem found: nothing was imported"
    );
    let problems = browser.text("table.problems tbody").await;
    assert!(
        problems.starts_with("3 unit tons not a UN/CEFACT Rec 20 unit code"),
        "{problems}"
    );
    assert_eq!(
        c.find(Locator::LinkText("Download the problems as CSV"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .as_deref(),
        Some("/import/uploads/1/errors.csv")
    );
    browser.screenshot("upload-problems").await;

    // The fixed file, from the form under the problems: valid, with its Merkle root.
    choose_file_and_upload(&browser, &fixed).await;
    browser
        .wait_for(Locator::XPath("//h2[text()='Valid: 2 rows']"))
        .await;
    let root = browser.text("#upload-status code.hash").await;
    assert!(root.starts_with("0x") && root.len() == 66, "{root}");
    browser.screenshot("upload-valid").await;

    // Import: htmx shows the progress and then goes on to the receipt.
    browser
        .follow(
            Locator::XPath("//button[text()='Import 2 rows']"),
            Locator::Css("#anchor-status"),
        )
        .await;
    // (Batch ids are a sequence that dry runs also draw from, so the id is read off the page.)
    let url = c.current_url().await.unwrap();
    let batch: i64 = url
        .path()
        .strip_prefix("/import/batches/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a receipt: {url}"));
    assert_eq!(browser.text("h1").await, format!("Batch {batch}"));
    let facts = browser.text(".facts").await;
    assert!(facts.contains(&root), "{facts}");
    assert!(facts.contains("Rows\n2"), "{facts}");
    assert!(
        facts.contains(&sha256_hex(SHIPMENTS)),
        "the file's sha256: {facts}"
    );
    browser.screenshot("upload-receipt").await;

    // The indexer anchors the batch; the receipt follows by itself until final.
    let anchor = system.wait_anchored(batch).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let badge = browser.text("#anchor-status .badge").await;
        if badge == "final" {
            break;
        }
        assert!(Instant::now() < deadline, "the receipt still says {badge}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = browser.text("#anchor-status").await;
    assert!(
        status.contains(&format!("anchored in block {}", anchor.block_number)),
        "{status}"
    );
    assert!(
        status.contains(&citytrace_schema::hex0x(&anchor.tx_hash)),
        "{status}"
    );
    browser.screenshot("upload-receipt-anchored").await;

    // The public batch page is one link away.
    browser
        .follow(
            Locator::LinkText(&format!("Public page of batch {batch}")),
            Locator::Css(".facts"),
        )
        .await;
    assert_eq!(browser.path().await, format!("/batches/{batch}"));

    // Back on the upload page, both uploads and the batch are listed.
    c.goto(&format!("{}/import", system.explorer))
        .await
        .unwrap();
    let uploads = browser.text("#uploads-h + .table-wrap tbody").await;
    assert!(
        uploads.contains("Upload 2 deliveries-april-fixed.csv Shipments (CSV) 376 bytes imported")
            && uploads
                .contains("Upload 1 deliveries-april.csv Shipments (CSV) 377 bytes has problems"),
        "{uploads}"
    );
    let batches = browser.text("#batches-h ~ .table-wrap tbody").await;
    assert!(
        batches.starts_with(&format!(
            "Batch {batch} deliveries-april-fixed.csv shipments 2"
        )),
        "{batches}"
    );
    assert!(batches.ends_with("final"), "{batches}");
    browser.screenshot("upload-dashboard").await;

    browser.stop().await;
    system.stop().await;
}

/// The journey of a supplier who has never uploaded: from the home page to the upload page by
/// the header's link, the format's template downloaded from the formats page, filled in,
/// signed in with the token the city gave, uploaded, imported, and the receipt read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_finds_the_upload_page_fills_the_template_and_gets_a_receipt() {
    let system = System::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| citytrace(Some(system.db.url()), args, dir.path());
    assert!(
        cli(&["party", "add", "RCW", "--name", "Riverside Cement Works"])
            .status
            .success()
    );
    let created = cli(&["token", "create", "--party", "RCW"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let token = text(&created.stdout).trim().to_string();

    let browser = Browser::start().await;
    let c = &browser.client;

    // Home → the header's link → the sign-in page, which says what can be uploaded.
    c.goto(&system.explorer).await.unwrap();
    browser
        .follow(
            Locator::LinkText("Upload data"),
            Locator::XPath("//h1[text()='Sign in to upload files']"),
        )
        .await;
    assert_eq!(browser.path().await, "/import");
    browser
        .follow(
            Locator::LinkText("what you can upload"),
            Locator::XPath("//h1[text()='File formats']"),
        )
        .await;
    let shipments = browser.text("tbody tr:first-child").await;
    assert!(
        shipments.starts_with(
            "Shipments (CSV) how to write it shipments-template.csv shipments-example.csv"
        ),
        "{shipments}"
    );
    browser.screenshot("supplier-formats").await;

    // The template, as the browser downloads it: the header line of docs/formats.
    let link = c
        .find(Locator::LinkText("shipments-template.csv"))
        .await
        .unwrap();
    assert_eq!(link.attr("download").await.unwrap().as_deref(), Some(""));
    let href = link.prop("href").await.unwrap().unwrap();
    let template = reqwest::get(&href).await.unwrap().text().await.unwrap();
    assert_eq!(
        template,
        include_str!("../../docs/formats/shipments-template.csv")
    );
    // Filled in: two deliveries, the optional columns left empty.
    let header = template.lines().next().unwrap();
    let optional = header.split(',').count() - 11;
    let rows: String = SHIPMENTS
        .lines()
        .skip(1)
        .map(|row| format!("{row}{}\n", ",".repeat(optional)))
        .collect();
    let filled = dir.path().join("deliveries-may.csv");
    std::fs::write(&filled, format!("{header}\n{rows}")).unwrap();

    // Sign in with the token, upload, check, import.
    c.goto(&format!("{}/import", system.explorer))
        .await
        .unwrap();
    browser.type_into("#token", &token).await;
    browser
        .follow(
            Locator::Css("form[action='/import/sign-in'] button"),
            Locator::XPath("//h1[text()='Upload a file']"),
        )
        .await;
    choose_file_and_upload(&browser, &filled).await;
    browser
        .wait_for(Locator::XPath("//h2[text()='Valid: 2 rows']"))
        .await;
    browser
        .follow(
            Locator::XPath("//button[text()='Import 2 rows']"),
            Locator::Css("#anchor-status"),
        )
        .await;

    // The receipt: the batch, its rows and file, and the way to the public page.
    let url = c.current_url().await.unwrap();
    let batch: i64 = url
        .path()
        .strip_prefix("/import/batches/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a receipt: {url}"));
    assert_eq!(browser.text("h1").await, format!("Batch {batch}"));
    let facts = browser.text(".facts").await;
    assert!(facts.contains("Rows\n2"), "{facts}");
    assert!(facts.contains("deliveries-may.csv"), "{facts}");
    assert!(
        c.find(Locator::LinkText(&format!("Public page of batch {batch}")))
            .await
            .is_ok(),
        "the receipt links the public batch page"
    );
    browser.screenshot("supplier-receipt").await;

    browser.stop().await;
    system.stop().await;
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
