//! User journeys in a real headless Chromium against the real system.

use crate::support::browser::Browser;
use crate::support::{System, SHIPMENTS};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_home_page_a_visitor_reaches_a_lot_and_sees_it_is_anchored() {
    let system = System::start().await;
    system.import("shipments", SHIPMENTS);
    let anchor = system.wait_anchored(1).await;

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&system.explorer).await.unwrap();
    assert_eq!(
        c.title().await.unwrap(),
        "A city's supply chains, carbon and spending, traceable · citytrace"
    );
    let figures = browser.text(".figures").await;
    assert!(figures.contains("Batches anchored\n1"), "{figures}");

    browser
        .follow(
            Locator::LinkText("LOT-RC-0412"),
            Locator::Css("h1.code-title"),
        )
        .await;
    assert!(browser.path().await.ends_with("/lots/LOT-RC-0412"));
    assert_eq!(browser.text("h1").await, "LOT-RC-0412");
    let shipments = browser.text("#shipments-h + .table-wrap").await;
    assert!(
        shipments.contains(&format!("anchored in block {}", anchor.block_number)),
        "{shipments}"
    );
    assert_eq!(
        browser.text("td .badge").await,
        "final",
        "the PoA ledger's blocks are final once sealed"
    );
    browser.screenshot("lot-page").await;

    // The source link leads to the batch receipt.
    browser
        .follow(Locator::LinkText("batch 1, line 2"), Locator::Css(".facts"))
        .await;
    let facts = browser.text(".facts").await;
    assert!(
        facts.contains("Merkle root") && facts.contains(&citytrace_schema::hex0x(&anchor.tx_hash)),
        "{facts}"
    );

    browser.stop().await;
    system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_script_is_shown_as_text_and_never_runs() {
    let system = System::start().await;
    system.import(
        "shipments",
        "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
         DESADV-9,1,LOT-XSS-1,<script>alert(1)</script>,1,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00\n",
    );

    let browser = Browser::start().await;
    let c = &browser.client;
    for path in ["/lots/LOT-XSS-1", "/search?q=LOT-XSS", "/materials/lots"] {
        c.goto(&format!("{}{path}", system.explorer)).await.unwrap();
        let body = browser.text("main").await;
        assert!(body.contains("<script>alert(1)</script>"), "{path}: {body}");
        // A script that ran would have opened an alert; WebDriver reports "no such alert".
        assert!(
            c.get_alert_text().await.is_err(),
            "{path}: an alert is open"
        );
    }
    browser.stop().await;
    system.stop().await;
}
