//! Cold chain (docs/methods/cold-chain.md) against a real PostgreSQL: products, shipments and
//! sensor readings imported from CSV text, then shipments and lots assessed, the breach list
//! paged and the compliance rate counted. Expected values are worked out in the comments.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, TimeDelta, Utc};

use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_reads::cold_chain::{
    cold_chain_compliance, cold_chain_for_lot, cold_chain_for_shipment, shipments_in_breach,
    BreachReason, ColdChainCompliance, ColdChainSettings, Direction, ReadingRef, ShipmentColdChain,
    Verdict,
};
use citytrace_schema::models::Lot;
use citytrace_schema::testing::TestDatabase;

/// Insulin: 2–8 °C, 60 minutes out in all, 30 at once, a reading every 5 minutes.
/// Milk: at most 5 °C, 20 minutes out in all, no single budget, every 10 minutes.
/// Gloves: no range.
const PRODUCTS: &str = "gtin,product,unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
05412345003014,Insulin glargine 100 U/ml,H87,2,8,60,30,5
05412345003021,Fresh milk 1 l,LTR,,5,20,,10
05412345003038,Nitrile gloves,H87,,,,,
";

const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at
SHP-A,1,INS-A,05412345003014,Insulin glargine 100 U/ml,400,H87,DEPOT,HOSPITAL-NORTH,2026-04-12T05:30:00Z
SHP-B,1,INS-B,05412345003014,Insulin glargine 100 U/ml,200,H87,DEPOT,HOSPITAL-SOUTH,2026-04-12T05:30:00Z
SHP-C,1,INS-C,05412345003014,Insulin glargine 100 U/ml,100,H87,DEPOT,CLINIC-EAST,2026-04-12T05:30:00Z
SHP-D,1,INS-D,05412345003014,Insulin glargine 100 U/ml,100,H87,DEPOT,CLINIC-WEST,2026-04-12T05:30:00Z
SHP-E,1,INS-E,05412345003014,Insulin glargine 100 U/ml,100,H87,DEPOT,CLINIC-WEST,2026-04-12T05:30:00Z
SHP-G,1,GLV-G,05412345003038,Nitrile gloves,50,H87,DEPOT,CLINIC-EAST,2026-04-12T05:30:00Z
SHP-M,1,MILK-M,05412345003021,Fresh milk 1 l,300,LTR,DAIRY,SCHOOL-3,2026-04-12T05:30:00Z
SHP-M,2,GLV-M,05412345003038,Nitrile gloves,20,H87,DAIRY,SCHOOL-3,2026-04-12T05:30:00Z
";

const HEADER: &str = "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct\n";

fn dec(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn at(hh_mm: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-04-12T{hh_mm}:00Z"))
        .unwrap()
        .with_timezone(&Utc)
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

/// Import CSV text; returns the batch id.
fn import(db: &TestDatabase, format: Format, content: &str, submitter: &str) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.csv");
    std::fs::write(&path, content).unwrap();
    let options = ImportOptions {
        submitter: submitter.into(),
        ..Default::default()
    };
    match import_file(&mut db.conn(), format, &path, &options) {
        Ok(ImportOutcome::Imported { batch, .. }) => batch.id,
        other => panic!("expected an import, got {other:?}"),
    }
}

/// CSV rows of one logger reading every 5 minutes from 06:00 UTC.
fn every_five_minutes(device: &str, shipment: &str, lot: &str, temperatures: &[&str]) -> String {
    temperatures
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let minute = 6 * 60 + 5 * i;
            format!(
                "{device},{shipment},{lot},2026-04-12T{:02}:{:02}:00Z,{t},\n",
                minute / 60,
                minute % 60
            )
        })
        .collect()
}

/// The city of the module comment, with COLDCO's readings (batch id returned) and one
/// reading file of OTHERCO, whose logger is also called TL-3.
fn city() -> (TestDatabase, i64) {
    let db = TestDatabase::new();
    import(&db, Format::Products, PRODUCTS, "CITY");
    import(&db, Format::Shipments, SHIPMENTS, "DEPOT");
    let readings = [
        // Lines 2–4. SHP-A, TL-1: always in range.
        every_five_minutes("TL-1", "SHP-A", "", &["5", "4.5", "6"]),
        // Lines 5–15. SHP-A, TL-2: above 8 from 06:05 (line 6) to 06:50 (line 15): 45 minutes
        // at once > 30 allowed.
        every_five_minutes(
            "TL-2",
            "SHP-A",
            "",
            &["5", "9", "9", "9", "9.75", "9", "9", "9", "9", "9", "7"],
        ),
        // Lines 16–19. SHP-B, TL-3: above from 06:05 to 06:15, peak 9.5: 10 minutes.
        every_five_minutes("TL-3", "SHP-B", "", &["5", "9", "9.5", "5"]),
        // Lines 20–36. SHP-C, TL-4: below 2 from 06:05 → 06:35 (30 min), 06:40 → 07:10
        // (30 min) and 07:15 → 07:20 (5 min): 65 minutes in all > 60, none longer than 30.
        every_five_minutes(
            "TL-4",
            "SHP-C",
            "",
            &[
                "5", "1", "1", "1", "1", "1", "1", "5", "1", "1", "1", "1", "1", "1", "5", "1.5",
                "5",
            ],
        ),
        // Lines 37–40. SHP-D, TL-5: on the limits, with 25 minutes between 06:05 and 06:30.
        "TL-5,SHP-D,,2026-04-12T06:00:00Z,2,\nTL-5,SHP-D,,2026-04-12T06:05:00Z,8,\n\
         TL-5,SHP-D,,2026-04-12T06:30:00Z,2.00,\nTL-5,SHP-D,,2026-04-12T06:35:00Z,8.00,\n"
            .to_owned(),
        // Lines 41–45. SHP-M, TL-6: above milk's 5 °C from 06:05 to 06:20: 15 minutes ≤ 20.
        every_five_minutes("TL-6", "SHP-M", "", &["4", "6", "6", "6", "4"]),
        // Lines 46–47. SHP-G, TL-7: gloves, no range.
        every_five_minutes("TL-7", "SHP-G", "", &["20", "25"]),
        // Lines 48–49. Lot INS-A (of SHP-A), TL-8, naming only the lot.
        every_five_minutes("TL-8", "", "INS-A", &["3", "4"]),
    ]
    .concat();
    let batch = import(
        &db,
        Format::SensorReadings,
        &format!("{HEADER}{readings}"),
        "COLDCO",
    );
    // OTHERCO's TL-3 on SHP-B, between COLDCO's TL-3 readings: were the two one series,
    // 06:07:30 would end COLDCO's excursion after 2 min 30 s.
    import(
        &db,
        Format::SensorReadings,
        &format!(
            "{HEADER}TL-3,SHP-B,,2026-04-12T06:07:30Z,5,\nTL-3,SHP-B,,2026-04-12T06:12:30Z,5,\n"
        ),
        "OTHERCO",
    );
    (db, batch)
}

fn shipment(db: &TestDatabase, code: &str) -> ShipmentColdChain {
    cold_chain_for_shipment(&mut db.conn(), code, &ColdChainSettings::default())
        .unwrap()
        .unwrap_or_else(|| panic!("no shipment {code}"))
}

/// (submitter, device, verdict) of each logger of a shipment's only product.
fn loggers(s: &ShipmentColdChain) -> Vec<(String, String, Verdict)> {
    assert_eq!(s.products.len(), 1);
    s.products[0]
        .devices
        .iter()
        .map(|d| (d.submitter.clone(), d.device_id.clone(), d.report.verdict))
        .collect()
}

fn owned(submitter: &str, device: &str, verdict: Verdict) -> (String, String, Verdict) {
    (submitter.into(), device.into(), verdict)
}

#[test]
fn a_shipment_with_two_loggers_takes_the_worst_verdict() {
    let (db, batch) = city();
    let a = shipment(&db, "SHP-A");
    assert_eq!(
        loggers(&a),
        vec![
            owned("COLDCO", "TL-1", Verdict::Compliant),
            owned("COLDCO", "TL-2", Verdict::Breach),
        ]
    );
    assert_eq!(a.products[0].verdict, Verdict::Breach);
    assert_eq!(a.verdict, Verdict::Breach);
    let tl2 = &a.products[0].devices[1].report;
    assert_eq!(tl2.reading_count, 11);
    assert_eq!(tl2.breach_reasons, vec![BreachReason::SingleOverBudget]);
    let e = &tl2.excursions[0];
    assert_eq!(
        (
            e.direction,
            e.start,
            e.end,
            e.duration,
            e.peak_temp_c.clone()
        ),
        (
            Direction::Above,
            at("06:05"),
            at("06:50"),
            minutes(45),
            dec("9.75")
        )
    );
    // The excursion names the imported rows it runs between.
    assert_eq!(
        (e.first_reading, e.end_reading),
        (
            ReadingRef {
                batch_id: batch,
                line: 6
            },
            ReadingRef {
                batch_id: batch,
                line: 15
            }
        )
    );
    // (5 + 9×8 + 9.75 + 7) / 11 = 93.75 / 11 = 8.5227… → 8.52
    assert_eq!(tl2.summary.as_ref().unwrap().mean_temp_c, dec("8.52"));
}

#[test]
fn loggers_of_two_submitters_with_one_name_are_two_series() {
    let (db, _) = city();
    let b = shipment(&db, "SHP-B");
    assert_eq!(
        loggers(&b),
        vec![
            owned("COLDCO", "TL-3", Verdict::WithinBudget),
            owned("OTHERCO", "TL-3", Verdict::Compliant),
        ]
    );
    // 06:05 → 06:15, not cut short by OTHERCO's 06:07:30.
    let coldco = &b.products[0].devices[0].report;
    assert_eq!(coldco.time_out_of_range, minutes(10));
    assert_eq!(coldco.excursions[0].peak_temp_c, dec("9.5"));
    assert_eq!(b.verdict, Verdict::WithinBudget);
}

#[test]
fn a_breach_by_cumulative_time_and_readings_on_the_limits_with_a_gap() {
    let (db, _) = city();
    let c = shipment(&db, "SHP-C");
    let report = &c.products[0].devices[0].report;
    let found: Vec<(Direction, TimeDelta)> = report
        .excursions
        .iter()
        .map(|e| (e.direction, e.duration))
        .collect();
    assert_eq!(
        found,
        vec![
            (Direction::Below, minutes(30)),
            (Direction::Below, minutes(30)),
            (Direction::Below, minutes(5))
        ]
    );
    // 30 + 30 + 5 = 65 > 60; the longest, 30, is on the single budget.
    assert_eq!(report.time_out_of_range, minutes(65));
    assert_eq!(
        report.breach_reasons,
        vec![BreachReason::CumulativeOverBudget]
    );
    assert_eq!(c.verdict, Verdict::Breach);

    let d = shipment(&db, "SHP-D");
    let report = &d.products[0].devices[0].report;
    assert!(report.excursions.is_empty());
    // 25 minutes between readings > 5 × 1.5: flagged, and the shipment is unverifiable for
    // those 25 minutes (issue 12: a gap was rated compliant).
    let gaps: Vec<_> = report
        .gaps
        .iter()
        .map(|g| (g.from, g.to, g.length))
        .collect();
    assert_eq!(gaps, vec![(at("06:05"), at("06:30"), minutes(25))]);
    assert_eq!(d.verdict, Verdict::Unverifiable);
    assert_eq!((d.unlogged, d.gap_count), (minutes(25), 1));
}

#[test]
fn products_without_a_range_and_shipments_without_readings() {
    let (db, _) = city();
    // Milk and gloves: milk within its budget (15 ≤ 20 minutes), gloves not judged.
    let m = shipment(&db, "SHP-M");
    let by_product: Vec<(&str, Verdict)> = m
        .products
        .iter()
        .map(|p| (p.product.name.as_str(), p.verdict))
        .collect();
    assert_eq!(
        by_product,
        vec![
            ("Fresh milk 1 l", Verdict::WithinBudget),
            ("Nitrile gloves", Verdict::NoRange)
        ]
    );
    assert_eq!(
        m.products[0].devices[0].report.time_out_of_range,
        minutes(15)
    );
    assert_eq!(m.verdict, Verdict::WithinBudget);
    // Gloves alone: readings, no verdict; (20 + 25) / 2 = 22.5.
    let g = shipment(&db, "SHP-G");
    assert_eq!(g.verdict, Verdict::NoRange);
    let summary = g.products[0].devices[0].report.summary.clone().unwrap();
    assert_eq!(summary.mean_temp_c, dec("22.5"));
    // No readings at all: no data, not compliant.
    let e = shipment(&db, "SHP-E");
    assert!(e.products[0].devices.is_empty());
    assert_eq!(e.verdict, Verdict::NoData);
    // No such shipment.
    assert!(
        cold_chain_for_shipment(&mut db.conn(), "SHP-NOPE", &ColdChainSettings::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_lot_is_assessed_with_its_own_readings_and_its_shipments() {
    let (db, _) = city();
    let lot = Lot::find_by_code(&mut db.conn(), "INS-A").unwrap().unwrap();
    let report = cold_chain_for_lot(&mut db.conn(), lot.id, &ColdChainSettings::default())
        .unwrap()
        .unwrap();
    assert_eq!(report.lot.code, "INS-A");
    assert_eq!(report.assessment.product.name, "Insulin glargine 100 U/ml");
    let devices: Vec<(&str, Verdict, usize)> = report
        .assessment
        .devices
        .iter()
        .map(|d| {
            (
                d.device_id.as_str(),
                d.report.verdict,
                d.report.reading_count,
            )
        })
        .collect();
    // TL-1 and TL-2 travelled with SHP-A, TL-8 named the lot itself.
    assert_eq!(
        devices,
        vec![
            ("TL-1", Verdict::Compliant, 3),
            ("TL-2", Verdict::Breach, 11),
            ("TL-8", Verdict::Compliant, 2)
        ]
    );
    assert_eq!(report.assessment.verdict, Verdict::Breach);
    // The lot of SHP-E has no readings; lot id 0 does not exist.
    let lot_e = Lot::find_by_code(&mut db.conn(), "INS-E").unwrap().unwrap();
    let e = cold_chain_for_lot(&mut db.conn(), lot_e.id, &ColdChainSettings::default())
        .unwrap()
        .unwrap();
    assert_eq!(e.assessment.verdict, Verdict::NoData);
    assert!(
        cold_chain_for_lot(&mut db.conn(), 0, &ColdChainSettings::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_breach_list_pages_in_code_order_and_the_compliance_rate_counts_verdicts() {
    let (db, _) = city();
    let settings = ColdChainSettings::default();
    let codes = |page: &[ShipmentColdChain]| -> Vec<String> {
        page.iter().map(|s| s.shipment_code.clone()).collect()
    };
    // In breach: SHP-A (one excursion too long, above) and SHP-C (too long in all, below).
    let all = shipments_in_breach(&mut db.conn(), &settings, None, 10).unwrap();
    assert_eq!(codes(&all.shipments), vec!["SHP-A", "SHP-C"]);
    assert_eq!(all.next_after, None);
    let first = shipments_in_breach(&mut db.conn(), &settings, None, 1).unwrap();
    assert_eq!(codes(&first.shipments), vec!["SHP-A"]);
    assert_eq!(first.next_after.as_deref(), Some("SHP-A"));
    let second =
        shipments_in_breach(&mut db.conn(), &settings, first.next_after.as_deref(), 1).unwrap();
    assert_eq!(codes(&second.shipments), vec!["SHP-C"]);
    let third =
        shipments_in_breach(&mut db.conn(), &settings, second.next_after.as_deref(), 1).unwrap();
    assert!(third.shipments.is_empty() && third.next_after.is_none());

    // Assessed: A, B, C, D, M (G has no range, E no readings). Within budget: B, M. Breach:
    // A, C. Unverifiable: D (a 25-minute gap, every reading in range). Compliant: none.
    // Rate: (5 − 2 − 1) / 5 = 40.0 %.
    let compliance = cold_chain_compliance(&mut db.conn(), &settings).unwrap();
    assert_eq!(
        compliance,
        ColdChainCompliance {
            shipments_assessed: 5,
            within_budget: 2,
            unverifiable: 1,
            breach: 2
        }
    );
    assert_eq!(compliance.compliant(), 0);
    assert_eq!(compliance.compliance_rate_pct(), Some(dec("40.0")));
}

#[test]
fn the_breach_list_walks_past_the_first_two_hundred_candidates() {
    let db = TestDatabase::new();
    import(&db, Format::Products, PRODUCTS, "CITY");
    // 205 insulin shipments, each with one excursion: 35 minutes (over the single budget of
    // 30) for every third, i = 0, 3, …, 204 (69 shipments), 10 minutes for the other 136.
    let mut shipments = String::from(
        "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at\n",
    );
    let mut readings = String::from(HEADER);
    for i in 0..205 {
        shipments.push_str(&format!(
            "P-{i:03},1,LOT-P-{i:03},05412345003014,Insulin glargine 100 U/ml,10,H87,DEPOT,WARD-{i},2026-04-12T05:30:00Z\n"
        ));
        // The 10-minute ones log every 5 minutes (no gap: within budget, not unverifiable);
        // the 35-minute ones have a gap, and their breach wins over it.
        let (middle, back) = if i % 3 == 0 {
            ("", "06:40")
        } else {
            ("06:10", "06:15")
        };
        readings.push_str(&format!("TL-P-{i},P-{i:03},,2026-04-12T06:05:00Z,9,\n"));
        if !middle.is_empty() {
            readings.push_str(&format!("TL-P-{i},P-{i:03},,2026-04-12T{middle}:00Z,9,\n"));
        }
        readings.push_str(&format!("TL-P-{i},P-{i:03},,2026-04-12T{back}:00Z,5,\n"));
    }
    import(&db, Format::Shipments, &shipments, "DEPOT");
    import(&db, Format::SensorReadings, &readings, "COLDCO");
    let settings = ColdChainSettings::default();
    let expected: Vec<String> = (0..205).step_by(3).map(|i| format!("P-{i:03}")).collect();
    assert_eq!(expected.len(), 69);
    let first = shipments_in_breach(&mut db.conn(), &settings, None, 50).unwrap();
    assert_eq!(first.next_after.as_deref(), Some("P-147"));
    let rest =
        shipments_in_breach(&mut db.conn(), &settings, first.next_after.as_deref(), 50).unwrap();
    assert_eq!(rest.next_after, None);
    let found: Vec<String> = first
        .shipments
        .iter()
        .chain(&rest.shipments)
        .map(|s| s.shipment_code.clone())
        .collect();
    assert_eq!(found, expected);
    // (205 − 69) / 205 = 136 / 205 = 66.341… % → 66.3
    let compliance = cold_chain_compliance(&mut db.conn(), &settings).unwrap();
    assert_eq!(
        (
            compliance.shipments_assessed,
            compliance.within_budget,
            compliance.breach
        ),
        (205, 136, 69)
    );
    assert_eq!(compliance.compliance_rate_pct(), Some(dec("66.3")));
}
