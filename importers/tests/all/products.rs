//! The products format against a real PostgreSQL: master data with versions, checks, proofs.

use citytrace_importers::proof::row_proof;
use citytrace_importers::{import_file, Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::Product;
use citytrace_schema::schema::{product_versions, products};
use citytrace_schema::testing::TestDatabase;

const HEADER: &str = "gtin,product,material_class,unit,epd_ref,gwp_kg_co2e_per_unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes\n";
const INSULIN: &str = "04012345111118,Insulin glargine 10 ml,pharmaceutical,H87,,,2,8,60,30,5\n";
const CONCRETE: &str = ",Ready-mix concrete C30/37,concrete,MTQ,EPD-IES-0012345,312.50,,,,,\n";

fn import(
    db: &TestDatabase,
    name: &str,
    content: &str,
    options: ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    import_file(&mut db.conn(), Format::Products, &path, &options)
}

fn errors(result: Result<ImportOutcome, ImportError>) -> Vec<(u64, Option<String>, String)> {
    match result {
        Err(ImportError::Invalid(e)) => e
            .errors
            .into_iter()
            .map(|e| (e.line, e.column, e.reason))
            .collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn by_code(db: &TestDatabase, code: &str) -> Product {
    products::table
        .filter(products::code.eq(code))
        .select(Product::as_select())
        .first(&mut db.conn())
        .unwrap()
}

#[test]
fn products_are_registered_with_their_carbon_factor_and_cold_chain_range() {
    let db = TestDatabase::new();
    let options = ImportOptions {
        submitter: "PW".into(),
        ..Default::default()
    };
    let ImportOutcome::Imported { batch, .. } = import(
        &db,
        "p.csv",
        &format!("{HEADER}{INSULIN}{CONCRETE}"),
        options,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(batch.rows, 2);
    let insulin = by_code(&db, "04012345111118");
    assert_eq!(
        (
            insulin.min_temp_c.unwrap().to_string(),
            insulin.max_temp_c.unwrap().to_string()
        ),
        ("2.00".into(), "8.00".into())
    );
    assert_eq!(
        (
            insulin.max_excursion_minutes,
            insulin.max_single_excursion_minutes,
            insulin.logging_interval_minutes
        ),
        (Some(60), Some(30), Some(5))
    );
    let concrete = by_code(&db, "Ready-mix concrete C30/37");
    assert_eq!(
        (concrete.unit.as_str(), concrete.epd_ref.as_deref()),
        ("MTQ", Some("EPD-IES-0012345"))
    );
    assert_eq!(
        concrete.gwp_per_unit.unwrap().normalized().to_string(),
        "312.5"
    );
    let proof = row_proof(&mut db.conn(), batch.id, 3).unwrap().unwrap();
    assert!(proof.is_consistent());
    assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    assert_eq!(
        proof.canonical,
        r#"{"encoding":"citytrace/products/1","epd_ref":"EPD-IES-0012345","gtin":null,"gwp_kg_co2e_per_unit":"312.5","line":3,"logging_interval_minutes":null,"material_class":"concrete","max_excursion_minutes":null,"max_single_excursion_minutes":null,"max_temp_c":null,"min_temp_c":null,"product":"Ready-mix concrete C30/37","unit":"MTQ"}"#
    );
}

#[test]
fn a_later_file_updates_the_product_and_keeps_the_earlier_version() {
    let db = TestDatabase::new();
    let options = ImportOptions {
        submitter: "PW".into(),
        ..Default::default()
    };
    let ImportOutcome::Imported { batch: first, .. } = import(
        &db,
        "a.csv",
        &format!("{HEADER}{CONCRETE}"),
        options.clone(),
    )
    .unwrap() else {
        panic!()
    };
    import(
        &db,
        "b.csv",
        &format!("{HEADER}{}", CONCRETE.replace("312.50", "298")),
        options,
    )
    .unwrap();
    assert_eq!(
        by_code(&db, "Ready-mix concrete C30/37")
            .gwp_per_unit
            .unwrap()
            .normalized()
            .to_string(),
        "298"
    );
    let versions: i64 = product_versions::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(versions, 2);
    let proof = row_proof(&mut db.conn(), first.id, 2).unwrap().unwrap();
    assert!(
        proof
            .canonical
            .contains(r#""gwp_kg_co2e_per_unit":"312.5""#),
        "the first batch still proves what it said"
    );
    assert!(proof.is_consistent());
}

#[test]
fn bad_rows_are_reported_and_nothing_is_written() {
    let db = TestDatabase::new();
    let options = ImportOptions {
        submitter: "PW".into(),
        ..Default::default()
    };
    let bad = [
        INSULIN.replace(",2,8,", ",9,8,"),
        CONCRETE.replace("EPD-IES-0012345", ""),
        ",Vaccine,pharmaceutical,H87,,,,,60,,\n".to_string(),
        INSULIN.replace("H87", "vial"),
        INSULIN.to_string(),
    ];
    let found = errors(import(
        &db,
        "bad.csv",
        &format!("{HEADER}{}", bad.concat()),
        options,
    ));
    assert_eq!(
        found,
        vec![
            (2, Some("max_temp_c".into()), "below min_temp_c".into()),
            (3, Some("epd_ref".into()), "a carbon factor needs the EPD it comes from".into()),
            (4, Some("min_temp_c".into()), "excursion budgets and logging intervals need a temperature range (min_temp_c and/or max_temp_c)".into()),
            (5, Some("unit".into()), "not a UN/CEFACT Rec 20 unit code citytrace knows; use one of KGM, GRM, TNE, LTR, MLT, MTQ, MTK, MTR, KMT, CMT, H87, C62, EA, SET, PR, KWH, MWH".into()),
        ]
    );
    let twice = errors(import(
        &db,
        "twice.csv",
        &format!("{HEADER}{INSULIN}{INSULIN}"),
        ImportOptions {
            submitter: "PW".into(),
            ..Default::default()
        },
    ));
    assert_eq!(
        twice,
        vec![(
            3,
            Some("gtin".into()),
            "the same product is already at line 2".into()
        )]
    );
    let stored: i64 = products::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(stored, 0);
}
