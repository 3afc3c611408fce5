//! Re-proving stored batches against a real PostgreSQL: every format's documented example
//! (and the official OCDS and EPCIS examples) imported, then read back to the roots the
//! importers computed — whatever the page size and the number of hashing threads; leaf
//! records kept only for rows that give the root they are recorded against; changed, deleted,
//! added and moved rows named by line from the record, and a record that was altered too
//! refused.

use std::path::{Path, PathBuf};

use citytrace_importers::audit::changes::{changed_lines, LineChange, Naming};
use citytrace_importers::audit::{record, reprove, AnchoredRoot, BatchToProve, ReproveOptions};
use citytrace_importers::merkle::{leaf_hash, Hash};
use citytrace_importers::proof::canonical_rows;
use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::sql_types::BigInt;
use citytrace_schema::models::ImportBatch;
use citytrace_schema::schema::{audit_leaf_chunks, audit_leaf_records, import_batches};
use citytrace_schema::testing::{reference_dir, TestDatabase};

/// The CSV formats, in an order in which their documented examples import.
const EXAMPLES: &[Format] = &[
    Format::Products,
    Format::Shipments,
    Format::SensorReadings,
    Format::Production,
    Format::WasteTransfers,
    Format::WasteReceipts,
    Format::Emissions,
    Format::Budget,
];

fn docs(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/formats")
        .join(name)
}

fn import(db: &TestDatabase, format: Format, path: &Path) -> i64 {
    // The sensor-readings example names a lot no other example imports: that row is skipped.
    let options = ImportOptions {
        submitter: "DOCS".into(),
        skip_invalid: format == Format::SensorReadings,
        ..Default::default()
    };
    match import_file(&mut db.conn(), format, path, &options) {
        Ok(ImportOutcome::Imported { batch, .. }) => batch.id,
        other => panic!("{}: {other:?}", path.display()),
    }
}

/// Every documented example imported (and the official OCDS and EPCIS ones when present). The
/// sensor readings' row naming an unknown lot is moved to line 3, so their lines have a gap,
/// and a reading naming a known lot is added.
fn city() -> (TestDatabase, Vec<ImportBatch>) {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    for format in EXAMPLES {
        let mut path = docs(&format!("{}-example.csv", format.name()));
        if *format == Format::SensorReadings {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<&str> = text.lines().collect();
            let unknown_lot = lines.remove(4);
            lines.insert(2, unknown_lot);
            // And a reading that names a lot the shipments example imported.
            lines.push("TL-90018,,RCW-CEM-260412-02,2026-04-12T05:55:00Z,3.8,");
            path = dir.path().join("readings.csv");
            std::fs::write(&path, lines.join("\n")).unwrap();
        }
        import(&db, *format, &path);
    }
    if let Some(reference) = reference_dir() {
        import(
            &db,
            Format::Ocds,
            &reference.join("ocds/examples/fictional-1.1/ocds-213czf-000-00001-04-award.json"),
        );
        import(
            &db,
            Format::Epcis,
            &reference.join("epcis/examples/Example_9.6.1-ObjectEvent.jsonld"),
        );
    }
    let batches = import_batches::table
        .order(import_batches::id)
        .select(ImportBatch::as_select())
        .load(&mut db.conn())
        .unwrap();
    (db, batches)
}

fn plan(batches: &[ImportBatch]) -> Vec<BatchToProve> {
    batches
        .iter()
        .map(|b| BatchToProve {
            batch: b.clone(),
            record_against: None,
        })
        .collect()
}

fn root(batch: &ImportBatch) -> Hash {
    batch.merkle_root.as_slice().try_into().unwrap()
}

#[test]
fn every_format_reproves_to_its_import_root_whatever_the_page_size_and_threads() {
    let (db, batches) = city();
    assert!(batches.len() >= EXAMPLES.len());
    let readings = batches
        .iter()
        .find(|b| b.kind == "sensor-readings")
        .unwrap();
    let lines: Vec<u64> = canonical_rows(&mut db.conn(), readings)
        .unwrap()
        .iter()
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(lines, vec![2, 4, 5, 6], "a gap where the skipped row was");

    for (page_rows, threads) in [(20_000, 2), (1, 1), (2, 3), (3, 2), (5, 8)] {
        let counted = std::sync::atomic::AtomicU64::new(0);
        let proofs = reprove(
            &mut db.conn(),
            None,
            &plan(&batches),
            ReproveOptions { page_rows, threads },
            &|n| {
                counted.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            },
        )
        .unwrap();
        assert_eq!(proofs.len(), batches.len());
        for (batch, proof) in batches.iter().zip(&proofs) {
            assert_eq!(
                (
                    proof.batch_id,
                    proof.rows,
                    proof.root,
                    proof.known_kind,
                    proof.recorded
                ),
                (batch.id, batch.row_count as u64, root(batch), true, false),
                "{} with pages of {page_rows} on {threads} threads",
                batch.kind
            );
        }
        let rows: u64 = batches.iter().map(|b| b.row_count as u64).sum();
        assert_eq!(counted.into_inner(), rows, "progress counts every row once");
    }
}

#[test]
fn leaves_are_recorded_only_for_rows_that_give_the_root_they_are_recorded_against() {
    let (db, batches) = city();
    let (good, bad) = (&batches[1], &batches[7]);
    assert_eq!(
        (good.kind.as_str(), bad.kind.as_str()),
        ("shipments", "budget")
    );
    let mut to_prove = plan(&batches);
    to_prove[1].record_against = Some(AnchoredRoot {
        root: root(good),
        rows: good.row_count as u64,
    });
    to_prove[7].record_against = Some(AnchoredRoot {
        root: [0x42; 32],
        rows: bad.row_count as u64,
    });
    let mut recorder = db.conn();
    let options = ReproveOptions {
        page_rows: 2,
        threads: 2,
    };
    let proofs = reprove(
        &mut db.conn(),
        Some(&mut recorder),
        &to_prove,
        options,
        &|_| {},
    )
    .unwrap();
    let recorded: Vec<i64> = proofs
        .iter()
        .filter(|p| p.recorded)
        .map(|p| p.batch_id)
        .collect();
    assert_eq!(recorded, vec![good.id]);

    let conn = &mut db.conn();
    let records: Vec<i64> = audit_leaf_records::table
        .select(audit_leaf_records::batch_id)
        .load(conn)
        .unwrap();
    assert_eq!(records, vec![good.id], "the other record was rolled back");
    let chunks: Vec<(i64, i32)> = audit_leaf_chunks::table
        .select((audit_leaf_chunks::batch_id, audit_leaf_chunks::chunk))
        .order(audit_leaf_chunks::chunk)
        .load(conn)
        .unwrap();
    assert_eq!(
        chunks,
        vec![(good.id, 0), (good.id, 1)],
        "3 rows in pages of 2"
    );
    let record = record::record_of(conn, good.id).unwrap().unwrap();
    assert_eq!((record.root, record.rows), (good.merkle_root.clone(), 3));
    let entries = record::read_chunks(conn, good.id, 0, 10).unwrap().unwrap();
    let expected: Vec<(i64, Hash)> = canonical_rows(conn, good)
        .unwrap()
        .iter()
        .map(|(line, text)| (*line as i64, leaf_hash(text)))
        .collect();
    assert_eq!(entries, expected);
}

fn sql(db: &TestDatabase, statement: &str, batch: i64) -> usize {
    diesel::sql_query(statement)
        .bind::<BigInt, _>(batch)
        .execute(&mut db.conn())
        .unwrap()
}

#[test]
fn changed_deleted_added_and_moved_rows_are_named_by_line_and_an_altered_record_is_refused() {
    let (db, batches) = city();
    let shipments = &batches[1];
    let anchored = AnchoredRoot {
        root: root(shipments),
        rows: 3,
    };
    let mut to_prove = plan(std::slice::from_ref(shipments));
    to_prove[0].record_against = Some(anchored);
    let mut recorder = db.conn();
    let options = ReproveOptions {
        page_rows: 1,
        threads: 1,
    };
    reprove(
        &mut db.conn(),
        Some(&mut recorder),
        &to_prove,
        options,
        &|_| {},
    )
    .unwrap();
    let before = canonical_rows(&mut db.conn(), shipments).unwrap();
    assert_eq!(
        before.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );

    // Line 3 changed, line 4 deleted, line 2 copied to line 9 (another shipment line).
    assert_eq!(
        sql(
            &db,
            "UPDATE shipment_lines SET quantity = quantity + 1 WHERE batch_id = $1 AND line = 3",
            shipments.id
        ),
        1
    );
    assert_eq!(
        sql(
            &db,
            "DELETE FROM shipment_lines WHERE batch_id = $1 AND line = 4",
            shipments.id
        ),
        1
    );
    assert_eq!(
        sql(
            &db,
            "INSERT INTO shipment_lines SELECT batch_id, 9, submitter, shipment_code, line_no + 10, lot_code, lot_id, gtin, product_name, quantity, unit, from_site, from_site_id, to_site, to_site_id, shipped_at, received_at, shipped_offset, received_offset, carrier, purchase_order, contract_ocid, certificates FROM shipment_lines WHERE batch_id = $1 AND line = 2",
            shipments.id
        ),
        1
    );
    let now = canonical_rows(&mut db.conn(), shipments).unwrap();
    assert_eq!(now.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3, 9]);
    let text = |rows: &[(u64, Vec<u8>)], line: u64| {
        let row = &rows.iter().find(|r| r.0 == line).unwrap().1;
        (leaf_hash(row), String::from_utf8(row.clone()).unwrap())
    };
    let expected = Naming::Named {
        changes: vec![
            LineChange {
                line: 3,
                expected: Some(text(&before, 3).0),
                found: Some(text(&now, 3).0),
                found_row: Some(text(&now, 3).1),
            },
            LineChange {
                line: 4,
                expected: Some(text(&before, 4).0),
                found: None,
                found_row: None,
            },
            LineChange {
                line: 9,
                expected: None,
                found: Some(text(&now, 9).0),
                found_row: Some(text(&now, 9).1),
            },
        ],
        total: 3,
    };
    for page_rows in [1, 2, 20_000] {
        assert_eq!(
            changed_lines(&mut db.conn(), shipments, anchored, page_rows, 100).unwrap(),
            expected,
            "pages of {page_rows}"
        );
    }
    let Naming::Named { changes, total } =
        changed_lines(&mut db.conn(), shipments, anchored, 20_000, 1).unwrap()
    else {
        panic!("named")
    };
    assert_eq!(
        (changes.len(), total),
        (1, 3),
        "the first kept, all counted"
    );

    // Against another root the record does not hold; nor once its leaves are altered or a
    // chunk is gone; without a record nothing can be named.
    let other = AnchoredRoot {
        root: [0x42; 32],
        rows: 3,
    };
    let Naming::RecordDoesNotHold(why) =
        changed_lines(&mut db.conn(), shipments, other, 20_000, 100).unwrap()
    else {
        panic!("refused")
    };
    assert!(why.starts_with("its 3 leaves give root 0x"), "{why}");
    assert_eq!(sql(&db, "UPDATE audit_leaf_chunks SET leaves = set_byte(leaves, 0, get_byte(leaves, 0) # 1) WHERE batch_id = $1 AND chunk = 2", shipments.id), 1);
    let naming = changed_lines(&mut db.conn(), shipments, anchored, 20_000, 100).unwrap();
    assert!(
        matches!(&naming, Naming::RecordDoesNotHold(why) if why.starts_with("its 3 leaves give root ")),
        "{naming:?}"
    );
    assert_eq!(
        sql(
            &db,
            "DELETE FROM audit_leaf_chunks WHERE batch_id = $1 AND chunk = 1",
            shipments.id
        ),
        1
    );
    assert_eq!(
        changed_lines(&mut db.conn(), shipments, anchored, 20_000, 100).unwrap(),
        Naming::RecordDoesNotHold("chunk 1 of the record is missing (the next is 2)".into())
    );
    assert_eq!(
        sql(
            &db,
            "DELETE FROM audit_leaf_records WHERE batch_id = $1",
            shipments.id
        ),
        1
    );
    assert_eq!(
        changed_lines(&mut db.conn(), shipments, anchored, 20_000, 100).unwrap(),
        Naming::NoRecord
    );
}

#[test]
fn one_copy_reads_any_subset_of_batches_and_batches_left_without_rows() {
    let (db, batches) = city();
    let first = batches[1].clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("second.csv");
    let text = std::fs::read_to_string(docs("shipments-example.csv"))
        .unwrap()
        .replace("376123450000000016", "SHP-AUDIT-2")
        .replace("DESADV-2026-0413", "DESADV-AUDIT");
    std::fs::write(&path, text).unwrap();
    let second_id = import(&db, Format::Shipments, &path);
    let second = ImportBatch::find(&mut db.conn(), second_id).unwrap();
    let readings = batches
        .iter()
        .find(|b| b.kind == "sensor-readings")
        .unwrap();
    let options = ReproveOptions {
        page_rows: 2,
        threads: 2,
    };

    // The second shipments batch alone (the first one's rows come first in the COPY), with
    // the readings.
    let subset = plan(&[readings.clone(), second.clone()]);
    let proofs = reprove(&mut db.conn(), None, &subset, options, &|_| {}).unwrap();
    let got: Vec<(i64, u64, Hash)> = proofs
        .iter()
        .map(|p| (p.batch_id, p.rows, p.root))
        .collect();
    assert_eq!(
        got,
        vec![
            (readings.id, readings.row_count as u64, root(readings)),
            (second.id, 3, root(&second)),
        ]
    );

    // The first batch's rows deleted: no rows, the empty root; the batches around it as stored.
    assert_eq!(
        sql(
            &db,
            "DELETE FROM shipment_lines WHERE batch_id = $1",
            first.id
        ),
        3
    );
    let all = plan(&[first.clone(), second.clone()]);
    let proofs = reprove(&mut db.conn(), None, &all, options, &|_| {}).unwrap();
    let got: Vec<(i64, u64, Hash)> = proofs
        .iter()
        .map(|p| (p.batch_id, p.rows, p.root))
        .collect();
    assert_eq!(
        got,
        vec![(first.id, 0, [0; 32]), (second.id, 3, root(&second))]
    );
}
