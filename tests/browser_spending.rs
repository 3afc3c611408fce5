//! Following the money in a real headless Chromium: from the spending page to a budget line,
//! to the contract committed on it, its payments, and the supplier — with data imported
//! through the real importers (OCDS releases, budget, products, shipments, emissions) and the
//! ledger rows the indexer would write (`explorer/tests/spending_city/fixture.rs`).

mod support;

#[path = "../explorer/tests/spending_city/fixture.rs"]
mod fixture;

use std::net::TcpListener;

use fantoccini::Locator;
use support::browser::Browser;

use citytrace_schema::testing::TestDatabase;
use fixture::{LEDGER_TX, LINE, OCID, SUPPLIER, SUPPLIER_NAME};

async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The text of `css`, or None while htmx is swapping it (the element went stale).
async fn try_text_of(c: &fantoccini::Client, css: &str) -> Option<String> {
    c.find(Locator::Css(css)).await.ok()?.text().await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_line_to_contract_to_payments_to_supplier() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let explorer = format!("http://{}", listener.local_addr().unwrap());
    let uploads = tempfile::tempdir().unwrap();
    let server = citytrace_explorer::serve(
        listener,
        db.pool(4),
        citytrace_explorer::ServeOptions {
            workers: 1,
            uploads: citytrace_explorer::UploadOptions::new(uploads.path()),
            methods: Default::default(),
        },
    )
    .unwrap();
    let handle = server.handle();
    tokio::spawn(server);

    let browser = Browser::start().await;
    let c = &browser.client;
    c.set_window_size(1280, 2400).await.unwrap();

    // The spending page: budget vs actual with its chart, the budget line linked.
    c.goto(&format!("{explorer}/spending")).await.unwrap();
    assert_eq!(c.title().await.unwrap(), "Spending · citytrace");
    let chart = c
        .find(Locator::Css("svg.spend-chart[role='img']"))
        .await
        .unwrap();
    assert!(chart
        .attr("aria-label")
        .await
        .unwrap()
        .unwrap()
        .contains("fiscal year 2025"));
    browser.screenshot("spending-overview").await;
    c.find(Locator::LinkText(&format!("line {LINE}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The budget line: the contract committed on it.
    c.wait()
        .for_element(Locator::Css("h1.code-title"))
        .await
        .unwrap();
    assert_eq!(text_of(c, "h1").await, LINE);
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with(&format!("/spending/budget/2025/{LINE}")));
    let trail = text_of(c, ".trail").await;
    assert!(trail.contains("Bridge deck works"), "{trail}");
    assert!(
        trail.contains("650\u{2009}000.00 EUR"),
        "paid under the contract: {trail}"
    );
    browser.screenshot("spending-budget-line").await;
    c.find(Locator::LinkText(OCID))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The contract: its red flags and its payments, one of them on the ledger.
    c.wait()
        .for_element(Locator::Id("payments-h"))
        .await
        .unwrap();
    assert_eq!(text_of(c, "h1").await, OCID);
    let flags = text_of(c, "section[aria-labelledby='flags-h']").await;
    assert!(
        flags.contains("single_bid") && flags.contains("short_tender_period"),
        "{flags}"
    );
    let payments = text_of(c, "section[aria-labelledby='payments-h'] tbody").await;
    let rows: Vec<&str> = payments.lines().collect();
    assert_eq!(rows.len(), 2, "{payments}");
    assert!(
        rows[0].contains("2025-04-01") && rows[0].contains("400\u{2009}000.00 EUR"),
        "{payments}"
    );
    assert!(
        rows[1].contains("2025-05-01") && rows[1].contains("250\u{2009}000.00 EUR"),
        "{payments}"
    );
    let tx = c
        .find(Locator::Css(
            "section[aria-labelledby='payments-h'] a[href*='/tx/']",
        ))
        .await
        .unwrap();
    assert_eq!(
        tx.attr("href").await.unwrap().unwrap(),
        format!("/ledger/chains/31337/tx/{LEDGER_TX}")
    );
    browser.screenshot("spending-contract").await;

    // The supplier, whose imported name is shown as text (never run as a script).
    c.find(Locator::Css(&format!(
        "section[aria-labelledby='parties-h'] a[href='/parties/{SUPPLIER}']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_element(Locator::Id("contracts-h"))
        .await
        .unwrap();
    assert_eq!(text_of(c, "h1").await, SUPPLIER_NAME);
    assert!(c.get_alert_text().await.is_err(), "no script ran");
    let contracts = text_of(c, "section[aria-labelledby='contracts-h']").await;
    assert!(
        contracts.contains(OCID) && contracts.contains("supplier"),
        "{contracts}"
    );
    let paid = text_of(c, "section[aria-labelledby='payments-h']").await;
    assert!(
        paid.contains("400\u{2009}000.00 EUR") && paid.contains("250\u{2009}000.00 EUR"),
        "{paid}"
    );
    browser.screenshot("spending-supplier").await;

    // The emissions page, for people to look at.
    c.goto(&format!("{explorer}/emissions")).await.unwrap();
    c.wait()
        .for_element(Locator::Id("credits-h"))
        .await
        .unwrap();
    browser.screenshot("emissions").await;
    // The procurement list filters in place (htmx) and keeps the filter in the URL.
    c.goto(&format!("{explorer}/spending/procurement"))
        .await
        .unwrap();
    assert_eq!(text_of(c, ".summary").await, "1–2 of 2 processes");
    c.find(Locator::Id("f-method"))
        .await
        .unwrap()
        .select_by_value("direct")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while try_text_of(c, ".summary").await.as_deref() != Some("1–1 of 1 processes") {
        assert!(
            std::time::Instant::now() < deadline,
            "the list was not filtered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(c
        .current_url()
        .await
        .unwrap()
        .query()
        .unwrap_or("")
        .contains("method=direct"));
    browser.screenshot("spending-procurement").await;

    // A phone-sized window: the pages reflow, wide tables scroll inside their frame.
    c.set_window_size(400, 2400).await.unwrap();
    c.goto(&format!("{explorer}/spending/contracts/{OCID}"))
        .await
        .unwrap();
    browser.screenshot("spending-contract-narrow").await;
    c.goto(&format!("{explorer}/spending")).await.unwrap();
    browser.screenshot("spending-overview-narrow").await;

    browser.stop().await;
    handle.stop(true).await;
}
