//! The deliveries and import-batches lists name sites and parties (issue 12): the site or the
//! supplier by name as the link text, its code (often a GLN or `NL-KVK-…`) in small type after
//! it; the CSV and JSON carry the name (`from_site_name`, `to_site_name`, `supplier_name`,
//! `submitter_name`) and keep the code under its old key. Names registered as the demo city
//! registers them (`Party::ensure`, `Site::ensure_all`), the file through the real importer.

use crate::support::{import_as, json};

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::models::{NewParty, NewSite, Party, Site};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const SUPPLIER: &str = "NL-KVK-87654321";

fn seed(pool: &PgPool) {
    let conn = &mut pool.get().unwrap();
    let owner = Party::ensure(
        conn,
        &NewParty {
            code: SUPPLIER,
            name: "Rivers Cement",
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
        party_id: Some(owner.id),
        latitude: None,
        longitude: None,
    };
    Site::ensure_all(
        conn,
        &[
            site("8712345000035", "Rivers cement works"),
            site("8712345000042", "North Bridge site"),
        ],
    )
    .unwrap();
    import_as(
        pool,
        Format::Shipments,
        SUPPLIER,
        "shipments.csv",
        "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
         S-1,1,LOT-CEM-1,Portland cement,2.6,TNE,8712345000035,8712345000042,2026-05-01T07:30:00+02:00\n",
    );
}

#[actix_web::test]
async fn the_deliveries_list_names_sites_and_supplier_with_their_codes_beside() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, page) = get!(app, "/materials/deliveries?to_site=8712345000042");
    assert_eq!(status, StatusCode::OK);
    for needle in [
        r#"<a href="/sites/8712345000035">Rivers cement works</a> <span class="muted small">8712345000035</span>"#,
        r#"<a href="/sites/8712345000042">North Bridge site</a> <span class="muted small">8712345000042</span>"#,
        r#"<a href="/parties/NL-KVK-87654321">Rivers Cement</a> <span class="muted small">NL-KVK-87654321</span>"#,
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert!(
        !page.contains(">8712345000042</a>"),
        "a GLN is never link text"
    );
    assert!(
        !page.contains(">NL-KVK-87654321</a>"),
        "a KvK code is never link text"
    );

    let (_, body) = get!(app, "/api/v1/deliveries");
    let item = &json(&body)["items"][0];
    assert_eq!(item["from_site_name"], "Rivers cement works");
    assert_eq!(item["from_site"], "8712345000035");
    assert_eq!(item["to_site_name"], "North Bridge site");
    assert_eq!(item["supplier_name"], "Rivers Cement");
    assert_eq!(item["supplier"], SUPPLIER);

    let (_, csv) = get!(app, "/materials/deliveries?format=csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cell = |key: &str| row[header.iter().position(|h| *h == key).unwrap()];
    assert_eq!(cell("to_site_name"), "North Bridge site");
    assert_eq!(cell("to_site"), "8712345000042");
    assert_eq!(cell("supplier_name"), "Rivers Cement");
}

#[actix_web::test]
async fn the_batches_list_names_the_submitter_with_the_code_beside() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, page) = get!(app, "/batches");
    assert_eq!(status, StatusCode::OK);
    let needle = r#"<a href="/parties/NL-KVK-87654321">Rivers Cement</a> <span class="muted small">NL-KVK-87654321</span>"#;
    assert!(page.contains(needle), "{page}");
    assert!(!page.contains(">NL-KVK-87654321</a>"), "{page}");
    let (_, body) = get!(app, "/api/v1/batches");
    let item = &json(&body)["items"][0];
    assert_eq!(item["submitter_name"], "Rivers Cement");
    assert_eq!(item["submitter"], SUPPLIER);
}
