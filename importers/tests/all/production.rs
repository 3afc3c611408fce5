//! The production format against a real PostgreSQL: runs stored once with their inputs,
//! lots registered and traced through transformations, EPCIS TransformationEvents as a view,
//! embodied carbon summed per run, receipts that verify.

use std::path::{Path, PathBuf};

use citytrace_importers::production::ProductionRecord;
use citytrace_importers::proof::row_proof;
use citytrace_importers::{import_file, Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::sql_types::{BigInt, Numeric, Text};
use citytrace_schema::models::{Lot, LotEvent, ProductionInput, ProductionRun};
use citytrace_schema::schema::{import_batches, lots, production_inputs, production_runs};
use citytrace_schema::testing::TestDatabase;

const SHIPMENT: &str =
    "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at
SHP-1,1,LOT-A,04012345111118,Portland cement,25,TNE,CEMENT-WORKS,PLANT-1,2026-04-10T07:00:00Z,
";
const HEADER: &str = "production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit\n";
const CEMENT_IN: &str = "MIX-07,1,RMX-07,,Ready-mix concrete C30/37,8,MTQ,LOT-A,,2.6,TNE,PLANT-1,2026-04-12T06:45:00+02:00,EPD-RMX-C3037-2025,265.40,MTQ\n";
const AGGREGATE_IN: &str = "MIX-07,2,RMX-07,,Ready-mix concrete C30/37,8.000,MTQ,LOT-AGG-9,Crushed granite 4/20,14.2,TNE,PLANT-1,2026-04-12T06:45:00+02:00,EPD-RMX-C3037-2025,265.4,MTQ\n";
const RECYCLING: &str = "RA-01,1,RA-LOT-1,,Recycled aggregate 0/31.5,20,TNE,DEMO-0184,Crushed concrete waste,21,TNE,4012345000122,2026-05-05T10:00:00Z,,,\n";
const RECYCLED_IN: &str = "MIX-08,1,RMX-08,,Ready-mix concrete C30/37,6,MTQ,RA-LOT-1,,5,TNE,PLANT-1,2026-05-06T07:00:00+02:00,EPD-RMX-C3037-2025,265.4,MTQ\n";

struct Fixture {
    db: TestDatabase,
    dir: tempfile::TempDir,
}

impl Fixture {
    /// A database where LOT-A (Portland cement) was shipped to PLANT-1.
    fn new() -> Self {
        let f = Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        let path = f.file("shipment.csv", SHIPMENT);
        let options = ImportOptions {
            submitter: "RCW".into(),
            ..Default::default()
        };
        assert!(matches!(
            import_file(&mut f.db.conn(), Format::Shipments, &path, &options),
            Ok(ImportOutcome::Imported { .. })
        ));
        f
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn import_with(
        &self,
        path: &Path,
        options: ImportOptions,
    ) -> Result<ImportOutcome, ImportError> {
        import_file(&mut self.db.conn(), Format::Production, path, &options)
    }

    fn import(&self, name: &str, content: &str) -> Result<ImportOutcome, ImportError> {
        let path = self.file(name, content);
        self.import_with(
            &path,
            ImportOptions {
                submitter: "NGA".into(),
                ..Default::default()
            },
        )
    }

    fn imported(&self, name: &str, content: &str) -> (citytrace_importers::BatchSummary, usize) {
        match self.import(name, content) {
            Ok(ImportOutcome::Imported { batch, events, .. }) => (batch, events),
            other => panic!("expected an import, got {other:?}"),
        }
    }

    fn invalid(&self, name: &str, content: &str) -> Vec<(u64, Option<String>, String)> {
        match self.import(name, content) {
            Err(ImportError::Invalid(e)) => e
                .errors
                .into_iter()
                .map(|e| (e.line, e.column, e.reason))
                .collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    /// Rows in every table an import writes to: batches, runs, inputs, lots.
    fn counts(&self) -> [i64; 4] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            production_runs::table.count().get_result(c).unwrap(),
            production_inputs::table.count().get_result(c).unwrap(),
            lots::table.count().get_result(c).unwrap(),
        ]
    }

    fn lot(&self, code: &str) -> Lot {
        Lot::find_by_code(&mut self.db.conn(), code)
            .unwrap()
            .unwrap()
    }
}

fn error(line: u64, column: &str, reason: &str) -> (u64, Option<String>, String) {
    (line, Some(column.to_string()), reason.to_string())
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Traced {
    #[diesel(sql_type = Text)]
    code: String,
}

/// Every lot `lot_id` was made from, directly or not (trace back through transformations).
fn trace_back(conn: &mut PgConnection, lot_id: i64) -> Vec<String> {
    diesel::sql_query(
        "WITH RECURSIVE up(lot_id) AS (SELECT $1::bigint UNION \
           SELECT t.input_lot_id FROM lot_transformations t JOIN up ON t.output_lot_id = up.lot_id) \
         SELECT l.code FROM up JOIN lots l ON l.id = up.lot_id WHERE up.lot_id <> $1 ORDER BY l.code",
    )
    .bind::<BigInt, _>(lot_id)
    .load::<Traced>(conn)
    .unwrap()
    .into_iter()
    .map(|t| t.code)
    .collect()
}

/// Every lot made from `lot_id`, directly or not (trace forward: the mirror of trace back).
fn trace_forward(conn: &mut PgConnection, lot_id: i64) -> Vec<String> {
    diesel::sql_query(
        "WITH RECURSIVE down(lot_id) AS (SELECT $1::bigint UNION \
           SELECT t.output_lot_id FROM lot_transformations t JOIN down ON t.input_lot_id = down.lot_id) \
         SELECT l.code FROM down JOIN lots l ON l.id = down.lot_id WHERE down.lot_id <> $1 ORDER BY l.code",
    )
    .bind::<BigInt, _>(lot_id)
    .load::<Traced>(conn)
    .unwrap()
    .into_iter()
    .map(|t| t.code)
    .collect()
}

#[test]
fn runs_and_inputs_are_stored_once_with_lots_events_and_a_verifiable_root() {
    let f = Fixture::new();
    let (batch, events) = f.imported(
        "production.csv",
        &format!("{HEADER}{CEMENT_IN}{AGGREGATE_IN}{RECYCLING}{RECYCLED_IN}"),
    );
    assert_eq!(
        (batch.kind.as_str(), batch.rows, events),
        ("production", 4, 3),
        "four input rows, three runs"
    );
    assert_eq!(
        f.counts(),
        [2, 3, 4, 6],
        "LOT-A from the shipment; two inputs, three outputs registered"
    );

    let conn = &mut f.db.conn();
    let runs = ProductionRun::of_batch(conn, batch.id).unwrap();
    let summary: Vec<_> = runs
        .iter()
        .map(|r| {
            (
                r.line,
                r.production_code.as_str(),
                r.output_lot_code.as_str(),
                r.output_quantity.to_string(),
                r.output_unit.as_str(),
                r.gwp_factor.as_ref().map(|g| g.to_string()),
                r.declared_unit.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                2,
                "MIX-07",
                "RMX-07",
                "8".into(),
                "MTQ",
                Some("265.40".into()),
                Some("MTQ")
            ),
            (4, "RA-01", "RA-LOT-1", "20".into(), "TNE", None, None),
            (
                5,
                "MIX-08",
                "RMX-08",
                "6".into(),
                "MTQ",
                Some("265.4".into()),
                Some("MTQ")
            ),
        ]
    );
    assert_eq!(
        (
            runs[0].produced_at.to_rfc3339(),
            runs[0].produced_offset.as_str()
        ),
        ("2026-04-12T04:45:00+00:00".into(), "+02:00")
    );
    let rmx = f.lot("RMX-07");
    assert_eq!(
        (runs[0].output_lot_id, rmx.origin_site_id),
        (rmx.id, Some(runs[0].site_id))
    );
    let aggregate = f.lot("LOT-AGG-9");
    assert_eq!(
        aggregate.origin_site_id, None,
        "an input lot registered from its row has no known origin"
    );

    let inputs = ProductionInput::of_batch(conn, batch.id).unwrap();
    let summary: Vec<_> = inputs
        .iter()
        .map(|(i, run)| {
            (
                i.line,
                run.production_code.as_str(),
                i.input_line,
                i.input_lot_code.as_str(),
                i.quantity.to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, "MIX-07", 1, "LOT-A", "2.6".into()),
            (3, "MIX-07", 2, "LOT-AGG-9", "14.2".into()),
            (4, "RA-01", 1, "DEMO-0184", "21".into()),
            (5, "MIX-08", 1, "RA-LOT-1", "5".into())
        ]
    );

    // Trace back is one recursive query over lot_transformations.
    assert_eq!(
        trace_back(conn, f.lot("RMX-08").id),
        vec!["DEMO-0184", "RA-LOT-1"]
    );
    assert_eq!(trace_back(conn, rmx.id), vec!["LOT-A", "LOT-AGG-9"]);
    assert_eq!(
        trace_forward(conn, f.lot("DEMO-0184").id),
        vec!["RA-LOT-1", "RMX-08"],
        "the demolition waste ended up in the second concrete batch"
    );
    assert_eq!(trace_forward(conn, f.lot("LOT-A").id), vec!["RMX-07"]);

    // Embodied carbon per run (one row per output lot): 8 × 265.40 + 6 × 265.4, counted once
    // although MIX-07 has two input rows.
    #[derive(QueryableByName)]
    struct Carbon {
        #[diesel(sql_type = Numeric)]
        kg: bigdecimal::BigDecimal,
    }
    let carbon: Carbon =
        diesel::sql_query("SELECT sum(output_quantity * gwp_factor) AS kg FROM production_runs")
            .get_result(conn)
            .unwrap();
    assert_eq!(carbon.kg.normalized().to_string(), "3715.6");

    // The TransformationEvent is on both lots' timelines.
    let output_events = LotEvent::for_lot(conn, rmx.id).unwrap();
    assert_eq!(output_events.len(), 1);
    assert_eq!(
        (
            output_events[0].event_type.as_str(),
            output_events[0].biz_step.as_deref(),
            output_events[0].role.as_str()
        ),
        ("TransformationEvent", Some("commissioning"), "output")
    );
    assert_eq!(
        (output_events[0].batch_id, output_events[0].line),
        (Some(batch.id), Some(2))
    );
    let cement_events: Vec<(String, String)> = LotEvent::for_lot(conn, f.lot("LOT-A").id)
        .unwrap()
        .into_iter()
        .map(|e| (e.event_type, e.role))
        .collect();
    assert_eq!(
        cement_events,
        vec![
            ("ObjectEvent".into(), "object".into()),
            ("TransformationEvent".into(), "input".into())
        ]
    );

    for line in [2u64, 3, 4, 5] {
        let proof = row_proof(conn, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(conn, batch.id, 3).unwrap().unwrap();
    assert_eq!(
        proof.canonical,
        r#"{"declared_unit":"MTQ","encoding":"citytrace/production/1","epd_reference":"EPD-RMX-C3037-2025","gwp_factor":"265.4","input_line":2,"input_lot":"LOT-AGG-9","input_product":"Crushed granite 4/20","input_quantity":"14.2","input_unit":"TNE","line":3,"output_gtin":null,"output_lot":"RMX-07","output_product":"Ready-mix concrete C30/37","output_quantity":"8","output_unit":"MTQ","produced_at":"2026-04-12T04:45:00.000000Z","production_id":"MIX-07","site":"PLANT-1"}"#
    );
    assert_eq!(
        proof.canonical.as_bytes(),
        ProductionRecord::from_stored(&inputs[1].0, &inputs[1].1).canonical()
    );
}

#[test]
fn every_row_of_a_run_describes_the_same_output_in_the_file_and_across_files() {
    let f = Fixture::new();
    let errors = f.invalid(
        "disagree.csv",
        &format!(
            "{HEADER}{CEMENT_IN}{}",
            AGGREGATE_IN.replace("8.000,MTQ", "9,MTQ")
        ),
    );
    assert_eq!(
        errors,
        vec![error(3, "output_quantity", "production MIX-07 has another output_quantity at line 2; every row of a run describes the same output")]
    );
    let (first, _) = f.imported("a.csv", &format!("{HEADER}{CEMENT_IN}"));
    let errors = f.invalid(
        "b.csv",
        &format!("{HEADER}{}", AGGREGATE_IN.replace(",PLANT-1,", ",PLANT-2,")),
    );
    assert_eq!(
        errors,
        vec![error(2, "site", &format!("production MIX-07 has another site at batch {} (line 2); every row of a run describes the same output", first.id))]
    );
    // The same output in a later file adds an input to the stored run.
    let (second, events) = f.imported("c.csv", &format!("{HEADER}{AGGREGATE_IN}"));
    assert_eq!((second.rows, events), (1, 0), "no new run, so no new event");
    assert_eq!(f.counts()[1..3], [1, 2]);
    assert!(row_proof(&mut f.db.conn(), second.id, 2)
        .unwrap()
        .unwrap()
        .is_consistent());
}

#[test]
fn an_input_line_twice_or_imported_before_is_refused() {
    let f = Fixture::new();
    let errors = f.invalid(
        "twice.csv",
        &format!(
            "{HEADER}{CEMENT_IN}{AGGREGATE_IN}{}",
            CEMENT_IN.replace(",2.6,", ",3,")
        ),
    );
    assert_eq!(
        errors,
        vec![error(
            4,
            "input_line",
            "production MIX-07 input line 1 already appears at line 2"
        )]
    );
    let (first, _) = f.imported("a.csv", &format!("{HEADER}{RECYCLING}{CEMENT_IN}"));
    let before = f.counts();
    let errors = f.invalid("b.csv", &format!("{HEADER}{AGGREGATE_IN}{CEMENT_IN}"));
    assert_eq!(
        errors,
        vec![error(
            3,
            "input_line",
            &format!(
                "this input line was already imported in batch {} (line 3)",
                first.id
            )
        )]
    );
    assert_eq!(f.counts(), before);
}

#[test]
fn lots_must_resolve_and_an_output_lot_is_made_once() {
    let f = Fixture::new();
    let (first, _) = f.imported("a.csv", &format!("{HEADER}{CEMENT_IN}"));
    let unknown = RECYCLING.replace("Crushed concrete waste", "");
    let cement_as_output = RECYCLED_IN
        .replace("MIX-08", "MIX-10")
        .replace(",RMX-08,", ",LOT-A,")
        .replace(",RA-LOT-1,,", ",LOT-AGG-7,Gravel,");
    let made_again = RECYCLED_IN
        .replace("MIX-08", "MIX-09")
        .replace(",RMX-08,", ",RMX-07,")
        .replace(",RA-LOT-1,", ",LOT-A,");
    let errors = f.invalid(
        "bad.csv",
        &format!("{HEADER}{unknown}{cement_as_output}{made_again}{RECYCLED_IN}"),
    );
    assert_eq!(
        errors,
        vec![
            error(2, "input_lot", "lot DEMO-0184 is not registered: ship or produce it first, or give input_product to register it"),
            error(3, "output_lot", "lot is registered as product 04012345111118, this row says Ready-mix concrete C30/37"),
            error(4, "output_lot", &format!("lot RMX-07 is already the output of production MIX-07 (batch {}, line 2)", first.id)),
            error(5, "input_lot", "lot RA-LOT-1 is not registered: ship or produce it first, or give input_product to register it"),
        ]
    );
    let two_makers = RECYCLING
        .replace("RA-01", "RA-02")
        .replace(",DEMO-0184,", ",DEMO-0185,");
    let errors = f.invalid("two.csv", &format!("{HEADER}{RECYCLING}{two_makers}"));
    assert_eq!(
        errors,
        vec![error(
            3,
            "output_lot",
            "lot RA-LOT-1 is also the output of production RA-01 at line 2"
        )]
    );
}

#[test]
fn row_checks_cover_units_epd_factors_and_self_made_lots() {
    let f = Fixture::new();
    let bad = [
        CEMENT_IN.replace(",LOT-A,", ",RMX-07,"),
        CEMENT_IN.replace(",265.40,MTQ", ",,MTQ"),
        CEMENT_IN.replace(",EPD-RMX-C3037-2025,265.40,MTQ", ",,,MTQ"),
        CEMENT_IN.replace(",8,MTQ,", ",8,m3,"),
        CEMENT_IN.replace("265.40", "265.1234567"),
        CEMENT_IN.replace(",1,RMX", ",0,RMX"),
    ];
    let errors = f.invalid("bad.csv", &format!("{HEADER}{}", bad.concat()));
    assert_eq!(
        errors,
        vec![
            error(2, "input_lot", "the same as output_lot: a lot cannot be made from itself"),
            error(3, "gwp_factor", "epd_reference, gwp_factor and declared_unit go together: give all three or none"),
            error(4, "epd_reference", "epd_reference, gwp_factor and declared_unit go together: give all three or none"),
            error(4, "gwp_factor", "epd_reference, gwp_factor and declared_unit go together: give all three or none"),
            error(5, "output_unit", "not a UN/CEFACT Rec 20 unit code citytrace knows; use one of KGM, GRM, TNE, LTR, MLT, MTQ, MTK, MTR, KMT, CMT, H87, C62, EA, SET, PR, KWH, MWH"),
            error(6, "gwp_factor", "more than 6 decimals"),
            error(7, "input_line", "not a whole number from 1"),
        ]
    );
    assert_eq!(f.counts(), [1, 0, 0, 1]);
}

#[test]
fn the_same_file_twice_is_one_batch() {
    let f = Fixture::new();
    let (first, _) = f.imported("a.csv", &format!("{HEADER}{CEMENT_IN}"));
    match f.import("a.csv", &format!("{HEADER}{CEMENT_IN}")).unwrap() {
        ImportOutcome::AlreadyImported { batch } => assert_eq!(batch.id, first.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counts(), [2, 1, 1, 2]);
}

#[test]
fn an_invalid_last_row_means_nothing_is_imported() {
    let f = Fixture::new();
    let errors = f.invalid(
        "last.csv",
        &format!(
            "{HEADER}{CEMENT_IN}{AGGREGATE_IN}{}",
            RECYCLING.replace("2026-05-05T10:00:00Z", "2026-05-05 10:00")
        ),
    );
    assert_eq!(errors, vec![error(4, "produced_at", "no UTC offset: add Z or ±hh:mm, e.g. 2026-03-04T10:00:00+01:00 (or import with --default-offset)")]);
    assert_eq!(
        f.counts(),
        [1, 0, 0, 1],
        "only the shipment's batch and lot"
    );
}

#[test]
fn semicolon_files_with_a_bom_and_decimal_commas_import() {
    let f = Fixture::new();
    let excel = |row: &str| {
        row.replace(',', ";")
            .replace("2.6", "2,6")
            .replace("265.40", "265,40")
    };
    let (batch, _) = f.imported(
        "excel.csv",
        &format!("\u{feff}{}{}", excel(HEADER), excel(CEMENT_IN)),
    );
    let inputs = ProductionInput::of_batch(&mut f.db.conn(), batch.id).unwrap();
    assert_eq!(
        (
            inputs[0].0.quantity.to_string(),
            inputs[0].1.gwp_factor.as_ref().map(|g| g.to_string())
        ),
        ("2.6".into(), Some("265.40".into()))
    );
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let f = Fixture::new();
    let path = f.file(
        "mixed.csv",
        &format!(
            "{HEADER}{CEMENT_IN}{}{RECYCLING}",
            AGGREGATE_IN.replace("Crushed granite 4/20", "")
        ),
    );
    let options = ImportOptions {
        submitter: "NGA".into(),
        skip_invalid: true,
        ..Default::default()
    };
    let ImportOutcome::Imported {
        batch,
        skipped,
        events,
    } = f.import_with(&path, options).unwrap()
    else {
        panic!()
    };
    assert_eq!((batch.rows, skipped.total, events), (2, 1, 2));
    assert_eq!(
        (skipped.errors[0].line, skipped.errors[0].column.as_deref()),
        (3, Some("input_lot"))
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
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats/production-example.csv");
    let outcome = f
        .import_with(
            &example,
            ImportOptions {
                submitter: "NGA".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let ImportOutcome::Imported { batch, events, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!((batch.rows, events), (5, 2));
}
