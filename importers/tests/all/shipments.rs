//! The shipments importer against a real PostgreSQL: valid files load atomically with a Merkle
//! receipt; bad files are refused with line, column and reason and write nothing.

use std::path::PathBuf;

use citytrace_importers::merkle;
use citytrace_importers::proof::row_proof;
use citytrace_importers::{
    import_file, CsvOptions, Format, ImportError, ImportOptions, ImportOutcome,
};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::ShipmentLine;
use citytrace_schema::schema::{
    import_batches, lots, products, shipment_lines, sites, supply_event_lots, supply_events,
};
use citytrace_schema::testing::TestDatabase;

const HEADER: &str =
    "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at\n";
const ROW1: &str = "376123450000000016,1,LOT-A,04012345111118,Portland cement,25.50,TNE,4012345000115,SITE-NORTH,2026-04-12T07:30:00+02:00,2026-04-12T09:05:00+02:00\n";
const ROW2: &str = "376123450000000016,2,LOT-B,,Crushed granite 4/20,18,TNE,4012345000115,SITE-NORTH,2026-04-12T07:30:00+02:00,\n";
const ROW3: &str = "SHP-77,1,LOT-A,04012345111118,Portland cement,3,TNE,4012345000115,SITE-ELM,2026-04-13T10:00:00Z,2026-04-13T11:00:00Z\n";

struct Fixture {
    db: TestDatabase,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn import(
        &self,
        path: &std::path::Path,
        submitter: &str,
    ) -> Result<ImportOutcome, ImportError> {
        let options = ImportOptions {
            submitter: submitter.into(),
            dry_run: false,
            csv: CsvOptions::default(),
            ..Default::default()
        };
        import_file(&mut self.db.conn(), Format::Shipments, path, &options)
    }

    /// Rows in every table an import writes to.
    fn counts(&self) -> [i64; 7] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            shipment_lines::table.count().get_result(c).unwrap(),
            supply_events::table.count().get_result(c).unwrap(),
            supply_event_lots::table.count().get_result(c).unwrap(),
            lots::table.count().get_result(c).unwrap(),
            products::table.count().get_result(c).unwrap(),
            sites::table.count().get_result(c).unwrap(),
        ]
    }

    fn invalid(&self, name: &str, content: &str) -> Vec<(u64, Option<String>, String)> {
        let path = self.file(name, content.as_bytes());
        match self.import(&path, "cli") {
            Err(ImportError::Invalid(errors)) => errors
                .errors
                .into_iter()
                .map(|e| (e.line, e.column, e.reason))
                .collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }
}

#[test]
fn a_valid_file_loads_rows_events_lots_and_sites_with_a_verifiable_root() {
    let f = Fixture::new();
    let path = f.file("shipments.csv", format!("{HEADER}{ROW1}{ROW2}").as_bytes());
    let ImportOutcome::Imported { batch, events, .. } = f.import(&path, "RCW").unwrap() else {
        panic!("not imported")
    };
    assert_eq!(
        (batch.rows, events),
        (2, 3),
        "two lines; one received, so three events"
    );
    assert_eq!(
        f.counts(),
        [1, 2, 0, 0, 2, 2, 2],
        "the events are derived (shipment_events), not stored"
    );

    let conn = &mut f.db.conn();
    let stored = ShipmentLine::of_batch(conn, batch.id).unwrap();
    assert_eq!(stored[0].line, 2, "physical line of the first data row");
    assert_eq!(stored[0].quantity.to_string(), "25.50");
    assert_eq!(stored[0].gtin.as_deref(), Some("04012345111118"));
    assert_eq!(
        stored[0].shipped_at.to_rfc3339(),
        "2026-04-12T05:30:00+00:00"
    );
    assert_eq!(stored[1].received_at, None);

    // The root recomputed from the stored rows equals the one recorded, and every row's proof
    // leads to it.
    let leaves: Vec<merkle::Hash> = stored
        .iter()
        .map(|r| {
            merkle::leaf_hash(
                &citytrace_importers::shipments::ShipmentRecord::from_stored(r).canonical(),
            )
        })
        .collect();
    assert_eq!(
        citytrace_schema::hex0x(&merkle::root_of(&leaves).unwrap()),
        batch.merkle_root
    );
    for line in [2u64, 3] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(conn, batch.id, 2).unwrap().unwrap();
    assert!(proof.canonical.starts_with(r#"{"encoding":"citytrace/shipments/1","from_site":"4012345000115","gtin":"04012345111118","line":2,"lot_id":"LOT-A","product":"Portland cement","quantity":"25.5""#), "{}", proof.canonical);
    assert!(row_proof(conn, batch.id, 9).unwrap().is_none());

    let mut tampered = proof.clone();
    tampered.canonical = tampered.canonical.replace("25.5", "2.55");
    assert!(
        !tampered.is_consistent(),
        "a changed row no longer matches its leaf"
    );
}

#[test]
fn the_same_file_from_the_same_submitter_is_a_no_op_naming_the_batch() {
    let f = Fixture::new();
    let path = f.file("s.csv", format!("{HEADER}{ROW1}").as_bytes());
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "RCW").unwrap() else {
        panic!()
    };
    let before = f.counts();
    match f.import(&path, "RCW").unwrap() {
        ImportOutcome::AlreadyImported { batch: again } => assert_eq!(again.id, batch.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counts(), before);
}

#[test]
fn a_shipment_line_imported_before_in_another_file_is_refused_naming_its_batch() {
    let f = Fixture::new();
    let first = f.file("a.csv", format!("{HEADER}{ROW1}").as_bytes());
    let ImportOutcome::Imported { batch, .. } = f.import(&first, "RCW").unwrap() else {
        panic!()
    };
    let second = f.file("b.csv", format!("{HEADER}{ROW3}{ROW1}").as_bytes());
    let before = f.counts();
    match f.import(&second, "RCW") {
        Err(ImportError::Invalid(e)) => {
            assert_eq!(e.errors.len(), 1);
            assert_eq!(e.errors[0].line, 3);
            assert_eq!(
                e.errors[0].reason,
                format!(
                    "this shipment line was already imported in batch {} (line 2)",
                    batch.id
                )
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        f.counts(),
        before,
        "the valid row of the refused file was not written either"
    );
    // Another supplier may use the same shipment number.
    assert!(matches!(
        f.import(&second, "HSM").unwrap(),
        ImportOutcome::Imported { .. }
    ));
}

#[test]
fn a_lot_registered_as_another_product_is_refused() {
    let f = Fixture::new();
    let first = f.file("a.csv", format!("{HEADER}{ROW1}").as_bytes());
    f.import(&first, "RCW").unwrap();
    let other_product = ROW3.replace("04012345111118,Portland cement", ",Sand 0/4");
    let errors = f.invalid("b.csv", &format!("{HEADER}{other_product}"));
    assert_eq!(
        errors,
        vec![(
            2,
            Some("lot_id".into()),
            "lot is registered as product 04012345111118, this row says Sand 0/4".into()
        )]
    );
}

#[test]
fn bad_input_is_reported_with_line_column_and_reason_and_writes_nothing() {
    let f = Fixture::new();
    let empty = f.invalid("empty.csv", "");
    assert_eq!(empty.len(), 1);
    assert!(empty[0].2.starts_with("the file is empty"), "{empty:?}");

    let missing = f.invalid("missing.csv", &HEADER.replace(",unit", ""));
    assert_eq!(
        missing,
        vec![(
            1,
            Some("unit".into()),
            "required column is missing from the header line".into()
        )]
    );

    let bad_number = f.invalid(
        "number.csv",
        &format!("{HEADER}{}", ROW1.replace("25.50", "25.5.0")),
    );
    assert_eq!(
        bad_number,
        vec![(
            2,
            Some("quantity".into()),
            "not a number: write digits with an optional decimal point, e.g. 12.5".into()
        )]
    );

    let bad_date = f.invalid(
        "date.csv",
        &format!(
            "{HEADER}{ROW2}{}",
            ROW1.replace("2026-04-12T07:30:00+02:00", "12/04/2026")
        ),
    );
    assert_eq!(
        bad_date,
        vec![(
            3,
            Some("shipped_at".into()),
            "not an ISO 8601 date-time such as 2026-03-04T10:00:00+01:00".into()
        )]
    );

    let no_offset = f.invalid(
        "offset.csv",
        &format!("{HEADER}{}", ROW1.replace("07:30:00+02:00", "07:30:00")),
    );
    assert_eq!(
        no_offset[0].2,
        "no UTC offset: add Z or ±hh:mm, e.g. 2026-03-04T10:00:00+01:00 (or import with --default-offset)"
    );

    let bad_gtin = f.invalid(
        "gtin.csv",
        &format!(
            "{HEADER}{}",
            ROW1.replace("04012345111118", "04012345111117")
        ),
    );
    assert_eq!(
        bad_gtin,
        vec![(
            2,
            Some("gtin".into()),
            "GTIN check digit is 7, expected 8".into()
        )]
    );

    let several = f.invalid(
        "several.csv",
        &format!(
            "{HEADER}{}{}",
            ROW1.replace("TNE", "tons"),
            ROW2.replace("SITE-NORTH", "4012345000115")
                .replace("18,", "-18,")
        ),
    );
    let located: Vec<(u64, Option<String>)> =
        several.iter().map(|(l, c, _)| (*l, c.clone())).collect();
    assert_eq!(
        located,
        vec![
            (2, Some("unit".into())),
            (3, Some("quantity".into())),
            (3, Some("to_site".into()))
        ]
    );

    assert_eq!(
        f.counts(),
        [0; 7],
        "nothing was written by any refused file"
    );
}

#[test]
fn an_invalid_last_row_means_nothing_is_imported() {
    let f = Fixture::new();
    let errors = f.invalid(
        "last.csv",
        &format!(
            "{HEADER}{ROW1}{ROW3}{}",
            ROW2.replace(",1,", ",0,").replacen(",2,", ",0,", 1)
        ),
    );
    assert_eq!(
        errors,
        vec![(4, Some("line".into()), "not a whole number from 1".into())]
    );
    assert_eq!(f.counts(), [0; 7]);
}

#[test]
fn excel_exports_with_bom_semicolons_crlf_and_decimal_commas_import() {
    let f = Fixture::new();
    let semicolon = |row: &str| {
        row.replace(',', ";")
            .replace("25.50", "25,50")
            .replace("\n", "\r\n")
    };
    let content = format!(
        "\u{feff}{}{}{}",
        semicolon(HEADER),
        semicolon(ROW1),
        semicolon(ROW2)
    );
    let path = f.file("excel.csv", content.as_bytes());
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "RCW").unwrap() else {
        panic!()
    };
    let stored = ShipmentLine::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(stored[0].quantity.to_string(), "25.50");
    assert_eq!(
        stored.iter().map(|s| s.line).collect::<Vec<_>>(),
        vec![2, 3]
    );
}

#[test]
fn a_dry_run_validates_and_computes_the_root_but_writes_nothing() {
    let f = Fixture::new();
    let path = f.file("dry.csv", format!("{HEADER}{ROW1}{ROW2}").as_bytes());
    let options = ImportOptions {
        submitter: "RCW".into(),
        dry_run: true,
        csv: CsvOptions::default(),
        ..Default::default()
    };
    let ImportOutcome::Validated {
        rows, merkle_root, ..
    } = import_file(&mut f.db.conn(), Format::Shipments, &path, &options).unwrap()
    else {
        panic!()
    };
    assert_eq!(rows, 2);
    assert_eq!(f.counts(), [0; 7]);
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "RCW").unwrap() else {
        panic!()
    };
    assert_eq!(
        batch.merkle_root, merkle_root,
        "the dry run's root is the import's"
    );
}

/// docs/formats/shipments.md, its template and its example stay true to the code.
#[test]
fn the_format_documentation_matches_the_importer() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats");
    let page = std::fs::read_to_string(docs.join("shipments.md")).unwrap();
    for column in citytrace_importers::shipments::COLUMNS {
        let required = if column.required { "yes" } else { "no" };
        assert!(
            page.contains(&format!("| `{}` | {required} |", column.name)),
            "shipments.md lacks a row for {}",
            column.name
        );
    }
    let template = std::fs::read_to_string(docs.join("shipments-template.csv")).unwrap();
    let names: Vec<&str> = citytrace_importers::shipments::COLUMNS
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(template.trim_end(), names.join(","));
    let example = std::fs::read(docs.join("shipments-example.csv")).unwrap();
    let records =
        citytrace_importers::shipments::parse_all(example.as_slice(), CsvOptions::default())
            .unwrap();
    assert_eq!(records.len(), 3);
}

impl Fixture {
    fn import_with(
        &self,
        path: &std::path::Path,
        options: ImportOptions,
    ) -> Result<ImportOutcome, ImportError> {
        import_file(&mut self.db.conn(), Format::Shipments, path, &options)
    }
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let f = Fixture::new();
    let bad = ROW2.replace("TNE", "tons");
    let path = f.file("mixed.csv", format!("{HEADER}{ROW1}{bad}{ROW3}").as_bytes());
    let options = ImportOptions {
        submitter: "RCW".into(),
        skip_invalid: true,
        ..Default::default()
    };
    let ImportOutcome::Imported { batch, skipped, .. } = f.import_with(&path, options).unwrap()
    else {
        panic!()
    };
    assert_eq!(batch.rows, 2);
    assert_eq!(skipped.total, 1);
    assert_eq!(
        (skipped.errors[0].line, skipped.errors[0].column.as_deref()),
        (3, Some("unit"))
    );
    let conn = &mut f.db.conn();
    let stored = ShipmentLine::of_batch(conn, batch.id).unwrap();
    assert_eq!(
        stored.iter().map(|l| l.line).collect::<Vec<_>>(),
        vec![2, 4]
    );
    // The root covers exactly the rows written, and their proofs hold.
    for line in [2u64, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    assert!(row_proof(conn, batch.id, 3).unwrap().is_none());
}

#[test]
fn a_default_offset_is_used_only_when_asked_for() {
    let f = Fixture::new();
    let local = ROW3.replace(
        "2026-04-13T10:00:00Z,2026-04-13T11:00:00Z",
        "2026-04-13 10:00,2026-04-13 11:00",
    );
    let path = f.file("local.csv", format!("{HEADER}{local}").as_bytes());
    assert!(matches!(
        f.import(&path, "RCW"),
        Err(ImportError::Invalid(_))
    ));
    let options = ImportOptions {
        submitter: "RCW".into(),
        csv: CsvOptions {
            delimiter: None,
            default_offset: Some(citytrace_importers::values::parse_offset("+02:00").unwrap()),
        },
        ..Default::default()
    };
    let ImportOutcome::Imported { batch, .. } = f.import_with(&path, options).unwrap() else {
        panic!()
    };
    let stored = ShipmentLine::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        stored[0].shipped_at.to_rfc3339(),
        "2026-04-13T08:00:00+00:00"
    );
    assert_eq!(stored[0].shipped_offset, "+02:00");
}

#[test]
fn a_repeated_line_far_apart_in_a_big_file_is_found_across_chunks() {
    let f = Fixture::new();
    let mut content = String::from(HEADER);
    let rows = citytrace_importers::csv_format::CHUNK_ROWS + 500;
    for n in 1..=rows {
        content.push_str(&format!(
            "SHP-BIG,{n},LOT-{n},,Gravel,1,TNE,PIT,SITE-A,2026-01-01T00:00:00Z,\n"
        ));
    }
    content.push_str("SHP-BIG,7,LOT-7,,Gravel,1,TNE,PIT,SITE-A,2026-01-01T00:00:00Z,\n");
    let path = f.file("big.csv", content.as_bytes());
    match f.import(&path, "NGA") {
        Err(ImportError::Invalid(e)) => {
            assert_eq!(e.total, 1);
            assert_eq!(e.errors[0].line as usize, rows + 2);
            assert_eq!(
                e.errors[0].reason,
                "shipment SHP-BIG line 7 already appears at line 8"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        f.counts(),
        [0; 7],
        "the chunks already written were rolled back"
    );
}

#[test]
fn a_dry_run_also_finds_what_only_the_database_can_see() {
    let f = Fixture::new();
    let first = f.file("a.csv", format!("{HEADER}{ROW1}").as_bytes());
    f.import(&first, "RCW").unwrap();
    let again = f.file("b.csv", format!("{HEADER}{ROW3}{ROW1}").as_bytes());
    let options = ImportOptions {
        submitter: "RCW".into(),
        dry_run: true,
        ..Default::default()
    };
    match f.import_with(&again, options) {
        Err(ImportError::Invalid(e)) => assert!(e.errors[0]
            .reason
            .starts_with("this shipment line was already imported in batch 1")),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counts()[0], 1, "the dry run wrote nothing");
}

#[test]
fn personal_contact_details_are_refused() {
    let f = Fixture::new();
    let errors = f.invalid(
        "contact.csv",
        &format!(
            "{HEADER}{}",
            ROW2.replace("Crushed granite 4/20", "ask jan.devries@example.org")
        ),
    );
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1.as_deref()), (2, Some("product")));
    assert!(errors[0].2.starts_with(
        "looks like an e-mail address; citytrace publishes no personal contact details"
    ));
    let errors = f.invalid(
        "phone.csv",
        &format!("{HEADER}{}", ROW2.replace("SITE-NORTH", "+31 20 555 0134")),
    );
    assert!(
        errors[0].2.starts_with("looks like a phone number"),
        "{errors:?}"
    );
}

#[test]
fn carrier_purchase_order_contract_and_certificates_are_stored_and_in_the_row_encoding() {
    let f = Fixture::new();
    let header = HEADER.replace(
        "received_at\n",
        "received_at,carrier,purchase_order,contract_ocid,certificates\n",
    );
    let with = ROW1.replace(
        '\n',
        ",4012345000221,PO-7,ocds-b5fd17-2026-0017, DoP-1 | LAB-2 |\n",
    );
    let without = ROW2.replace('\n', ",,,,\n");
    let path = f.file("more.csv", format!("{header}{with}{without}").as_bytes());
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "RCW").unwrap() else {
        panic!()
    };
    let stored = ShipmentLine::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        (
            stored[0].carrier.as_deref(),
            stored[0].purchase_order.as_deref(),
            stored[0].contract_ocid.as_deref(),
            stored[0].certificates.clone()
        ),
        (
            Some("4012345000221"),
            Some("PO-7"),
            Some("ocds-b5fd17-2026-0017"),
            vec!["DoP-1".to_string(), "LAB-2".to_string()]
        )
    );
    assert_eq!(
        (stored[1].carrier.as_deref(), stored[1].certificates.len()),
        (None, 0)
    );
    let proof = row_proof(&mut f.db.conn(), batch.id, 2).unwrap().unwrap();
    let canonical = proof.canonical.clone();
    assert!(
        canonical.contains(r#""carrier":"4012345000221","certificates":"DoP-1|LAB-2","contract_ocid":"ocds-b5fd17-2026-0017""#)
            && canonical.contains(r#""purchase_order":"PO-7""#),
        "{canonical}"
    );
    // A row without them encodes exactly as before the columns existed: no such keys.
    let plain = row_proof(&mut f.db.conn(), batch.id, 3).unwrap().unwrap();
    let plain = plain.canonical.clone();
    assert!(
        !plain.contains("carrier") && !plain.contains("certificates"),
        "{plain}"
    );
}

#[test]
fn a_contract_that_is_not_an_ocid_and_a_carrier_with_a_bad_gln_are_refused() {
    let f = Fixture::new();
    let header = HEADER.replace("received_at\n", "received_at,carrier,contract_ocid\n");
    let row = ROW1.replace('\n', ",4012345000222,ocds-B5FD17-1\n");
    assert_eq!(
        f.invalid("bad.csv", &format!("{header}{row}")),
        vec![
            (
                2,
                Some("carrier".into()),
                "GLN check digit is 2, expected 1".into()
            ),
            (
                2,
                Some("contract_ocid".into()),
                "not an OCDS ocid: `ocds-`, a 6-character prefix of letters and digits, `-`, then the local id".into()
            ),
        ]
    );
    assert_eq!(f.counts(), [0; 7]);
}
