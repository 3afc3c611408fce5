//! Gaps in the log against a real PostgreSQL (issue 12: a 50-minute gap was rated compliant):
//! the shipments the compliance rate walks include those with a gap and no reading out of
//! range, the settings' default interval reaches products without one, and two loggers silent
//! at the same time count once. Minutes worked out in the comments.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::TimeDelta;

use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_reads::cold_chain::{
    cold_chain_compliance, cold_chain_for_shipment, shipments_in_breach, ColdChainCompliance,
    ColdChainSettings, Verdict,
};
use citytrace_schema::testing::TestDatabase;

/// Insulin: 2–8 °C, a reading every 5 minutes. Yoghurt: 2–6 °C, no logging interval.
const PRODUCTS: &str = "gtin,product,unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
05412345003014,Insulin glargine 100 U/ml,H87,2,8,60,30,5
05412345003045,Yoghurt 500 g,H87,2,6,30,15,
";

const SHIPMENTS: &str =
    "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at
SHP-I,1,INS-I,05412345003014,Insulin glargine 100 U/ml,10,H87,DEPOT,CLINIC-EAST,2026-04-12T05:30:00Z
SHP-Y,1,YOG-Y,05412345003045,Yoghurt 500 g,40,H87,DAIRY,SCHOOL-3,2026-04-12T05:30:00Z
";

/// SHP-I: TL-A silent 06:05 → 06:30 and TL-B silent 06:20 → 06:45 (25 minutes each, > 5 ×
/// 1.5), every reading in range. SHP-Y: nothing from 06:10 to 06:40 (30 minutes), in range.
const READINGS: &str = "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct
TL-A,SHP-I,,2026-04-12T06:00:00Z,5,
TL-A,SHP-I,,2026-04-12T06:05:00Z,5,
TL-A,SHP-I,,2026-04-12T06:30:00Z,5,
TL-A,SHP-I,,2026-04-12T06:35:00Z,5,
TL-B,SHP-I,,2026-04-12T06:15:00Z,5,
TL-B,SHP-I,,2026-04-12T06:20:00Z,5,
TL-B,SHP-I,,2026-04-12T06:45:00Z,5,
TL-Y,SHP-Y,,2026-04-12T06:00:00Z,4,
TL-Y,SHP-Y,,2026-04-12T06:10:00Z,4,
TL-Y,SHP-Y,,2026-04-12T06:40:00Z,4,
TL-Y,SHP-Y,,2026-04-12T06:50:00Z,4,
";

fn import(db: &TestDatabase, format: Format, content: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.csv");
    std::fs::write(&path, content).unwrap();
    let options = ImportOptions {
        submitter: "COLDCO".into(),
        ..Default::default()
    };
    match import_file(&mut db.conn(), format, &path, &options) {
        Ok(ImportOutcome::Imported { .. }) => {}
        other => panic!("expected an import, got {other:?}"),
    }
}

fn city() -> TestDatabase {
    let db = TestDatabase::new();
    import(&db, Format::Products, PRODUCTS);
    import(&db, Format::Shipments, SHIPMENTS);
    import(&db, Format::SensorReadings, READINGS);
    db
}

#[test]
fn two_loggers_silent_at_the_same_time_count_once() {
    let db = city();
    let i = cold_chain_for_shipment(&mut db.conn(), "SHP-I", &ColdChainSettings::default())
        .unwrap()
        .unwrap();
    assert_eq!(i.verdict, Verdict::Unverifiable);
    // 06:05 → 06:30 ∪ 06:20 → 06:45 = 06:05 → 06:45: 40 minutes, from two gaps.
    assert_eq!((i.unlogged, i.gap_count), (TimeDelta::minutes(40), 2));
    let loggers: Vec<(&str, TimeDelta)> = i.products[0]
        .devices
        .iter()
        .map(|d| (d.device_id.as_str(), d.report.unlogged))
        .collect();
    assert_eq!(
        loggers,
        vec![
            ("TL-A", TimeDelta::minutes(25)),
            ("TL-B", TimeDelta::minutes(25))
        ]
    );
}

#[test]
fn a_shipment_in_range_with_a_gap_is_counted_unverifiable_not_compliant() {
    let db = city();
    let settings = ColdChainSettings::default();
    // SHP-I has no reading out of range: only its gaps make it a shipment to assess.
    // SHP-Y's product gives no interval and there is no default: not checked, compliant.
    let compliance = cold_chain_compliance(&mut db.conn(), &settings).unwrap();
    assert_eq!(
        compliance,
        ColdChainCompliance {
            shipments_assessed: 2,
            within_budget: 0,
            unverifiable: 1,
            breach: 0
        }
    );
    // (2 − 0 − 1) / 2 = 50.0 %.
    assert_eq!(
        compliance.compliance_rate_pct(),
        Some(BigDecimal::from_str("50.0").unwrap())
    );
    let breaches = shipments_in_breach(&mut db.conn(), &settings, None, 10).unwrap();
    assert!(
        breaches.shipments.is_empty(),
        "unverifiable is not a breach"
    );
}

#[test]
fn the_default_interval_checks_products_that_give_none() {
    let db = city();
    // Every 10 minutes by default: more than 15 minutes is a gap, so SHP-Y's 30 are one.
    let settings = ColdChainSettings {
        default_logging_interval_minutes: Some(10),
        ..ColdChainSettings::default()
    };
    let y = cold_chain_for_shipment(&mut db.conn(), "SHP-Y", &settings)
        .unwrap()
        .unwrap();
    assert_eq!(
        (y.verdict, y.unlogged),
        (Verdict::Unverifiable, TimeDelta::minutes(30))
    );
    let compliance = cold_chain_compliance(&mut db.conn(), &settings).unwrap();
    assert_eq!((compliance.unverifiable, compliance.compliant()), (2, 0));
    // A default of 40 minutes (60 allowed): SHP-Y's 30 are no gap.
    let lenient = ColdChainSettings {
        default_logging_interval_minutes: Some(40),
        ..ColdChainSettings::default()
    };
    let compliance = cold_chain_compliance(&mut db.conn(), &lenient).unwrap();
    assert_eq!((compliance.unverifiable, compliance.compliant()), (1, 1));
}
