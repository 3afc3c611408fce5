//! The materials journey in a real headless Chromium: search → lot → trace back → origin site,
//! with shipments, product master data and production imported by the real binary; and the
//! trace tree's "show more" loading the next level in place (htmx).

use std::time::Duration;

use crate::support::browser::Browser;
use crate::support::{import, Explorer};
use fantoccini::Locator;

use citytrace_schema::testing::TestDatabase;

const PRODUCTS: &str = "gtin,product,material_class,unit,epd_ref,gwp_kg_co2e_per_unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes\n\
    04012345111118,Portland cement CEM I 42.5 R,cement,TNE,EPD-IES-0009876,912,,,,,\n";

/// Cement and aggregate into the plant.
const TO_PLANT: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at,certificates\n\
    DESADV-1,1,CEM-0501,04012345111118,Portland cement CEM I 42.5 R,2.6,TNE,CEMENT-WORKS,PLANT-1,2026-05-01T07:30:00+02:00,2026-05-01T09:00:00+02:00,DoP-CEM-2026-11\n\
    DESADV-2,1,AGG-0502,,Crushed granite 4/20,9.6,TNE,QUARRY-NORTHGATE,PLANT-1,2026-05-02T06:10:00+02:00,,\n";

/// A concrete batch from them; a lintel from the concrete.
const PRODUCTION: &str = "production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit\n\
    MIX-1,1,RMX-1,,Ready-mix concrete C30/37,8,MTQ,CEM-0501,,2.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00,EPD-RMX-C3037,265.4,MTQ\n\
    MIX-1,2,RMX-1,,Ready-mix concrete C30/37,8,MTQ,AGG-0502,,9.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00,EPD-RMX-C3037,265.4,MTQ\n\
    PRE-1,1,LIN-1,,Precast lintel,2,H87,RMX-1,,1,MTQ,PLANT-1,2026-05-07T08:00:00+02:00,,,\n";

/// The concrete delivered to a construction site.
const TO_SITE: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at,contract_ocid\n\
    DESADV-3,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,PLANT-1,SITE-NB,2026-05-06T09:00:00+02:00,2026-05-06T09:40:00+02:00,ocds-b5fd17-2026-0017\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_searches_a_lot_traces_it_back_and_reaches_the_origin_site() {
    let db = TestDatabase::new();
    for (format, content) in [
        ("products", PRODUCTS),
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

    // Search from the home page.
    c.goto(explorer).await.unwrap();
    let search = c.find(Locator::Id("site-search")).await.unwrap();
    search.send_keys("RMX-1").await.unwrap();
    browser
        .follow(
            Locator::Css("form.search button[type=submit]"),
            Locator::Css("ul.results"),
        )
        .await;

    // The lot: its carbon, and what it was made from.
    browser
        .follow(
            Locator::Css("ul.results a[href='/lots/RMX-1']"),
            Locator::Css("h1.code-title"),
        )
        .await;
    assert_eq!(browser.text("h1").await, "RMX-1");
    let carbon = browser.text(".carbon-figure").await;
    assert_eq!(
        carbon, "2.12 t CO2e for 8 m³ at 265.4 kg CO2e per m³.",
        "8 m³ × 265.4 kg/m³"
    );
    let back = browser.text("#trace-back").await;
    assert!(
        back.contains("CEM-0501") && back.contains("AGG-0502"),
        "{back}"
    );
    browser.screenshot("materials-lot").await;

    // Trace back to the cement, then to where it came from.
    browser
        .click(Locator::Css(
            "#trace-back a.trace-lot[href='/lots/CEM-0501']",
        ))
        .await;
    // Only the cement's page has this origin (the concrete's is the plant).
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("a.origin-site[href='/sites/CEMENT-WORKS']"))
        .await
        .unwrap();
    assert_eq!(browser.text("h1").await, "CEM-0501");
    let certificates = browser.text("#certificates-h + .table-wrap").await;
    assert!(certificates.contains("DoP-CEM-2026-11"), "{certificates}");
    browser
        .follow(Locator::Css("a.origin-site"), Locator::Css("#delivered-h"))
        .await;
    assert!(browser.path().await.ends_with("/sites/CEMENT-WORKS"));
    assert_eq!(browser.text("h1").await, "CEMENT-WORKS");
    browser.screenshot("materials-origin-site").await;

    // One level at a time: "show more" brings the next level in place, with JavaScript.
    c.goto(&format!("{explorer}/lots/LIN-1?depth=1"))
        .await
        .unwrap();
    let back = browser.text("#trace-back").await;
    assert!(!back.contains("CEM-0501"), "{back}");
    browser
        .follow(
            Locator::Css("#trace-back a.trace-more"),
            Locator::Css("#trace-back a.trace-lot[href='/lots/CEM-0501']"),
        )
        .await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/lots/LIN-1?depth=1"),
        "the page stayed where it was"
    );
    browser.screenshot("materials-trace-expanded").await;

    browser.stop().await;
    server.stop().await;
}
