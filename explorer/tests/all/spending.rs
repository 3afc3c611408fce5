//! The spending pages and their JSON twins against a real PostgreSQL filled through the real
//! importers (`spending_city/fixture.rs` says which figures to expect and why).

use crate::spending_city::fixture;

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::Value;

use citytrace_explorer::AppState;
use citytrace_schema::testing::TestDatabase;
use fixture::{BUYER, LINE, OCID, OCID_DIRECT, SUPPLIER};

/// Thin-space grouped amounts as the pages write them.
fn money(text: &str) -> String {
    text.replace(' ', "\u{2009}")
}

macro_rules! app {
    ($db:expr) => {
        test::init_service(citytrace_explorer::app(AppState::new($db.pool(2)), None)).await
    };
}

macro_rules! get {
    ($app:expr, $uri:expr) => {{
        let response =
            test::call_service(&$app, test::TestRequest::get().uri($uri).to_request()).await;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = test::read_body(response).await;
        if let Ok(dir) = std::env::var("DUMP_PAGES") {
            let name: String = $uri
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            std::fs::write(format!("{dir}/{name}.html"), &body).unwrap();
        }
        (
            status,
            String::from_utf8_lossy(&body).into_owned(),
            content_type,
        )
    }};
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn number(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn escaped_only(body: &str) {
    assert!(
        !body.contains("<script>alert(1)</script>"),
        "unescaped import value"
    );
}

#[actix_web::test]
async fn spending_overview_shows_budget_vs_actual_with_flags_and_red_flag_counts() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);

    let (status, body, _) = get!(app, "/spending");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    assert!(
        body.contains("fiscal year 2025"),
        "latest year with budget lines is the default"
    );
    for figure in [
        "1 000 000.00",
        "1 100 000.00",
        "950 000.00",
        "650 000.00",
        "250 000.00",
    ] {
        assert!(body.contains(&money(figure)), "{figure} missing");
    }
    // 650 000 / 1 100 000 = 59 % < 85 % after the year ended.
    assert!(body.contains(">Budget left largely unspent after the year ended<"));
    assert!(body.contains("Economic affairs"));
    assert!(body.contains(&format!("href=\"/spending/budget/2025/{LINE}\"")));
    assert!(
        body.contains("role=\"img\""),
        "the chart is an image with a name"
    );
    assert!(body.contains("<caption>"));
    assert!(body.contains("1 of 2 contracting processes raise at least one red flag"));
    escaped_only(&body);

    let (status, body, _) = get!(app, "/spending?year=2031");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No budget lines for this year yet."));
    let (status, _, _) = get!(app, "/spending?year=last");
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body, content_type) = get!(app, "/api/v1/spending");
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
    let v = json(&body);
    assert_eq!(v["fiscal_year"], 2025);
    assert_eq!(v["processes"], 2);
    assert_eq!(v["flagged_processes"], 1);
    assert_eq!(v["red_flag_counts"]["single_bid"], 1);
    assert_eq!(v["red_flag_counts"]["short_tender_period"], 1);
    assert_eq!(v["red_flag_counts"]["direct_award_above_threshold"], 0);
    let rows = v["budget_vs_actual"].as_array().unwrap();
    let department = rows
        .iter()
        .find(|r| r["scope"]["kind"] == "department")
        .unwrap();
    assert_eq!(department["department"], BUYER);
    assert_eq!(number(&department["committed"]), 950000.0);
    assert_eq!(number(&department["paid"]), 650000.0);
    assert_eq!(number(&department["paid_ledger"]), 250000.0);
    assert_eq!(number(&department["budget"]), 1100000.0);

    let (status, body, _) = get!(app, "/api/v1/spending?year=x");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["error"], "bad_request");
}

#[actix_web::test]
async fn procurement_list_filters_by_flag_method_and_buyer_and_exports() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);

    let (status, body, _) = get!(app, "/spending/procurement");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("1–2 of 2 processes"));
    assert!(body.contains(&format!("<option value=\"{BUYER}\">Public Works</option>")));
    // Red flags in words, not keys.
    assert!(
        body.contains(">Only one bid in a competitive procedure<")
            && body.contains(">Tender period shorter than the minimum<")
    );
    assert!(!body.contains(">single_bid<"));

    let (_, body, _) = get!(app, "/spending/procurement?method=direct");
    assert!(body.contains(OCID_DIRECT) && !body.contains(&format!(">{OCID}<")));
    let (_, body, _) = get!(app, "/spending/procurement?flag=single_bid");
    assert!(body.contains(&format!(">{OCID}<")) && !body.contains(OCID_DIRECT));
    let (_, body, _) = get!(app, &format!("/spending/procurement?buyer={SUPPLIER}"));
    assert!(body.contains("No contracting processes match."));
    let (_, body, _) = get!(app, "/spending/procurement?year=2024");
    assert!(body.contains("No contracting processes match."));
    // htmx asks for the table only.
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/spending/procurement?method=direct")
            .insert_header(("HX-Request", "true"))
            .insert_header(("HX-Target", "procurement-list"))
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .headers()
        .get("vary")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("HX-Target"));
    let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    assert!(
        body.starts_with("<section id=\"procurement-list\""),
        "{body}"
    );
    assert!(
        !body.contains("<html")
            && body.contains(OCID_DIRECT)
            && !body.contains(&format!(">{OCID}<"))
    );
    let (status, _, _) = get!(app, "/spending/procurement?flag=no_such_rule");
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body, content_type) = get!(app, "/spending/procurement?format=csv");
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "ocid,title,buyer,buyer_name,procurement_method,last_release_date,flags,flag_names,\
         suppliers,supplier_codes,awarded,awarded_currency,paid,paid_currency"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().any(|l| l.starts_with(OCID)
        && l.contains(
            ",single_bid short_tender_period,Only one bid in a competitive procedure; Tender period shorter than the minimum,"
        )));

    let (status, body, _) = get!(app, &format!("/api/v1/spending/procurement?buyer={BUYER}"));
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["total"], 2);
    let items = v["items"].as_array().unwrap();
    // Newest release first: the direct award (June) before the works contract (March).
    assert_eq!(items[0]["ocid"], OCID_DIRECT);
    assert_eq!(
        items[1]["flags"],
        serde_json::json!(["single_bid", "short_tender_period"])
    );
    assert_eq!(items[1]["buyer"], BUYER);
}

#[actix_web::test]
async fn contract_page_shows_timeline_flags_payments_and_deliveries() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);

    let (status, body, _) = get!(app, &format!("/spending/contracts/{OCID}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    assert!(body.contains("North bridge deck"));
    // The red flags with the figures that raised them.
    assert!(body.contains("Only one bid in a competitive procedure"));
    assert!(body.contains("Tender period shorter than the minimum"));
    // Timeline, in date order: tender (1 Feb), award (1 Mar), contract (5 Mar), OCDS payment
    // (1 Apr), ledger payment (1 May).
    let order: Vec<usize> = [
        "2025-02-01",
        "2025-03-01",
        "2025-03-05",
        "2025-04-01",
        "2025-05-01",
    ]
    .iter()
    .map(|d| {
        body.find(&format!("<td>{d}</td>"))
            .unwrap_or_else(|| panic!("{d} missing"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        body.contains(&format!("{} EUR", money("400 000.00")))
            && body.contains(&format!("{} EUR", money("250 000.00")))
    );
    assert!(body.contains(&format!(
        "href=\"/ledger/chains/31337/tx/{}\"",
        fixture::LEDGER_TX
    )));
    assert!(body.contains("href=\"/batches/1/rows/"), "proof links");
    assert!(body.contains("#line-"));
    assert!(body.contains("trust-imported"));
    // 2.5 t × 912 kg CO2e/t = 2 280 kg.
    assert!(body.contains("LOT-CEM-1"));
    assert!(body.contains(&format!("{} kg", money("2 280.0"))));
    assert!(body.contains("<strong>2.280 t CO2e</strong>"));
    assert!(
        body.contains("Alpha &#60;script&#62;alert(1)&#60;/script&#62; Works")
            || body.contains("Alpha &lt;script&gt;alert(1)&lt;/script&gt; Works")
    );
    escaped_only(&body);

    let (status, body, _) = get!(app, &format!("/api/v1/spending/contracts/{OCID}"));
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["ocid"], OCID);
    assert_eq!(v["buyer"]["code"], BUYER);
    let stages: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        ["tender", "award", "contract", "payment", "payment"]
    );
    assert_eq!(v["payments"].as_array().unwrap().len(), 2);
    let rules: Vec<&str> = v["red_flags"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["single_bid", "short_tender_period"]);
    assert_eq!(number(&v["embodied_carbon"]["kg_co2e"]), 2280.0);

    // A process without flags or deliveries says so.
    let (_, body, _) = get!(app, &format!("/spending/contracts/{OCID_DIRECT}"));
    assert!(body.contains("No red flag"));
    assert!(body.contains("No payments under this process yet."));
    assert!(body.contains("No shipment names this process"));

    let (status, body, _) = get!(app, "/spending/contracts/ocds-nope-1");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("No contracting process ocds-nope-1 is known."));
    let (status, body, _) = get!(app, "/api/v1/spending/contracts/ocds-nope-1");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
}

#[actix_web::test]
async fn budget_line_page_follows_the_money_to_payments_and_supplier() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);

    let (status, body, _) = get!(app, &format!("/spending/budget/2025/{LINE}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    assert!(body.contains(&money("1 000 000.00")) && body.contains(&money("1 100 000.00")));
    assert!(body.contains(&format!("href=\"/spending/contracts/{OCID}\"")));
    assert!(body.contains(&format!("href=\"/parties/{SUPPLIER}\"")));
    assert!(
        body.contains(&format!("{} EUR", money("650 000.00"))),
        "paid under the contract"
    );
    assert!(body.contains("LOT-CEM-1"));
    assert!(
        !body.contains(OCID_DIRECT),
        "the uncontracted direct award commits nothing"
    );
    escaped_only(&body);

    let (status, body, _) = get!(app, &format!("/api/v1/spending/budget/2025/{LINE}"));
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["budget_line"]["budget_line_id"], LINE);
    assert_eq!(number(&v["budget_line"]["adjusted"]), 1100000.0);
    assert_eq!(v["processes"][0]["ocid"], OCID);
    assert_eq!(
        v["processes"][0]["contracts"][0]["suppliers"][0]["code"],
        SUPPLIER
    );

    for uri in [
        "/spending/budget/2024/2025-PW-01",
        "/spending/budget/2025/NO-LINE",
    ] {
        let (status, _, _) = get!(app, uri);
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    let (status, body, _) = get!(app, "/api/v1/spending/budget/twenty/NO-LINE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
    let (status, body, _) = get!(app, "/api/v1/spending/budget/2025/NO-LINE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
}

#[actix_web::test]
async fn party_page_shows_contracts_payments_shipments_and_emissions() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);

    let (status, body, _) = get!(app, &format!("/parties/{SUPPLIER}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    escaped_only(&body);
    assert!(body.contains("alert(1)"), "the name is shown, as text");
    assert!(body.contains(&format!("href=\"/spending/contracts/{OCID}\"")));
    assert!(
        body.contains(&format!("{} EUR", money("400 000.00")))
            && body.contains(&format!("{} EUR", money("250 000.00")))
    );
    assert!(body.contains("SHP-1") && body.contains(&format!("{} kg", money("2 280.0"))));
    assert!(body.contains("No emission reports name this party."));

    let (status, body, _) = get!(app, &format!("/parties/{BUYER}"));
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Public Works"));
    assert!(body.contains(">Only one bid in a competitive procedure<"));
    assert!(body.contains("mobile_combustion") && body.contains(&money("120 000.0")));

    let (status, body, _) = get!(app, &format!("/api/v1/parties/{BUYER}"));
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["code"], BUYER);
    assert_eq!(v["kind"], "department");
    assert_eq!(v["processes"].as_array().unwrap().len(), 2);
    assert_eq!(v["payments"].as_array().unwrap().len(), 2);
    assert_eq!(v["emissions_reported"].as_array().unwrap().len(), 3);

    // A party code with a slash (an OCDS party without identifier), percent-encoded in links.
    let (_, body, _) = get!(app, &format!("/spending/contracts/{OCID_DIRECT}"));
    assert!(body.contains("href=\"/parties/ocds-ctexpl-0002%2FS3\""));
    let (status, body, _) = get!(app, "/parties/ocds-ctexpl-0002%2FS3");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Charlie Chairs</h1>"));

    let (status, _, _) = get!(app, "/parties/NOBODY");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body, _) = get!(app, "/api/v1/parties/NOBODY");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
}

fn json_files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(json_files_under(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every official OCDS example (`CITYTRACE_REFERENCE_DIR`) imported through the real importer:
/// each process's page, its JSON twin and each party's page answer, and the procurement list
/// holds every process.
#[actix_web::test]
async fn every_official_ocds_example_has_working_contract_and_party_pages() {
    let Some(reference) = citytrace_schema::testing::reference_dir() else {
        return;
    };
    let db = TestDatabase::new();
    for path in json_files_under(&reference.join("ocds/examples")) {
        let options = citytrace_importers::ImportOptions {
            submitter: "city".into(),
            ..Default::default()
        };
        match citytrace_importers::import_file(
            &mut db.conn(),
            citytrace_importers::Format::Ocds,
            &path,
            &options,
        ) {
            Ok(citytrace_importers::ImportOutcome::Imported { .. }) => {}
            other => panic!("{} was not imported: {other:?}", path.display()),
        }
    }
    let (ocids, codes): (Vec<String>, Vec<String>) = {
        use citytrace_schema::diesel::prelude::*;
        use citytrace_schema::schema::{parties, procurement_processes};
        let c = &mut db.conn();
        (
            procurement_processes::table
                .select(procurement_processes::ocid)
                .load(c)
                .unwrap(),
            parties::table.select(parties::code).load(c).unwrap(),
        )
    };
    assert!(ocids.len() > 10, "{} processes", ocids.len());
    let app = app!(db);
    let segment = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    for ocid in &ocids {
        let (status, body, _) = get!(app, &format!("/spending/contracts/{}", segment(ocid)));
        assert_eq!(status, StatusCode::OK, "{ocid}: {body}");
        let (status, body, _) = get!(
            app,
            &format!("/api/v1/spending/contracts/{}", segment(ocid))
        );
        assert_eq!(status, StatusCode::OK, "{ocid}");
        assert_eq!(json(&body)["ocid"], ocid.as_str());
    }
    for code in &codes {
        let (status, body, _) = get!(app, &format!("/parties/{}", segment(code)));
        assert_eq!(status, StatusCode::OK, "{code}: {body}");
    }
    let (_, body, _) = get!(app, "/spending/contracts/ocds-213czf-000-00001");
    assert!(body.contains("Planned cycle lane improvements"));
    let (_, body, _) = get!(app, "/api/v1/spending/procurement");
    assert_eq!(json(&body)["total"], ocids.len());
    let (status, _, _) = get!(app, "/spending");
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn with_nothing_imported_the_pages_say_so() {
    let db = TestDatabase::new();
    let app = app!(db);
    let (status, body, _) = get!(app, "/spending");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No budget lines for this year yet."));
    assert!(body.contains("No procurement processes yet."));
    let (status, body, _) = get!(app, "/spending/procurement");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No contracting processes match."));
    let (status, body, _) = get!(app, "/emissions");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No emission reports by the city's departments"));
    assert!(body.contains("No deliveries under the city's contracts"));
    assert!(body.contains("No carbon credits were retired"));
    let (status, body, _) = get!(app, "/api/v1/spending");
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["fiscal_year"], Value::Null);
    assert_eq!(v["budget_vs_actual"], serde_json::json!([]));
}

mod budget_line_export;
mod executed_vs_paid;
mod flag_figures;
mod ledger_evidence;
mod procurement_money;
mod supplier_and_contract;
