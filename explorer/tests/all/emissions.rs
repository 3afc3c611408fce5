//! The emissions page, its JSON twin and the list of retired credits against a real
//! PostgreSQL filled through the real importers (`spending_city/fixture.rs` says which
//! figures to expect and why).

use crate::spending_city::fixture;

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::Value;

use citytrace_explorer::AppState;
use citytrace_schema::testing::TestDatabase;
use fixture::{OCID, RETIREMENT_TX};

macro_rules! get {
    ($app:expr, $uri:expr) => {{
        let response =
            test::call_service(&$app, test::TestRequest::get().uri($uri).to_request()).await;
        let status = response.status();
        let body = test::read_body(response).await;
        (status, String::from_utf8_lossy(&body).into_owned())
    }};
}

fn number(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

/// The table row (`<tr>…</tr>`) of `body` that contains `needle`.
fn row_with<'a>(body: &'a str, needle: &str) -> &'a str {
    let at = body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} missing"));
    let start = body[..at].rfind("<tr").unwrap();
    let end = at + body[at..].find("</tr>").unwrap();
    &body[start..end]
}

#[actix_web::test]
async fn emissions_page_shows_scopes_departments_quarters_procurement_credits_and_net() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = test::init_service(citytrace_explorer::app(AppState::new(db.pool(2)), None)).await;

    let (status, body) = get!(app, "/emissions");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    assert!(
        body.contains("emissions and carbon credits, 2025"),
        "latest year with data"
    );
    // Year: scope 1 120 t (annual) + scope 2 30 t (Q1, location-based) = 150 t; nothing is
    // retired for the city (no beneficiary configured), so the net is 150 t too.
    assert!(row_with(&body, "<th scope=\"row\">Scope 1</th>").contains("120.000"));
    assert!(row_with(&body, "<th scope=\"row\">Scope 2</th>").contains("30.000"));
    assert!(body.contains("<dt>Emitted (t CO2e)</dt><dd>150.000</dd>"));
    assert!(body.contains("<dt>Net position (t CO2e)</dt><dd>150.000</dd>"));
    assert!(body.contains("<dt>Credits retired for the city (t CO2e)</dt><dd>0.000</dd>"));
    // Q1 counts only its own report; the annual one is set aside.
    let q1 = row_with(&body, "<th scope=\"row\">2025-Q1</th>");
    assert!(
        q1.contains("30.000") && q1.contains("<td class=\"num\">1</td>"),
        "{q1}"
    );
    // The department's row and the market-based figure, listed but not added.
    assert!(row_with(&body, ">Public Works</a></th><td class=\"num\">").contains("150.000"));
    assert!(body.contains("other Scope 2 method"));
    // Embodied carbon under the city's contracts: 2.5 t × 912 = 2 280 kg.
    assert!(body.contains("<dt>Embodied in procurement (t CO2e)</dt><dd>2.280</dd>"));
    assert!(row_with(&body, &format!(">{OCID}</a></th>")).contains("2.280"));
    // A works contract: its deliveries are capital goods (Scope 3 category 2) of the buyer.
    let scope3 = row_with(&body, ">Public Works</a></th><td class=\"num\">0.000");
    assert!(scope3.contains("<td class=\"num\">2.280</td>"), "{scope3}");
    // The retirement, with its transaction, not counted for the city.
    let retired = row_with(&body, "City of Example");
    assert!(retired.contains(&format!("href=\"/ledger/chains/137/tx/{RETIREMENT_TX}\"")));
    assert!(retired.contains("2.500") && retired.contains("not for the city"));
    assert!(body.matches("role=\"img\"").count() >= 3);
    assert!(body.contains("Net position = emissions reported"));
    assert!(body.contains("No beneficiary address or name is configured as the city's"));
    assert!(
        body.contains("<a class=\"small\" href=\"/batches/") && body.contains("/proof\">proof</a>"),
        "proof links of the reports"
    );
    assert!(!body.contains("<script>alert(1)</script>"));

    let (status, body) = get!(app, "/emissions?year=2024");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No emission reports by the city's departments for 2024 yet."));
    assert!(body.contains("No carbon credits were retired on the chains followed in 2024."));
    let (status, _) = get!(app, "/emissions?year=twenty");
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) = get!(app, "/api/v1/emissions?year=2025");
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["year"], 2025);
    let net = &v["net_position"];
    assert_eq!(number(&net["emissions_kg_co2e"]), 150000.0);
    assert_eq!(number(&net["retired_kg_co2e"]), 0.0);
    assert_eq!(number(&net["net_kg_co2e"]), 150000.0);
    assert_eq!(number(&net["credits"]["tonnes"]), 2.5);
    assert_eq!(v["quarters"].as_array().unwrap().len(), 4);
    assert_eq!(number(&v["quarters"][0]["emissions_kg_co2e"]), 30000.0);
    assert_eq!(
        number(&v["embodied_carbon_of_procurement"]["kg_co2e"]),
        2280.0
    );
    assert_eq!(v["scope2_method"], "location_based");
    assert_eq!(v["scope3_purchases"][0]["department_code"], "XI-CT-WORKS");
    assert_eq!(
        number(&v["scope3_purchases"][0]["capital_goods"]["kg_co2e"]),
        2280.0
    );
    assert_eq!(
        number(&v["scope3_purchases"][0]["purchased_goods"]["kg_co2e"]),
        0.0
    );
    let (status, body) = get!(app, "/api/v1/emissions?year=x");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("\"error\":\"bad_request\""));
}

#[actix_web::test]
async fn retired_credits_are_a_list_with_page_api_and_exports() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = test::init_service(citytrace_explorer::app(AppState::new(db.pool(2)), None)).await;

    let (status, body) = get!(app, "/emissions/credits");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("City of Example"));
    assert!(body.contains(&format!("/ledger/chains/137/tx/{RETIREMENT_TX}")));

    let (status, body) = get!(app, "/api/v1/carbon-retirements");
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(number(&v["items"][0]["tonnes"]), 2.5);
    assert_eq!(v["items"][0]["tx_hash"], RETIREMENT_TX);
    assert_eq!(v["items"][0]["finality"], "final");

    let (_, body) = get!(app, "/api/v1/carbon-retirements?beneficiary=somebody+else");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], 0);
    let (status, body) = get!(app, "/emissions/credits?format=csv");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.lines().count(), 2, "{body}");
    assert!(body
        .lines()
        .next()
        .unwrap()
        .starts_with("block_time,tonnes,beneficiary_name"));

    let (status, body) = get!(app, "/api/v1/openapi.json");
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/carbon-retirements",
        "/api/v1/emissions",
        "/api/v1/spending",
        "/api/v1/spending/procurement",
        "/api/v1/spending/contracts/{ocid}",
        "/api/v1/spending/budget/{year}/{line}",
        "/api/v1/parties/{code}",
    ] {
        assert!(
            body.contains(&format!("\"{path}\"")),
            "{path} not in the API document"
        );
    }
}

/// The cells (`<td …>…</td>`) of a table row, their text only.
fn cells(row: &str) -> Vec<String> {
    row.split("<td")
        .skip(1)
        .map(|c| {
            let text = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap_or(c.len())];
            let mut plain = String::new();
            let mut in_tag = false;
            for ch in text.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => plain.push(c),
                    _ => {}
                }
            }
            plain.trim().to_owned()
        })
        .collect()
}

#[actix_web::test]
async fn a_quarter_without_reports_is_not_reported_and_has_no_net_position() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = test::init_service(citytrace_explorer::app(AppState::new(db.pool(2)), None)).await;

    // 2025: the annual scope 1 report (120 t) counts in the year only; Q1 has its own scope 2
    // report (30 t); Q2, Q3 and Q4 have none: "not reported", never "emitted 0, net 0".
    let (status, body) = get!(app, "/emissions?year=2025");
    assert_eq!(status, StatusCode::OK);
    let q1 = cells(row_with(&body, "<th scope=\"row\">2025-Q1</th>"));
    assert_eq!(q1[..3], ["30.000", "0.000", "30.000"], "{q1:?}");
    for q in ["2025-Q2", "2025-Q3", "2025-Q4"] {
        let row = cells(row_with(&body, &format!("<th scope=\"row\">{q}</th>")));
        // Emitted: not reported; retired for the city: 0 (the chain answers for it); net: none.
        assert_eq!(row[..3], ["not reported", "0.000", "–"], "{q}: {row:?}");
    }
    // The quarter chart marks the quarters without reports instead of drawing a 0 bar.
    let chart = &body[body.find("per quarter of 2025").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(chart.contains("2025-Q2 (not reported)"), "{chart}");

    let (_, body) = get!(app, "/api/v1/emissions?year=2025");
    let v: Value = serde_json::from_str(&body).unwrap();
    let q1 = &v["quarters"][0];
    assert_eq!(q1["status"], "reported");
    assert_eq!(number(&q1["emissions_kg_co2e"]), 30000.0);
    assert_eq!(number(&q1["net_kg_co2e"]), 30000.0);
    assert!(q1["not_reported_reason"].is_null());
    let q2 = &v["quarters"][1];
    assert_eq!(q2["status"], "not_reported");
    assert!(q2["emissions_kg_co2e"].is_null(), "{q2}");
    assert!(
        q2["net_kg_co2e"].is_null() && q2["net_tonnes"].is_null(),
        "{q2}"
    );
    assert_eq!(
        q2["not_reported_reason"],
        "no emission report of the city's parties lies within this period; 1 report covers a longer period and counts only there"
    );
    assert_eq!(v["net_position"]["status"], "reported");

    // The CSV of the periods: an empty cell and a status, never 0.
    let (status, csv) = get!(app, "/emissions?year=2025&format=csv");
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "period,status,emitted_t_co2e,retired_for_the_city_t_co2e,net_t_co2e,reports_set_aside,not_reported_reason"
    );
    assert_eq!(lines[1], "2025-Q1,reported,30,0,30,1,");
    assert!(
        lines[2].starts_with("2025-Q2,not_reported,,0,,1,no emission report"),
        "{csv}"
    );
    assert_eq!(lines[5], "2025,reported,150,0,150,0,");
}
