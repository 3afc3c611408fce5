//! The waste pages and their JSON twins against a real PostgreSQL, with transfer notes and
//! receipts imported through the real importers. Expected figures are worked out by hand in
//! the comments.

use crate::support::{between, import_as, json};

use actix_web::http::StatusCode;
use serde_json::Value;

use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const TRANSFERS: &str = "consignment_id,ewc_code,description,mass_kg,mass_basis,producer,from_site,carrier,carrier_licence,to_site,transferred_at,planned_operation,previous_consignment_id
WTN-0190,17 09 04,Mixed demolition waste,5000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-01-05T08:00:00+01:00,R13,
WTN-0184,17 01 01,Crushed concrete,12480,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-04T08:15:00+02:00,R5,
WTN-0185,17 04 05,Rebar offcuts,2140,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,METAL-YARD,2026-05-04T09:30:00+02:00,R4,
WTN-0186,17 03 01*,Coal-tar planings,3200,ESTIMATED,DEPT-WORKS,SITE-ELM,HAZ-HAUL,CBDU998877,HAZ-TREAT,2026-05-05T07:45:00+02:00,D9,
WTN-0187,17 06 05*,Asbestos sheets,900,REAL,DEPT-WORKS,SITE-ELM,HAZ-HAUL,CBDU998877,HAZ-STORE,2026-05-06T08:00:00+02:00,D15,
WTN-0188,17 02 01,Timber,2000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-07T08:00:00+02:00,R3,
WTN-0189,17 02 02,Glass,2000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-07T09:00:00+02:00,R5,
WTN-0201,19 12 09,Screening fines,1850,REAL,RECYCLE-CO,RECYCLE-YARD,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-05-20T07:00:00+02:00,D1,WTN-0184
WTN-0204,19 12 07,Wood chips,1500,REAL,RECYCLE-CO,RECYCLE-YARD,HAUL-CO,CBDU112233,ENERGY-PLANT,2026-05-25T07:00:00+02:00,R1,WTN-0188
WTN-0202,17 06 04,Insulation,900,REAL,HAZ-STORE-CO,HAZ-STORE,HAZ-HAUL,CBDU998877,LANDFILL-EAST,2026-06-10T07:00:00+02:00,D1,WTN-0187
WTN-0203,19 12 12,Sorting residues,400,REAL,RECYCLE-CO,RECYCLE-YARD,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-06-15T07:00:00+02:00,D1,
WTN-0300,17 05 04,<script>alert(1)</script>,100,REAL,DEPT-WORKS,SITE-ELM,HAUL-CO,CBDU112233,HAZ-TREAT,2026-06-20T07:00:00+02:00,R5,
";

const RECEIPTS: &str = "consignment_id,status,mass_received_kg,operation,refusal_reason,received_at
WTN-0190,accepted,5000,R13,,2026-01-05T10:00:00+01:00
WTN-0184,accepted,12360,R13,,2026-05-04T09:40:00+02:00
WTN-0185,accepted,2138,R4,,2026-05-04T10:20:00+02:00
WTN-0186,refused,3180,,Load not sheeted,2026-05-05T09:05:00+02:00
WTN-0187,accepted,900,D15,,2026-05-06T10:00:00+02:00
WTN-0188,accepted,2100,R3,,2026-05-07T10:00:00+02:00
WTN-0189,accepted,2100.5,R5,,2026-05-07T11:00:00+02:00
WTN-0201,accepted,1872,D1,,2026-05-20T08:10:00+02:00
WTN-0202,accepted,905,D1,,2026-06-10T09:00:00+02:00
";

/// (transfers batch, receipts batch).
pub(crate) fn seed(pool: &PgPool) -> (i64, i64) {
    (
        import_as(
            pool,
            Format::WasteTransfers,
            "DEPT-WORKS",
            "file.csv",
            TRANSFERS,
        ),
        import_as(
            pool,
            Format::WasteReceipts,
            "RECYCLE-CO",
            "file.csv",
            RECEIPTS,
        ),
    )
}

#[actix_web::test]
async fn the_waste_page_shows_city_rates_flagged_consignments_and_the_list() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/waste");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    // 2026, accepted under a final operation: recycling 2138 (R4) + 2100 (R3) + 2100.5 (R5) =
    // 6338.5; landfill 1872 + 905 = 2777; treated 9115.5. 6338.5 / 9115.5 = 69.535…% → 69.54;
    // 2777 / 9115.5 = 30.464…% → 30.46. Interim (R13, D15): 5000 + 12360 + 900 = 18260.
    let rates = between(&body, "<table class=\"rates\">", "</table>");
    let all = between(rates, "All waste", "</tr>");
    for figure in ["9115.5", "69.54 %", "30.46 %", "18260"] {
        assert!(all.contains(figure), "{figure} in {all}");
    }
    // Chapter 17: treated 7243.5, recycling 6338.5 / 7243.5 = 87.506…% → 87.51, landfill
    // 905 / 7243.5 = 12.49 %; chapter 19: 1872 kg, all landfill.
    let ch17 = between(rates, "Construction and demolition", "</tr>");
    assert!(
        ch17.contains("7243.5") && ch17.contains("87.51 %") && ch17.contains("12.49 %"),
        "{ch17}"
    );
    let ch19 = between(rates, "Waste and water treatment", "</tr>");
    assert!(ch19.contains("1872") && ch19.contains("100.00 %"), "{ch19}");
    // The chart: an inline SVG image beside the table.
    assert!(body.contains("<svg id=\"rates-chart\""));
    assert!(body.contains("role=\"img\""));
    assert!(body.contains("2026 · ch. 17: recycling 87.51 %"));

    // Flagged: 0184 planned R5, performed R13; 0186 refused; 0189 2100.5 against 2000 is
    // +5.025 % > 5 %; 0190 parked under R13 since January (> 180 days); 0202 non-hazardous
    // out of the asbestos (hazardous) of 0187. 0188 (+5 % exactly) is not flagged.
    let flagged = between(&body, "id=\"flagged-h\"", "</section>");
    for id in ["WTN-0184", "WTN-0186", "WTN-0189", "WTN-0190", "WTN-0202"] {
        assert!(
            flagged.contains(&format!("href=\"/waste/consignments/{id}\"")),
            "{id}"
        );
    }
    assert!(!flagged.contains("WTN-0188"));
    assert!(flagged.contains("operation: planned R5, performed R13"));
    assert!(flagged.contains("refused: Load not sheeted"));
    assert!(flagged.contains("difference 100.5 kg (5.03 %)"));
    assert!(flagged.contains(
        "hazardous in, non-hazardous out at HAZ-STORE: WTN-0187 (17 06 05*) left as 17 06 04"
    ));
    assert_eq!(flagged.matches("badge trust-imported").count(), 5);

    // The consignments list, first page, through the list machinery.
    let list = between(&body, "id=\"consignments-h\"", "</section>");
    assert!(list.contains("href=\"/waste/consignments/WTN-0300\""));
    assert!(list.contains("17 06 05*"));
    assert!(list.contains("href=\"/waste/facilities/RECYCLE-YARD\""));
    // Imported text is never markup (the description is on the consignment's page).
    assert!(!body.contains("<script>alert(1)</script>"));

    let (status, body) = get!(app, "/api/v1/waste");
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["period"], "year");
    let first = &v["rates"][0];
    assert_eq!(
        (
            &first["period"],
            &first["chapter"],
            &first["treated_kg"],
            &first["recycling_percent"],
            &first["landfill_percent"]
        ),
        (
            &Value::from("2026"),
            &Value::from("all"),
            &Value::from("9115.5"),
            &Value::from("69.54"),
            &Value::from("30.46")
        )
    );
    let mut ids: Vec<&str> = v["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["consignment_id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["WTN-0184", "WTN-0186", "WTN-0189", "WTN-0190", "WTN-0202"]
    );

    let (status, _) = get!(app, "/waste?period=week");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, body) = get!(app, "/waste?period=quarter");
    assert!(body.contains("2026-Q2"));
}

#[actix_web::test]
async fn a_consignment_shows_its_custody_chain_masses_treatment_and_evidence() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let (transfers, receipts) = seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/waste/consignments/WTN-0201");
    assert_eq!(status, StatusCode::OK);
    // Came from WTN-0184 (a link); itself (no link).
    let chain = between(&body, "id=\"chain-h\"", "</section>");
    assert!(chain.contains("came from"));
    assert!(chain.contains("href=\"/waste/consignments/WTN-0184\""));
    assert!(!chain.contains("href=\"/waste/consignments/WTN-0201\""));
    // Declared 1850, received 1872: +22 kg, 22 / 1850 = 1.189…% → 1.19.
    let mass = between(&body, "<table class=\"mass\">", "</table>");
    assert!(mass.contains("1850 kg"), "{mass}");
    assert!(mass.contains("1872 kg"));
    assert!(mass.contains("22 kg (1.19 %)"));
    assert!(mass.contains("D1 — landfill</abbr>"), "{mass}");
    assert!(mass.contains("as planned"));
    assert!(mass.contains("<strong>accepted</strong>"));
    // Line 9 of the transfers file, line 9 of the receipts file; both only imported.
    assert!(body.contains(&format!("href=\"/batches/{transfers}#line-9\"")));
    assert!(body.contains(&format!("href=\"/batches/{transfers}/rows/9/proof\"")));
    assert!(mass.contains(&format!("href=\"/batches/{receipts}#line-9\"")));
    assert!(body.contains("badge trust-imported"));
    assert!(body.contains("href=\"/waste/facilities/LANDFILL-EAST\""));
    assert!(body.contains("No flags"));

    let (_, body) = get!(app, "/waste/consignments/WTN-0184");
    // Moved on by WTN-0201; planned R5, performed R13 (interim).
    assert!(body.contains("moved on (step 1)"));
    assert!(body.contains("href=\"/waste/consignments/WTN-0201\""));
    assert!(body.contains("other than planned"));
    assert!(body.contains("operation: planned R5, performed R13"));

    let (status, body) = get!(app, "/api/v1/waste/consignments/WTN-0201");
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    let depths: Vec<(i64, &str)> = v["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["depth"].as_i64().unwrap(),
                s["consignment_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(depths, [(-1, "WTN-0184"), (0, "WTN-0201")]);
    assert_eq!(v["chain"][1]["difference_kg"], "22");
    assert_eq!(v["chain"][1]["receipt"]["operation"], "D1");
    assert_eq!(v["chain"][1]["source"]["line"], 9);
    assert_eq!(v["flag_figures"]["mass"]["exceeds_tolerance"], false);
    assert_eq!(v["flags"], serde_json::json!([]));

    let (status, body) = get!(app, "/waste/consignments/WTN-0300");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("not received yet"));
    assert!(!body.contains("<script>alert(1)</script>"));
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));

    let (status, _) = get!(app, "/waste/consignments/WTN-NOPE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get!(app, "/api/v1/waste/consignments/WTN-NOPE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");

    // The list's filters: EWC sub-chapter 17 06 (0187 and 0202), refusals (0186).
    let (_, body) = get!(
        app,
        "/api/v1/waste-consignments?ewc=17%2006&sort=consignment_id&dir=asc"
    );
    let v = json(&body);
    assert_eq!(v["total"], 2);
    assert_eq!(v["items"][0]["consignment_id"], "WTN-0187");
    assert_eq!(v["items"][0]["ewc_code"], "17 06 05*");
    assert_eq!(v["items"][1]["consignment_id"], "WTN-0202");
    let (_, body) = get!(app, "/api/v1/waste-consignments?status=refused");
    let v = json(&body);
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["consignment_id"], "WTN-0186");
}

#[actix_web::test]
async fn a_facility_shows_its_mass_balance_per_period() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/waste/facilities/RECYCLE-YARD");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    let table = between(&body, "<table class=\"balance\">", "</table>");
    // January: 5000 in, stored under R13: stock 0 → 5000, nothing unexplained.
    let january = between(table, "<th scope=\"row\">2026-01</th>", "</tr>");
    assert!(january.contains("<td class=\"num\">5000</td>"), "{january}");
    // May: in 12360 (R13) + 2100 (R3) + 2100.5 (R5) = 16560.5, treated 4200.5; out 1850
    // (from the stored concrete) + 1500 (wood chips, residues of the timber) = 3350; stock
    // 5000 → 5000 + 12360 − 1850 = 15510; unexplained = 16560.5 − 3350 − 10510 − (4200.5 −
    // 1500) = 0.
    let may = between(table, "<th scope=\"row\">2026-05</th>", "</tr>");
    for figure in ["16560.5", "4200.5", "3350", "1500", "15510", "10510"] {
        assert!(
            may.contains(&format!("<td class=\"num\">{figure}</td>")),
            "{figure} in {may}"
        );
    }
    // June: 400 out with no recorded origin: −400, −400 / 15510 = −2.578…% → −2.58 %, within
    // the 5 % tolerance.
    let june = between(table, "<th scope=\"row\">2026-06</th>", "</tr>");
    assert!(
        june.contains("-400 <span class=\"muted small\">(-2.58 %)</span>"),
        "{june}"
    );
    assert!(!table.contains("over tolerance"));
    assert!(body.contains("<svg id=\"balance-chart\""));
    assert!(body.contains("href=\"/waste/consignments?facility=RECYCLE-YARD\""));

    // The producer's site only sends: every period that sends is unexplained and flagged.
    let (_, body) = get!(app, "/waste/facilities/SITE-NORTH");
    let table = between(&body, "<table class=\"balance\">", "</table>");
    // May: 12480 + 2140 + 2000 + 2000 = 18620 sent.
    assert!(between(table, "<th scope=\"row\">2026-05</th>", "</tr>").contains("-18620"));
    assert_eq!(
        table.matches("over tolerance").count(),
        2,
        "January and May"
    );
    assert!(body.contains("2 periods with unexplained mass over the tolerance."));

    let (status, body) = get!(app, "/api/v1/waste/facilities/RECYCLE-YARD?period=quarter");
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["period"], "quarter");
    let q2 = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2026-Q2")
        .unwrap();
    // Q2: the May and June figures together: −400 unexplained of 16560.5 + 5000.
    assert_eq!(q2["received_kg"], "16560.5");
    assert_eq!(q2["sent_kg"], "3750");
    assert_eq!(q2["unexplained_kg"], "-400");
    assert_eq!(q2["exceeds_tolerance"], false);

    let (status, _) = get!(app, "/waste/facilities/NOWHERE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get!(app, "/api/v1/waste/facilities/NOWHERE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
}

#[actix_web::test]
async fn an_empty_city_says_there_is_nothing_yet() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/waste");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No waste received by a facility yet"));
    assert!(body.contains("No consignment is flagged."));
    // Every JSON twin is in the API document.
    let (_, body) = get!(app, "/api/v1/openapi.json");
    let doc = json(&body);
    for path in [
        "/api/v1/waste",
        "/api/v1/waste/consignments/{id}",
        "/api/v1/waste/facilities/{code}",
        "/api/v1/waste-consignments",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
}
