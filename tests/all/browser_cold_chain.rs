//! A visitor's cold-chain journey in a real headless Chromium: from `/cold-chain` to a shipment
//! in breach, its temperature chart with the excursion shaded, the excursion's row and the
//! verdict — against the real explorer on a private PostgreSQL, with the files imported by the
//! real `citytrace import`.

use crate::support::browser::Browser;
use crate::support::{import, Explorer};
use fantoccini::Locator;

use citytrace_schema::testing::TestDatabase;

/// Insulin: 2–8 °C, 60 minutes out of range in all, 30 at once, a reading every 5 minutes.
const PRODUCTS: &str = "gtin,product,unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
05412345003014,Insulin glargine 100 U/ml,H87,2,8,60,30,5
";
const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at
SHP-A,1,INS-A,05412345003014,Insulin glargine 100 U/ml,400,H87,DEPOT,HOSPITAL-NORTH,2026-04-12T07:30:00+02:00
SHP-B,1,INS-B,05412345003014,Insulin glargine 100 U/ml,200,H87,DEPOT,HOSPITAL-SOUTH,2026-04-12T07:30:00+02:00
";
/// SHP-A is above 8 °C from 08:05 to 08:50: 45 minutes at once, more than the 30 allowed.
/// SHP-B stays in range.
const READINGS: &str = "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct
TL-2,SHP-A,,2026-04-12T08:00:00+02:00,5,
TL-2,SHP-A,,2026-04-12T08:05:00+02:00,9,
TL-2,SHP-A,,2026-04-12T08:20:00+02:00,9.75,
TL-2,SHP-A,,2026-04-12T08:35:00+02:00,9,
TL-2,SHP-A,,2026-04-12T08:50:00+02:00,7,
TL-2,SHP-A,,2026-04-12T08:55:00+02:00,6,
TL-3,SHP-B,,2026-04-12T08:00:00+02:00,5,
TL-3,SHP-B,,2026-04-12T08:05:00+02:00,5.5,
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_follows_a_shipment_in_breach_to_its_chart_and_excursion() {
    let db = TestDatabase::new();
    for (format, content, party) in [
        ("products", PRODUCTS, "CITY"),
        ("shipments", SHIPMENTS, "DEPOT"),
        ("sensor-readings", READINGS, "COLDCO"),
    ] {
        import(db.url(), format, content, &["--party", party]);
    }
    let server = Explorer::serve(db.pool(4), 2);
    let explorer = &server.url;

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{explorer}/cold-chain")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Cold chain");
    let breaches = browser.text("table.breaches").await;
    assert!(breaches.contains("SHP-A"), "{breaches}");
    assert!(!breaches.contains("SHP-B"), "{breaches}");

    browser
        .follow(
            Locator::Css("table.breaches a[href='/cold-chain/shipments/SHP-A']"),
            Locator::Css("h1.code-title"),
        )
        .await;
    assert!(browser
        .path()
        .await
        .ends_with("/cold-chain/shipments/SHP-A"));
    assert_eq!(browser.text("h1").await, "SHP-A");
    assert_eq!(browser.text("#shipment-verdict").await, "breach");

    // The chart: an SVG image with the allowed band and the excursion shaded.
    let chart = c.find(Locator::Css("svg.temperature-chart")).await.unwrap();
    assert_eq!(chart.attr("role").await.unwrap().as_deref(), Some("img"));
    chart.find(Locator::Css("rect.band")).await.unwrap();
    let shaded = chart
        .find_all(Locator::Css("rect.excursion-above"))
        .await
        .unwrap();
    assert_eq!(shaded.len(), 1);
    let width: f64 = shaded[0]
        .attr("width")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    // 45 of the log's 55 minutes, over a plot 704 units wide: about 576 units.
    assert!((width - 704.0 * 45.0 / 55.0).abs() < 1.0, "{width}");

    // The excursion's row: start and end in the logger's local time, duration, peak.
    let row = browser.text("table.excursions tr.excursion-row").await;
    for part in [
        "2026-04-12 08:05",
        "2026-04-12 08:50",
        "45 min",
        "9.75 °C",
        "above the range",
    ] {
        assert!(row.contains(part), "{part} in {row}");
    }
    browser.screenshot("cold-chain-shipment-in-breach").await;

    // Without JavaScript the server's page says the same.
    let html = reqwest::get(format!("{explorer}/cold-chain/shipments/SHP-A"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"shipment-verdict\">breach</strong>"));

    browser.stop().await;
    server.stop().await;
}
