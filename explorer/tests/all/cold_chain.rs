//! The cold-chain pages and their JSON twins against a real PostgreSQL, with products,
//! shipments and logger readings imported through the real importers. Expected figures are
//! worked out by hand in the comments.

use crate::support::{between, import_as, json};

use actix_web::http::StatusCode;
use serde_json::Value;

use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

/// Insulin: 2–8 °C, 60 minutes out in all, 30 at once, a reading every 5 minutes.
const PRODUCTS: &str = "gtin,product,unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
05412345003014,Insulin glargine 100 U/ml,H87,2,8,60,30,5
";

const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at
SHP-A,1,INS-A,05412345003014,Insulin glargine 100 U/ml,400,H87,DEPOT,HOSPITAL-NORTH,2026-04-12T07:30:00+02:00
SHP-B,1,INS-B,05412345003014,Insulin glargine 100 U/ml,200,H87,DEPOT,HOSPITAL-SOUTH,2026-04-12T07:30:00+02:00
SHP-C,1,INS-C,05412345003014,Insulin glargine 100 U/ml,100,H87,DEPOT,CLINIC-EAST,2026-04-12T07:30:00+02:00
SHP-G,1,INS-G,05412345003014,Insulin glargine 100 U/ml,100,H87,DEPOT,CLINIC-WEST,2026-04-12T07:30:00+02:00
SHP-X,1,INS-X,05412345003014,Insulin glargine 100 U/ml,100,H87,DEPOT,CLINIC-WEST,2026-04-12T07:30:00+02:00
";

const READINGS_HEADER: &str =
    "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct\n";

/// One logger's readings every 5 minutes from 08:00 at +02:00 (06:00 UTC).
fn every_five_minutes(device: &str, shipment: &str, temperatures: &[&str]) -> String {
    temperatures
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let minute = 8 * 60 + 5 * i;
            format!(
                "{device},{shipment},,2026-04-12T{:02}:{:02}:00+02:00,{t},\n",
                minute / 60,
                minute % 60
            )
        })
        .collect()
}

/// The city; returns the readings' batch id.
fn seed(pool: &PgPool) -> i64 {
    import_as(pool, Format::Products, "COLDCO", "file.csv", PRODUCTS);
    import_as(pool, Format::Shipments, "COLDCO", "file.csv", SHIPMENTS);
    let readings = [
        // Lines 2–12. SHP-A: above 8 from 08:05 (line 3) to 08:50 (line 12): 45 minutes at
        // once > 30 allowed: breach. Peak 9.75 at 08:20. Mean (5 + 8 × 9 + 9.75 + 7) / 11 =
        // 93.75 / 11 = 8.5227… → 8.52.
        every_five_minutes(
            "TL-<script>alert(1)</script>",
            "SHP-A",
            &["5", "9", "9", "9", "9.75", "9", "9", "9", "9", "9", "7"],
        ),
        // Lines 13–16. SHP-B: above from 08:05 to 08:15, 10 minutes: within budget.
        every_five_minutes("TL-3", "SHP-B", &["5", "9", "9.5", "5"]),
        // Lines 17–19. SHP-C: always in range: compliant.
        every_five_minutes("TL-4", "SHP-C", &["5", "4.5", "6"]),
        // Lines 20–23. SHP-G: in range, but nothing from 08:05 to 08:25: a 20-minute gap
        // (> 5 × 1.5 = 7.5 minutes).
        "TL-5,SHP-G,,2026-04-12T08:00:00+02:00,5,\nTL-5,SHP-G,,2026-04-12T08:05:00+02:00,5,\n\
         TL-5,SHP-G,,2026-04-12T08:25:00+02:00,5,\nTL-5,SHP-G,,2026-04-12T08:30:00+02:00,5,\n"
            .to_owned(),
    ]
    .concat();
    import_as(
        pool,
        Format::SensorReadings,
        "COLDCO",
        "file.csv",
        &format!("{READINGS_HEADER}{readings}"),
    )
}

#[actix_web::test]
async fn the_cold_chain_page_shows_the_compliance_rate_and_the_shipments_in_breach() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let readings = seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/cold-chain");
    assert_eq!(status, StatusCode::OK);
    // Assessed: A, B, C, G (X has no readings); breach A; within budget B; compliant C;
    // unverifiable G (a 20-minute gap). Rate = (4 − 1 − 1) / 4 = 50.0 %.
    let figures = between(&body, "id=\"compliance-h\"", "</section>");
    assert!(figures.contains("50.0 %"), "{figures}");
    assert!(
        figures.contains("<dt>Unverifiable (gaps in the log)</dt><dd>1</dd>"),
        "{figures}"
    );
    assert!(
        figures.contains("<dt>Shipments assessed</dt><dd>4</dd>"),
        "{figures}"
    );
    assert!(
        figures.contains("<dt>In breach</dt><dd>1</dd>"),
        "{figures}"
    );
    let breaches = between(&body, "id=\"breaches-h\"", "id=\"shipments-h\"");
    assert!(
        breaches.contains("href=\"/cold-chain/shipments/SHP-A\""),
        "{breaches}"
    );
    assert!(!breaches.contains("SHP-B"), "within budget is not a breach");
    assert!(breaches.contains("45 min"));
    assert!(breaches.contains(&format!("/batches/{readings}#line-3")));
    assert!(breaches.contains(&format!("/batches/{readings}/rows/3/proof")));
    assert!(breaches.contains("badge trust-imported"));
    // The list of shipments with readings: every shipment but X.
    let list = between(&body, "id=\"shipments-h\"", "</section>");
    for code in ["SHP-A", "SHP-B", "SHP-C", "SHP-G"] {
        assert!(
            list.contains(&format!("/cold-chain/shipments/{code}\"")),
            "{code}"
        );
    }
    assert!(!list.contains("SHP-X"));
    // The logger's name is imported text: escaped, never markup.
    assert!(!body.contains("<script>alert(1)</script>"));
    assert!(body.contains("TL-&#60;script&#62;alert(1)&#60;/script&#62;"));

    let (status, body) = get!(app, "/api/v1/cold-chain");
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(
        v["compliance"],
        serde_json::json!({"shipments_assessed": 4, "compliant": 1, "within_budget": 1, "unverifiable": 1, "breach": 1, "compliance_rate_pct": "50.0"})
    );
    assert_eq!(v["breaches"].as_array().unwrap().len(), 1);
    let a = &v["breaches"][0];
    assert_eq!(a["shipment_code"], "SHP-A");
    assert_eq!(
        a["reasons"],
        serde_json::json!(["a single excursion over budget"])
    );
    assert_eq!(a["longest_excursion_minutes"], 45.0);
    assert_eq!(a["source"]["line"], 3);
    assert_eq!(a["source"]["batch_id"], readings);
    assert_eq!(a["trust"]["label"], "imported");
    assert!(v["next"].is_null());
}

#[actix_web::test]
async fn a_shipment_in_breach_shows_its_chart_excursion_figures_and_lines() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let readings = seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/cold-chain/shipments/SHP-A");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("id=\"shipment-verdict\">breach</strong>"),
        "{body}"
    );
    assert_eq!(body.matches("<h1").count(), 1);
    // The chart: an inline SVG image with a title, the band and the excursion shaded.
    assert!(body.contains("role=\"img\""));
    assert!(body.contains("<title id=\"chart-1-title\">Temperature of logger TL-&#60;script&#62;"));
    assert!(body.contains("class=\"band\""));
    assert_eq!(
        body.matches("class=\"excursion excursion-above\"").count(),
        1
    );
    // The excursion, in the local time the logger wrote (+02:00).
    let table = between(&body, "<table class=\"excursions\">", "</table>");
    assert!(table.contains("<td>2026-04-12 08:05</td>"), "{table}");
    assert!(table.contains("<td>2026-04-12 08:50"), "{table}");
    assert!(table.contains("45 min"));
    assert!(table.contains("9.75 °C"));
    assert!(table.contains("above the range"));
    assert!(table.contains(&format!("/batches/{readings}#line-3")));
    // Statistics and budget.
    assert!(body.contains("8.52 °C"), "mean");
    assert!(body.contains("5 / 9.75 °C"), "min / max");
    assert!(body.contains("60 min out of range in all, 30 min at once"));
    assert!(body.contains("a single excursion over budget"));
    // What travelled, with its source and trust.
    assert!(body.contains("href=\"/lots/INS-A\""));
    assert!(body.contains("badge trust-imported"));
    assert!(!body.contains("<script>alert(1)</script>"));

    let (status, body) = get!(app, "/api/v1/cold-chain/shipments/SHP-A");
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["verdict"]["key"], "breach");
    let device = &v["products"][0]["devices"][0];
    assert_eq!(device["device_id"], "TL-<script>alert(1)</script>");
    assert_eq!(device["reading_count"], 11);
    assert_eq!(device["mean_temp_c"], "8.52");
    assert_eq!(device["min_temp_c"], "5");
    assert_eq!(device["max_temp_c"], "9.75");
    assert_eq!(device["time_out_of_range_minutes"], 45.0);
    let e = &device["excursions"][0];
    assert_eq!(e["start_at"], "2026-04-12T08:05:00+02:00");
    assert_eq!(e["end_at"], "2026-04-12T08:50:00+02:00");
    assert_eq!(e["duration_minutes"], 45.0);
    assert_eq!(e["peak_temp_c"], "9.75");
    assert_eq!(e["direction"], "above");
    assert_eq!(e["first_reading"]["line"], 3);
    assert_eq!(e["end_reading"]["line"], 12);
    assert_eq!(v["lines"][0]["lot_code"], "INS-A");
    assert_eq!(v["lines"][0]["trust"]["label"], "imported");
}

#[actix_web::test]
async fn verdicts_gaps_unknown_shipments_and_the_breach_list() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (_, body) = get!(app, "/cold-chain/shipments/SHP-B");
    assert!(body.contains("id=\"shipment-verdict\">within budget</strong>"));
    let (_, body) = get!(app, "/cold-chain/shipments/SHP-C");
    assert!(body.contains("id=\"shipment-verdict\">compliant</strong>"));
    assert!(body.contains("No excursion"));
    let (_, body) = get!(app, "/cold-chain/shipments/SHP-X");
    assert!(body.contains("id=\"shipment-verdict\">no data</strong>"));
    // The gap from 08:05 to 08:25 (20 minutes) is listed and hatched on the chart.
    let (_, body) = get!(app, "/cold-chain/shipments/SHP-G");
    let gaps = between(&body, "<table class=\"gaps\">", "</table>");
    assert!(
        gaps.contains(
            "<td>2026-04-12 08:05</td><td>2026-04-12 08:25</td><td class=\"num\">20 min</td>"
        ),
        "{gaps}"
    );
    assert_eq!(body.matches("<rect class=\"gap\"").count(), 1);

    for uri in [
        "/cold-chain/shipments/NOPE",
        "/cold-chain/shipments/%3Cb%3E",
    ] {
        let (status, body) = get!(app, uri);
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!body.contains("<b>"));
    }
    let (status, body, headers) = get_with_headers!(app, "/api/v1/cold-chain/shipments/NOPE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(json(&body)["error"], "not_found");

    let (status, body) = get!(app, "/cold-chain/breaches");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("href=\"/cold-chain/shipments/SHP-A\""));
    let (status, body, headers) = get_with_headers!(app, "/cold-chain/breaches?format=csv");
    assert_eq!(status, StatusCode::OK);
    assert!(headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[1].starts_with("SHP-A,Insulin glargine 100 U/ml,TL-<script>alert(1)</script>,a single excursion over budget,1,45,45,"), "{body}");
    let (_, body) = get!(app, "/api/v1/cold-chain/breaches?after=SHP-A");
    assert_eq!(json(&body)["items"], serde_json::json!([]));
    let (status, _) = get!(app, "/cold-chain/breaches?format=xml");
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The list of shipments with readings, through the list machinery.
    let (status, body) = get!(
        app,
        "/api/v1/cold-chain-shipments?sort=shipment_code&dir=asc"
    );
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["total"], 4);
    let codes: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["shipment_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["SHP-A", "SHP-B", "SHP-C", "SHP-G"]);
}

#[actix_web::test]
async fn a_long_log_is_drawn_light_and_judged_on_every_reading() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    import_as(&pool, Format::Products, "COLDCO", "file.csv", PRODUCTS);
    import_as(&pool, Format::Shipments, "COLDCO", "file.csv", SHIPMENTS);
    // 10,000 readings a minute apart at 5 °C, but reading 6,000 (lines 2–10,001: line
    // 6,001) is 12 °C: one excursion of 1 minute (to the next reading): within budget.
    let start = chrono::DateTime::parse_from_rfc3339("2026-04-12T00:00:00+02:00").unwrap();
    let mut csv = String::from(READINGS_HEADER);
    for i in 0..10_000 {
        let t = start + chrono::TimeDelta::minutes(i);
        let temperature = if i == 5_999 { "12" } else { "5" };
        csv.push_str(&format!("TL-L,SHP-C,,{},{temperature},\n", t.to_rfc3339()));
    }
    import_as(&pool, Format::SensorReadings, "COLDCO", "file.csv", &csv);
    let app = app!(pool);
    let (status, body) = get!(app, "/cold-chain/shipments/SHP-C");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"shipment-verdict\">within budget</strong>"));
    let points = between(&body, "points=\"", "\"/>");
    let drawn = points.split(' ').count();
    // At most two readings per pixel column of the 704-unit-wide plot, each a step (two
    // vertices).
    assert!(drawn <= 2 * 2 * 704, "{drawn} vertices drawn");
    assert!(drawn > 100);
    assert!(body.contains("of 10000 readings"));
    // The spike is judged on the full series.
    let table = between(&body, "<table class=\"excursions\">", "</table>");
    assert!(table.contains("1 min"), "{table}");
    assert!(table.contains("12 °C"));
    assert!(table.contains("#line-6001"));
}

#[actix_web::test]
async fn an_empty_city_says_there_is_nothing_yet() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/cold-chain");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No shipments with readings yet"));
    assert!(body.contains("No shipment is in breach."));
    let (_, body) = get!(app, "/api/v1/cold-chain");
    assert_eq!(
        json(&body)["compliance"]["compliance_rate_pct"],
        Value::Null
    );
}

#[actix_web::test]
async fn a_lot_page_links_its_shipments_temperature_log_when_there_is_one() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    let (status, logged) = get!(app, "/lots/INS-A");
    assert_eq!(status, StatusCode::OK);
    assert!(
        logged.contains(r#"<a href="/cold-chain/shipments/SHP-A">temperature log</a>"#),
        "{logged}"
    );
    let (_, api) = get!(app, "/api/v1/lots/INS-A");
    assert_eq!(
        json(&api)["shipments"][0]["cold_chain_href"],
        "/cold-chain/shipments/SHP-A"
    );
    // SHP-X has no readings: no link, and null in the JSON.
    let (status, unlogged) = get!(app, "/lots/INS-X");
    assert_eq!(status, StatusCode::OK);
    assert!(!unlogged.contains("temperature log"), "{unlogged}");
    let (_, api) = get!(app, "/api/v1/lots/INS-X");
    assert!(json(&api)["shipments"][0]["cold_chain_href"].is_null());
}

#[actix_web::test]
async fn a_logging_gap_makes_the_shipment_unverifiable_is_counted_on_the_list_and_breaks_the_line()
{
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    // SHP-G: every reading in range, but none from 08:05 to 08:25 (20 min > 5 × 1.5).
    let (status, body) = get!(app, "/cold-chain/shipments/SHP-G");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("id=\"shipment-verdict\">unverifiable during 20 min</strong>"),
        "{body}"
    );
    // The line stops at 08:05 and starts again at 08:25: two segments, not one through the gap.
    assert_eq!(
        body.matches("<polyline class=\"readings\"").count(),
        2,
        "{body}"
    );
    assert!(body.contains("class=\"gap-label\""), "the gap is labelled");
    let (_, body) = get!(app, "/api/v1/cold-chain/shipments/SHP-G");
    let v = json(&body);
    assert_eq!(v["verdict"]["key"], "unverifiable");
    assert_eq!(v["verdict"]["label"], "unverifiable during 20 min");
    assert_eq!(v["unlogged_minutes"], 20.0);
    assert_eq!(v["gap_count"], 1);
    let device = &v["products"][0]["devices"][0];
    assert_eq!(device["verdict"]["key"], "unverifiable");
    assert_eq!(device["unlogged_minutes"], 20.0);

    // The list counts the gaps: G has one, the others none (A's excursion is not a gap).
    let (_, body) = get!(
        app,
        "/api/v1/cold-chain-shipments?sort=shipment_code&dir=asc"
    );
    let gaps: Vec<(String, i64)> = json(&body)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["shipment_code"].as_str().unwrap().to_owned(),
                i["gaps"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected = [("SHP-A", 0), ("SHP-B", 0), ("SHP-C", 0), ("SHP-G", 1)];
    assert_eq!(
        gaps,
        expected.map(|(c, n)| (c.to_owned(), n)).to_vec(),
        "{body}"
    );
    let (_, csv) = get!(
        app,
        "/cold-chain/shipments?format=csv&sort=shipment_code&dir=asc"
    );
    let mut rows = csv.lines().map(|l| l.split(',').collect::<Vec<_>>());
    let header = rows.next().unwrap();
    let column = header
        .iter()
        .position(|h| *h == "gaps")
        .expect("a gaps column");
    let g = rows.find(|r| r[0] == "SHP-G").unwrap();
    assert_eq!(g[column], "1", "{csv}");
    let (_, page) = get!(app, "/cold-chain/shipments");
    assert!(page.contains(">Gaps in the log<"), "{page}");
}
