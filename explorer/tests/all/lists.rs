//! Every registered list against a real PostgreSQL: the page, the paged API, sorting,
//! filters, pagination, htmx fragments, full CSV/JSON exports (formula-safe), errors, and the
//! OpenAPI document that describes them.

use crate::support::{anchor_batch, import_as, json};

use actix_web::http::StatusCode;

use citytrace_explorer::lists;
use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

/// Five lots of one supplier; one lot code is a spreadsheet formula.
const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-1,1,LOT-A,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00\n\
    SHP-1,2,LOT-B,Rebar B500B,1.5,TNE,MILL,SITE-A,2026-05-02T08:00:00+02:00\n\
    SHP-1,3,LOT-C,Cement CEM I,7,TNE,PLANT,SITE-A,2026-05-03T08:00:00+02:00\n\
    SHP-1,4,LOT-D,Cement CEM I,2,TNE,PLANT,SITE-B,2026-05-04T08:00:00+02:00\n\
    SHP-1,5,=HYPERLINK(\"http://x\"),Cement CEM I,2,TNE,PLANT,SITE-B,2026-05-05T08:00:00+02:00\n";

fn seed(pool: &PgPool) -> i64 {
    import_as(pool, Format::Shipments, "HSM", "lots.csv", CSV)
}

fn lot_codes(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["lot_code"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn every_list_serves_its_page_its_api_and_both_exports() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    for def in lists::all() {
        let (status, body, headers) = get_with_headers!(app, def.path);
        assert_eq!(status, StatusCode::OK, "{}: {body}", def.path);
        assert!(
            body.contains(&format!("<h1>{}</h1>", def.title)),
            "{}",
            def.path
        );
        assert!(body.contains(&format!(r#"id="list-{}""#, def.name)));
        assert_eq!(headers.get("vary").unwrap(), "HX-Request, HX-Target");

        let (status, body) = get!(app, &def.api_path());
        assert_eq!(status, StatusCode::OK, "{}", def.api_path());
        let page = json(&body);
        let items = page["items"].as_array().unwrap();
        assert_eq!(
            page["total"].as_u64().unwrap() as usize,
            items.len(),
            "{}",
            def.name
        );
        for item in items {
            for column in def.columns {
                assert!(
                    item.get(column.key).is_some(),
                    "{}.{}",
                    def.name,
                    column.key
                );
            }
        }

        let (status, csv, headers) = get_with_headers!(app, &format!("{}?format=csv", def.path));
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers.get("content-type").unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            headers.get("content-disposition").unwrap(),
            &format!("attachment; filename=\"citytrace-{}.csv\"", def.name)
        );
        let keys: Vec<&str> = def.columns.iter().map(|c| c.key).collect();
        assert_eq!(csv.lines().next().unwrap(), keys.join(","));
        assert_eq!(csv.lines().count(), items.len() + 1, "{}", def.name);

        let (status, all) = get!(app, &format!("{}?format=json", def.api_path()));
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json(&all).as_array().unwrap().len(), items.len());
    }
}

#[actix_web::test]
async fn sorting_filtering_and_paging_are_in_the_url_and_agree_across_outputs() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (_, body) = get!(app, "/api/v1/lots?sort=lot_code&dir=asc&per_page=2");
    let first = json(&body);
    assert_eq!(lot_codes(&first), ["=HYPERLINK(\"http://x\")", "LOT-A"]);
    assert_eq!(first["total"], 5);
    assert_eq!(
        first["next"],
        "/api/v1/lots?sort=lot_code&dir=asc&per_page=2&page=2"
    );
    assert_eq!(first["prev"], serde_json::Value::Null);
    let (_, body) = get!(app, first["next"].as_str().unwrap());
    assert_eq!(lot_codes(&json(&body)), ["LOT-B", "LOT-C"]);
    let (_, body) = get!(app, "/api/v1/lots?sort=lot_code&dir=asc&per_page=2&page=3");
    let last = json(&body);
    assert_eq!(lot_codes(&last), ["LOT-D"]);
    assert_eq!(last["next"], serde_json::Value::Null);

    // A filter narrows the page, the count and the exports alike.
    let (_, body) = get!(app, "/api/v1/lots?q=cement&sort=lot_code");
    let cement = json(&body);
    assert_eq!(cement["total"], 3);
    assert_eq!(
        lot_codes(&cement),
        ["=HYPERLINK(\"http://x\")", "LOT-C", "LOT-D"]
    );
    let (_, csv) = get!(app, "/materials/lots?q=cement&sort=lot_code&format=csv");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3);
    // The formula is defused (and quoted, since it contains quotes).
    assert!(
        rows[0].starts_with("\"'=HYPERLINK(\"\"http://x\"\")\",Cement CEM I,"),
        "{}",
        rows[0]
    );

    // The page keeps the view in its links: sort headers, pager and exports.
    let (status, page) = get!(app, "/materials/lots?q=cement&sort=lot_code&per_page=2");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"aria-sort="ascending""#));
    assert!(page.contains("1–2 of 3"));
    assert!(page.contains(r#"href="/materials/lots?q=cement&#38;sort=lot_code&#38;dir=asc&#38;per_page=2&#38;page=2""#), "{page}");
    assert!(page.contains(
        r#"href="/materials/lots?q=cement&#38;sort=lot_code&#38;dir=asc&#38;format=csv""#
    ));
    assert!(page.contains(r#"value="cement""#));

    // htmx asks for the table only.
    let (_, fragment) = get!(
        app,
        "/materials/lots?q=cement",
        ("HX-Request", "true"),
        ("HX-Target", "list-lots")
    );
    assert!(
        fragment.starts_with("<section id=\"list-lots\""),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"));
}

#[actix_web::test]
async fn bad_parameters_are_400s_that_say_what_is_wrong() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/api/v1/lots?sort=secret");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = json(&body);
    assert_eq!(error["error"], "bad_request");
    assert_eq!(
        error["message"],
        "cannot sort lots by \"secret\"; sortable: lot_code, product, material_class, registered_at"
    );
    let (status, body) = get!(app, "/batches?from=yesterday");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("from must be a date such as 2026-03-31, not &#34;yesterday&#34;"),
        "{body}"
    );
    let (status, _) = get!(app, "/api/v1/lots?per_page=0");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get!(app, "/api/v1/lots?format=xml");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("format must be html, json or csv"));
    let (status, body) = get!(app, "/ledger/events?tx=0xzz");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("tx must be a 0x-prefixed hex value"),
        "{body}"
    );
    // An empty list says so, and a page past the end too.
    let (_, body) = get!(app, "/materials/lots");
    assert!(body.contains("No rows match."));
}

#[actix_web::test]
async fn a_batch_anchored_on_the_ledger_shows_as_anchored_in_the_batch_list() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);
    let (_, body) = get!(app, "/api/v1/batches");
    assert_eq!(json(&body)["items"][0]["trust"], "imported");
    let (_, body) = get!(app, "/api/v1/batches?trust=final");
    assert_eq!(json(&body)["total"], 0);
    {
        use citytrace_schema::models::{Chain, ChainKind, Finality};
        let conn = &mut pool.get().unwrap();
        Chain::upsert(conn, 31337, "test ledger", ChainKind::Ledger).unwrap();
        anchor_batch(conn, batch, 9, 0xbb, 0, Finality::Final);
    }
    let (_, body) = get!(app, "/api/v1/batches?trust=final");
    let page = json(&body);
    assert_eq!(
        (page["total"].as_u64(), page["items"][0]["id"].as_i64()),
        (Some(1), Some(batch))
    );
    let (_, body) = get!(app, "/ledger/events");
    assert!(body.contains("BatchAnchored"), "{body}");
    assert!(body.contains(&format!("href=\"/batches/{batch}\"")));
    let (_, body) = get!(app, "/api/v1/anchors");
    assert_eq!(
        json(&body)["items"][0]["tx_hash"],
        format!("0x{}", "ab".repeat(32))
    );
}

#[actix_web::test]
async fn the_openapi_document_describes_every_list_and_endpoint() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body, headers) = get_with_headers!(app, "/api/v1/openapi.json");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
    let doc = json(&body);
    assert_eq!(doc["openapi"], "3.1.0");
    for def in lists::all() {
        let op = &doc["paths"][def.api_path()]["get"];
        assert_eq!(op["summary"], def.title, "{}", def.name);
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for f in def.filters {
            assert!(params.contains(&f.key), "{}: {}", def.name, f.key);
        }
        let sortable = &op["parameters"][2]["schema"]["enum"];
        assert_eq!(
            sortable.as_array().unwrap().len(),
            def.columns.iter().filter(|c| c.sortable).count()
        );
    }
    for e in citytrace_explorer::openapi::ENDPOINTS {
        assert!(doc["paths"][e.path][e.method].is_object(), "{}", e.path);
    }
}

/// Registers the party `code` with its `name` (as `citytrace party add` does).
fn register_party(pool: &PgPool, code: &str, name: &str) {
    use citytrace_schema::models::{NewParty, Party};
    Party::ensure(
        &mut pool.get().unwrap(),
        &NewParty {
            code,
            name,
            kind: "supplier",
            gln: None,
        },
    )
    .unwrap();
}

#[actix_web::test]
async fn the_lots_list_names_each_lots_supplier_on_the_page_in_json_and_in_csv() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    register_party(&pool, "NL-KVK-12345678", "Harbor Steel Mill BV");
    import_as(
        &pool,
        Format::Shipments,
        "NL-KVK-12345678",
        "steel.csv",
        "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
         SHP-9,1,LOT-S,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00\n",
    );
    // A supplier that registered no name: its code is all there is to show.
    seed(&pool);
    let app = app!(pool);

    let (_, body) = get!(app, "/api/v1/lots?sort=lot_code&dir=asc");
    let page = json(&body);
    let suppliers: Vec<(String, String, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["lot_code"].as_str().unwrap().to_string(),
                i["supplier"].as_str().unwrap_or("(none)").to_string(),
                i["supplier_code"].as_str().unwrap_or("(none)").to_string(),
            )
        })
        .collect();
    assert_eq!(suppliers.len(), 6, "{body}");
    assert_eq!(
        suppliers[5],
        (
            "LOT-S".to_string(),
            "Harbor Steel Mill BV".to_string(),
            "NL-KVK-12345678".to_string()
        )
    );
    for (lot, name, code) in &suppliers[..5] {
        assert_eq!((name.as_str(), code.as_str()), ("HSM", "HSM"), "{lot}");
    }

    let (_, csv) = get!(app, "/materials/lots?q=lot-s&format=csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let at = |key: &str| header.iter().position(|h| *h == key).unwrap();
    assert_eq!(row[at("supplier")], "Harbor Steel Mill BV", "{csv}");
    assert_eq!(row[at("supplier_code")], "NL-KVK-12345678", "{csv}");

    // The page: the name links to the party, its code in small type after it.
    let (_, html) = get!(app, "/materials/lots?q=lot-s");
    assert!(
        html.contains(r#"<a href="/parties/NL-KVK-12345678">Harbor Steel Mill BV</a> <span class="muted small">NL-KVK-12345678</span>"#),
        "{html}"
    );
    // A party known only by its code shows it once.
    let (_, html) = get!(app, "/materials/lots?q=lot-a");
    assert!(html.contains(r#"<a href="/parties/HSM">HSM</a>"#), "{html}");
    assert!(!html.contains(r#"<span class="muted small">HSM</span>"#));
}

#[actix_web::test]
async fn a_filter_the_list_does_not_know_is_a_400_that_names_the_filters_it_has() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    let expected = "lots has no filter \"material\"; its filters are q, gtin, origin_site, \
                    product (and page, per_page, sort, dir, format)";
    let (status, body) = get!(app, "/api/v1/lots?material=concrete");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = json(&body);
    assert_eq!(error["error"], "bad_request");
    assert_eq!(error["message"], expected);
    let (status, body) = get!(app, "/materials/lots?material=concrete");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("lots has no filter &#34;material&#34;; its filters are q, gtin"),
        "{body}"
    );
    // Exports are refused alike, and an empty value is no excuse.
    let (status, _) = get!(app, "/materials/lots?material=&format=csv");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // What the page's own form and links send, and htmx's cache buster, are accepted.
    let (status, body) = get!(
        app,
        "/materials/lots?q=&gtin=&origin_site=&product=&sort=registered_at&dir=desc&per_page=50&page=1&format=html&org.htmx.cache-buster=list-lots"
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    // Every list says which filters it has.
    let (status, body) = get!(app, "/api/v1/blocks?event=x");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        json(&body)["message"],
        "blocks has no filter \"event\"; its filters are chain (and page, per_page, sort, dir, format)"
    );
}
