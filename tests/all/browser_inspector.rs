//! The inspector's journey in a real headless Chromium: a lot → its trace drawn as a graph →
//! the lot it was made from (a box of the graph) → where that lot came from (a point of its
//! map) → back on the lot, the proof of a row. Files imported by the real binary; the sites
//! placed by the shipments' position columns.

use crate::support::browser::Browser;
use crate::support::{import, Explorer};
use fantoccini::Locator;

use citytrace_schema::testing::TestDatabase;

/// Cement and aggregate into the plant, the works and the quarry placed.
const TO_PLANT: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,from_latitude,from_longitude,to_latitude,to_longitude\n\
    DESADV-1,1,CEM-0501,Portland cement CEM I 42.5 R,2.6,TNE,CEMENT-WORKS,PLANT-1,2026-05-01T07:30:00+02:00,52.35,4.95,52.39,4.90\n\
    DESADV-2,1,AGG-0502,Crushed granite 4/20,9.6,TNE,QUARRY-NORTHGATE,PLANT-1,2026-05-02T06:10:00+02:00,52.44,4.81,,\n";

/// A concrete batch from them.
const PRODUCTION: &str = "production_id,input_line,output_lot,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at\n\
    MIX-1,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,CEM-0501,,2.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00\n\
    MIX-1,2,RMX-1,Ready-mix concrete C30/37,8,MTQ,AGG-0502,,9.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00\n";

/// The concrete delivered to a construction site.
const TO_SITE: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,to_latitude,to_longitude\n\
    DESADV-3,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,PLANT-1,SITE-NB,2026-05-06T09:00:00+02:00,52.37,4.89\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_follows_a_lot_through_its_graph_to_an_origin_and_a_proof() {
    let db = TestDatabase::new();
    for (format, content) in [
        ("shipments", TO_PLANT),
        ("production", PRODUCTION),
        ("shipments", TO_SITE),
    ] {
        import(db.url(), format, content, &[]);
    }
    let server = Explorer::serve(db.pool(4), 2);
    let explorer = &server.url;
    let browser = Browser::start().await;
    let c = &browser.client;

    // The lot, and its trace drawn: the concrete between its inputs and its delivery site.
    c.goto(&format!("{explorer}/lots/RMX-1")).await.unwrap();
    browser.wait_for(Locator::Css("#trace-graph svg")).await;
    let graph = browser.text("#trace-graph").await;
    assert!(graph.contains("Depth:"), "{graph}");
    for drawn in ["Portland cement", "CEM-0501", "AGG-0502", "SITE-NB"] {
        assert!(graph.contains(drawn), "{drawn} in {graph}");
    }
    browser.screenshot("inspector-lot-graph").await;

    // One production step each way, then the cement's box in the graph.
    browser
        .follow(
            Locator::Css("nav.graph-depth a[href='/lots/RMX-1?depth=1#trace-graph']"),
            Locator::Css("nav.graph-depth a[aria-current]"),
        )
        .await;
    browser
        .follow(
            Locator::Css("#trace-graph svg a.node[href='/lots/CEM-0501']"),
            Locator::Css("a.origin-site[href='/sites/CEMENT-WORKS']"),
        )
        .await;
    assert_eq!(browser.text("h1").await, "CEM-0501");

    // Where it came from, on its map: the works, a point north-up beside the plant.
    browser
        .follow(
            Locator::Css("#lot-map svg a.place[href='/sites/CEMENT-WORKS']"),
            Locator::Css("#site-map"),
        )
        .await;
    assert!(browser.path().await.ends_with("/sites/CEMENT-WORKS"));
    assert_eq!(browser.text("h1").await, "CEMENT-WORKS");
    browser.screenshot("inspector-origin-site").await;

    // Back on the cement, the proof of the shipment row that brought it in.
    c.back().await.unwrap();
    browser.wait_for(Locator::Css("h1.code-title")).await;
    let proof = c
        .find(Locator::Css("#shipments-h ~ .table-wrap a[href$='/proof']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        proof.starts_with("/batches/") && proof.ends_with("/rows/2/proof"),
        "{proof}"
    );

    // The proof page: the row as imported, its path to the root, the ledger, and the command
    // that checks it from the ledger alone; the JSON file one click away.
    browser
        .follow(
            Locator::Css(&format!("a[href='{proof}']")),
            Locator::Css("#verify-h"),
        )
        .await;
    assert!(browser.path().await.ends_with("/rows/2/proof"));
    assert!(browser.text("h1").await.starts_with("Line 2 of batch "));
    let page = browser.text("main").await;
    for said in [
        "The row, as imported",
        "From the row to the batch's root",
        "On the ledger",
        "citytrace verify",
    ] {
        assert!(page.contains(said), "{said} in {page}");
    }
    browser.screenshot("inspector-proof").await;
    let file = format!("{explorer}/api/v1{proof}");
    let answer = reqwest::get(&file).await.unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK, "{file}");
    assert!(
        page.contains(&format!("/api/v1{proof}")),
        "JSON link in {page}"
    );

    browser.stop().await;
    server.stop().await;
}
