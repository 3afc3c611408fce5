//! The budget format against a real PostgreSQL: budget lines by year and phase, COFOG checked,
//! departments registered, one amount per (line, year, phase), receipts that verify.

use std::path::Path;

use crate::support::format_fixture::{error, FormatFixture};
use citytrace_importers::budget::BudgetRecord;
use citytrace_importers::proof::row_proof;
use citytrace_importers::{Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{BudgetLine, Party};
use citytrace_schema::schema::{budget_lines, import_batches, parties};

const HEADER: &str = "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n";
const APPROVED: &str = "2026-PW-0412,2026,approved,,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck,1250000.00,EUR\n";
const EXECUTED: &str = "2026-PW-0412,2026,executed,expenditure,DEPT-WORKS,Bridge renewal,4.5,31,North bridge deck,1312400.5,eur\n";
const WASTE: &str = "2026-EN-0007,2026,approved,,DEPT-ENV,Waste collection,05.1,22,,830000,EUR\n";

struct Fixture(FormatFixture);

impl std::ops::Deref for Fixture {
    type Target = FormatFixture;
    fn deref(&self) -> &FormatFixture {
        &self.0
    }
}

impl Fixture {
    fn new() -> Self {
        Self(FormatFixture::new(Format::Budget, "FIN"))
    }

    /// Rows in every table an import writes to: batches, budget lines, parties.
    fn counts(&self) -> [i64; 3] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            budget_lines::table.count().get_result(c).unwrap(),
            parties::table.count().get_result(c).unwrap(),
        ]
    }
}

#[test]
fn budget_lines_are_stored_with_departments_and_a_verifiable_root() {
    let f = Fixture::new();
    let batch = f.imported(
        "budget.csv",
        &format!("{HEADER}{APPROVED}{EXECUTED}{WASTE}"),
    );
    assert_eq!((batch.kind.as_str(), batch.rows), ("budget", 3));
    assert_eq!(f.counts(), [1, 3, 2], "two departments registered");

    let conn = &mut f.db.conn();
    let stored = BudgetLine::of_batch(conn, batch.id).unwrap();
    let summary: Vec<_> = stored
        .iter()
        .map(|b| {
            (
                b.line,
                b.budget_line_id.as_str(),
                b.fiscal_year,
                b.phase.as_str(),
                b.direction.as_str(),
                b.cofog.as_str(),
                b.amount.to_string(),
                b.currency.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                2,
                "2026-PW-0412",
                2026,
                "approved",
                "expenditure",
                "04.5",
                "1250000.00".into(),
                "EUR"
            ),
            (
                3,
                "2026-PW-0412",
                2026,
                "executed",
                "expenditure",
                "04.5",
                "1312400.5".into(),
                "EUR"
            ),
            (
                4,
                "2026-EN-0007",
                2026,
                "approved",
                "expenditure",
                "05.1",
                "830000".into(),
                "EUR"
            ),
        ]
    );
    assert_eq!(
        (
            stored[0].program.as_deref(),
            stored[0].economic_class.as_deref()
        ),
        (Some("Bridge renewal"), Some("31"))
    );
    assert_eq!(stored[2].description, None);
    let works = Party::find_by_code(conn, "DEPT-WORKS").unwrap().unwrap();
    assert_eq!(
        (works.kind.as_str(), works.name.as_str()),
        ("department", "DEPT-WORKS")
    );
    assert_eq!(stored[0].department_id, works.id);

    for line in [2u64, 3, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(conn, batch.id, 3).unwrap().unwrap();
    assert_eq!(
        proof.canonical,
        r#"{"amount":"1312400.5","budget_line_id":"2026-PW-0412","cofog":"04.5","currency":"EUR","department":"DEPT-WORKS","description":"North bridge deck","direction":"expenditure","economic_class":"31","encoding":"citytrace/budget/1","fiscal_year":2026,"line":3,"phase":"executed","program":"Bridge renewal"}"#
    );
    assert_eq!(
        proof.canonical.as_bytes(),
        BudgetRecord::from_stored(&stored[1]).canonical()
    );
}

#[test]
fn a_department_named_by_its_gln_resolves_to_the_registered_party() {
    let f = Fixture::new();
    diesel::insert_into(parties::table)
        .values((
            parties::code.eq("DEPT-WORKS"),
            parties::name.eq("Public Works"),
            parties::kind.eq("department"),
            parties::gln.eq("4012345000115"),
        ))
        .execute(&mut f.db.conn())
        .unwrap();
    let batch = f.imported(
        "gln.csv",
        &format!(
            "{HEADER}{}",
            APPROVED.replace("DEPT-WORKS", "4012345000115")
        ),
    );
    let stored = BudgetLine::of_batch(&mut f.db.conn(), batch.id).unwrap();
    let works = Party::find_by_code(&mut f.db.conn(), "DEPT-WORKS")
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored[0].department.as_str(), stored[0].department_id),
        ("4012345000115", works.id)
    );
    assert_eq!(f.counts()[2], 1, "no second party");
}

#[test]
fn codes_phases_years_amounts_and_currencies_are_checked() {
    let f = Fixture::new();
    let bad = [
        APPROVED.replace(",04.5,", ",04.0,"),
        APPROVED.replace(",04.5,", ",11,"),
        APPROVED.replace(",04.5,", ",transport,"),
        APPROVED.replace("approved", "planned"),
        APPROVED.replace(",2026,", ",26,"),
        APPROVED.replace("1250000.00", "1.250.000"),
        APPROVED.replace("1250000.00", "12.00001"),
        APPROVED.replace(",EUR", ",EURO"),
        APPROVED.replace(",,DEPT", ",spending,DEPT"),
        APPROVED.replace("DEPT-WORKS", ""),
        APPROVED.replace("North bridge deck", "ask jan.devries@example.org"),
    ];
    let errors = f.invalid("bad.csv", &format!("{HEADER}{}", bad.concat()));
    assert_eq!(
        errors,
        vec![
            error(2, "cofog", "COFOG division 04 has no group 04.0: its groups are 04.1, 04.2, 04.3, 04.4, 04.5, 04.6, 04.7, 04.8, 04.9"),
            error(3, "cofog", "COFOG has no division 11: divisions are 01 to 10"),
            error(4, "cofog", "not a COFOG code: a division (05) or a division and group (05.1), e.g. 04.5 transport, 05.1 waste management"),
            error(5, "phase", "not one of proposed, approved, adjusted, executed"),
            error(6, "fiscal_year", "not a whole number from 1900 to 2200"),
            error(7, "amount", "not a number: write digits with an optional decimal point, e.g. -3.5"),
            error(8, "amount", "more than 4 decimals"),
            error(9, "currency", "not an ISO 4217 currency code: three letters, e.g. EUR"),
            error(10, "direction", "not one of expenditure, revenue"),
            error(11, "department", "required value is empty"),
            error(12, "description", "looks like an e-mail address; citytrace publishes no personal contact details — remove it"),
        ]
    );
    assert_eq!(f.counts(), [0, 0, 0], "nothing was written");
}

#[test]
fn a_line_year_and_phase_twice_in_a_file_is_refused() {
    let f = Fixture::new();
    let errors = f.invalid(
        "twice.csv",
        &format!(
            "{HEADER}{APPROVED}{WASTE}{}",
            APPROVED.replace("1250000.00", "1")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "budget_line_id",
            "budget line 2026-PW-0412 2026 approved already appears at line 2"
        )]
    );
    assert_eq!(f.counts(), [0, 0, 0]);
}

#[test]
fn a_line_imported_before_in_another_file_is_refused_naming_its_batch() {
    let f = Fixture::new();
    let first = f.imported("a.csv", &format!("{HEADER}{WASTE}{APPROVED}"));
    let before = f.counts();
    let errors = f.invalid("b.csv", &format!("{HEADER}{EXECUTED}{APPROVED}"));
    assert_eq!(
        errors,
        vec![error(
            3,
            "budget_line_id",
            &format!(
                "budget line 2026-PW-0412 2026 approved was already imported in batch {} (line 3)",
                first.id
            )
        )]
    );
    assert_eq!(
        f.counts(),
        before,
        "the valid row of the refused file was not written either"
    );
    // Another submitter keeps its own budget lines.
    let path = f.file("c.csv", &format!("{HEADER}{APPROVED}"));
    let other = f
        .import_with(
            &path,
            ImportOptions {
                submitter: "AUDIT".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(other, ImportOutcome::Imported { .. }));
}

#[test]
fn the_same_file_twice_is_one_batch() {
    let f = Fixture::new();
    let first = f.imported("a.csv", &format!("{HEADER}{APPROVED}"));
    match f.import("a.csv", &format!("{HEADER}{APPROVED}")).unwrap() {
        ImportOutcome::AlreadyImported { batch } => assert_eq!(batch.id, first.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counts(), [1, 1, 1]);
}

#[test]
fn an_invalid_last_row_means_nothing_is_imported() {
    let f = Fixture::new();
    let errors = f.invalid(
        "last.csv",
        &format!(
            "{HEADER}{APPROVED}{EXECUTED}{}",
            WASTE.replace("05.1", "05.9")
        ),
    );
    assert_eq!(errors, vec![error(4, "cofog", "COFOG division 05 has no group 05.9: its groups are 05.1, 05.2, 05.3, 05.4, 05.5, 05.6")]);
    assert_eq!(f.counts(), [0, 0, 0]);
}

#[test]
fn excel_exports_with_semicolons_decimal_commas_crlf_and_quoted_newlines_import() {
    let f = Fixture::new();
    let excel = |row: &str| {
        row.replace(',', ";")
            .replace("1250000.00", "1250000,00")
            .replace('\n', "\r\n")
    };
    let multiline = excel(WASTE).replace(";;830000", ";\"Collection rounds\r\nand bins\";830000");
    let content = format!("\u{feff}{}{}{multiline}", excel(HEADER), excel(APPROVED));
    let batch = f.imported("excel.csv", &content);
    let stored = BudgetLine::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|b| (b.line, b.amount.to_string()))
            .collect::<Vec<_>>(),
        vec![(2, "1250000.00".to_string()), (3, "830000".to_string())]
    );
    assert_eq!(
        stored[1].description.as_deref(),
        Some("Collection rounds\r\nand bins")
    );
    assert!(row_proof(&mut f.db.conn(), batch.id, 3)
        .unwrap()
        .unwrap()
        .is_consistent());
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let f = Fixture::new();
    let path = f.file(
        "mixed.csv",
        &format!("{HEADER}{APPROVED}{}{WASTE}", EXECUTED.replace("eur", "€")),
    );
    let options = ImportOptions {
        submitter: "FIN".into(),
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
        (3, Some("currency"))
    );
    let conn = &mut f.db.conn();
    let lines: Vec<i32> = BudgetLine::of_batch(conn, batch.id)
        .unwrap()
        .iter()
        .map(|b| b.line)
        .collect();
    assert_eq!(lines, vec![2, 4]);
    for line in [2u64, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
}

#[test]
fn the_documented_example_imports() {
    let f = Fixture::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats/budget-example.csv");
    let outcome = f
        .import_with(
            &example,
            ImportOptions {
                submitter: "FIN".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let ImportOutcome::Imported { batch, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(batch.rows, 6);
}
