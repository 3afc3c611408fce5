//! The waste-transfers format against a real PostgreSQL: List of Waste codes and operations
//! checked, parties and sites resolved, one transfer per consignment, custody chains.

use std::path::Path;

use crate::support::format_fixture::{error, FormatFixture};
use citytrace_importers::proof::row_proof;
use citytrace_importers::waste::transfers::TransferRecord;
use citytrace_importers::{Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{Party, Site, WasteTransfer};
use citytrace_schema::schema::{import_batches, parties, sites, waste_transfers};

const HEADER: &str = "consignment_id,ewc_code,description,mass_kg,mass_basis,producer,from_site,carrier,carrier_licence,to_site,transferred_at,planned_operation,previous_consignment_id\n";
const CONCRETE: &str = "WTN-0184,17 01 01,Crushed concrete from demolition,12480,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,4012345000122,2026-05-04T08:15:00+02:00,R5,\n";
const TAR: &str = "WTN-0185,17 03 01*,Coal-tar asphalt planings,3200.5,estimated,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,HAZ-TREAT,2026-05-04T10:00:00+02:00,d9,\n";
/// Onward from the recycling yard (4012345000122), where WTN-0184 arrived.
const ONWARD: &str = "WTN-0201,19 12 09,Screened aggregate fines,4000,REAL,RECYCLE-CO,4012345000122,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-05-20T07:00:00Z,D1,WTN-0184\n";

struct Fixture(FormatFixture);

impl std::ops::Deref for Fixture {
    type Target = FormatFixture;
    fn deref(&self) -> &FormatFixture {
        &self.0
    }
}

impl Fixture {
    fn new() -> Self {
        Self(FormatFixture::new(Format::WasteTransfers, "DEPT-WORKS"))
    }

    /// Rows in every table an import writes to: batches, transfers, parties, sites.
    fn counts(&self) -> [i64; 4] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            waste_transfers::table.count().get_result(c).unwrap(),
            parties::table.count().get_result(c).unwrap(),
            sites::table.count().get_result(c).unwrap(),
        ]
    }
}

#[test]
fn transfers_are_stored_with_code_hazard_flag_and_references_and_a_verifiable_root() {
    let f = Fixture::new();
    let batch = f.imported("wtn.csv", &format!("{HEADER}{CONCRETE}{TAR}"));
    assert_eq!((batch.kind.as_str(), batch.rows), ("waste-transfers", 2));
    assert_eq!(
        f.counts(),
        [1, 2, 2, 3],
        "producer and carrier; origin and two facilities"
    );

    let conn = &mut f.db.conn();
    let stored = WasteTransfer::of_batch(conn, batch.id).unwrap();
    let summary: Vec<_> = stored
        .iter()
        .map(|t| {
            (
                t.consignment_id.as_str(),
                t.ewc_code.as_str(),
                t.hazardous,
                t.mass_kg.to_string(),
                t.mass_basis.as_str(),
                t.planned_operation.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("WTN-0184", "170101", false, "12480".into(), "REAL", "R5"),
            (
                "WTN-0185",
                "170301",
                true,
                "3200.5".into(),
                "ESTIMATED",
                "D9"
            )
        ]
    );
    assert_eq!(
        (
            stored[0].transferred_at.to_rfc3339(),
            stored[0].transferred_offset.as_str()
        ),
        ("2026-05-04T06:15:00+00:00".into(), "+02:00")
    );
    assert_eq!(stored[0].previous_consignment_id, None);
    let carrier = Party::find_by_code(conn, "HAUL-CO").unwrap().unwrap();
    assert_eq!(
        (stored[0].carrier_id, carrier.kind.as_str()),
        (carrier.id, "carrier")
    );
    let yard = Site::find_by_code(conn, "4012345000122").unwrap().unwrap();
    assert_eq!(
        (
            stored[0].to_site_id,
            yard.kind.as_str(),
            yard.gln.as_deref()
        ),
        (yard.id, "treatment_facility", Some("4012345000122"))
    );

    for line in [2u64, 3] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(conn, batch.id, 3).unwrap().unwrap();
    assert_eq!(
        proof.canonical,
        r#"{"carrier":"HAUL-CO","carrier_licence":"CBDU112233","consignment_id":"WTN-0185","description":"Coal-tar asphalt planings","encoding":"citytrace/waste-transfers/1","ewc_code":"17 03 01*","from_site":"SITE-NORTH","line":3,"mass_basis":"ESTIMATED","mass_kg":"3200.5","planned_operation":"D9","previous_consignment_id":null,"producer":"DEPT-WORKS","to_site":"HAZ-TREAT","transferred_at":"2026-05-04T08:00:00.000000Z"}"#
    );
    assert_eq!(
        proof.canonical.as_bytes(),
        TransferRecord::from_stored(&stored[1]).canonical()
    );
}

#[test]
fn an_onward_movement_names_the_consignment_the_waste_arrived_under() {
    let f = Fixture::new();
    f.imported("in.csv", &format!("{HEADER}{CONCRETE}"));
    let batch = f.imported("out.csv", &format!("{HEADER}{ONWARD}"));
    let stored = WasteTransfer::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        stored[0].previous_consignment_id.as_deref(),
        Some("WTN-0184")
    );
    // Earlier in the same file works too; a consignment that went elsewhere, or none, does not.
    let f = Fixture::new();
    f.imported("both.csv", &format!("{HEADER}{CONCRETE}{ONWARD}"));
    let elsewhere = ONWARD
        .replace("WTN-0201", "WTN-0202")
        .replace(",WTN-0184", ",WTN-0185");
    let unknown = ONWARD
        .replace("WTN-0201", "WTN-0203")
        .replace(",WTN-0184", ",WTN-9999");
    let errors = f.invalid("bad.csv", &format!("{HEADER}{TAR}{elsewhere}{unknown}"));
    assert_eq!(
        errors,
        vec![
            error(3, "previous_consignment_id", "consignment WTN-0185 went to HAZ-TREAT, not to this row's from_site 4012345000122"),
            error(4, "previous_consignment_id", "consignment WTN-9999 is not known: import the consignment the waste arrived under first"),
        ]
    );
}

#[test]
fn codes_against_the_list_of_waste_masses_bases_and_sites_are_checked() {
    let f = Fixture::new();
    let bad = [
        CONCRETE.replace("17 01 01", "21 01 01"),
        CONCRETE.replace("17 01 01", "17-01-01"),
        CONCRETE.replace("17 01 01", "17 00 01"),
        CONCRETE.replace(",R5,", ",R14,"),
        CONCRETE.replace(",R5,", ",D16,"),
        CONCRETE.replace("12480", "0"),
        CONCRETE.replace("REAL", "WEIGHED"),
        CONCRETE.replace("4012345000122", "SITE-NORTH"),
        CONCRETE.replace("4012345000122", "4012345000123"),
        CONCRETE.replace("CBDU112233", ""),
        CONCRETE.replace(",R5,", ",R5,WTN-0184"),
        CONCRETE.replace("17 01 01", "17 01 98"),
        TAR.replace("17 03 01*", "17 03 01"),
        CONCRETE.replace("17 01 01", "17 01 01*"),
    ];
    let errors = f.invalid("bad.csv", &format!("{HEADER}{}", bad.concat()));
    assert_eq!(
        errors,
        vec![
            error(2, "ewc_code", "chapter 21 does not exist: the List of Waste has chapters 01 to 20"),
            error(3, "ewc_code", "not a List of Waste code: six digits, spaces allowed, * for hazardous, e.g. 17 01 01 or 17 05 03*"),
            error(4, "ewc_code", "sub-chapter 00 does not exist: sub-chapters are numbered from 01"),
            error(5, "planned_operation", "not a waste operation code: R1 to R13 (recovery) or D1 to D15 (disposal)"),
            error(6, "planned_operation", "not a waste operation code: R1 to R13 (recovery) or D1 to D15 (disposal)"),
            error(7, "mass_kg", "must be greater than zero"),
            error(8, "mass_basis", "not one of REAL, ESTIMATED"),
            error(9, "to_site", "the same as from_site"),
            error(10, "to_site", "GLN check digit is 3, expected 2"),
            error(11, "carrier_licence", "required value is empty"),
            error(12, "previous_consignment_id", "the same as consignment_id"),
            error(
                13,
                "ewc_code",
                "17 01 98 is not on the List of Waste (Decision 2000/532/EC as amended)",
            ),
            error(
                14,
                "ewc_code",
                "17 03 01 is a hazardous entry: write it with its asterisk, 17 03 01*",
            ),
            error(
                15,
                "ewc_code",
                "17 01 01 is not a hazardous entry: write it without an asterisk",
            ),
        ]
    );
    assert_eq!(f.counts(), [0, 0, 0, 0]);
}

#[test]
fn a_consignment_twice_in_a_file_is_refused() {
    let f = Fixture::new();
    let errors = f.invalid(
        "twice.csv",
        &format!(
            "{HEADER}{CONCRETE}{TAR}{}",
            CONCRETE.replace("12480", "100")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "consignment_id",
            "consignment WTN-0184 already appears at line 2"
        )]
    );
}

#[test]
fn a_consignment_imported_before_by_anyone_is_refused_naming_its_batch() {
    let f = Fixture::new();
    let first = f.imported("a.csv", &format!("{HEADER}{TAR}{CONCRETE}"));
    let before = f.counts();
    let path = f.file("b.csv", &format!("{HEADER}{ONWARD}{CONCRETE}"));
    let result = f.import_with(
        &path,
        ImportOptions {
            submitter: "HAUL-CO".into(),
            ..Default::default()
        },
    );
    let Err(ImportError::Invalid(e)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(
        e.errors
            .into_iter()
            .map(|e| (e.line, e.column, e.reason))
            .collect::<Vec<_>>(),
        vec![error(
            3,
            "consignment_id",
            &format!(
                "this consignment was already imported in batch {} (line 3)",
                first.id
            )
        )]
    );
    assert_eq!(
        f.counts(),
        before,
        "the valid onward movement was not written either"
    );
}

#[test]
fn the_same_file_twice_is_one_batch() {
    let f = Fixture::new();
    let first = f.imported("a.csv", &format!("{HEADER}{CONCRETE}"));
    match f.import("a.csv", &format!("{HEADER}{CONCRETE}")).unwrap() {
        ImportOutcome::AlreadyImported { batch } => assert_eq!(batch.id, first.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counts()[..2], [1, 1]);
}

#[test]
fn an_invalid_last_row_means_nothing_is_imported() {
    let f = Fixture::new();
    let errors = f.invalid(
        "last.csv",
        &format!(
            "{HEADER}{CONCRETE}{}",
            TAR.replace("2026-05-04T10:00:00+02:00", "04.05.2026 10:00")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            3,
            "transferred_at",
            "not an ISO 8601 date-time such as 2026-03-04T10:00:00+01:00"
        )]
    );
    assert_eq!(f.counts(), [0, 0, 0, 0]);
}

#[test]
fn bom_crlf_and_quoted_fields_with_delimiters_and_newlines_import() {
    let f = Fixture::new();
    let quoted = CONCRETE
        .replace(
            "Crushed concrete from demolition",
            "\"Crushed concrete, rebar removed\n(north abutment)\"",
        )
        .replace('\n', "\r\n");
    let batch = f.imported(
        "crlf.csv",
        &format!(
            "\u{feff}{}{quoted}{}",
            HEADER.replace('\n', "\r\n"),
            TAR.replace('\n', "\r\n")
        ),
    );
    let stored = WasteTransfer::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        stored[0].description.as_deref(),
        Some("Crushed concrete, rebar removed\r\n(north abutment)")
    );
    assert_eq!(
        stored.iter().map(|t| t.line).collect::<Vec<_>>(),
        vec![2, 4],
        "line numbers count the break inside quotes"
    );
    assert!(row_proof(&mut f.db.conn(), batch.id, 4)
        .unwrap()
        .unwrap()
        .is_consistent());
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let f = Fixture::new();
    let path = f.file(
        "mixed.csv",
        &format!(
            "{HEADER}{CONCRETE}{}{ONWARD}",
            TAR.replace("17 03 01*", "17 03 01**")
        ),
    );
    let options = ImportOptions {
        submitter: "DEPT-WORKS".into(),
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
        (3, Some("ewc_code"))
    );
    let conn = &mut f.db.conn();
    for line in [2u64, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
}

#[test]
fn the_documented_example_imports() {
    let f = Fixture::new();
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats/waste-transfers-example.csv");
    let outcome = f
        .import_with(
            &example,
            ImportOptions {
                submitter: "DEPT-WORKS".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let ImportOutcome::Imported { batch, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(batch.rows, 4);
}
