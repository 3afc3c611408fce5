//! The cold-chain pages speak in names (issue 12): the breach list names where the goods were
//! delivered (the clinic, with its code in small type) and the contract they were bought under
//! (linked, by its title); the shipment page names the sites and gives quantities in the units
//! people write; the shipments list names the sites. The parties and sites are registered with
//! their names as the demo city registers them (`Party::ensure`, `Site::ensure_all`), then
//! the files go through the real importers.

use crate::support::{between, import_as, json};

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::models::{NewParty, NewSite, Party, Site};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const OCID: &str = "ocds-b5fd17-vax-2026";

/// Vaccine: 2–8 °C, 30 minutes out in all, 15 at once, a reading every 5 minutes.
const PRODUCTS: &str = "gtin,product,unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
05412345003014,Measles vaccine 10 doses,H87,2,8,30,15,5
";

fn seed(pool: &PgPool) {
    let conn = &mut pool.get().unwrap();
    let owner = Party::ensure(
        conn,
        &NewParty {
            code: "NL-KVK-12345678",
            name: "Polar Pharma Logistics",
            kind: "supplier",
            gln: None,
        },
    )
    .unwrap();
    let site = |code, name| NewSite {
        code,
        name,
        kind: "warehouse",
        gln: None,
        party_id: Some(owner.id),
        latitude: None,
        longitude: None,
    };
    Site::ensure_all(
        conn,
        &[
            site("8712345000011", "Polar Pharma depot"),
            site("8712345000028", "East Side Clinic"),
        ],
    )
    .unwrap();
    let release = serde_json::json!({
        "uri": "https://city.example/ocds/vax.json", "publishedDate": "2026-03-01T00:00:00Z",
        "version": "1.1",
        "releases": [{
            "ocid": OCID, "id": "r1", "date": "2026-03-01T00:00:00Z", "tag": ["tender"],
            "initiationType": "tender",
            "buyer": {"id": "HEALTH", "name": "Public Health"},
            "parties": [{"id": "HEALTH", "name": "Public Health", "roles": ["buyer"]}],
            "tender": {"id": "T-VAX", "title": "Vaccines for the city clinics", "status": "active",
                       "procurementMethod": "open", "mainProcurementCategory": "goods"}
        }]
    });
    import_as(pool, Format::Ocds, "FIN", "vax.json", &release.to_string());
    import_as(pool, Format::Products, "PPL", "products.csv", PRODUCTS);
    import_as(
        pool,
        Format::Shipments,
        "PPL",
        "shipments.csv",
        &format!(
            "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at,carrier,purchase_order,contract_ocid,certificates
VAX-1,1,LOT-VAX-1,05412345003014,Measles vaccine 10 doses,400,H87,8712345000011,8712345000028,2026-04-12T07:30:00+02:00,,,,{OCID},
"
        ),
    );
    // Above 8 °C from 08:05 to 08:25 (+02:00): 20 minutes at once > 15: a breach.
    let readings: String = ["5", "9", "9", "9", "9", "5"]
        .iter()
        .enumerate()
        .map(|(i, t)| format!("TL-9,VAX-1,,2026-04-12T08:{:02}:00+02:00,{t},\n", 5 * i))
        .collect();
    import_as(
        pool,
        Format::SensorReadings,
        "PPL",
        "readings.csv",
        &format!("device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct\n{readings}"),
    );
}

#[actix_web::test]
async fn the_breach_list_names_the_clinic_and_links_the_contract() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    for uri in ["/cold-chain", "/cold-chain/breaches"] {
        let (status, body) = get!(app, uri);
        assert_eq!(status, StatusCode::OK, "{uri}");
        let table = between(&body, "<table class=\"breaches\">", "</table>");
        assert!(
            table.contains("<a href=\"/sites/8712345000028\">East Side Clinic</a> <small class=\"code\">8712345000028</small>"),
            "{uri}: {table}"
        );
        assert!(
            table.contains(&format!(
                "<a href=\"/spending/contracts/{OCID}\">Vaccines for the city clinics</a>"
            )),
            "{uri}: {table}"
        );
        assert!(
            !table.contains(">8712345000028</a>"),
            "a GLN is never the link text"
        );
    }
    let (_, body) = get!(app, "/api/v1/cold-chain/breaches");
    let row = &json(&body)["items"][0];
    assert_eq!(row["delivered_to"]["name"], "East Side Clinic");
    assert_eq!(row["delivered_to"]["code"], "8712345000028");
    assert_eq!(row["contract"]["ocid"], OCID);
    assert_eq!(row["contract"]["title"], "Vaccines for the city clinics");
    let (_, csv) = get!(app, "/cold-chain/breaches?format=csv");
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",delivered_to,delivered_to_code,contract_ocid,contract_title"),
        "{header}"
    );
    assert!(
        csv.lines().nth(1).unwrap().ends_with(&format!(
            ",East Side Clinic,8712345000028,{OCID},Vaccines for the city clinics"
        )),
        "{csv}"
    );
}

#[actix_web::test]
async fn the_shipment_page_and_list_name_sites_and_write_units_as_people_do() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/cold-chain/shipments/VAX-1");
    assert_eq!(status, StatusCode::OK);
    let route = between(&body, "<dl class=\"facts route\">", "</dl>");
    for needle in [
        "<a href=\"/sites/8712345000011\">Polar Pharma depot</a> <small class=\"code\">8712345000011</small>",
        "<a href=\"/sites/8712345000028\">East Side Clinic</a> <small class=\"code\">8712345000028</small>",
        "Polar Pharma Logistics",
        &format!("<a href=\"/spending/contracts/{OCID}\">Vaccines for the city clinics</a>"),
        "2026-04-12 07:30 (UTC+02:00)",
    ] {
        assert!(route.contains(needle), "{needle} in {route}");
    }
    let lines = between(&body, "id=\"lines-h\"", "</table>");
    assert!(lines.contains("400 pieces"), "{lines}");
    assert!(!lines.contains("H87"), "{lines}");
    assert!(
        lines.contains(
            ">Polar Pharma depot</a> → <a href=\"/sites/8712345000028\">East Side Clinic</a>"
        ),
        "{lines}"
    );
    let (_, body) = get!(app, "/api/v1/cold-chain/shipments/VAX-1");
    let v = json(&body);
    assert_eq!(v["route"]["to"]["name"], "East Side Clinic");
    assert_eq!(
        v["route"]["contract"]["title"],
        "Vaccines for the city clinics"
    );
    assert_eq!(v["lines"][0]["quantity_text"], "400 pieces");

    // The list of shipments: sites by name, linked by code; the codes in the exports too.
    let (_, page) = get!(app, "/cold-chain/shipments");
    assert!(page.contains(">East Side Clinic</a>"), "{page}");
    let (_, body) = get!(app, "/api/v1/cold-chain-shipments");
    let item = &json(&body)["items"][0];
    assert_eq!(item["to_site_name"], "East Side Clinic");
    assert_eq!(item["to_site"], "8712345000028");
}
