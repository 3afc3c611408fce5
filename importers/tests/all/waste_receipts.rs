//! The waste-receipts format against a real PostgreSQL: a receipt names a consignment imported
//! before, once; accepted and refused receipts carry what each needs.

use std::path::Path;

use crate::support::format_fixture::{error, FormatFixture};
use citytrace_importers::proof::row_proof;
use citytrace_importers::waste::receipts::ReceiptRecord;
use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{WasteReceipt, WasteTransfer};
use citytrace_schema::schema::{import_batches, waste_receipts};
use citytrace_schema::testing::TestDatabase;

const TRANSFERS: &str = "consignment_id,ewc_code,description,mass_kg,mass_basis,producer,from_site,carrier,carrier_licence,to_site,transferred_at,planned_operation,previous_consignment_id
WTN-0184,17 01 01,Crushed concrete,12480,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-04T08:15:00+02:00,R5,
WTN-0185,17 06 05*,Asbestos-containing sheets,900,ESTIMATED,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,HAZ-TREAT,2026-05-04T10:00:00+02:00,D5,
WTN-0186,17 04 05,Rebar offcuts,2140,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,METAL-YARD,2026-05-04T10:30:00+02:00,R4,
";
const HEADER: &str =
    "consignment_id,status,mass_received_kg,operation,refusal_reason,received_at\n";
const ACCEPTED: &str = "WTN-0184,accepted,12360.0,R5,,2026-05-04T09:40:00+02:00\n";
const REFUSED: &str =
    "WTN-0185,Refused,,,Sheets broken; not double-wrapped,2026-05-04T11:10:00+02:00\n";
const METAL: &str = "WTN-0186,accepted,2138,r 4,,2026-05-04T11:00:00Z\n";

struct Fixture {
    files: FormatFixture,
    transfers_batch: i64,
}

impl std::ops::Deref for Fixture {
    type Target = FormatFixture;
    fn deref(&self) -> &FormatFixture {
        &self.files
    }
}

impl Fixture {
    /// A database holding the three transfers the receipts name.
    fn new() -> Self {
        let files = FormatFixture::new(Format::WasteReceipts, "RECYCLE-CO");
        let path = files.file("transfers.csv", TRANSFERS);
        let options = ImportOptions {
            submitter: "DEPT-WORKS".into(),
            ..Default::default()
        };
        let Ok(ImportOutcome::Imported { batch, .. }) = import_file(
            &mut files.db.conn(),
            Format::WasteTransfers,
            &path,
            &options,
        ) else {
            panic!("transfers")
        };
        Self {
            files,
            transfers_batch: batch.id,
        }
    }

    /// Batches and receipts stored.
    fn counts(&self) -> [i64; 2] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            waste_receipts::table.count().get_result(c).unwrap(),
        ]
    }
}

#[test]
fn receipts_are_stored_against_their_transfers_with_a_verifiable_root() {
    let f = Fixture::new();
    let batch = f.imported(
        "receipts.csv",
        &format!("{HEADER}{ACCEPTED}{REFUSED}{METAL}"),
    );
    assert_eq!((batch.kind.as_str(), batch.rows), ("waste-receipts", 3));
    let conn = &mut f.db.conn();
    let stored = WasteReceipt::of_batch(conn, batch.id).unwrap();
    let summary: Vec<_> = stored
        .iter()
        .map(|r| {
            (
                r.consignment_id.as_str(),
                r.status.as_str(),
                r.mass_received_kg.as_ref().map(|m| m.to_string()),
                r.operation.as_deref(),
                r.refusal_reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "WTN-0184",
                "accepted",
                Some("12360.0".into()),
                Some("R5"),
                None
            ),
            (
                "WTN-0185",
                "refused",
                None,
                None,
                Some("Sheets broken; not double-wrapped")
            ),
            (
                "WTN-0186",
                "accepted",
                Some("2138".into()),
                Some("R4"),
                None
            ),
        ]
    );
    let transfers = WasteTransfer::of_batch(conn, f.transfers_batch).unwrap();
    assert_eq!(
        stored.iter().map(|r| r.transfer_id).collect::<Vec<_>>(),
        transfers.iter().map(|t| t.id).collect::<Vec<_>>()
    );
    assert_eq!(
        (
            stored[2].received_at.to_rfc3339(),
            stored[2].received_offset.as_str()
        ),
        ("2026-05-04T11:00:00+00:00".into(), "+00:00")
    );

    for line in [2u64, 3, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(conn, batch.id, 2).unwrap().unwrap();
    assert_eq!(
        proof.canonical,
        r#"{"consignment_id":"WTN-0184","encoding":"citytrace/waste-receipts/1","line":2,"mass_received_kg":"12360","operation":"R5","received_at":"2026-05-04T07:40:00.000000Z","refusal_reason":null,"status":"accepted"}"#
    );
    assert_eq!(
        proof.canonical.as_bytes(),
        ReceiptRecord::from_stored(&stored[0]).canonical()
    );
}

#[test]
fn accepted_and_refused_receipts_carry_what_each_needs() {
    let f = Fixture::new();
    let bad = [
        ACCEPTED.replace("12360.0", ""),
        ACCEPTED.replace(",R5,", ",,"),
        ACCEPTED.replace(",R5,,", ",R5,too wet,"),
        REFUSED.replace(",,,Sheets", ",,D5,Sheets"),
        REFUSED.replace("Sheets broken; not double-wrapped", ""),
        ACCEPTED.replace("accepted", "received"),
        ACCEPTED.replace(",R5,", ",R15,"),
    ];
    let errors = f.invalid("bad.csv", &format!("{HEADER}{}", bad.concat()));
    assert_eq!(
        errors,
        vec![
            error(
                2,
                "mass_received_kg",
                "required when the consignment is accepted"
            ),
            error(3, "operation", "required when the consignment is accepted"),
            error(
                4,
                "refusal_reason",
                "must be empty when the consignment is accepted"
            ),
            error(
                5,
                "operation",
                "must be empty when the consignment is refused: no operation was performed"
            ),
            error(
                6,
                "refusal_reason",
                "required when the consignment is refused"
            ),
            error(7, "status", "not one of accepted, refused"),
            error(
                8,
                "operation",
                "not a waste operation code: R1 to R13 (recovery) or D1 to D15 (disposal)"
            ),
        ]
    );
    assert_eq!(f.counts(), [1, 0]);
}

#[test]
fn a_receipt_for_an_unknown_consignment_or_before_it_left_is_refused() {
    let f = Fixture::new();
    let unknown = ACCEPTED.replace("WTN-0184", "WTN-9999");
    let early = METAL.replace("2026-05-04T11:00:00Z", "2026-05-04T08:00:00Z");
    let errors = f.invalid("bad.csv", &format!("{HEADER}{unknown}{early}"));
    assert_eq!(
        errors,
        vec![
            error(2, "consignment_id", "consignment WTN-9999 is not known: import its transfer (waste-transfers) first"),
            error(3, "received_at", &format!("before the consignment left (2026-05-04T08:30:00.000000Z, transferred_at of batch {} line 4)", f.transfers_batch)),
        ]
    );
}

#[test]
fn a_second_receipt_for_a_consignment_is_refused_in_the_file_and_across_files() {
    let f = Fixture::new();
    let errors = f.invalid(
        "twice.csv",
        &format!(
            "{HEADER}{ACCEPTED}{METAL}{}",
            ACCEPTED.replace("12360.0", "12000")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "consignment_id",
            "consignment WTN-0184 already has a receipt at line 2"
        )]
    );
    let first = f.imported("a.csv", &format!("{HEADER}{ACCEPTED}"));
    let errors = f.invalid(
        "b.csv",
        &format!("{HEADER}{METAL}{}", ACCEPTED.replace("12360.0", "12000")),
    );
    assert_eq!(
        errors,
        vec![error(
            3,
            "consignment_id",
            &format!(
                "consignment WTN-0184 already has a receipt, imported in batch {} (line 2)",
                first.id
            )
        )]
    );
    assert_eq!(
        f.counts(),
        [2, 1],
        "the valid row of the refused file was not written"
    );
}

#[test]
fn the_same_file_twice_is_one_batch() {
    let f = Fixture::new();
    let first = f.imported("a.csv", &format!("{HEADER}{ACCEPTED}"));
    match f.import("a.csv", &format!("{HEADER}{ACCEPTED}")).unwrap() {
        ImportOutcome::AlreadyImported { batch } => assert_eq!(batch.id, first.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counts(), [2, 1]);
}

#[test]
fn an_invalid_last_row_means_nothing_is_imported() {
    let f = Fixture::new();
    let errors = f.invalid(
        "last.csv",
        &format!(
            "{HEADER}{ACCEPTED}{REFUSED}{}",
            METAL.replace("2138", "2138 kg")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "mass_received_kg",
            "not a number: write digits with an optional decimal point, e.g. 12.5"
        )]
    );
    assert_eq!(f.counts(), [1, 0]);
}

#[test]
fn semicolon_files_with_decimal_commas_and_crlf_import() {
    let f = Fixture::new();
    let excel = |row: &str| {
        row.replace(',', ";")
            .replace("12360.0", "12360,5")
            .replace('\n', "\r\n")
    };
    let refused = excel(REFUSED).replace(
        "Sheets broken; not double-wrapped",
        "\"Sheets broken; not double-wrapped\"",
    );
    let batch = f.imported(
        "excel.csv",
        &format!("\u{feff}{}{}{refused}", excel(HEADER), excel(ACCEPTED)),
    );
    let stored = WasteReceipt::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        stored[0].mass_received_kg.as_ref().map(|m| m.to_string()),
        Some("12360.5".into())
    );
    assert_eq!(
        stored[1].refusal_reason.as_deref(),
        Some("Sheets broken; not double-wrapped"),
        "a quoted `;` stays in the field"
    );
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let f = Fixture::new();
    let path = f.file(
        "mixed.csv",
        &format!(
            "{HEADER}{ACCEPTED}{}{METAL}",
            REFUSED.replace("WTN-0185", "WTN-0999")
        ),
    );
    let options = ImportOptions {
        submitter: "RECYCLE-CO".into(),
        skip_invalid: true,
        ..Default::default()
    };
    let ImportOutcome::Imported { batch, skipped, .. } = f.import_with(&path, options).unwrap()
    else {
        panic!()
    };
    assert_eq!((batch.rows, skipped.total), (2, 1));
    assert_eq!(
        (skipped.errors[0].line, skipped.errors[0].column.as_deref()),
        (3, Some("consignment_id"))
    );
    let conn = &mut f.db.conn();
    for line in [2u64, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
}

#[test]
fn the_documented_examples_import_transfers_first() {
    let db = TestDatabase::new();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats");
    let options = ImportOptions {
        submitter: "DEPT-WORKS".into(),
        ..Default::default()
    };
    let transfers = import_file(
        &mut db.conn(),
        Format::WasteTransfers,
        &docs.join("waste-transfers-example.csv"),
        &options,
    )
    .unwrap();
    assert!(
        matches!(transfers, ImportOutcome::Imported { .. }),
        "{transfers:?}"
    );
    let receipts = import_file(
        &mut db.conn(),
        Format::WasteReceipts,
        &docs.join("waste-receipts-example.csv"),
        &options,
    )
    .unwrap();
    let ImportOutcome::Imported { batch, .. } = receipts else {
        panic!("{receipts:?}")
    };
    assert_eq!(batch.rows, 4);
}
