//! Following the money in a real headless Chromium: from the spending page to a budget line,
//! to the contract committed on it, its payments, and the supplier — with data imported
//! through the real importers (OCDS releases, budget, products, shipments, emissions) and the
//! ledger rows the indexer would write (`explorer/tests/all/spending_city/fixture.rs`).

// Included by path from the explorer's tests; this journey uses only part of it.
#[allow(dead_code)]
#[path = "../../explorer/tests/all/spending_city/fixture.rs"]
mod fixture;

use crate::support::browser::Browser;
use crate::support::Explorer;
use fantoccini::Locator;

use citytrace_schema::testing::TestDatabase;
use fixture::{LEDGER_TX, LINE, OCID, SUPPLIER, SUPPLIER_NAME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_line_to_contract_to_payments_to_supplier() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let server = Explorer::serve(db.pool(4), 1);
    let explorer = &server.url;

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

    // The budget line: the contract committed on it.
    browser
        .follow(
            Locator::LinkText(&format!("line {LINE}")),
            Locator::Css("h1.code-title"),
        )
        .await;
    assert_eq!(browser.text("h1").await, LINE);
    assert!(browser
        .path()
        .await
        .ends_with(&format!("/spending/budget/2025/{LINE}")));
    let trail = browser.text(".trail").await;
    assert!(trail.contains("Bridge deck works"), "{trail}");
    assert!(
        trail.contains("650\u{2009}000.00 EUR"),
        "paid under the contract: {trail}"
    );
    browser.screenshot("spending-budget-line").await;

    // The contract: its red flags and its payments, one of them on the ledger.
    browser
        .follow(Locator::LinkText(OCID), Locator::Id("payments-h"))
        .await;
    assert_eq!(browser.text("h1").await, OCID);
    let flags = browser.text("section[aria-labelledby='flags-h']").await;
    assert!(
        flags.contains("single_bid") && flags.contains("short_tender_period"),
        "{flags}"
    );
    let payments = browser
        .text("section[aria-labelledby='payments-h'] tbody")
        .await;
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
    browser
        .follow(
            Locator::Css(&format!(
                "section[aria-labelledby='parties-h'] a[href='/parties/{SUPPLIER}']"
            )),
            Locator::Id("contracts-h"),
        )
        .await;
    assert_eq!(browser.text("h1").await, SUPPLIER_NAME);
    assert!(c.get_alert_text().await.is_err(), "no script ran");
    let contracts = browser.text("section[aria-labelledby='contracts-h']").await;
    assert!(
        contracts.contains(OCID) && contracts.contains("supplier"),
        "{contracts}"
    );
    let paid = browser.text("section[aria-labelledby='payments-h']").await;
    assert!(
        paid.contains("400\u{2009}000.00 EUR") && paid.contains("250\u{2009}000.00 EUR"),
        "{paid}"
    );
    browser.screenshot("spending-supplier").await;

    // The emissions page, for people to look at.
    c.goto(&format!("{explorer}/emissions")).await.unwrap();
    browser.wait_for(Locator::Id("credits-h")).await;
    browser.screenshot("emissions").await;
    // The procurement list filters in place (htmx) and keeps the filter in the URL.
    c.goto(&format!("{explorer}/spending/procurement"))
        .await
        .unwrap();
    assert_eq!(browser.text(".summary").await, "1–2 of 2 processes");
    c.find(Locator::Id("f-method"))
        .await
        .unwrap()
        .select_by_value("direct")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while browser.try_text(".summary").await.as_deref() != Some("1–1 of 1 processes") {
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
    server.stop().await;
}
