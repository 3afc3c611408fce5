//! The materials pages against a real PostgreSQL, with data put in through the real importers:
//! lot (identity, certificates, embodied carbon, trace tree and its fragments, timeline), site,
//! product, the materials landing page, their JSON twins, 404s and escaping.
//!
//! The city in these tests, with the figures worked out by hand:
//! - products: Portland cement (GTIN 04012345111118) with EPD-IES-0009876 at 912 kg CO2e/t;
//!   insulin kept at 2 to 8 °C.
//! - shipments: cement lot CEM-0501, 2.6 t from CEMENT-WORKS to PLANT-1, with two
//!   certificates; aggregate lot AGG-0502, 9.6 t from QUARRY-NORTHGATE to PLANT-1 (no EPD).
//! - production: run MIX-1 makes RMX-1, 8 m³ of concrete with its own EPD (EPD-RMX-C3037,
//!   265.4 kg/m³) from CEM-0501 and AGG-0502; run PRE-1 makes LIN-1 (2 lintels, no EPD) from
//!   1 m³ of RMX-1.
//! - shipments: RMX-1, 8 m³ from PLANT-1 to SITE-NB under contract ocds-b5fd17-2026-0017; a
//!   lot named `<script>` (1 t, no factor) to SITE-NB.
//!
//! So: CEM-0501 carries 2.6 × 912 = 2371.2 kg CO2e; RMX-1 8 × 265.4 = 2123.2 kg (its own EPD,
//! never its inputs); LIN-1 has no EPD, so its inputs: 1 m³ × 265.4 = 265.4 kg for the whole
//! run; AGG-0502 is not computable. SITE-NB received 2 deliveries: 2123.2 kg counted
//! (2.1232 t), 1 not computable.

use crate::support::{between, import_as, json};

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const PRODUCTS: &str = "gtin,product,material_class,unit,epd_ref,gwp_kg_co2e_per_unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes\n\
    04012345111118,Portland cement CEM I 42.5 R,cement,TNE,EPD-IES-0009876,912,,,,,\n\
    05412345003014,Insulin glargine,pharmaceutical,H87,,,2,8,60,30,5\n";

const TO_PLANT: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at,certificates\n\
    DESADV-1,1,CEM-0501,04012345111118,Portland cement CEM I 42.5 R,2.6,TNE,CEMENT-WORKS,PLANT-1,2026-05-01T07:30:00+02:00,2026-05-01T09:00:00+02:00,DoP-CEM-2026-11|LAB-2026-0412\n\
    DESADV-2,1,AGG-0502,,Crushed granite 4/20,9.6,TNE,QUARRY-NORTHGATE,PLANT-1,2026-05-02T06:10:00+02:00,,\n";

const PRODUCTION: &str = "production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit\n\
    MIX-1,1,RMX-1,,Ready-mix concrete C30/37,8,MTQ,CEM-0501,,2.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00,EPD-RMX-C3037,265.4,MTQ\n\
    MIX-1,2,RMX-1,,Ready-mix concrete C30/37,8,MTQ,AGG-0502,,9.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00,EPD-RMX-C3037,265.4,MTQ\n\
    PRE-1,1,LIN-1,,Precast lintel,2,H87,RMX-1,,1,MTQ,PLANT-1,2026-05-07T08:00:00+02:00,,,\n";

const TO_SITE: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at,contract_ocid\n\
    DESADV-3,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,PLANT-1,SITE-NB,2026-05-06T09:00:00+02:00,2026-05-06T09:40:00+02:00,ocds-b5fd17-2026-0017\n\
    DESADV-3,2,LOT-<script>alert(1)</script>,<script>alert(1)</script>,1,TNE,PLANT-1,SITE-NB,2026-05-06T09:00:00+02:00,,\n";

/// The city above; the batch ids (products, to plant, production, to site).
fn seed(pool: &PgPool) -> [i64; 4] {
    [
        import_as(pool, Format::Products, "HSM", "file.csv", PRODUCTS),
        import_as(pool, Format::Shipments, "HSM", "file.csv", TO_PLANT),
        import_as(pool, Format::Production, "HSM", "file.csv", PRODUCTION),
        import_as(pool, Format::Shipments, "HSM", "file.csv", TO_SITE),
    ]
}

#[actix_web::test]
async fn the_lot_page_shows_identity_certificates_carbon_and_sources() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let [products, to_plant, _, _] = seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/lots/CEM-0501");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1, "one h1");
    assert!(body.contains(r#"<a href="/products/04012345111118">Portland cement CEM I 42.5 R</a>"#));
    assert!(
        body.contains(r#"<a href="/parties/HSM">HSM</a>"#),
        "supplier"
    );
    assert!(body.contains(r#"<a class="origin-site" href="/sites/CEMENT-WORKS">CEMENT-WORKS</a>"#));
    // 2.6 t × 912 kg/t
    assert!(
        body.contains("<strong>2.37 t CO2e</strong> for 2.6 t at 912 kg CO2e per t."),
        "{body}"
    );
    assert!(body.contains("EPD EPD-IES-0009876 of product 04012345111118"));
    // The factor's source: the products file's row (the header is line 1).
    assert!(body.contains(&format!(
        r#"href="/batches/{products}#line-2">batch {products}, line 2</a>"#
    )));
    let certificates = between(&body, "certificates-h", "</section>");
    for reference in ["DoP-CEM-2026-11", "LAB-2026-0412"] {
        assert!(
            certificates.contains(&format!("<code>{reference}</code>")),
            "{certificates}"
        );
    }
    assert!(certificates.contains(&format!(r#"href="/batches/{to_plant}#line-2""#)));
    assert!(certificates.contains(&format!(r#"href="/batches/{to_plant}/rows/2/proof""#)));
    assert!(body.contains("imported, waiting to be anchored on the ledger"));

    // A lot without any factor says why, and counts nothing.
    let (_, body) = get!(app, "/lots/AGG-0502");
    assert!(body.contains("Not computable: Crushed granite 4/20 has no EPD factor, and lot AGG-0502 was not made by a recorded production run."), "{body}");
    assert!(body.contains("No certificate or test report is named for this lot."));
}

#[actix_web::test]
async fn the_trace_is_a_depth_limited_tree_with_more_levels_on_demand() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let [_, _, production, _] = seed(&pool);
    let app = app!(pool);

    // Default depth 2 from LIN-1: RMX-1, then its inputs.
    let (status, body) = get!(app, "/lots/LIN-1");
    assert_eq!(status, StatusCode::OK);
    let back = between(&body, r#"id="trace-back""#, "</section>");
    assert!(
        back.contains(r#"<a class="trace-lot" href="/lots/RMX-1">RMX-1</a>"#),
        "{back}"
    );
    assert!(back.contains(r#"<a class="trace-lot" href="/lots/CEM-0501">CEM-0501</a>"#));
    assert!(back.contains(r#"<a class="trace-lot" href="/lots/AGG-0502">AGG-0502</a>"#));
    assert!(back.contains("1 m³ in run <code>PRE-1</code>"));
    assert!(back.contains("2.6 t in run <code>MIX-1</code>"));
    assert!(back.contains(r#"origin <a class="trace-origin" href="/sites/CEMENT-WORKS">"#));
    // The production input rows: PRE-1 is line 4 of the production file, MIX-1's cement line 2.
    assert!(back.contains(&format!(r#"href="/batches/{production}#line-4""#)));
    assert!(back.contains(&format!(r#"href="/batches/{production}#line-2""#)));
    // RMX-1's inputs are nested inside its item.
    let rmx = between(back, "RMX-1</a>", "</ul>");
    assert!(rmx.contains("CEM-0501"), "{rmx}");
    assert!(
        !back.contains("Show more"),
        "nothing is recorded below the inputs"
    );
    // LIN-1 has no EPD: its input's share, 1 m³ × 265.4.
    assert!(
        body.contains("<strong>265.4 kg CO2e</strong> for 2 pieces"),
        "{body}"
    );
    assert!(body.contains("no EPD: the sum of the 1 input of production run PRE-1"));
    // Made, not shipped: its maker is its supplier, its run's row its evidence.
    assert!(body.contains(r#"<a href="/parties/HSM">HSM</a>"#));
    assert!(body.contains("imported, waiting to be anchored on the ledger"));

    // One level: RMX-1 has more below it, offered as a fragment and as a deeper page.
    let (_, body) = get!(app, "/lots/LIN-1?depth=1");
    let back = between(&body, r#"id="trace-back""#, "</section>");
    assert!(!back.contains("CEM-0501"), "{back}");
    assert!(
        back.contains(r#"href="/lots/LIN-1?depth=2#trace-back""#),
        "{back}"
    );
    assert!(
        back.contains(r#"hx-get="/lots/RMX-1?trace=back&#38;level=1&#38;root=LIN-1""#),
        "{back}"
    );

    // The fragment: RMX-1's inputs only, no page around them.
    let (status, fragment) = get!(
        app,
        "/lots/RMX-1?trace=back&level=1&root=LIN-1",
        ("HX-Request", "true")
    );
    assert_eq!(status, StatusCode::OK);
    assert!(!fragment.contains("<html"), "{fragment}");
    assert!(
        fragment.contains(r#"<ul class="trace-tree">"#),
        "{fragment}"
    );
    assert!(
        fragment.contains("CEM-0501") && fragment.contains("AGG-0502"),
        "{fragment}"
    );
    // Without htmx the same URL is the page.
    let (_, page) = get!(app, "/lots/RMX-1?trace=back&level=1&root=LIN-1");
    assert!(page.contains("<html"));

    // Forward from the cement: RMX-1, then LIN-1.
    let (_, body) = get!(app, "/lots/CEM-0501");
    let forward = between(&body, r#"id="trace-forward""#, "</section>");
    assert!(
        forward.contains(">RMX-1<") && forward.contains(">LIN-1<"),
        "{forward}"
    );
    // Forward to the site the concrete was delivered to.
    assert!(
        forward.contains(r#"delivered to <a class="trace-site" href="/sites/SITE-NB">SITE-NB</a>"#),
        "{forward}"
    );
    let (_, body) = get!(app, "/lots/CEM-0501?depth=1");
    let forward = between(&body, r#"id="trace-forward""#, "</section>");
    assert!(
        !forward.contains(">LIN-1<") && forward.contains("Show more uses of RMX-1"),
        "{forward}"
    );

    // A lot with nothing behind it says so.
    let (_, body) = get!(app, "/lots/AGG-0502");
    assert!(body.contains("Not made from other recorded lots."));

    let (status, _) = get!(app, "/lots/LIN-1?depth=99");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get!(app, "/api/v1/lots/LIN-1?depth=deep");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["error"], "bad_request");
}

#[actix_web::test]
async fn the_lot_timeline_links_every_event_to_its_row() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let [_, _, production, to_site] = seed(&pool);
    let app = app!(pool);
    let (_, body) = get!(app, "/lots/RMX-1");
    let timeline = between(&body, "events-h", "</section>");
    // Made by MIX-1 (the run's first row, line 2), shipped to the site (line 2 of its batch).
    assert!(timeline.contains("TransformationEvent"), "{timeline}");
    assert!(
        timeline.contains(&format!(r#"href="/batches/{production}#line-2""#)),
        "{timeline}"
    );
    assert!(
        timeline.contains(&format!(r#"href="/batches/{to_site}#line-2""#)),
        "{timeline}"
    );
    assert!(
        timeline.contains(r#"<a href="/sites/PLANT-1" title="PLANT-1">PLANT-1</a>"#),
        "{timeline}"
    );
    let shipments = between(&body, "shipments-h", "</section>");
    assert!(shipments.contains(
        r#"<a href="/spending/contracts/ocds-b5fd17-2026-0017">ocds-b5fd17-2026-0017</a>"#
    ));
}

#[actix_web::test]
async fn the_lot_api_mirrors_the_page() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let [_, _, production, to_site] = seed(&pool);
    let app = app!(pool);
    let (status, body) = get!(app, "/api/v1/lots/RMX-1?depth=1");
    assert_eq!(status, StatusCode::OK);
    let lot = json(&body);
    assert_eq!(lot["code"], "RMX-1");
    assert_eq!(lot["product"]["code"], "Ready-mix concrete C30/37");
    assert_eq!(lot["origin"]["code"], "PLANT-1");
    assert_eq!(lot["carbon"]["kg_co2e"], "2123.2");
    assert_eq!(lot["carbon"]["epd_reference"], "EPD-RMX-C3037");
    assert_eq!(lot["carbon"]["source"]["batch_id"], production);
    assert_eq!(lot["depth"], 1);
    let back = lot["trace_back"].as_array().unwrap();
    let codes: Vec<&str> = back
        .iter()
        .map(|n| n["lot_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CEM-0501", "AGG-0502"]);
    assert_eq!(back[0]["quantity"], "2.6");
    assert_eq!(back[0]["origin_site"], "CEMENT-WORKS");
    assert_eq!(back[0]["children"].as_array().unwrap().len(), 0);
    let forward = lot["trace_forward"].as_array().unwrap();
    assert_eq!(forward.len(), 1);
    assert_eq!(forward[0]["lot_code"], "LIN-1");
    assert_eq!(back[0]["delivered_to"], serde_json::json!(["PLANT-1"]));
    assert_eq!(
        lot["shipments"][0]["source"]["proof"],
        format!("/api/v1/batches/{to_site}/rows/2/proof")
    );

    let (status, body) = get!(app, "/api/v1/lots/NOPE-1");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
    let (status, body) = get!(app, "/lots/NOPE-1");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("No lot NOPE-1 is known."));
}

#[actix_web::test]
async fn the_site_page_adds_up_what_was_delivered() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let [_, _, _, to_site] = seed(&pool);
    let app = app!(pool);
    let (status, body) = get!(app, "/sites/SITE-NB");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<h1").count(), 1);
    // 2123.2 kg of concrete; the <script> lot has no factor and is not counted.
    assert!(body.contains("2.12 t CO2e"), "{body}");
    assert!(body.contains("(1 deliveries not computable, not counted)"));
    // The deliveries, through the list machinery, filtered to the site.
    assert!(body.contains(r#"id="list-deliveries""#));
    assert!(body.contains(r#"href="/materials/deliveries?to_site=SITE-NB""#));
    assert!(
        body.contains(&format!(r#"href="/batches/{to_site}#line-2""#)),
        "{body}"
    );
    let origins = between(&body, "origins-h", "</section>");
    assert!(
        origins.contains(r#"<a href="/sites/PLANT-1">PLANT-1</a>"#),
        "{origins}"
    );
    assert!(
        origins.contains(r#"<td class="num">2</td><td class="num">2.12 t CO2e"#),
        "{origins}"
    );
    let suppliers = between(&body, "suppliers-h", "</section>");
    assert!(suppliers.contains(r#"<a href="/parties/HSM">HSM</a>"#));
    let contracts = between(&body, "contracts-h", "</section>");
    assert!(
        contracts.contains(r#"<a href="/spending/contracts/ocds-b5fd17-2026-0017">"#),
        "{contracts}"
    );
    assert!(contracts.contains("not known"), "no payments imported");

    let (status, body) = get!(app, "/api/v1/sites/SITE-NB");
    assert_eq!(status, StatusCode::OK);
    let site = json(&body);
    assert_eq!(site["kg_co2e"], "2123.2");
    assert_eq!(site["t_co2e"], "2.1232");
    assert_eq!(site["deliveries_count"], 2);
    assert_eq!(site["not_computable"], 1);
    assert_eq!(site["deliveries"].as_array().unwrap().len(), 2);
    // One delivery under the contract, one under none (the <script> lot, not computable).
    let contracts = site["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 2);
    let named = contracts
        .iter()
        .find(|c| c["ocid"] == "ocds-b5fd17-2026-0017")
        .unwrap();
    assert_eq!(named["kg_co2e"], "2123.2");
    assert_eq!(named["deliveries"], 1);

    // A site nothing was delivered to.
    let (status, body) = get!(app, "/sites/CEMENT-WORKS");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No deliveries to this site yet."));

    let (status, _) = get!(app, "/sites/NOWHERE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get!(app, "/api/v1/sites/NOWHERE");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["status"], 404);
}

#[actix_web::test]
async fn the_product_page_shows_master_data_versions_and_lots() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let [products, ..] = seed(&pool);
    let app = app!(pool);
    let (status, body) = get!(app, "/products/04012345111118");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<strong>912 kg CO2e per t</strong>"),
        "{body}"
    );
    assert!(body.contains("EPD <code>EPD-IES-0009876</code>"));
    let versions = between(&body, "versions-h", "</section>");
    assert!(
        versions.contains(&format!(r#"href="/batches/{products}#line-2""#)),
        "{versions}"
    );
    assert!(versions.contains(r#"<span class="badge">current</span>"#));
    let lots = between(&body, "lots-h", "</section>");
    assert!(lots.contains(r#"href="/lots/CEM-0501""#), "{lots}");
    assert!(!lots.contains("RMX-1"));

    let (_, body) = get!(app, "/products/05412345003014");
    assert!(body.contains("2 to 8 °C"), "{body}");
    assert!(body.contains("No lots of this product yet."));

    let (status, body) = get!(app, "/api/v1/products/04012345111118");
    assert_eq!(status, StatusCode::OK);
    let product = json(&body);
    assert_eq!(product["gwp_per_unit"], "912");
    assert_eq!(product["lots"], 1);
    assert_eq!(product["versions"][0]["source"]["batch_id"], products);

    let (status, _) = get!(app, "/products/NOTHING");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get!(app, "/api/v1/products/NOTHING");
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_materials_landing_page_leads_to_lots_products_and_sites() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/materials");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<input type="hidden" name="area" value="materials">"#));
    seed(&pool);
    let (_, body) = get!(app, "/materials");
    for href in ["/lots/LIN-1", "/products/04012345111118", "/sites/SITE-NB"] {
        assert!(body.contains(&format!(r#"href="{href}""#)), "{href}");
    }
    for list in [
        "/materials/deliveries?to_site=SITE-NB",
        "/materials/products",
        "/materials/sites",
    ] {
        let (status, _) = get!(app, list);
        assert_eq!(status, StatusCode::OK, "{list}");
    }
    let (_, body) = get!(app, "/api/v1/deliveries?to_site=SITE-NB");
    assert_eq!(json(&body)["total"], 2);
    let (status, body) = get!(app, "/api/v1/materials");
    assert_eq!(status, StatusCode::OK);
    let area = json(&body);
    // Five lots (CEM-0501, AGG-0502, RMX-1, LIN-1, the <script> one), newest first.
    assert_eq!(area["lots"]["latest"].as_array().unwrap().len(), 5);
    assert_eq!(area["lots"]["list"], "/api/v1/lots");
    assert!(area["sites"]["latest"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["code"] == "SITE-NB"));
}

#[actix_web::test]
async fn imported_script_is_text_on_every_materials_page() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    for uri in [
        "/lots/LOT-%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/sites/SITE-NB",
        "/products/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/materials",
        "/materials/deliveries",
    ] {
        let (status, body) = get!(app, uri);
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            !body.contains("<script>alert(1)"),
            "{uri} has the raw script"
        );
        assert!(
            body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{uri} shows it as text"
        );
    }
}

/// Names registered before the files arrive (as `citytrace party add` and the sites' own
/// registration do): the supplier HSM and two sites.
fn register_names(pool: &PgPool) {
    use citytrace_schema::models::{NewParty, NewSite, Party, Site};
    let conn = &mut pool.get().unwrap();
    Party::ensure(
        conn,
        &NewParty {
            code: "HSM",
            name: "Harbor Steel Mill BV",
            kind: "supplier",
            gln: None,
        },
    )
    .unwrap();
    let site = |code, name| NewSite {
        code,
        name,
        kind: "plant",
        gln: None,
        party_id: None,
        latitude: None,
        longitude: None,
    };
    Site::ensure_all(
        conn,
        &[
            site("CEMENT-WORKS", "Rhine cement works"),
            site("PLANT-1", "Northgate batching plant"),
        ],
    )
    .unwrap();
}

#[actix_web::test]
async fn the_lot_page_names_parties_and_sites_and_writes_units_as_people_do() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    register_names(&pool);
    seed(&pool);
    let app = app!(pool);
    let (status, body) = get!(app, "/lots/CEM-0501");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#"<a href="/parties/HSM">Harbor Steel Mill BV</a> <span class="muted small">HSM</span>"#),
        "{body}"
    );
    assert!(body.contains(r#"<a class="origin-site" href="/sites/CEMENT-WORKS">Rhine cement works</a> <span class="muted small">CEMENT-WORKS</span>"#));
    let shipments = between(&body, "shipments-h", "</section>");
    assert!(
        shipments.contains(r#"<td class="num">2.6 t</td>"#),
        "{shipments}"
    );
    assert!(
        shipments
            .contains(r#"<a href="/sites/PLANT-1" title="PLANT-1">Northgate batching plant</a>"#),
        "{shipments}"
    );
    assert!(!shipments.contains("TNE"), "{shipments}");
    // The lot made of it, in m³.
    let (_, body) = get!(app, "/lots/RMX-1");
    assert!(
        body.contains("<strong>2.12 t CO2e</strong> for 8 m³ at 265.4 kg CO2e per m³."),
        "{body}"
    );
    let back = between(&body, "trace-back-h", "</section>");
    assert!(back.contains("· 2.6 t in run"), "{back}");
    // The JSON twin keeps the exact figures and the codes beside the names.
    let (_, body) = get!(app, "/api/v1/lots/CEM-0501");
    let lot = json(&body);
    assert_eq!(lot["supplier"]["name"], "Harbor Steel Mill BV");
    assert_eq!(lot["supplier"]["code"], "HSM");
    assert_eq!(lot["carbon"]["kg_co2e"], "2371.2");
    assert_eq!(lot["shipments"][0]["quantity"], "2.6");
    assert_eq!(lot["shipments"][0]["unit"], "TNE");
}

#[actix_web::test]
async fn the_site_page_names_origins_and_suppliers_and_rounds_carbon() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    register_names(&pool);
    seed(&pool);
    let app = app!(pool);
    let (_, body) = get!(app, "/sites/SITE-NB");
    let origins = between(&body, "origins-h", "</section>");
    assert!(
        origins.contains(r#"<a href="/sites/PLANT-1">Northgate batching plant</a> <span class="muted small">PLANT-1</span>"#),
        "{origins}"
    );
    let suppliers = between(&body, "suppliers-h", "</section>");
    assert!(
        suppliers.contains(r#"<a href="/parties/HSM">Harbor Steel Mill BV</a> <span class="muted small">HSM</span>"#),
        "{suppliers}"
    );
    assert!(body.contains(r#"<strong class="site-carbon">2.12 t CO2e</strong>"#));
    let (_, body) = get!(app, "/api/v1/sites/SITE-NB");
    let site = json(&body);
    assert_eq!(site["origins"][0]["key"], "PLANT-1");
    assert_eq!(site["origins"][0]["label"], "Northgate batching plant");
    assert_eq!(site["kg_co2e"], "2123.2");
}

#[actix_web::test]
async fn lot_and_batch_pages_link_the_block_the_transaction_the_submitter_and_the_root() {
    use citytrace_schema::models::{Chain, ChainKind, Finality};
    let db = TestDatabase::new();
    let pool = db.pool(2);
    register_names(&pool);
    let [_, to_plant, _, _] = seed(&pool);
    {
        let conn = &mut pool.get().unwrap();
        Chain::upsert(conn, 31337, "city ledger", ChainKind::Ledger).unwrap();
        crate::support::anchor_batch(conn, to_plant, 124, 0xbb, 3, Finality::Final);
    }
    let app = app!(pool);
    let tx = format!("0x{}", "ab".repeat(32));
    let anchored = format!(
        r#"anchored in block <a class="anchor-block" href="/ledger/chains/31337/blocks/124">124</a> (tx <a class="anchor-tx" href="/ledger/chains/31337/tx/{tx}" title="{tx}"><code class="hash">0xababab…abab</code></a>), final"#
    );
    // CEM-0501 came in that batch only: the lot is final, and says where.
    let (_, body) = get!(app, "/lots/CEM-0501");
    let head = between(&body, r#"<header class="page-head""#, "</header>");
    assert!(head.contains(&anchored), "{head}");
    let shipments = between(&body, "shipments-h", "</section>");
    assert!(shipments.contains(&anchored), "{shipments}");
    let (_, body) = get!(app, "/api/v1/lots/CEM-0501");
    let lot = json(&body);
    assert_eq!(lot["anchor"]["block_number"], 124);
    assert_eq!(lot["anchor"]["tx_hash"], tx);
    assert_eq!(lot["anchor"]["final"], true);
    assert_eq!(lot["shipments"][0]["anchor"]["block_number"], 124);

    let (_, body) = get!(app, &format!("/batches/{to_plant}"));
    let head = between(&body, r#"<header class="page-head""#, "</header>");
    assert!(head.contains(&anchored), "{head}");
    assert!(
        body.contains(r#"<dt>Submitted by</dt><dd><a href="/parties/HSM">Harbor Steel Mill BV</a> <span class="muted small">HSM</span>"#),
        "{body}"
    );
    assert!(body.contains(
        r#"<dt>Anchored in block</dt><dd><a href="/ledger/chains/31337/blocks/124">124</a>"#
    ));
    assert!(body.contains(&format!(
        r#"<dd><a href="/ledger/chains/31337/tx/{tx}"><code class="hash">{tx}</code></a>"#
    )));
    // The root links to the event that holds it on the ledger.
    assert!(
        body.contains(&format!(
            r#"<a href="/ledger/chains/31337/tx/{tx}#log-3" title="The BatchAnchored event"#
        )),
        "{body}"
    );
    // Each row has its anchor, with its quantity as people write it.
    assert!(
        body.contains(r#"<tr id="line-2"><td class="num">2</td>"#),
        "{body}"
    );
    assert!(body.contains(r#"<td class="num">2.6 t</td>"#), "{body}");
}
