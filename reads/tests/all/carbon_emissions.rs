//! Emissions, retired credits and the city's net position against a real PostgreSQL: reports
//! imported through the emissions importer, departments registered by the OCDS importer,
//! retirements inserted as the indexer writes them. Every expected figure is worked out by hand
//! in the comments.

use std::path::PathBuf;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{TimeZone, Utc};
use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_reads::carbon::{
    city_net_position, emissions_in_period, retired_credits, CarbonSettings, ReportingPeriod,
    RetirementFinality, Scope2Method, SetAsideReason,
};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::NewCarbonRetirement;
use citytrace_schema::schema::carbon_retirements;
use citytrace_schema::testing::TestDatabase;

/// The public works department, registered as a department by its OCDS contract.
const OCDS: &str = r#"{"releases": [{"ocid": "ocds-abc123-road", "id": "road-1", "date": "2026-01-05T00:00:00Z",
  "tag": ["tender"], "initiationType": "tender",
  "parties": [{"id": "WORKS", "name": "Public works department", "identifier": {"scheme": "XX-CITY", "id": "WORKS"}, "roles": ["buyer"]}],
  "buyer": {"id": "WORKS", "name": "Public works department"},
  "tender": {"id": "road-t", "mainProcurementCategory": "works"}}]}"#;

/// Public works' fleet reported per quarter and for the whole year; its depots under both
/// Scope 2 methods; concrete for the first half year; the parks service (not a registered
/// department) for March; the plant (a supplier) for Q1.
const EMISSIONS: &str = "\
party,scope,category,activity,period,kg_co2e,method,source_document
XX-CITY-WORKS,1,mobile_combustion,Fleet,2026-Q1,1200.5,fuel-based,FLEET-Q1.pdf
XX-CITY-WORKS,1,mobile_combustion,Fleet,2026-Q2,1300,fuel-based,FLEET-Q2.pdf
XX-CITY-WORKS,1,mobile_combustion,Fleet,2026,5000,fuel-based (annual statement),FLEET-2026.pdf
XX-CITY-WORKS,2,location_based,Depots,2026-Q1,800,meter readings × grid factor,GRID-Q1.xlsx
XX-CITY-WORKS,2,market_based,Depots,2026-Q1,100,meter readings × supplier tariff,GO-Q1
XX-CITY-WORKS,3,1,Concrete for Elm Street school,2026-01-01/2026-06-30,20000,supplier-specific,EPD-RMX-C3037-2025
DEPT-PARKS,1,,Mowers,2026-03,50.25,fuel-based,PARKS-03.pdf
NGA,1,process,Batching plant,2026-Q1,99999,fuel-based,NGA-Q1.pdf
";

const CITY_ADDRESS: u8 = 0xaa;

struct City {
    db: TestDatabase,
    _dir: tempfile::TempDir,
}

impl City {
    fn new() -> Self {
        let city = Self {
            db: TestDatabase::new(),
            _dir: tempfile::tempdir().unwrap(),
        };
        city.import(Format::Ocds, "CITY", "contracts.json", OCDS);
        city.import(Format::Emissions, "CLIMATE", "emissions.csv", EMISSIONS);
        city.retirements();
        city
    }

    fn import(&self, format: Format, submitter: &str, name: &str, content: &str) {
        let path: PathBuf = self._dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let options = ImportOptions {
            submitter: submitter.into(),
            ..Default::default()
        };
        match import_file(&mut self.db.conn(), format, &path, &options) {
            Ok(ImportOutcome::Imported { .. }) => {}
            other => panic!("{name} was not imported: {other:?}"),
        }
    }

    /// R1 1.5 t to the city's address (Feb, final); R2 0.25 t to "City of Example" by name at
    /// 23:30 UTC on 31 March (final); R3 2 t to the city's address still pending; R4 10 t to
    /// someone else; R5 3 t to the city's address at 00:00 UTC on 1 April (final).
    fn retirements(&self) {
        let c = &mut self.db.conn();
        diesel::sql_query(
            "INSERT INTO chains (chain_id, name, kind) VALUES (137, 'Polygon', 'public')",
        )
        .execute(c)
        .unwrap();
        let rows = [
            (1, CITY_ADDRESS, None, "1.5", "final", (2, 10, 12, 0)),
            (
                2,
                0xbb,
                Some("City of Example"),
                "0.25",
                "final",
                (3, 31, 23, 30),
            ),
            (3, CITY_ADDRESS, None, "2", "pending", (2, 11, 9, 0)),
            (4, 0xcc, Some("Another city"), "10", "final", (3, 1, 9, 0)),
            (5, CITY_ADDRESS, None, "3", "final", (4, 1, 0, 0)),
        ];
        for (n, beneficiary, name, tonnes, finality, (month, day, hour, minute)) in rows {
            let mut address = vec![0u8; 20];
            address[19] = beneficiary;
            let tonnes = dec(tonnes);
            let retirement = NewCarbonRetirement {
                chain_id: 137,
                block_number: 1000 + n,
                block_hash: vec![n as u8; 32],
                block_time: Utc
                    .with_ymd_and_hms(2026, month, day, hour, minute, 0)
                    .unwrap(),
                tx_hash: vec![0x10 + n as u8; 32],
                log_index: 0,
                contract: vec![2; 20],
                source: "toucan_tco2".into(),
                token: vec![3; 20],
                retiring_address: vec![4; 20],
                beneficiary: address,
                beneficiary_name: name.map(Into::into),
                retiring_entity: None,
                message: None,
                // 18 decimals: 1e18 per tonne.
                amount: &tonnes * BigDecimal::from(1_000_000_000_000_000_000u64),
                tonnes,
                finality: finality.into(),
            };
            diesel::insert_into(carbon_retirements::table)
                .values(&retirement)
                .execute(c)
                .unwrap();
        }
    }
}

fn dec(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn settings() -> CarbonSettings {
    CarbonSettings {
        city_beneficiary_addresses: vec![format!("0x{}{:02X}", "00".repeat(19), CITY_ADDRESS)],
        city_beneficiary_names: vec!["city of example".into()],
        city_parties: vec!["DEPT-PARKS".into()],
        ..Default::default()
    }
}

fn q(n: u32) -> ReportingPeriod {
    ReportingPeriod::quarter(2026, n).unwrap()
}

fn year() -> ReportingPeriod {
    ReportingPeriod::year(2026).unwrap()
}

#[test]
fn emissions_by_party_scope_and_category_count_a_year_and_its_quarters_once() {
    let city = City::new();
    let c = &mut city.db.conn();
    let s = emissions_in_period(c, year(), &CarbonSettings::default()).unwrap();
    let figures: Vec<_> = s
        .figures
        .iter()
        .map(|f| {
            (
                f.party_code.as_str(),
                f.scope,
                f.category.as_deref(),
                f.kg_co2e.clone(),
                f.reports.len(),
            )
        })
        .collect();
    assert_eq!(
        figures,
        vec![
            ("DEPT-PARKS", 1, None, dec("50.25"), 1),
            ("NGA", 1, Some("process"), dec("99999"), 1),
            // The annual statement 5 000 replaces Q1 1 200.5 + Q2 1 300.
            (
                "XX-CITY-WORKS",
                1,
                Some("mobile_combustion"),
                dec("5000"),
                1
            ),
            ("XX-CITY-WORKS", 2, Some("location_based"), dec("800"), 1),
            ("XX-CITY-WORKS", 2, Some("market_based"), dec("100"), 1),
            ("XX-CITY-WORKS", 3, Some("1"), dec("20000"), 1),
        ]
    );
    // The report behind the fleet figure is line 4 of the file (the annual row).
    assert_eq!(s.figures[2].reports[0].line, 4);
    assert_eq!(s.figures[2].reports[0].source_document, "FLEET-2026.pdf");
    // Scope 1: 50.25 + 99 999 + 5 000 = 105 049.25; scope 2 location-based 800; scope 3
    // 20 000. Total 125 849.25 (the market-based 100 is listed, not added).
    let scopes: Vec<_> = s.by_scope.iter().map(|t| t.kg_co2e.clone()).collect();
    assert_eq!(scopes, vec![dec("105049.25"), dec("800"), dec("20000")]);
    assert_eq!(s.kg_co2e, dec("125849.25"));
    let covered: Vec<_> = s
        .set_aside
        .iter()
        .map(|a| (a.report.line, a.reason.clone()))
        .collect();
    let annual = SetAsideReason::CoveredBy {
        batch_id: s.figures[2].reports[0].batch_id,
        line: 4,
    };
    assert_eq!(covered, vec![(2, annual.clone()), (3, annual)]);
}

#[test]
fn a_quarter_counts_only_reports_inside_it() {
    let city = City::new();
    let c = &mut city.db.conn();
    let market = CarbonSettings {
        scope2_method: Scope2Method::MarketBased,
        ..Default::default()
    };
    let s = emissions_in_period(c, q(1), &market).unwrap();
    // Q1: fleet 1 200.5 (the annual row extends beyond Q1), parks 50.25, plant 99 999 → scope 1
    // 101 249.75; scope 2 market-based 100; the half-year concrete figure extends beyond Q1.
    // 101 249.75 + 100 = 101 349.75.
    assert_eq!(s.kg_co2e, dec("101349.75"));
    let beyond: Vec<_> = s
        .set_aside
        .iter()
        .filter(|a| a.reason == SetAsideReason::ExtendsBeyondPeriod)
        .map(|a| a.report.line)
        .collect();
    assert_eq!(beyond, vec![4, 7]);
    // Q3: nothing lies inside it (the year and the half year extend beyond): 0.
    let q3 = emissions_in_period(c, q(3), &market).unwrap();
    assert!(q3.figures.is_empty());
    assert_eq!(q3.kg_co2e, dec("0"));
}

#[test]
fn retired_credits_per_period_with_beneficiary_tx_and_finality() {
    let city = City::new();
    let c = &mut city.db.conn();
    let credits = retired_credits(c, q(1), &settings()).unwrap();
    // Q1 (UTC block dates), in block-time order: R1 (10 Feb), R3 (11 Feb), R4 (1 Mar), R2
    // (31 Mar 23:30) — R5 (1 April 00:00 UTC) is Q2's.
    let rows: Vec<_> = credits
        .retirements
        .iter()
        .map(|r| {
            (
                r.block_number,
                r.tonnes.clone(),
                r.finality.as_str(),
                r.for_city,
                r.counted,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (1001, dec("1.5"), "final", true, true),
            (1003, dec("2"), "pending", true, false),
            (1004, dec("10"), "final", false, false),
            (1002, dec("0.25"), "final", true, true),
        ]
    );
    assert_eq!(
        credits.retirements[0].tx_hash,
        format!("0x{}", "11".repeat(32))
    );
    assert_eq!(
        credits.retirements[3].beneficiary_name.as_deref(),
        Some("City of Example")
    );
    // All retired in Q1: 1.5 + 10 + 2 + 0.25 = 13.75 t; the city's, final: 1.5 + 0.25 = 1.75 t.
    assert_eq!(
        (credits.tonnes, credits.city_tonnes),
        (dec("13.75"), dec("1.75"))
    );
    // Counting pending retirements too adds R3: 3.75 t.
    let pending = CarbonSettings {
        min_retirement_finality: RetirementFinality::Pending,
        ..settings()
    };
    assert_eq!(
        retired_credits(c, q(1), &pending).unwrap().city_tonnes,
        dec("3.75")
    );
    // Q2 holds R5 only: 3 t.
    assert_eq!(
        retired_credits(c, q(2), &settings()).unwrap().city_tonnes,
        dec("3")
    );
}

#[test]
fn the_city_net_position_is_its_emissions_minus_its_retired_credits() {
    let city = City::new();
    let c = &mut city.db.conn();
    // Q1, the city being the departments (public works) and DEPT-PARKS from the settings — not
    // the plant: scope 1 1 200.5 + 50.25 = 1 250.75, scope 2 location-based 800, scope 3 none
    // inside Q1: 2 050.75 kg. Retired for the city: 1.75 t = 1 750 kg. Net 300.75 kg = 0.30075 t.
    let q1 = city_net_position(c, q(1), &settings()).unwrap();
    let codes: Vec<_> = q1.city_parties.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, vec!["DEPT-PARKS", "XX-CITY-WORKS"]);
    assert_eq!(q1.emissions_kg_co2e, dec("2050.75"));
    assert_eq!(q1.retired_kg_co2e, dec("1750"));
    assert_eq!(
        (q1.net_kg_co2e, q1.net_tonnes),
        (dec("300.75"), dec("0.30075"))
    );
    // The year: scope 1 5 000 + 50.25, scope 2 800, scope 3 20 000 = 25 850.25 kg; retired
    // 1.75 + 3 = 4.75 t = 4 750 kg. Net 21 100.25 kg = 21.10025 t.
    let y = city_net_position(c, year(), &settings()).unwrap();
    assert_eq!(y.emissions_kg_co2e, dec("25850.25"));
    assert_eq!(y.retired_kg_co2e, dec("4750"));
    assert_eq!(
        (y.net_kg_co2e, y.net_tonnes),
        (dec("21100.25"), dec("21.10025"))
    );
    // Only scopes 1 and 2 in the net position: 5 050.25 + 800 − 4 750 = 1 100.25.
    let operational = CarbonSettings {
        net_position_scopes: vec![1, 2],
        ..settings()
    };
    assert_eq!(
        city_net_position(c, year(), &operational)
            .unwrap()
            .net_kg_co2e,
        dec("1100.25")
    );
    // With no beneficiary configured nothing retired is the city's, and without DEPT-PARKS in
    // the settings only the registered department counts: Q1 1 200.5 + 800 = 2 000.5 net.
    let bare = city_net_position(c, q(1), &CarbonSettings::default()).unwrap();
    assert_eq!(
        (bare.retired_kg_co2e, bare.net_kg_co2e),
        (dec("0"), dec("2000.5"))
    );
    // Q2: only the Q2 fleet report lies inside it (1 300) and R5 retired 3 t: 1 300 − 3 000 =
    // −1 700 kg (more retired than reported: a negative net position).
    let q2 = city_net_position(c, q(2), &settings()).unwrap();
    assert_eq!(
        (q2.emissions_kg_co2e, q2.net_kg_co2e),
        (dec("1300"), dec("-1700"))
    );
}

#[test]
fn a_quarter_without_a_report_of_its_own_is_not_reported() {
    let city = City::new();
    let c = &mut city.db.conn();
    // Q4 2026: only the annual fleet statement touches it, and it counts in the year only.
    // Nothing is known of Q4's emissions: not reported (never "emitted 0").
    let q4 = city_net_position(c, q(4), &settings()).unwrap();
    assert!(!q4.reported);
    assert_eq!(
        q4.not_reported_reason.as_deref(),
        Some("no emission report of the city's parties lies within this period; 1 report covers a longer period and counts only there")
    );
    let json = serde_json::to_value(&q4).unwrap();
    assert_eq!(json["status"], "not_reported");
    assert!(json["emissions_kg_co2e"].is_null() && json["net_kg_co2e"].is_null());
    assert!(json["net_tonnes"].is_null());
    // Q2 has its own report (1 300 kg): reported, its negative net position is real.
    let q2 = city_net_position(c, q(2), &settings()).unwrap();
    assert!(q2.reported && q2.not_reported_reason.is_none());
    assert_eq!(serde_json::to_value(&q2).unwrap()["net_kg_co2e"], "-1700");
    // Only scope 3 in the net position: Q1 has no scope 3 report inside it.
    let scope3_only = CarbonSettings {
        net_position_scopes: vec![3],
        ..settings()
    };
    assert!(!city_net_position(c, q(1), &scope3_only).unwrap().reported);
}
