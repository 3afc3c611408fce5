//! The emissions format against a real PostgreSQL: scope and category combinations, periods,
//! one figure per (party, scope, category, activity, period), receipts that verify.

use std::path::Path;

use crate::support::format_fixture::{error, FormatFixture};
use chrono::NaiveDate;
use citytrace_importers::emissions::EmissionRecord;
use citytrace_importers::proof::row_proof;
use citytrace_importers::{Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{EmissionReport, Party};
use citytrace_schema::schema::{emission_reports, import_batches, parties};

const HEADER: &str = "party,scope,category,activity,period,kg_co2e,method,source_document\n";
const FLEET: &str = "DEPT-TRANSPORT,1,mobile_combustion,Bus fleet,2026-Q1,412500.250,fuel-based: 154 000 l diesel × 2.68 kg/l,FLEET-2026-Q1.pdf\n";
const GRID: &str = "DEPT-TRANSPORT,2,Location-based,Depots,2026-03,18250,meter readings × grid factor,GRID-2026-03.xlsx\n";
const CONCRETE: &str = "DEPT-WORKS,3,1,Concrete for Elm Street school,2026-01-01/2026-06-30,184250.5,supplier-specific: EPD factors × delivered quantities,EPD-RMX-C3037-2025\n";

struct Fixture(FormatFixture);

impl std::ops::Deref for Fixture {
    type Target = FormatFixture;
    fn deref(&self) -> &FormatFixture {
        &self.0
    }
}

impl Fixture {
    fn new() -> Self {
        Self(FormatFixture::new(Format::Emissions, "CLIMATE"))
    }

    /// Rows in every table an import writes to: batches, emission reports, parties.
    fn counts(&self) -> [i64; 3] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            emission_reports::table.count().get_result(c).unwrap(),
            parties::table.count().get_result(c).unwrap(),
        ]
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn reports_are_stored_with_normalised_categories_and_periods_and_a_verifiable_root() {
    let f = Fixture::new();
    let batch = f.imported("ghg.csv", &format!("{HEADER}{FLEET}{GRID}{CONCRETE}"));
    assert_eq!((batch.kind.as_str(), batch.rows), ("emissions", 3));
    assert_eq!(f.counts(), [1, 3, 2]);

    let conn = &mut f.db.conn();
    let stored = EmissionReport::of_batch(conn, batch.id).unwrap();
    let summary: Vec<_> = stored
        .iter()
        .map(|e| {
            (
                e.line,
                e.party.as_str(),
                e.scope,
                e.category.as_deref(),
                e.period_start,
                e.period_end,
                e.kg_co2e.to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                2,
                "DEPT-TRANSPORT",
                1,
                Some("mobile_combustion"),
                day("2026-01-01"),
                day("2026-03-31"),
                "412500.250".into()
            ),
            (
                3,
                "DEPT-TRANSPORT",
                2,
                Some("location_based"),
                day("2026-03-01"),
                day("2026-03-31"),
                "18250".into()
            ),
            (
                4,
                "DEPT-WORKS",
                3,
                Some("1"),
                day("2026-01-01"),
                day("2026-06-30"),
                "184250.5".into()
            ),
        ]
    );
    assert_eq!(stored[0].method, "fuel-based: 154 000 l diesel × 2.68 kg/l");
    assert_eq!(
        (
            stored[2].activity.as_deref(),
            stored[2].source_document.as_str()
        ),
        (Some("Concrete for Elm Street school"), "EPD-RMX-C3037-2025")
    );
    let works = Party::find_by_code(conn, "DEPT-WORKS").unwrap().unwrap();
    assert_eq!(
        (stored[2].party_id, works.kind.as_str()),
        (works.id, "other")
    );

    for line in [2u64, 3, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(conn, batch.id, 2).unwrap().unwrap();
    assert_eq!(
        proof.canonical,
        r#"{"activity":"Bus fleet","category":"mobile_combustion","encoding":"citytrace/emissions/1","kg_co2e":"412500.25","line":2,"method":"fuel-based: 154 000 l diesel × 2.68 kg/l","party":"DEPT-TRANSPORT","period_end":"2026-03-31","period_start":"2026-01-01","scope":"1","source_document":"FLEET-2026-Q1.pdf"}"#
    );
    assert_eq!(
        proof.canonical.as_bytes(),
        EmissionRecord::from_stored(&stored[0]).canonical()
    );
}

#[test]
fn scopes_categories_periods_and_figures_are_checked() {
    let f = Fixture::new();
    let bad = [
        FLEET.replace(",1,mobile_combustion,", ",4,,"),
        FLEET.replace("mobile_combustion", "1"),
        GRID.replace("Location-based", ""),
        GRID.replace("Location-based", "residual mix"),
        CONCRETE.replace(",3,1,", ",3,,"),
        CONCRETE.replace(",3,1,", ",3,16,"),
        FLEET.replace("2026-Q1", "Q1 2026"),
        FLEET.replace("2026-Q1", "2026-06-30/2026-01-01"),
        FLEET.replace("412500.250", "-5"),
        FLEET.replace("FLEET-2026-Q1.pdf", ""),
    ];
    let errors = f.invalid("bad.csv", &format!("{HEADER}{}", bad.concat()));
    assert_eq!(
        errors,
        vec![
            error(2, "scope", "not a whole number from 1 to 3"),
            error(3, "category", "not a scope 1 category: leave it empty or use stationary_combustion, mobile_combustion, process, fugitive"),
            error(4, "category", "scope 2 needs a category: location_based or market_based"),
            error(5, "category", "not a scope 2 category: use location_based or market_based"),
            error(6, "category", "scope 3 needs a category: the GHG Protocol category number, 1 to 15"),
            error(7, "category", "not a scope 3 category: the GHG Protocol category number, 1 to 15"),
            error(8, "period", "not a period: write a year (2026), a quarter (2026-Q1), a month (2026-03), a day (2026-03-31) or two dates (2026-01-01/2026-06-30)"),
            error(9, "period", "the period ends before it starts"),
            error(10, "kg_co2e", "out of range: must be from 0 to 1000000000000000"),
            error(11, "source_document", "required value is empty"),
        ]
    );
    assert_eq!(f.counts(), [0, 0, 0]);
}

#[test]
fn the_same_figure_twice_in_a_file_is_refused_but_another_activity_is_not() {
    let f = Fixture::new();
    let other_activity = FLEET.replace("Bus fleet", "Refuse trucks");
    let errors = f.invalid(
        "twice.csv",
        &format!(
            "{HEADER}{FLEET}{other_activity}{}",
            FLEET.replace("412500.250", "1")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "period",
            "the same party, scope, category, activity and period already appear at line 2"
        )]
    );
    let no_activity = FLEET.replace("Bus fleet", "");
    let errors = f.invalid(
        "twice-empty.csv",
        &format!("{HEADER}{no_activity}{no_activity}"),
    );
    assert_eq!(
        errors,
        vec![error(
            3,
            "period",
            "the same party, scope, category, activity and period already appear at line 2"
        )]
    );
}

#[test]
fn a_figure_imported_before_in_another_file_is_refused_naming_its_batch() {
    let f = Fixture::new();
    let no_activity = FLEET.replace("Bus fleet", "");
    let first = f.imported("a.csv", &format!("{HEADER}{GRID}{no_activity}"));
    let before = f.counts();
    let errors = f.invalid("b.csv", &format!("{HEADER}{CONCRETE}{no_activity}"));
    assert_eq!(
        errors,
        vec![error(3, "period", &format!("this figure (party, scope, category, activity, period) was already imported in batch {} (line 3)", first.id))]
    );
    assert_eq!(f.counts(), before);
}

#[test]
fn the_same_file_twice_is_one_batch() {
    let f = Fixture::new();
    let first = f.imported("a.csv", &format!("{HEADER}{FLEET}"));
    match f.import("a.csv", &format!("{HEADER}{FLEET}")).unwrap() {
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
            "{HEADER}{FLEET}{GRID}{}",
            CONCRETE.replace(",3,1,", ",2,1,")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "category",
            "not a scope 2 category: use location_based or market_based"
        )]
    );
    assert_eq!(f.counts(), [0, 0, 0]);
}

#[test]
fn semicolon_files_with_decimal_commas_import() {
    let f = Fixture::new();
    let excel = |row: &str| {
        row.replace(',', ";")
            .replace("412500.250", "412500,250")
            .replace("2.68", "2,68")
    };
    let batch = f.imported("excel.csv", &format!("{}{}", excel(HEADER), excel(FLEET)));
    let stored = EmissionReport::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        (stored[0].kg_co2e.to_string(), stored[0].method.as_str()),
        (
            "412500.250".into(),
            "fuel-based: 154 000 l diesel × 2,68 kg/l"
        )
    );
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let f = Fixture::new();
    let path = f.file(
        "mixed.csv",
        &format!(
            "{HEADER}{FLEET}{}{CONCRETE}",
            GRID.replace("2026-03", "March")
        ),
    );
    let options = ImportOptions {
        submitter: "CLIMATE".into(),
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
        (3, Some("period"))
    );
    let conn = &mut f.db.conn();
    for line in [2u64, 4] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    assert!(row_proof(conn, batch.id, 3).unwrap().is_none());
}

#[test]
fn the_documented_example_imports() {
    let f = Fixture::new();
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats/emissions-example.csv");
    let outcome = f
        .import_with(
            &example,
            ImportOptions {
                submitter: "CLIMATE".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let ImportOutcome::Imported { batch, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(batch.rows, 5);
}
