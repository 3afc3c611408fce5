//! A row's proof as a page people can read (`/batches/{id}/rows/{line}/proof`): the row as
//! imported (sites and parties by name), its leaf, the Merkle path step by step, the root, the
//! anchoring transaction and block with links, how final it is — each state in words — and the
//! exact `citytrace verify` command; the proof file one click away. The page's command is run
//! against a real ledger in `tests/all/verify.rs`.

use crate::support::{anchor_batch, import_as};

use actix_web::http::StatusCode;

use citytrace_importers::proof::anchored::AnchoredProof;
use citytrace_importers::Format;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{Chain, ChainKind, Finality, NewParty, Party};
use citytrace_schema::schema::sites;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    SHP-9,1,LOT-A,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,2026-05-01T10:00:00+02:00\n\
    SHP-9,2,LOT-B,Cement,1.5,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,\n";

const HOST: (&str, &str) = ("host", "explorer.city.example");

/// Shipments by Hanse Steel Mill (HSM) from its mill to a building site; the batch id.
fn seed(pool: &PgPool) -> i64 {
    let conn = &mut pool.get().unwrap();
    Party::ensure(
        conn,
        &NewParty {
            code: "HSM",
            name: "Hanse Steel Mill",
            kind: "supplier",
            gln: None,
        },
    )
    .unwrap();
    let batch = import_as(pool, Format::Shipments, "HSM", "s.csv", CSV);
    diesel::update(sites::table.filter(sites::code.eq("MILL")))
        .set(sites::name.eq("Hamburg rolling mill"))
        .execute(conn)
        .unwrap();
    batch
}

fn ledger(pool: &PgPool, head: i64) {
    let conn = &mut pool.get().unwrap();
    Chain::upsert(conn, 31337, "City ledger", ChainKind::Ledger).unwrap();
    Chain::record_head(conn, 31337, head, head, head).unwrap();
}

/// The JSON proof the API serves for the row.
async fn served_proof(pool: &PgPool, batch: i64, line: u32) -> AnchoredProof {
    let app = app!(pool);
    let (status, body) = get!(app, &format!("/api/v1/batches/{batch}/rows/{line}/proof"));
    assert_eq!(status, StatusCode::OK, "{body}");
    AnchoredProof::from_json(&body).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    citytrace_schema::hex0x(bytes)
}

#[actix_web::test]
async fn a_final_row_s_proof_page_shows_row_leaf_path_root_anchor_and_the_command() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    ledger(&pool, 15);
    anchor_batch(
        &mut pool.get().unwrap(),
        batch,
        12,
        0xbb,
        1,
        Finality::Final,
    );
    let proof = served_proof(&pool, batch, 3).await;
    let app = app!(pool);

    let (status, body) = get!(app, &format!("/batches/{batch}/rows/3/proof"), HOST);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(&format!("Line 3 of batch {batch}")), "{body}");
    // The row as imported, the site by name with its code beside it, the submitter by name.
    assert!(
        body.contains("<th scope=\"row\">lot_id</th><td>LOT-B</td>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">from_site</th><td>Hamburg rolling mill <code class=\"small\">MILL</code></td>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">to_site</th><td>SITE-A</td>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">unit</th><td>t <code class=\"small\">TNE</code></td>"),
        "units as people write them: {body}"
    );
    assert!(
        body.contains(
            "<th scope=\"row\">received_at</th><td class=\"muted\">empty in the file</td>"
        ),
        "{body}"
    );
    assert!(
        body.contains("Hanse Steel Mill <code class=\"small\">HSM</code>"),
        "{body}"
    );
    // The leaf, the one step of the path with its side, the root: those of the proof file.
    assert!(body.contains(&hex(&proof.row.leaf)), "leaf");
    assert_eq!(proof.row.path.len(), 1);
    assert!(
        body.contains(&format!(
            "<td>sibling on the left</td><td><code class=\"hash\">{}</code></td>",
            hex(&proof.row.path[0].hash)
        )),
        "{body}"
    );
    assert!(body.contains(&hex(&proof.row.root)), "root");
    assert!(body.contains("row 2 of 2"), "{body}");
    // The anchoring transaction and block, linked; finality in words.
    let tx = hex(&[0xab; 32]);
    assert!(
        body.contains(&format!("href=\"/ledger/chains/31337/tx/{tx}\"")),
        "{body}"
    );
    assert!(
        body.contains("href=\"/ledger/chains/31337/blocks/12\""),
        "{body}"
    );
    assert!(
        body.contains("Final: block 12 can no longer be reorganised away (3 confirmations: the ledger&#39;s head was block 15 when last seen)."),
        "{body}"
    );
    // The command that checks it against the ledger alone, and the JSON one click away.
    let file = format!("citytrace-batch-{batch}-line-3.proof.json");
    assert!(
        body.contains(&format!(
            "curl -fsS -o {file} http://explorer.city.example/api/v1/batches/{batch}/rows/3/proof\ncitytrace verify {file} --rpc &#34;$LEDGER_RPC&#34; --contract {}",
            hex(&[0x11; 20])
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!("href=\"/api/v1/batches/{batch}/rows/3/proof\"")),
        "{body}"
    );
}

#[actix_web::test]
async fn an_anchored_row_not_yet_final_counts_its_confirmations() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    ledger(&pool, 20);
    anchor_batch(
        &mut pool.get().unwrap(),
        batch,
        12,
        0xbb,
        1,
        Finality::Pending,
    );
    let app = app!(pool);

    let (status, body) = get!(app, &format!("/batches/{batch}/rows/2/proof"), HOST);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Anchored, not final yet: block 12 has 8 confirmations (the ledger&#39;s head was block 20 when last seen); until it is final a reorganisation could still remove it."),
        "{body}"
    );
    assert!(!body.contains("Final:"), "{body}");
}

#[actix_web::test]
async fn a_row_not_yet_anchored_says_so_and_what_can_be_checked_now() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let proof = served_proof(&pool, batch, 2).await;
    assert_eq!(proof.anchor, None);
    let app = app!(pool);

    let (status, body) = get!(app, &format!("/batches/{batch}/rows/2/proof"), HOST);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Not anchored yet: the batch&#39;s root is not on the ledger yet, so the ledger cannot vouch for this row."),
        "{body}"
    );
    assert!(body.contains(&hex(&proof.row.root)), "root");
    assert!(
        !body.contains("/ledger/chains/"),
        "no transaction to link: {body}"
    );
    assert!(
        body.contains("Until then <code>citytrace verify</code> checks the leaf and the path, and stops at the anchor step"),
        "{body}"
    );
}

#[actix_web::test]
async fn the_proof_link_beside_a_figure_opens_the_proof_page() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/lots/LOT-B");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(&format!("href=\"/batches/{batch}/rows/3/proof\">proof</a>")),
        "{body}"
    );
}

#[actix_web::test]
async fn a_row_of_an_unknown_batch_or_line_is_a_404_in_words() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);

    for (uri, words) in [
        (
            "/batches/999/rows/2/proof".to_string(),
            "There is no batch 999.",
        ),
        (
            format!("/batches/{batch}/rows/7/proof"),
            "has no row at line 7",
        ),
        (
            "/batches/x/rows/2/proof".to_string(),
            "There is no row 2 in batch x.",
        ),
    ] {
        let (status, body) = get!(app, &uri);
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("<html"), "an HTML error page: {body}");
        assert!(body.contains(words), "{uri}: {body}");
    }
}
