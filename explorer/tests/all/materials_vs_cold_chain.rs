//! Materials lists building materials; food and medicine live under Cold chain (issue 12). A
//! product is cold-chain goods when its stored `material_class` is `food` or `pharmaceutical`
//! (any case, spaces around ignored) or it has a temperature range; everything else is a
//! material (docs/explorer.md, "Materials or cold chain"). A cement lot and a vaccine lot go
//! through the real importers; each list, its CSV and its JSON show one and not the other, and
//! the lot page answers for both.

use crate::support::{between, import_as, json};

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

/// Cement (a material); a vaccine with a range (cold chain); school milk classed `Food ` with
/// no range (cold chain by its class); a product with neither (a material by default).
const PRODUCTS: &str = "gtin,product,material_class,unit,min_temp_c,max_temp_c\n\
    04012345111118,Portland cement CEM I 42.5 R,cement,TNE,,\n\
    05412345003014,Measles vaccine 10 doses,pharmaceutical,H87,2,8\n\
    ,School milk 200 ml, Food ,H87,,\n\
    ,Timber beam,,MTQ,,\n";

const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at\n\
    S-1,1,LOT-CEM-1,04012345111118,Portland cement CEM I 42.5 R,2.6,TNE,CEMENT-WORKS,SITE-NB,2026-05-01T07:30:00+02:00\n\
    S-2,1,LOT-VAX-1,05412345003014,Measles vaccine 10 doses,400,H87,DEPOT,CLINIC,2026-05-02T07:30:00+02:00\n\
    S-3,1,LOT-MILK-1,,School milk 200 ml,1000,H87,DEPOT,SCHOOL,2026-05-03T07:30:00+02:00\n\
    S-4,1,LOT-BEAM-1,,Timber beam,3,MTQ,MILL,SITE-NB,2026-05-04T07:30:00+02:00\n";

fn seed(pool: &PgPool) {
    import_as(pool, Format::Products, "HSM", "products.csv", PRODUCTS);
    import_as(pool, Format::Shipments, "HSM", "shipments.csv", SHIPMENTS);
}

/// The lot codes of a list's JSON page, sorted.
fn lot_codes(body: &str) -> Vec<String> {
    let mut codes: Vec<String> = json(body)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["lot_code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes
}

/// The first column of every CSV row after the header, sorted.
fn csv_first_column(csv: &str) -> Vec<String> {
    let mut codes: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    codes.sort();
    codes
}

#[actix_web::test]
async fn materials_list_building_materials_and_cold_chain_the_food_and_medicine() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let materials = ["LOT-BEAM-1", "LOT-CEM-1"];
    let cold_chain = ["LOT-MILK-1", "LOT-VAX-1"];

    let (status, body) = get!(app, "/api/v1/lots");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lot_codes(&body), materials);
    let (_, csv) = get!(app, "/materials/lots?format=csv");
    assert_eq!(csv_first_column(&csv), materials);
    let (status, page) = get!(app, "/materials/lots");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"href="/lots/LOT-CEM-1""#), "{page}");
    assert!(!page.contains("LOT-VAX-1"), "{page}");

    let (status, body) = get!(app, "/api/v1/cold-chain-lots");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lot_codes(&body), cold_chain);
    let (_, csv) = get!(app, "/cold-chain/lots?format=csv");
    assert_eq!(csv_first_column(&csv), cold_chain);
    let (status, page) = get!(app, "/cold-chain/lots");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"href="/lots/LOT-VAX-1""#), "{page}");
    assert!(!page.contains("LOT-CEM-1"), "{page}");

    // The filters follow: a search for the vaccine finds nothing among the materials.
    let (_, body) = get!(app, "/api/v1/lots?q=vaccine");
    assert_eq!(json(&body)["total"], 0);
    let (_, body) = get!(app, "/api/v1/cold-chain-lots?q=vaccine");
    assert_eq!(lot_codes(&body), ["LOT-VAX-1"]);

    // The products lists split the same way.
    let (_, body) = get!(app, "/api/v1/products");
    let products = json(&body);
    let mut names: Vec<&str> = products["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Portland cement CEM I 42.5 R", "Timber beam"]);
}

#[actix_web::test]
async fn each_landing_page_shows_its_own_lots_and_the_lot_page_answers_for_both() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (_, body) = get!(app, "/materials");
    let lots = between(&body, "id=\"lots-h\"", "</section>");
    assert!(lots.contains(r#"href="/lots/LOT-CEM-1""#), "{lots}");
    assert!(!lots.contains("LOT-VAX-1"), "{lots}");
    let (_, body) = get!(app, "/api/v1/materials");
    let latest = json(&body)["lots"]["latest"].clone();
    assert_eq!(latest.as_array().unwrap().len(), 2, "{latest}");

    let (status, body) = get!(app, "/cold-chain");
    assert_eq!(status, StatusCode::OK);
    let lots = between(&body, "id=\"lots-h\"", "</section>");
    assert!(lots.contains(r#"href="/lots/LOT-VAX-1""#), "{lots}");
    assert!(lots.contains(r#"href="/cold-chain/lots""#), "{lots}");
    assert!(!lots.contains("LOT-CEM-1"), "{lots}");

    for (lot, area) in [("LOT-CEM-1", "/materials"), ("LOT-VAX-1", "/cold-chain")] {
        let (status, body) = get!(app, &format!("/lots/{lot}"));
        assert_eq!(status, StatusCode::OK, "{lot}");
        assert!(
            body.contains(&format!(r#"<a href="{area}" aria-current="page""#)),
            "{lot}: the navigation shows the lot's area {area}"
        );
    }
}

#[actix_web::test]
async fn typing_lots_lands_on_the_lots_list_with_its_query() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);

    for (uri, location) in [
        ("/lots", "/materials/lots"),
        ("/lots/", "/materials/lots"),
        (
            "/lots?q=cem&sort=lot_code",
            "/materials/lots?q=cem&sort=lot_code",
        ),
    ] {
        let (status, _, headers) = get_with_headers!(app, uri);
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT, "{uri}");
        assert_eq!(
            crate::support::header(&headers, "location").as_deref(),
            Some(location),
            "{uri}"
        );
    }
    let (status, _) = get!(app, "/materials/lots?q=cem&sort=lot_code");
    assert_eq!(status, StatusCode::OK);
}
