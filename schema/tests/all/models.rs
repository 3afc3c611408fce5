//! Model rules that the rest of citytrace leans on, against a real PostgreSQL.

use chrono::Utc;
use citytrace_schema::models::*;
use citytrace_schema::testing::TestDatabase;
use diesel::prelude::*;
use diesel::Connection;

fn batch(conn: &mut diesel::PgConnection, submitter: &str, root: u8) -> ImportBatch {
    ImportBatch::insert(
        conn,
        &NewImportBatch {
            kind: "shipments",
            file_name: "f.csv",
            sha256: &[root; 32],
            submitter,
            row_count: 3,
            merkle_root: &[root; 32],
        },
    )
    .unwrap()
}

fn anchor(batch_id: i64, root: u8, block: i64, log_index: i32) -> NewBatchAnchor {
    NewBatchAnchor {
        chain_id: 1,
        block_number: block,
        block_hash: vec![block as u8; 32],
        block_time: Utc::now(),
        tx_hash: vec![log_index as u8; 32],
        log_index,
        contract: vec![9; 20],
        finality: "pending".into(),
        batch_id: batch_id.into(),
        merkle_root: vec![root; 32],
        row_count: 3,
        uri: String::new(),
    }
}

#[test]
fn a_batch_is_anchored_only_by_an_event_carrying_its_own_root() {
    let db = TestDatabase::new();
    let conn = &mut db.conn();
    Chain::upsert(conn, 1, "ledger", ChainKind::Ledger).unwrap();
    let a = batch(conn, "A", 1);
    let b = batch(conn, "B", 2);
    // Batch b's id with a's root: someone else's root must not make b look anchored.
    BatchAnchor::insert_all(conn, &[anchor(b.id, 1, 5, 0)]).unwrap();
    assert_eq!(a.trust(conn).unwrap(), TrustState::Imported);
    assert_eq!(b.trust(conn).unwrap(), TrustState::Imported);
    assert_eq!(
        ImportBatch::awaiting_anchor(conn, 10)
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![a.id, b.id]
    );

    BatchAnchor::insert_all(conn, &[anchor(a.id, 1, 6, 1)]).unwrap();
    assert!(matches!(
        a.trust(conn).unwrap(),
        TrustState::Anchored {
            block_number: 6,
            ..
        }
    ));
    assert_eq!(ImportBatch::counts(conn).unwrap(), (2, 1));
    assert_eq!(
        ImportBatch::awaiting_anchor(conn, 10)
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![b.id]
    );

    assert_eq!(
        BatchAnchor::advance_finality(conn, 1, 5, Finality::Final).unwrap(),
        1,
        "only rows at or below block 5"
    );
    assert!(matches!(
        a.trust(conn).unwrap(),
        TrustState::Anchored { .. }
    ));
    BatchAnchor::advance_finality(conn, 1, 6, Finality::Final).unwrap();
    assert!(matches!(
        a.trust(conn).unwrap(),
        TrustState::Final {
            block_number: 6,
            ..
        }
    ));
}

/// BatchAnchored carries a uint64 batch id and a uint32 row count: stored whole (NUMERIC and
/// BIGINT), an id beyond BIGINT names no import batch, and one within it still does.
#[test]
fn anchors_hold_the_whole_uint64_batch_id_and_uint32_row_count() {
    let db = TestDatabase::new();
    let conn = &mut db.conn();
    Chain::upsert(conn, 1, "ledger", ChainKind::Ledger).unwrap();
    let a = batch(conn, "A", 1);
    let widest = NewBatchAnchor {
        batch_id: u64::MAX.into(),
        row_count: u32::MAX.into(),
        ..anchor(a.id, 1, 5, 0)
    };
    BatchAnchor::insert_all(conn, &[widest]).unwrap();
    assert_eq!(ImportBatch::counts(conn).unwrap(), (1, 0));
    assert_eq!(a.trust(conn).unwrap(), TrustState::Imported);
    let stored: Vec<(bigdecimal::BigDecimal, i64)> = citytrace_schema::schema::batch_anchors::table
        .select((
            citytrace_schema::schema::batch_anchors::batch_id,
            citytrace_schema::schema::batch_anchors::row_count,
        ))
        .load(conn)
        .unwrap();
    assert_eq!(stored[0].0.to_string(), "18446744073709551615");
    assert_eq!(stored[0].1, 4_294_967_295);
    BatchAnchor::insert_all(conn, &[anchor(a.id, 1, 6, 1)]).unwrap();
    assert_eq!(ImportBatch::counts(conn).unwrap(), (1, 1));
    assert!(ImportBatch::awaiting_anchor(conn, 10).unwrap().is_empty());
    // Beyond uint64 and uint32 the database refuses.
    for (id, rows) in [("18446744073709551616", 0i64), ("1", 4_294_967_296)] {
        let wrong = NewBatchAnchor {
            batch_id: id.parse().unwrap(),
            row_count: rows,
            ..anchor(a.id, 1, 7, 2)
        };
        assert!(
            BatchAnchor::insert_all(conn, &[wrong]).is_err(),
            "{id} {rows}"
        );
    }
}

#[test]
fn anchor_rows_are_idempotent_by_chain_block_hash_and_log_index() {
    let db = TestDatabase::new();
    let conn = &mut db.conn();
    Chain::upsert(conn, 1, "ledger", ChainKind::Ledger).unwrap();
    let a = batch(conn, "A", 1);
    assert_eq!(
        BatchAnchor::insert_all(conn, &[anchor(a.id, 1, 6, 0)]).unwrap(),
        1
    );
    assert_eq!(
        BatchAnchor::insert_all(conn, &[anchor(a.id, 1, 6, 0)]).unwrap(),
        0
    );
}

#[test]
fn the_same_file_from_the_same_submitter_cannot_make_two_batches() {
    let db = TestDatabase::new();
    let conn = &mut db.conn();
    batch(conn, "A", 1);
    let again = conn.transaction(|c| {
        ImportBatch::insert(
            c,
            &NewImportBatch {
                kind: "shipments",
                file_name: "other name.csv",
                sha256: &[1; 32],
                submitter: "A",
                row_count: 3,
                merkle_root: &[1; 32],
            },
        )
    });
    assert!(again.is_err());
    batch(conn, "B", 1);
    assert_eq!(
        ImportBatch::find_by_file(conn, "B", &[1; 32])
            .unwrap()
            .unwrap()
            .submitter,
        "B"
    );
}

#[test]
fn checkpoints_and_blocks_move_as_the_indexer_says() {
    let db = TestDatabase::new();
    let conn = &mut db.conn();
    Chain::upsert(conn, 7, "public", ChainKind::Public).unwrap();
    assert_eq!(Checkpoint::get(conn, 7, "logs").unwrap(), None);
    Checkpoint::set(conn, 7, "logs", 10, &[1; 32]).unwrap();
    Checkpoint::set(conn, 7, "logs", 12, &[2; 32]).unwrap();
    let cp = Checkpoint::get(conn, 7, "logs").unwrap().unwrap();
    assert_eq!((cp.block_number, cp.block_hash), (12, vec![2; 32]));

    let block = |n: i64, h: u8| Block {
        chain_id: 7,
        number: n,
        hash: vec![h; 32],
        parent_hash: vec![h.wrapping_sub(1); 32],
        timestamp: Utc::now(),
    };
    Block::upsert_all(conn, &[block(10, 10), block(11, 11), block(12, 12)]).unwrap();
    Block::upsert_all(conn, &[block(12, 99)]).unwrap();
    assert_eq!(
        Block::find(conn, 7, 12).unwrap().unwrap().hash,
        vec![99; 32],
        "a new canonical block replaces the old"
    );
    assert_eq!(Block::delete_above(conn, 7, 10).unwrap(), 2);
    assert_eq!(Block::prune_below(conn, 7, 11).unwrap(), 1);
    assert_eq!(Block::find(conn, 7, 10).unwrap(), None);
}

/// Equality lookups by lot code or product name take their B-tree, never the trigram index
/// (pg_trgm's GIN class also answers `=`, and before a table's statistics are gathered — right
/// after a first import — the planner chose it: a recheck of every code sharing a trigram).
/// Substring matches on lower(column), as search and the list filters write them, can still
/// use the trigram index.
#[test]
fn equality_takes_the_btree_and_substring_search_the_trigram_index() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let db = TestDatabase::new();
    let mut conn = db.conn();
    // Rows, but no statistics yet.
    for statement in [
        "INSERT INTO products (code, name, unit) SELECT 'P' || g, 'Product ' || g, 'KGM' FROM generate_series(1, 3000) g",
        "INSERT INTO lots (code, product_id) SELECT 'LOT-' || g, (SELECT min(id) FROM products) FROM generate_series(1, 3000) g",
    ] {
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }
    let plan = |conn: &mut diesel::PgConnection, sql: &str| -> String {
        diesel::sql_query(format!("EXPLAIN {sql}"))
            .load::<Line>(conn)
            .unwrap()
            .into_iter()
            .map(|l| l.line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let lots = plan(
        &mut conn,
        "SELECT id FROM lots WHERE code = ANY(ARRAY['LOT-1', 'LOT-2'])",
    );
    assert!(lots.contains("lots_code_key"), "{lots}");
    let products = plan(
        &mut conn,
        "SELECT id FROM products WHERE name = ANY(ARRAY['Product 1', 'Product 2'])",
    );
    assert!(!products.contains("products_name_trgm"), "{products}");
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .unwrap();
    let search = plan(
        &mut conn,
        "SELECT id FROM lots WHERE lower(code) ILIKE '%' || 'ot-12' || '%'",
    );
    assert!(search.contains("lots_code_trgm"), "{search}");
}
