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
use fixture::{BUYER, LEDGER_TX, LINE, OCID, SUPPLIER, SUPPLIER_NAME};

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

/// The journalist's journey (issue 12): home → spending → executed as reported vs paid as
/// evidenced, the gap → the department's contracts → a contract → its ledger payment. The
/// spending city, fiscal year 2025: Public Works reports 800 000 EUR executed; published
/// payments evidence 650 000 (400 000 OCDS + 250 000 on the ledger): a gap of 150 000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journalist_reads_executed_beside_paid_then_follows_a_contract_to_its_ledger_payment() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let server = Explorer::serve(db.pool(4), 1);
    let explorer = &server.url;
    let browser = Browser::start().await;
    let c = &browser.client;
    c.set_window_size(1366, 2400).await.unwrap();

    // Home: the spending figure never says "spent"; it leads to executed vs paid.
    c.goto(explorer).await.unwrap();
    let figure = browser.text("#figure-spending").await;
    assert!(figure.contains("executed and paid"), "{figure}");
    assert!(!figure.contains("Spent"), "{figure}");
    browser
        .follow(
            Locator::Css("#figure-spending a"),
            Locator::Id("executed-vs-paid-h"),
        )
        .await;
    assert_eq!(browser.path().await, "/spending");

    // The executed vs paid table: the department's figures side by side, the gap its own.
    let table = browser.text("#executed-vs-paid table").await;
    assert!(table.contains("Executed as reported"), "{table}");
    assert!(table.contains("Paid as evidenced"), "{table}");
    let works = browser.text("#executed-vs-paid tbody tr").await;
    for figure in [
        "800\u{2009}000.00",
        "950\u{2009}000.00",
        "650\u{2009}000.00",
        "150\u{2009}000.00",
    ] {
        assert!(works.contains(figure), "{figure}: {works}");
    }
    assert!(works.starts_with("Public Works"), "{works}");
    let gap = browser.text("#executed-vs-paid tbody tr td.gap").await;
    assert_eq!(gap, "150\u{2009}000.00");
    browser.screenshot("journalist-executed-vs-paid").await;

    // Committed links to the department's contracts; the contract says who won and paid X of Y.
    browser
        .follow(
            Locator::Css(&format!(
                "#executed-vs-paid a[href='/spending/procurement?buyer={BUYER}&year=2025']"
            )),
            Locator::Id("procurement-list"),
        )
        .await;
    let list = browser.text("#procurement-list tbody").await;
    assert!(list.contains(SUPPLIER_NAME), "the winner by name: {list}");
    browser
        .follow(Locator::LinkText(OCID), Locator::Id("payments-h"))
        .await;
    let facts = browser.text("dl.facts").await;
    assert!(facts.contains("Won by"), "{facts}");
    assert!(facts.contains(SUPPLIER_NAME), "the winner by name: {facts}");
    assert!(
        facts.contains("paid 650\u{2009}000.00 EUR of 950\u{2009}000.00 EUR"),
        "{facts}"
    );
    let flags = browser.text("section[aria-labelledby='flags-h']").await;
    assert!(
        flags.contains("Only one bid in a competitive procedure"),
        "{flags}"
    );
    browser.screenshot("journalist-contract").await;

    // Its ledger payment: the transaction page on the city ledger.
    browser
        .follow(
            Locator::Css(&format!(
                "section[aria-labelledby='payments-h'] a[href='/ledger/chains/31337/tx/{LEDGER_TX}']"
            )),
            Locator::Css("h1"),
        )
        .await;
    assert_eq!(
        browser.path().await,
        format!("/ledger/chains/31337/tx/{LEDGER_TX}")
    );
    let page = browser.text("main").await;
    assert!(page.contains("PaymentMade"), "{page}");
    assert!(c.get_alert_text().await.is_err(), "no script ran");
    browser.screenshot("journalist-ledger-payment").await;

    browser.stop().await;
    server.stop().await;
}
