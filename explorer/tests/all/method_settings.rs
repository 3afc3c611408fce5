//! The explorer computes with the `[methods]` settings it is given (`AppState::with_methods`),
//! not the defaults: the fixture's one retirement (2.5 t on 2 June 2025 to beneficiary
//! 0xaa…aa, "City of Example", final) counts in the city's 2025 net position only when that
//! address is configured as the city's. Emissions in 2025 are 150 t (fixture: scope 1 120 t +
//! scope 2 30 t), so the net is 150 − 2.5 = 147.5 t with it and 150 t without.

use crate::spending_city::fixture;

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::Value;

use citytrace_explorer::AppState;
use citytrace_reads::MethodSettings;
use citytrace_schema::testing::TestDatabase;

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

/// The settings as an operator writes them in citytrace.toml, read by the real loader.
fn city_settings(toml: &str) -> MethodSettings {
    MethodSettings::from_toml(toml, std::path::Path::new("citytrace.toml")).unwrap()
}

const BENEFICIARY: &str = "0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[actix_web::test]
async fn a_configured_beneficiary_counts_its_retirement_in_the_net_position() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let methods = city_settings(&format!(
        "[methods.carbon]\ncity_beneficiary_addresses = [\"{BENEFICIARY}\"]\n"
    ));
    let app = test::init_service(citytrace_explorer::app(
        AppState::new(db.pool(2)).with_methods(methods),
        None,
    ))
    .await;

    let (status, body) = get!(app, "/emissions?year=2025");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<dt>Emitted (t CO2e)</dt><dd>150.000</dd>"),
        "{body}"
    );
    assert!(body.contains("<dt>Credits retired for the city (t CO2e)</dt><dd>2.500</dd>"));
    assert!(body.contains("<dt>Net position (t CO2e)</dt><dd>147.500</dd>"));
    // The retirement's row says it counts; the notice about unconfigured settings is gone.
    let at = body.find("City of Example").unwrap();
    let row = &body[at..at + body[at..].find("</tr>").unwrap()];
    assert!(row.contains("<td>yes</td>"), "{row}");
    assert!(!body.contains("No beneficiary address or name is configured"));

    let (status, body) = get!(app, "/api/v1/emissions?year=2025");
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    let net = &v["net_position"];
    assert_eq!(number(&net["emissions_kg_co2e"]), 150000.0);
    assert_eq!(number(&net["retired_kg_co2e"]), 2500.0);
    assert_eq!(number(&net["net_kg_co2e"]), 147500.0);
}

#[actix_web::test]
async fn without_a_beneficiary_nothing_counts_and_the_page_says_why() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    // Other carbon settings given, no beneficiary: the retirement is still not the city's.
    let methods = city_settings("[methods.carbon]\nnet_position_scopes = [1, 2, 3]\n");
    let app = test::init_service(citytrace_explorer::app(
        AppState::new(db.pool(2)).with_methods(methods),
        None,
    ))
    .await;

    let (_, body) = get!(app, "/emissions?year=2025");
    assert!(body.contains("<dt>Net position (t CO2e)</dt><dd>150.000</dd>"));
    assert!(body.contains("No beneficiary address or name is configured"));
    let (_, body) = get!(app, "/api/v1/emissions?year=2025");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(number(&v["net_position"]["retired_kg_co2e"]), 0.0);
    assert_eq!(number(&v["net_position"]["net_kg_co2e"]), 150000.0);
}

#[actix_web::test]
async fn the_net_position_scopes_setting_changes_what_is_emitted() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    // Only scope 1 (120 t) in the net position, with the beneficiary: 120 − 2.5 = 117.5 t.
    let methods = city_settings(&format!(
        "[methods.carbon]\nnet_position_scopes = [1]\ncity_beneficiary_addresses = [\"{BENEFICIARY}\"]\n"
    ));
    let app = test::init_service(citytrace_explorer::app(
        AppState::new(db.pool(2)).with_methods(methods),
        None,
    ))
    .await;
    let (_, body) = get!(app, "/api/v1/emissions?year=2025");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["net_position_scopes"], serde_json::json!([1]));
    assert_eq!(number(&v["net_position"]["emissions_kg_co2e"]), 120000.0);
    assert_eq!(number(&v["net_position"]["net_kg_co2e"]), 117500.0);
}
