//! The ledger pages and the home page's figures against a real PostgreSQL: a batch imported
//! through the real importer, then what the indexer writes when it reads the chain (the
//! chain's head, a checkpoint, a block, the BatchAnchored event, a credit retirement).

use crate::support::{anchor_batch, import_as, json};

use std::str::FromStr;

use actix_web::http::StatusCode;
use bigdecimal::BigDecimal;
use chrono::Utc;
use diesel::prelude::*;

use citytrace_importers::Format;
use citytrace_schema::models::{
    Block, Chain, ChainKind, Checkpoint, Finality, ImportBatch, NewCarbonRetirement,
};
use citytrace_schema::schema::carbon_retirements;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const CSV: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    SHP-9,1,LOT-1,Rebar B500B,4.2,TNE,MILL,SITE-A,2026-05-01T08:00:00+02:00,2026-05-01T10:00:00+02:00\n";

const CHAIN: i64 = 31337;
const ANCHOR_TX: [u8; 32] = [0xab; 32];
const RETIRE_TX: [u8; 32] = [0xcd; 32];

/// The batch, anchored in block 7 (final), a retirement of 1.5 t in block 8, head 9, indexed
/// to 8. Returns the batch id.
fn seed(pool: &PgPool) -> i64 {
    let batch_id = import_as(pool, Format::Shipments, "HSM", "s.csv", CSV);
    let conn = &mut pool.get().unwrap();
    Chain::upsert(conn, CHAIN, "city ledger", ChainKind::Ledger).unwrap();
    Chain::record_head(conn, CHAIN, 9, 9, 9).unwrap();
    Checkpoint::set(conn, CHAIN, "events", 8, &[0x08; 32]).unwrap();
    Block::upsert_all(
        conn,
        &[Block {
            chain_id: CHAIN,
            number: 7,
            hash: vec![0x07; 32],
            parent_hash: vec![0x06; 32],
            timestamp: Utc::now(),
        }],
    )
    .unwrap();
    anchor_batch(conn, batch_id, 7, 0x07, 0, Finality::Final);
    diesel::insert_into(carbon_retirements::table)
        .values(&NewCarbonRetirement {
            chain_id: CHAIN,
            block_number: 8,
            block_hash: vec![0x08; 32],
            block_time: Utc::now(),
            tx_hash: RETIRE_TX.to_vec(),
            log_index: 3,
            contract: vec![0x22; 20],
            source: "toucan_tco2".into(),
            token: vec![0x33; 20],
            retiring_address: vec![0x44; 20],
            beneficiary: vec![0x55; 20],
            beneficiary_name: Some("<script>alert(1)</script>".into()),
            retiring_entity: None,
            message: None,
            amount: BigDecimal::from_str("1500000000000000000").unwrap(),
            tonnes: BigDecimal::from_str("1.5").unwrap(),
            finality: "final".into(),
        })
        .execute(conn)
        .unwrap();
    batch_id
}

fn hex(bytes: &[u8]) -> String {
    citytrace_schema::hex0x(bytes)
}

#[actix_web::test]
async fn the_ledger_page_shows_each_chain_with_head_lag_and_finality() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/ledger");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No chain is being followed yet."));
    seed(&pool);
    let (_, body) = get!(app, "/ledger");
    assert_eq!(body.matches("<h1").count(), 1);
    assert!(
        body.contains(r#"<a href="/ledger/chains/31337">city ledger</a>"#),
        "{body}"
    );
    // head 9, indexed to 8: one block behind.
    assert!(body.contains(r#"<td class="num">1 block</td>"#), "{body}");
    for list in [
        "/ledger/events",
        "/ledger/anchors",
        "/ledger/blocks",
        "/ledger/reorgs",
    ] {
        assert!(body.contains(&format!(r#"href="{list}""#)), "{list}");
    }
    let (status, body) = get!(app, "/api/v1/ledger");
    assert_eq!(status, StatusCode::OK);
    let ledger = json(&body);
    assert_eq!(ledger["chains"][0]["chain_id"], CHAIN);
    assert_eq!(ledger["chains"][0]["head_number"], 9);
    assert_eq!(ledger["chains"][0]["indexed_number"], 8);
    assert_eq!(ledger["chains"][0]["lag_blocks"], 1);
    assert_eq!(ledger["chains"][0]["last_reorg"], "none");
}

#[actix_web::test]
async fn the_chain_page_lists_its_events_and_blocks() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    let (status, body) = get!(app, "/ledger/chains/31337");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No contract registered on this chain."));
    assert!(body.contains(r#"id="list-ledger-events""#));
    assert!(body.contains("BatchAnchored") && body.contains("Retirement (toucan_tco2)"));
    assert!(body.contains(r#"id="list-blocks""#));
    assert!(body.contains(r#"href="/ledger/chains/31337/blocks/7""#));
    let (status, body) = get!(app, "/api/v1/ledger/chains/31337");
    assert_eq!(status, StatusCode::OK);
    let chain = json(&body);
    assert_eq!(chain["chain"]["name"], "city ledger");
    assert_eq!(chain["events"], "/api/v1/ledger-events?chain=31337");

    for uri in ["/ledger/chains/1", "/ledger/chains/x"] {
        let (status, _) = get!(app, uri);
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    let (status, body) = get!(app, "/api/v1/ledger/chains/1");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
}

#[actix_web::test]
async fn the_block_page_shows_its_hashes_and_decoded_events() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);
    let (status, body) = get!(app, "/ledger/chains/31337/blocks/7");
    assert_eq!(status, StatusCode::OK);
    let full = hex(&[0x07; 32]);
    assert!(
        body.contains(&format!(
            r#"<code class="hash full-hash">{full}</code></dd>"#
        )),
        "{body}"
    );
    assert!(body.contains(&format!(r#"<a href="/batches/{batch}">BatchAnchored</a>"#)));
    assert!(body.contains("<dt>batch_id</dt><dd>1</dd>"), "{body}");
    // Block 8 is not in the window but holds an event: still shown, its hash from the event.
    let (status, body) = get!(app, "/ledger/chains/31337/blocks/8");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("the block is past the reorg window"),
        "{body}"
    );
    let (status, body) = get!(app, "/api/v1/ledger/chains/31337/blocks/7");
    assert_eq!(status, StatusCode::OK);
    let block = json(&body);
    assert_eq!(block["hash"], full);
    assert_eq!(block["events"][0]["event"], "BatchAnchored");
    assert_eq!(block["events"][0]["tx_hash"], hex(&ANCHOR_TX));
    let (status, _) = get!(app, "/ledger/chains/31337/blocks/99");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get!(app, "/api/v1/ledger/chains/31337/blocks/99");
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_transaction_page_decodes_every_event_and_links_the_anchored_batch() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = seed(&pool);
    let app = app!(pool);
    let tx = hex(&ANCHOR_TX);
    let (status, body) = get!(app, &format!("/ledger/chains/31337/tx/{tx}"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(&format!(r#"<span title="{tx}">0xababab…abab</span>"#)),
        "{body}"
    );
    assert!(body.contains(&format!(
        r#"<a href="/batches/{batch}">Batch {batch}</a> · 1 rows"#
    )));
    assert!(body.contains("<dt>row_count</dt><dd>1</dd>"), "{body}");
    let root = {
        let conn = &mut pool.get().unwrap();
        hex(&ImportBatch::find(conn, batch).unwrap().merkle_root)
    };
    assert!(
        body.contains(&format!(r#"title="{root}""#)),
        "the root in full"
    );
    let (status, body) = get!(app, &format!("/api/v1/ledger/chains/31337/tx/{tx}"));
    assert_eq!(status, StatusCode::OK);
    let view = json(&body);
    assert_eq!(view["block_number"], 7);
    assert_eq!(view["anchored_batches"][0]["batch_id"], batch);
    assert_eq!(view["anchored_batches"][0]["merkle_root"], root);
    let params = view["events"][0]["params"].as_array().unwrap();
    assert!(params
        .iter()
        .any(|p| p["name"] == "merkle_root" && p["value"] == root));

    // The retirement: its parameters, the beneficiary's name as text.
    let (_, body) = get!(app, &format!("/ledger/chains/31337/tx/{}", hex(&RETIRE_TX)));
    assert!(body.contains("<dt>tonnes</dt><dd>1.5</dd>"), "{body}");
    assert!(!body.contains("<script>alert(1)"));
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));

    let unknown = hex(&[0x99; 32]);
    let (status, _) = get!(app, &format!("/ledger/chains/31337/tx/{unknown}"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get!(app, "/api/v1/ledger/chains/31337/tx/0x1234");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "not_found");
}

#[actix_web::test]
async fn the_home_page_shows_each_headline_figure_or_says_there_is_no_data() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let app = app!(pool);
    let (status, body) = get!(app, "/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("no data yet").count(), 5, "{body}");
    for href in ["/spending", "/emissions", "/waste", "/cold-chain"] {
        assert!(body.contains(&format!(r#"<a href="{href}">"#)), "{href}");
    }
    assert!(body.contains("no shipments with readings yet"));
    assert!(body.contains("No ledger events indexed yet."));

    seed(&pool);
    let (_, body) = get!(app, "/");
    let credits = &body[body.find(r#"id="figure-credits_retired""#).unwrap()..];
    let credits = &credits[..credits.find("</li>").unwrap()];
    assert!(
        credits.contains(r#"<strong class="headline-value">1.5 t CO2e</strong>"#),
        "{credits}"
    );
    assert!(credits.contains("in 1 retirements on chain"));
    assert_eq!(body.matches("no data yet").count(), 4);
    // Latest ledger events, newest block first, linked to their transactions.
    let events = &body[body.find(r#"id="events-h""#).unwrap()..];
    let retirement = events.find("Retirement (toucan_tco2)").unwrap();
    let anchored = events.find("BatchAnchored").unwrap();
    assert!(retirement < anchored);
    assert!(events.contains(&format!(
        r#"href="/ledger/chains/31337/tx/{}""#,
        hex(&RETIRE_TX)
    )));
    assert!(!body.contains("<script>alert(1)"));
    // The figures that were there stay.
    assert!(body.contains("Batches anchored"));

    let (status, body) = get!(app, "/api/v1/home");
    assert_eq!(status, StatusCode::OK);
    let home = json(&body);
    let credits = home["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "credits_retired")
        .unwrap();
    assert_eq!(credits["value"], "1.5 t CO2e");
    assert_eq!(credits["href"], "/emissions");
    assert_eq!(home["batches_imported"], 1);
    assert_eq!(home["batches_anchored"], 1);
    assert_eq!(home["ledger_events"][0]["tx_hash"], hex(&RETIRE_TX));
}

#[actix_web::test]
async fn a_block_past_the_reorg_window_shows_the_hash_its_events_record() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    // Block 8 has no row of its own (out of the window); its retirement names its hash.
    let (status, body) = get!(app, "/ledger/chains/31337/blocks/8");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(&format!(
            r#"<code class="hash full-hash">{}</code> <span class="small muted">as its indexed events record it"#,
            hex(&[0x08; 32])
        )),
        "{body}"
    );
    let (_, body) = get!(app, "/api/v1/ledger/chains/31337/blocks/8");
    let block = json(&body);
    assert_eq!(block["hash"], hex(&[0x08; 32]));
    assert_eq!(block["hash_from"], "events");
    // Block 7 is in the window: its own row says it.
    let (_, body) = get!(app, "/api/v1/ledger/chains/31337/blocks/7");
    assert_eq!(json(&body)["hash_from"], "block");
}

#[actix_web::test]
async fn a_transaction_page_says_its_status_who_emitted_and_what_is_not_recorded() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    let tx = hex(&RETIRE_TX);
    let (status, body) = get!(app, &format!("/ledger/chains/31337/tx/{tx}"));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<dt>Status</dt><dd>succeeded"), "{body}");
    assert!(body.contains("<dt>From, to, gas</dt><dd><span class=\"muted\">not recorded</span>"));
    // The emitting contract links to its events; an address parameter to what citytrace knows.
    let contract = hex(&[0x22; 20]);
    assert!(
        body.contains(&format!(
            r#"<a href="/ledger/events?chain=31337&#38;contract={contract}" title="{contract}">"#
        )),
        "{body}"
    );
    let beneficiary = hex(&[0x55; 20]);
    assert!(
        body.contains(&format!(
            r#"<a href="/search?q={beneficiary}" title="{beneficiary}">"#
        )),
        "{body}"
    );
    let (_, body) = get!(app, &format!("/api/v1/ledger/chains/31337/tx/{tx}"));
    let view = json(&body);
    assert_eq!(view["status"], "succeeded");
    assert_eq!(view["from"], serde_json::Value::Null);
    assert_eq!(view["to"], serde_json::Value::Null);
    assert_eq!(view["gas_used"], serde_json::Value::Null);
    assert_eq!(view["contracts"][0]["address"], contract);
    // The events list filtered to that contract: the retirement only.
    let (status, body) = get!(app, &format!("/api/v1/ledger-events?contract={contract}"));
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = json(&body);
    assert_eq!(events["total"], 1);
    assert_eq!(events["items"][0]["tx_hash"], tx);
}

#[actix_web::test]
async fn the_ledger_page_shows_the_latest_blocks_and_transactions_with_links() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);
    let (_, body) = get!(app, "/ledger");
    let transactions = crate::support::between(&body, "latest-tx-h", "</section>");
    for tx in [RETIRE_TX, ANCHOR_TX] {
        assert!(
            transactions.contains(&format!(r#"href="/ledger/chains/31337/tx/{}""#, hex(&tx))),
            "{transactions}"
        );
    }
    assert!(transactions.contains(r#"href="/ledger/chains/31337/blocks/8""#));
    let blocks = crate::support::between(&body, "latest-blocks-h", "</section>");
    assert!(
        blocks.contains(r#"href="/ledger/chains/31337/blocks/7""#),
        "{blocks}"
    );
    let (_, body) = get!(app, "/api/v1/ledger");
    let ledger = json(&body);
    assert_eq!(ledger["latest_events"][0]["tx_hash"], hex(&RETIRE_TX));
    assert_eq!(ledger["latest_events"][1]["tx_hash"], hex(&ANCHOR_TX));
    assert_eq!(ledger["latest_blocks"][0]["number"], 7);
    assert_eq!(ledger["latest_blocks"][0]["hash"], hex(&[0x07; 32]));
}
