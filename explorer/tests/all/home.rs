//! The home page's spending and embodied-carbon figures, and the site page's spend, from a
//! budget, an OCDS contract with a payment and deliveries under it, all imported through the
//! real importers and dated in the current year (the figures are this year's).
//!
//! By hand: the works department budgeted 100 000 EUR (approved) and paid 12 500 EUR under
//! its contract: 12.5 %. Under that contract 8 m³ of concrete with its own EPD at 265.4 kg/m³
//! were delivered: 2 123.2 kg = 2.1 t CO2e (rounded to 0.1 t). When the budget file also
//! reports 76 000 EUR executed, the figure says 76 % executed as reported beside 12.5 % paid as
//! evidenced, and the gap: 76 000 − 12 500 = 63 500 EUR.

use crate::support::import_as;

use actix_web::http::StatusCode;
use actix_web::test;
use chrono::{Datelike, Utc};

use citytrace_explorer::AppState;
use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

fn seed(pool: &PgPool, year: i32) {
    let ocds = format!(
        r#"{{"releases": [{{"ocid": "ocds-b5fd17-2026-0017", "id": "bridge-1", "date": "{year}-01-05T00:00:00Z",
  "tag": ["contract"], "initiationType": "tender",
  "parties": [{{"id": "WORKS", "name": "Public works department", "identifier": {{"scheme": "XX-CITY", "id": "WORKS"}}, "roles": ["buyer"]}},
              {{"id": "PLANT", "name": "Concrete plant", "identifier": {{"scheme": "XX-REG", "id": "PLANT"}}, "roles": ["supplier"]}}],
  "buyer": {{"id": "WORKS", "name": "Public works department"}},
  "tender": {{"id": "bridge-t", "title": "North bridge deck concrete", "mainProcurementCategory": "works"}},
  "awards": [{{"id": "a1", "status": "active", "suppliers": [{{"id": "PLANT", "name": "Concrete plant"}}], "value": {{"amount": 30000, "currency": "EUR"}}}}],
  "contracts": [{{"id": "c1", "awardID": "a1", "status": "active", "dateSigned": "{year}-01-06T00:00:00Z", "value": {{"amount": 30000, "currency": "EUR"}},
     "implementation": {{"transactions": [{{"id": "t1", "date": "{year}-01-20T00:00:00Z", "value": {{"amount": 12500, "currency": "EUR"}},
        "payer": {{"id": "WORKS", "name": "Public works department"}}, "payee": {{"id": "PLANT", "name": "Concrete plant"}}}}]}}}}]}}]}}"#
    );
    import_as(pool, Format::Ocds, "CITY", "contracts.json", &ocds);
    let budget = format!(
        "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
         {year}-PW-1,{year},approved,expenditure,XX-CITY-WORKS,Bridge renewal,04.5,31,North bridge deck,100000.00,EUR\n"
    );
    import_as(pool, Format::Budget, "FINANCE", "budget.csv", &budget);
    let production = format!(
        "production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit\n\
         MIX-1,1,RMX-1,,Ready-mix concrete C30/37,8,MTQ,CEM-1,Portland cement,2.6,TNE,PLANT-1,{year}-01-10T06:45:00+01:00,EPD-RMX-C3037,265.4,MTQ\n"
    );
    import_as(
        pool,
        Format::Production,
        "PLANT",
        "production.csv",
        &production,
    );
    let shipments = format!(
        "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at,contract_ocid\n\
         DESADV-3,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,PLANT-1,SITE-NB,{year}-01-10T09:00:00+01:00,,ocds-b5fd17-2026-0017\n"
    );
    import_as(
        pool,
        Format::Shipments,
        "PLANT",
        "shipments.csv",
        &shipments,
    );
}

fn figure<'a>(body: &'a str, key: &str) -> &'a str {
    let start = body
        .find(&format!(r#"id="figure-{key}""#))
        .unwrap_or_else(|| panic!("no figure {key}"));
    let rest = &body[start..];
    &rest[..rest.find("</li>").unwrap()]
}

#[actix_web::test]
async fn home_figures_show_this_years_spending_against_budget_and_embodied_carbon() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let year = Utc::now().year();
    seed(&pool, year);
    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;
    let (status, body) = get!(app, "/");
    assert_eq!(status, StatusCode::OK);
    let spending = figure(&body, "spending");
    assert!(spending.contains(r#"<a href="/spending#executed-vs-paid">"#));
    assert!(
        spending.contains("<strong class=\"headline-value\">12.5 % paid as evidenced</strong>"),
        "{spending}"
    );
    assert!(
        spending.contains(
            "12\u{2009}500 EUR paid as evidenced by published payments of a 100\u{2009}000 EUR budget; no department reports what it executed"
        ),
        "{spending}"
    );
    let carbon = figure(&body, "embodied_carbon");
    assert!(carbon.contains(r#"<a href="/emissions">"#));
    assert!(
        carbon.contains(r#"<strong class="headline-value">2.1 t CO2e</strong>"#),
        "{carbon}"
    );
    assert!(carbon.contains("embodied in 1 delivery to city contracts"));
    assert!(figure(&body, "recycling_rate").contains("no data yet"));

    // The site's contract: its title and what was paid under it.
    let (_, body) = get!(app, "/sites/SITE-NB");
    let contracts = &body[body.find("contracts-h").unwrap()..];
    assert!(
        contracts.contains(
            r#"<a href="/spending/contracts/ocds-b5fd17-2026-0017">North bridge deck concrete</a>"#
        ),
        "{contracts}"
    );
    assert!(contracts.contains("12\u{2009}500.00 EUR"), "{contracts}");
}

/// The headline must not let a reader conclude "the city spent 12.5 %": what the departments
/// report as executed stands beside what published payments evidence, with the gap.
#[actix_web::test]
async fn the_spending_figure_sets_executed_as_reported_beside_paid_as_evidenced() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let year = Utc::now().year();
    seed(&pool, year);
    let executed = format!(
        "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
         {year}-PW-1,{year},executed,expenditure,XX-CITY-WORKS,Bridge renewal,04.5,31,North bridge deck,76000.00,EUR\n"
    );
    import_as(&pool, Format::Budget, "FINANCE", "executed.csv", &executed);
    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;
    let (status, body) = get!(app, "/");
    assert_eq!(status, StatusCode::OK);
    let spending = figure(&body, "spending");
    assert!(
        spending.contains(&format!("City budget {year}: executed and paid")),
        "{spending}"
    );
    assert!(!body.contains("Spent in"), "{spending}");
    assert!(
        spending.contains(
            "<strong class=\"headline-value long\">76 % executed as reported, 12.5 % paid as evidenced</strong>"
        ),
        "{spending}"
    );
    assert!(
        spending.contains(
            "76\u{2009}000 EUR executed as the departments report it of a 100\u{2009}000 EUR budget; \
             12\u{2009}500 EUR paid as evidenced by published payments; \
             63\u{2009}500 EUR reported as executed without a published payment"
        ),
        "{spending}"
    );
    let (_, body) = get!(app, "/api/v1/home");
    let v = crate::support::json(&body);
    let figure = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "spending")
        .unwrap();
    assert_eq!(
        figure["value"],
        "76 % executed as reported, 12.5 % paid as evidenced"
    );
    assert_eq!(figure["href"], "/spending#executed-vs-paid");
}

/// A payment of `amount` EUR under a new contract `n` of the works department, this year.
fn payment_release(year: i32, n: u32, amount: u32) -> String {
    format!(
        r#"{{"releases": [{{"ocid": "ocds-b5fd17-2026-01{n:02}", "id": "pay-{n}", "date": "{year}-01-07T00:00:00Z",
  "tag": ["contract"], "initiationType": "tender",
  "parties": [{{"id": "WORKS", "name": "Public works department", "identifier": {{"scheme": "XX-CITY", "id": "WORKS"}}, "roles": ["buyer"]}},
              {{"id": "PLANT", "name": "Concrete plant", "identifier": {{"scheme": "XX-REG", "id": "PLANT"}}, "roles": ["supplier"]}}],
  "buyer": {{"id": "WORKS", "name": "Public works department"}},
  "tender": {{"id": "t-{n}", "title": "Repairs {n}", "mainProcurementCategory": "works"}},
  "awards": [{{"id": "a1", "status": "active", "suppliers": [{{"id": "PLANT", "name": "Concrete plant"}}], "value": {{"amount": {amount}, "currency": "EUR"}}}}],
  "contracts": [{{"id": "c1", "awardID": "a1", "status": "active", "dateSigned": "{year}-01-07T00:00:00Z", "value": {{"amount": {amount}, "currency": "EUR"}},
     "implementation": {{"transactions": [{{"id": "t1", "date": "{year}-01-21T00:00:00Z", "value": {{"amount": {amount}, "currency": "EUR"}},
        "payer": {{"id": "WORKS", "name": "Public works department"}}, "payee": {{"id": "PLANT", "name": "Concrete plant"}}}}]}}}}]}}]}}"#
    )
}

/// The figures are computed once per change of the data, but a new import shows on the next
/// page load.
#[actix_web::test]
async fn a_new_import_shows_in_the_figures_on_the_next_page_load() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let year = Utc::now().year();
    seed(&pool, year);
    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;
    let spent = |body: &str| {
        let f = figure(body, "spending");
        let start = f.find("headline-value\">").unwrap() + "headline-value\">".len();
        f[start..start + f[start..].find('<').unwrap()].to_string()
    };
    let (_, body) = get!(app, "/");
    assert_eq!(spent(&body), "12.5 % paid as evidenced");
    assert!(body.contains("Figures as of "));
    let (_, body) = get!(app, "/");
    assert_eq!(spent(&body), "12.5 % paid as evidenced");

    import_as(
        &pool,
        Format::Ocds,
        "CITY",
        "more.json",
        &payment_release(year, 1, 7_500),
    );
    let (_, body) = get!(app, "/");
    assert_eq!(spent(&body), "20 % paid as evidenced");
    assert!(figure(&body, "spending").contains("20\u{2009}000 EUR paid as evidenced"));

    import_as(
        &pool,
        Format::Ocds,
        "CITY",
        "even-more.json",
        &payment_release(year, 2, 5_000),
    );
    let (_, body) = get!(app, "/api/v1/home");
    let v = crate::support::json(&body);
    let spending = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "spending")
        .unwrap();
    assert_eq!(spending["value"], "25 % paid as evidenced");
    assert_eq!(v["figures_updating"], false);
    assert!(v["figures_computed_at"].as_str().unwrap().ends_with(" UTC"));
}
