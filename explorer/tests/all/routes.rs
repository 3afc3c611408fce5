//! Every route of the explorer against a real PostgreSQL: status, key content, headers.

use crate::support::{anchor_batch, import_as};

use actix_web::http::StatusCode;
use actix_web::test;

use citytrace_explorer::AppState;
use citytrace_importers::Format;
use citytrace_schema::models::{Chain, ChainKind, Finality};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    SHP-9,1,LOT-<script>alert(1)</script>,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,2026-05-01T10:00:00+02:00\n\
    SHP-9,2,https://id.gs1.org/01/04012345111118/10/ABC,Cement & sand,1.5,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,\n";

fn seed(pool: &PgPool) -> i64 {
    import_as(pool, Format::Shipments, "HSM", "s.csv", CSV)
}

/// What the indexer writes when it sees the batch's BatchAnchored event.
fn anchor(pool: &PgPool, batch_id: i64, block: i64, finality: Finality) {
    let conn = &mut pool.get().unwrap();
    Chain::upsert(conn, 31337, "test ledger", ChainKind::Ledger).unwrap();
    Chain::record_head(conn, 31337, block + 2, block + 2, block + 2).unwrap();
    anchor_batch(conn, batch_id, block, 0xbb, 0, finality);
}

#[actix_web::test]
async fn the_lot_page_shows_shipments_with_source_lines_and_anchoring() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);
    let lot = "/lots/https%3A%2F%2Fid.gs1.org%2F01%2F04012345111118%2F10%2FABC";

    let (status, body) = get!(app, lot);
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Cement &#38; sand"), "product, escaped");
    assert!(
        body.contains(&format!("batch {batch}, line 3")),
        "source line"
    );
    assert!(body.contains("imported, waiting to be anchored on the ledger"));

    anchor(&pool, batch, 7, Finality::Pending);
    let (_, body) = get!(app, lot);
    assert!(
        body.contains(&format!(
            r#"anchored in block <a class="anchor-block" href="/ledger/chains/31337/blocks/7">7</a> (tx <a class="anchor-tx" href="/ledger/chains/31337/tx/0x{ab}" title="0x{ab}"><code class="hash">0xababab…abab</code></a>)<"#,
            ab = "ab".repeat(32)
        )),
        "{body}"
    );
    assert!(body.contains(r#"class="badge trust-anchored""#));
}

#[actix_web::test]
async fn imported_text_is_escaped_everywhere_it_appears() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    for uri in [
        "/",
        "/materials",
        "/search?q=script",
        "/batches/1",
        "/lots/LOT-%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let (status, body) = get!(app, uri);
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            !body.contains("<script>alert(1)"),
            "{uri} contains raw script"
        );
        assert!(
            body.contains("LOT-&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{uri} shows the text"
        );
    }
}

#[actix_web::test]
async fn home_shows_live_figures_and_the_ledger() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let (_, empty) = get!(app!(pool), "/");
    assert!(empty.contains("Nothing imported yet"));
    let batch = seed(&pool);
    anchor(&pool, batch, 3, Finality::Final);
    let app = app!(pool);
    let (status, body, headers) = get_with_headers!(app, "/");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<dt>Batches imported</dt><dd>1</dd>"));
    assert!(body.contains("<dt>Batches anchored</dt><dd>1</dd>"));
    assert!(body.contains("<dt>Lots traced</dt><dd>2</dd>"));
    assert!(body.contains("test ledger"));
    assert!(body.contains(&format!(r#"<a href="/batches/{batch}">Batch {batch}</a>"#)));
    assert!(headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[actix_web::test]
async fn the_batch_page_shows_its_receipt() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    anchor(&pool, batch, 12, Finality::Final);
    let (status, body) = get!(app!(pool), &format!("/batches/{batch}"));
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Merkle root"));
    assert!(
        body.contains(r#"anchored in block <a class="anchor-block" href="/ledger/chains/31337/blocks/12">12</a>"#),
        "{body}"
    );
    assert!(
        body.contains(&format!("0x{}", "ab".repeat(32))),
        "full anchor tx"
    );
}

#[actix_web::test]
async fn unknown_things_get_html_error_pages_with_the_right_status() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    for (uri, text) in [
        ("/lots/NOPE", "No lot NOPE is known."),
        ("/batches/999", "There is no batch 999."),
        ("/batches/x", "There is no batch x."),
        ("/no/such/page", "There is no page at /no/such/page."),
    ] {
        let (status, body, headers) = get_with_headers!(app, uri);
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            body.contains("<h1>Not found</h1>") && body.contains(text),
            "{uri}: {body}"
        );
        assert!(headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
}

#[actix_web::test]
async fn materials_lists_lots() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    let (_, body) = get!(app, "/materials");
    assert!(body.contains("Rebar B500B"));
}

#[actix_web::test]
async fn health_static_files_and_security_headers() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = test::init_service(citytrace_explorer::app(AppState::new(pool.clone()), None)).await;
    let (status, body) = get!(app, "/healthz");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["database"],
        "ok"
    );

    let css = citytrace_explorer::assets::url("app.css");
    assert!(css.starts_with("/static/app.css?v="), "{css}");
    let (status, body, headers) = get_with_headers!(app, &css);
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(".trust-final"));
    assert_eq!(
        headers.get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        headers.get("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
    let (status, body) = get!(
        app,
        &citytrace_explorer::assets::url(citytrace_explorer::assets::HTMX)
    );
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("htmx"));
    let (status, _) = get!(app, "/static/secret.txt");
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, page, headers) = get_with_headers!(app, "/");
    assert!(headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    assert!(!page.contains("<script>"), "no inline script");
    assert_eq!(headers.get("cache-control").unwrap(), "no-cache");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert!(page.contains(r#"<html lang="en">"#));
}

#[actix_web::test]
async fn health_reports_an_unreachable_database_as_503() {
    // A pool whose database is gone: the test database is dropped under it.
    let db = TestDatabase::new();
    let pool = db.pool(1);
    drop(db);
    let (status, body) = get!(app!(pool), "/healthz");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("unavailable"));
}

#[actix_web::test]
async fn home_shows_each_chains_finality_last_reorg_and_stalls() {
    use citytrace_schema::models::{NewReorg, Reorg};
    let db = TestDatabase::new();
    let pool = db.pool(2);
    {
        let conn = &mut pool.get().unwrap();
        Chain::upsert(conn, 137, "Polygon", ChainKind::Public).unwrap();
        Chain::record_head(conn, 137, 1_000_200, 1_000_190, 1_000_150).unwrap();
        Reorg::record(
            conn,
            &NewReorg {
                chain_id: 137,
                depth: 3,
                ancestor_number: 1_000_100,
                ancestor_hash: None,
                old_number: 1_000_103,
                old_hash: vec![1; 32],
                new_hash: None,
            },
        )
        .unwrap();
        Chain::record_stall(conn, 137, Some("no answer from the node for 31s")).unwrap();
    }
    let (status, body) = get!(app!(pool), "/");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<td class=\"num\">1\u{2009}000\u{2009}150</td>"),
        "finalized block shown"
    );
    assert!(body.contains("3 blocks deep"), "last reorg");
    assert!(body.contains("stalled") && body.contains("no answer from the node for 31s"));
    {
        Chain::record_stall(&mut pool.get().unwrap(), 137, None).unwrap();
    }
    let (_, body) = get!(app!(pool), "/");
    assert!(body.contains("following, head seen"));
}

#[actix_web::test]
async fn the_batch_page_of_any_format_lists_each_row_as_it_was_hashed_with_its_proof() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = crate::support::import_as(
        &pool,
        citytrace_importers::Format::Budget,
        "DEPT-FINANCE",
        "budget.csv",
        "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
         2026-PW-0412,2026,approved,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North <b>bridge</b> deck,1250000.00,EUR\n\
         2026-PW-0412,2026,adjusted,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North <b>bridge</b> deck,1380000.00,EUR\n",
    );
    let app = app!(pool);
    let (status, body) = get!(app, &format!("/batches/{batch}"));
    assert_eq!(status, StatusCode::OK);
    // Each data line of the file is a row with its anchor, its proof link and the text the
    // proof's leaf is the hash of (the proof endpoint is the independent source of that text).
    for line in [2, 3] {
        let (status, proof) = get!(app, &format!("/api/v1/batches/{batch}/rows/{line}/proof"));
        assert_eq!(status, StatusCode::OK);
        let canonical = crate::support::json(&proof)["canonical"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(canonical.contains("1380000") || canonical.contains("1250000"));
        let row = crate::support::between(&body, &format!(r#"<tr id="line-{line}">"#), "</tr>");
        assert!(!row.is_empty(), "line {line}: {body}");
        let escaped = canonical
            .replace('&', "&#38;")
            .replace('<', "&#60;")
            .replace('>', "&#62;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;");
        assert!(row.contains(&escaped), "line {line}: {row}\n{escaped}");
        assert!(row.contains(&format!(r#"href="/batches/{batch}/rows/{line}/proof""#)));
    }
    assert!(!body.contains("<b>bridge"), "imported text is escaped");
}
