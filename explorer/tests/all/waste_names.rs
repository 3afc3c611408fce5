//! The waste pages speak in names and explain their codes (issue 12): facilities by name (their
//! code in small type), R/D operation codes and REAL/ESTIMATED explained on hover
//! (`<abbr title>`) and in a legend, and a consignment that became recycled aggregate links
//! forward to that lot. The sites are registered with their names as the demo registers them;
//! the files go through the real importers.

use crate::support::{between, import_as, json};

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::models::{NewSite, Site};
use citytrace_schema::testing::TestDatabase;

#[actix_web::test]
async fn a_consignment_names_its_facility_explains_its_codes_and_links_the_aggregate_it_became() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let site = |code, name| NewSite {
        code,
        name,
        kind: "treatment_facility",
        gln: None,
        party_id: None,
        latitude: None,
        longitude: None,
    };
    Site::ensure_all(
        &mut pool.get().unwrap(),
        &[
            site("RECYCLE-YARD", "Eastport recycling yard"),
            site("SITE-NORTH", "North bridge works"),
        ],
    )
    .unwrap();
    crate::waste::seed(&pool);
    // The yard crushes WTN-0184 (the consignment id is the input lot) into recycled aggregate.
    import_as(
        &pool,
        Format::Production,
        "RECYCLE-CO",
        "production.csv",
        "production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit
RA-0184,1,RA-0184-1,,Recycled aggregate 0/31.5,12,TNE,WTN-0184,Crushed concrete,12.36,TNE,RECYCLE-YARD,2026-05-05T10:00:00+02:00,,,
",
    );
    let app = app!(pool);

    let (status, body) = get!(app, "/waste/consignments/WTN-0184");
    assert_eq!(status, StatusCode::OK);
    let facts = between(&body, "<dl class=\"facts\">", "</dl>");
    assert!(
        facts.contains("<a href=\"/waste/facilities/RECYCLE-YARD\">Eastport recycling yard</a> <small class=\"code\">RECYCLE-YARD</small>"),
        "{facts}"
    );
    assert!(
        facts.contains(">North bridge works</a> <small class=\"code\">SITE-NORTH</small>"),
        "{facts}"
    );
    // Planned R5, performed R13: each code explained where it stands.
    assert!(
        body.contains("<abbr title=\"R5 — Recycling/reclamation of other inorganic materials (recycling)\">R5 — recycling</abbr>"),
        "{body}"
    );
    assert!(body.contains("<abbr title=\"R13 — "), "{body}");
    assert!(
        body.contains("<abbr title=\"weighed on a weighbridge\">REAL</abbr>"),
        "{body}"
    );
    let legend = between(&body, "id=\"legend-h\"", "</section>");
    for needle in ["R5", "R13", "REAL", "ESTIMATED"] {
        assert!(legend.contains(needle), "{needle} in the legend: {legend}");
    }
    // What it became.
    let became = between(&body, "id=\"became-h\"", "</section>");
    assert!(
        became.contains("<a href=\"/lots/RA-0184-1\">RA-0184-1</a>")
            && became.contains("Recycled aggregate 0/31.5"),
        "{became}"
    );
    let (_, body) = get!(app, "/api/v1/waste/consignments/WTN-0184");
    let v = json(&body);
    assert_eq!(v["became"][0]["lot_code"], "RA-0184-1");
    assert_eq!(v["chain"][0]["facility"]["name"], "Eastport recycling yard");

    // A consignment that became nothing says so; the facility page explains its codes too.
    let (_, body) = get!(app, "/waste/consignments/WTN-0185");
    assert!(!body.contains("id=\"became-h\""));
    let (status, body) = get!(app, "/waste/facilities/RECYCLE-YARD");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Eastport recycling yard"), "{body}");
    assert!(body.contains("id=\"legend-h\""), "{body}");
}
