//! Embodied carbon against a real PostgreSQL, from files imported through the real importers:
//! products with EPD factors, shipments, production runs and OCDS contracts (the city in
//! `carbon/city.rs`). Every expected figure is worked out by hand in the comments.

mod city;

use std::str::FromStr;

use bigdecimal::BigDecimal;
use city::City;
use citytrace_reads::carbon::{
    contract_embodied_carbon, department_scope3_purchases, lot_embodied_carbon, scope3_purchases,
    site_embodied_carbon, supplier_embodied_carbon, CarbonSettings, DeliveredCarbon, FactorSource,
    NotComputable, QuantityBasis, ReportingPeriod, Scope3Rules, Subtotal,
};

fn dec(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn subtotal(key: &str, kg: &str, deliveries: usize, not_computable: usize) -> Subtotal {
    Subtotal {
        key: Some(key.into()),
        kg_co2e: dec(kg),
        deliveries,
        not_computable,
    }
}

/// (lot, kg CO2e or the reason) of every delivery, in shipping order.
fn per_delivery(d: &DeliveredCarbon) -> Vec<(String, Result<BigDecimal, String>)> {
    d.deliveries
        .iter()
        .map(|c| {
            let kg = c
                .carbon
                .as_ref()
                .map(|e| e.kg_co2e.clone())
                .map_err(|e| e.to_string());
            (c.delivery.lot_code.clone(), kg)
        })
        .collect()
}

#[test]
fn a_bought_lot_is_its_shipped_quantity_times_its_product_epd_with_the_product_version_as_source() {
    let city = City::new();
    let c = &mut city.db.conn();
    // CEM-1: 25 t left the cement works (its origin) × 912 kg CO2e/t = 22 800 kg. Its later
    // use at the plant does not change how much of it there was.
    let cement = lot_embodied_carbon(c, city.lot("CEM-1")).unwrap();
    let quantity = cement.quantity.unwrap();
    assert_eq!(
        (quantity.quantity, quantity.unit.as_str()),
        (dec("25"), "TNE")
    );
    assert!(
        matches!(quantity.basis, QuantityBasis::ShippedFromOrigin { ref lines, .. } if *lines == vec![(city.batch("cement.csv"), 2)])
    );
    let carbon = cement.carbon.unwrap();
    assert_eq!(carbon.kg_co2e, dec("22800"));
    // The factor's source: the products file, line 2 (the cement's row).
    assert_eq!(
        carbon.factor.source,
        FactorSource::Product {
            epd_reference: Some("EPD-IES-0009876".into()),
            product_code: "04012345111118".into(),
            batch_id: Some(city.batch("products.csv")),
            line: Some(2),
        }
    );
    // CEM-2 was shipped in kilograms: 2 000 kg = 2 t × 912 = 1 824 kg CO2e.
    let cem2 = lot_embodied_carbon(c, city.lot("CEM-2")).unwrap();
    assert_eq!(cem2.carbon.unwrap().kg_co2e, dec("1824"));
}

#[test]
fn a_lot_made_by_a_run_with_an_epd_counts_that_epd_once_and_not_its_inputs() {
    let city = City::new();
    let c = &mut city.db.conn();
    // RMX-07: 8 m³ × 265.4 = 2 123.2 kg CO2e — not its inputs' 2.6 × 912 + 14.2 × 5 = 2 442.2,
    // and not the product's generic 312.5 kg/m³ (8 × 312.5 = 2 500): the run's EPD comes first.
    let rmx = lot_embodied_carbon(c, city.lot("RMX-07")).unwrap();
    let carbon = rmx.carbon.unwrap();
    assert_eq!(carbon.kg_co2e, dec("2123.2"));
    let FactorSource::ProductionRun {
        epd_reference,
        production_code,
        batch_id,
        line,
        ..
    } = carbon.factor.source
    else {
        panic!("expected the run's EPD");
    };
    assert_eq!(
        (
            epd_reference.as_str(),
            production_code.as_str(),
            batch_id,
            line
        ),
        (
            "EPD-RMX-C3037-2025",
            "MIX-07",
            city.batch("production.csv"),
            2
        )
    );
    assert!(matches!(
        rmx.quantity.unwrap().basis,
        QuantityBasis::ProductionRun { line: 2, .. }
    ));
}

#[test]
fn runs_without_epd_roll_up_their_inputs_over_two_levels() {
    let city = City::new();
    let c = &mut city.db.conn();
    // SMX-09 (no EPD anywhere): 1.3 t CEM-1 × 912 = 1 185.6; 7 100 kg AGG-1 = 7.1 t × 5 = 35.5.
    // 4 m³ carry 1 185.6 + 35.5 = 1 221.1 kg CO2e.
    let smx = lot_embodied_carbon(c, city.lot("SMX-09")).unwrap();
    let carbon = smx.carbon.unwrap();
    assert_eq!(carbon.kg_co2e, dec("1221.1"));
    let FactorSource::Inputs { inputs, .. } = &carbon.factor.source else {
        panic!("expected a roll-up");
    };
    let shares: Vec<_> = inputs
        .iter()
        .map(|s| (s.lot_code.as_str(), s.line, s.kg_co2e.clone()))
        .collect();
    assert_eq!(
        shares,
        vec![("CEM-1", 4, dec("1185.6")), ("AGG-1", 5, dec("35.5"))]
    );
    // PRE-1, second level: 1 m³ of SMX-09 = 1 221.1 × 1/4 = 305.275, plus 0.1 t of rebar × 1 190
    // = 119: 2 lintels carry 424.275 kg CO2e.
    let lintels = lot_embodied_carbon(c, city.lot("PRE-1")).unwrap();
    assert_eq!(lintels.carbon.unwrap().kg_co2e, dec("424.275"));
}

#[test]
fn a_lot_without_any_factor_is_not_computable_and_says_why() {
    let city = City::new();
    let c = &mut city.db.conn();
    // The demolition waste was registered by the production file: no factor, no shipment.
    let demo = lot_embodied_carbon(c, city.lot("DEMO-0184")).unwrap();
    assert!(matches!(demo.factor, Err(NotComputable::NoFactor { .. })));
    assert!(matches!(
        demo.quantity,
        Err(NotComputable::NoQuantity { .. })
    ));
    assert!(demo.carbon.is_err());
    // The recycled aggregate made from it has no factor either.
    let ra = lot_embodied_carbon(c, city.lot("RA-1")).unwrap();
    assert_eq!(
        ra.carbon.unwrap_err().to_string(),
        "lot RA-1 has no EPD factor of its own, and its input DEMO-0184 cannot be computed: \
         Crushed concrete from demolition has no EPD factor, \
         and lot DEMO-0184 was not made by a recorded production run"
    );
    assert!(matches!(
        lot_embodied_carbon(c, 999_999),
        Err(citytrace_schema::diesel::result::Error::NotFound)
    ));
}

#[test]
fn a_construction_site_sums_what_was_delivered_there_by_material_and_supplier() {
    let city = City::new();
    let c = &mut city.db.conn();
    let elm = site_embodied_carbon(c, city.site("SITE-ELM"), None).unwrap();
    // CEM-2 2 000 kg → 1 824; REB-1 1.2 t × 1 190 → 1 428; RMX-07 8 m³ → 2 123.2; SMX-09 1 m³
    // of 4 → 1 221.1 / 4 = 305.275; PRE-1 1 lintel of 2 → 424.275 / 2 = 212.1375.
    assert_eq!(
        per_delivery(&elm),
        vec![
            ("CEM-2".into(), Ok(dec("1824"))),
            ("REB-1".into(), Ok(dec("1428"))),
            ("RMX-07".into(), Ok(dec("2123.2"))),
            ("SMX-09".into(), Ok(dec("305.275"))),
            ("PRE-1".into(), Ok(dec("212.1375"))),
        ]
    );
    // 1 824 + 1 428 + 2 123.2 + 305.275 + 212.1375 = 5 892.6125.
    assert_eq!(elm.kg_co2e, dec("5892.6125"));
    assert_eq!(elm.not_computable, 0);
    assert_eq!(
        elm.by_material,
        vec![
            subtotal("cement", "1824", 1, 0),
            // 2 123.2 + 305.275
            subtotal("concrete", "2428.475", 2, 0),
            subtotal("precast", "212.1375", 1, 0),
            subtotal("steel", "1428", 1, 0),
        ]
    );
    assert_eq!(
        elm.by_supplier,
        vec![
            subtotal("MILL", "1428", 1, 0),
            // 2 123.2 + 305.275 + 212.1375
            subtotal("NGA", "2640.6125", 3, 0),
            subtotal("RCW", "1824", 1, 0),
        ]
    );
}

#[test]
fn deliveries_that_cannot_be_computed_are_listed_not_counted_as_zero() {
    let city = City::new();
    let c = &mut city.db.conn();
    let bridge = site_embodied_carbon(c, city.site("SITE-BRIDGE"), None).unwrap();
    // SMX-09 2 m³ of 4 → 1 221.1 × 2/4 = 610.55; RA-1 has no factor; RMX-B is concrete with a
    // factor per m³ delivered in tonnes.
    let rows = per_delivery(&bridge);
    assert_eq!(rows[0], ("SMX-09".into(), Ok(dec("610.55"))));
    assert!(rows[1]
        .1
        .as_ref()
        .unwrap_err()
        .starts_with("lot RA-1 has no EPD factor of its own"));
    assert_eq!(
        rows[2],
        (
            "RMX-B".into(),
            Err("a quantity in TNE (mass) cannot be converted to MTQ (volume), the unit of the factor".into())
        )
    );
    assert_eq!(
        (bridge.kg_co2e.clone(), bridge.not_computable),
        (dec("610.55"), 2)
    );
    // SMX-09's 4 m³ are counted once across its uses: 305.275 (school) + 610.55 (bridge) +
    // 305.275 (inside the lintels) = 1 221.1, its whole carbon.
    assert_eq!(
        dec("305.275") + dec("610.55") + dec("305.275"),
        dec("1221.1")
    );
}

#[test]
fn a_site_in_a_period_uses_the_local_shipping_date_and_an_empty_period_is_zero() {
    let city = City::new();
    let c = &mut city.db.conn();
    let elm = city.site("SITE-ELM");
    // CEM-2 left at 00:30 on 1 April local time (22:30 UTC on 31 March): it is a Q2 delivery.
    let q2 = site_embodied_carbon(c, elm, ReportingPeriod::quarter(2026, 2)).unwrap();
    assert_eq!(q2.deliveries.len(), 5);
    assert_eq!(q2.kg_co2e, dec("5892.6125"));
    let q1 = site_embodied_carbon(c, elm, ReportingPeriod::quarter(2026, 1)).unwrap();
    assert!(q1.deliveries.is_empty());
    assert_eq!((q1.kg_co2e, q1.not_computable), (dec("0"), 0));
    // A single day: 1 April holds only CEM-2 (1 824).
    let april_first = ReportingPeriod::new(
        chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    );
    let day = site_embodied_carbon(c, elm, april_first).unwrap();
    assert_eq!(per_delivery(&day), vec![("CEM-2".into(), Ok(dec("1824")))]);
}

#[test]
fn per_supplier_and_per_contract_totals() {
    let city = City::new();
    let c = &mut city.db.conn();
    // NGA delivered 2 123.2 + 305.275 + 212.1375 (school) + 610.55 (bridge) = 3 251.1625, and
    // two deliveries it cannot be credited with a figure for.
    let nga = supplier_embodied_carbon(c, "NGA", None).unwrap();
    assert_eq!(
        (nga.kg_co2e.clone(), nga.not_computable),
        (dec("3251.1625"), 2)
    );
    assert_eq!(
        nga.by_site,
        vec![
            subtotal("SITE-BRIDGE", "610.55", 1, 2),
            subtotal("SITE-ELM", "2640.6125", 3, 0)
        ]
    );
    // The cement works delivered to the plant (CEM-1, 25 t × 912 = 22 800) and the school
    // (CEM-2, 1 824): 24 624. Summing suppliers double counts what the plant made from CEM-1:
    // per-supplier figures are what each delivered, not shares of one total.
    let rcw = supplier_embodied_carbon(c, "RCW", None).unwrap();
    assert_eq!(rcw.kg_co2e, dec("24624"));
    // The school contract: every delivery to the school site was under it (5 892.6125).
    let school = contract_embodied_carbon(c, "ocds-abc123-elm").unwrap();
    assert_eq!(
        (school.kg_co2e.clone(), school.deliveries.len()),
        (dec("5892.6125"), 5)
    );
    assert_eq!(
        school.by_contract,
        vec![subtotal("ocds-abc123-elm", "5892.6125", 5, 0)]
    );
    // The bridge contract: SMX-09 610.55 and RA-1 not computable (RMX-B had no contract).
    let bridge = contract_embodied_carbon(c, "ocds-abc123-bridge").unwrap();
    assert_eq!((bridge.kg_co2e, bridge.not_computable), (dec("610.55"), 1));
    let nothing = contract_embodied_carbon(c, "ocds-abc123-none").unwrap();
    assert_eq!((nothing.kg_co2e, nothing.deliveries.len()), (dec("0"), 0));
}

#[test]
fn departments_scope_3_categories_follow_the_contract_category_and_the_material_rules() {
    let city = City::new();
    let c = &mut city.db.conn();
    let q2 = ReportingPeriod::quarter(2026, 2).unwrap();
    let edu = city.party("XX-CITY-EDU");
    let works = city.party("XX-CITY-WORKS");
    assert_eq!(
        (edu.kind.as_str(), works.kind.as_str()),
        ("department", "department")
    );
    // Defaults: the school is a works contract, so all 5 892.6125 is capital goods (category
    // 2); the bridge repairs are goods: 610.55 purchased goods (category 1), one not computable.
    let all = scope3_purchases(c, q2, &CarbonSettings::default()).unwrap();
    let figures: Vec<_> = all
        .iter()
        .map(|d| {
            (
                d.department_code.as_str(),
                d.purchased_goods.kg_co2e.clone(),
                d.capital_goods.kg_co2e.clone(),
                d.purchased_goods.not_computable,
            )
        })
        .collect();
    assert_eq!(
        figures,
        vec![
            ("XX-CITY-EDU", dec("0"), dec("5892.6125"), 0),
            ("XX-CITY-WORKS", dec("610.55"), dec("0"), 1),
        ]
    );
    // Cement counted as purchased goods whatever the contract: 1 824 moves to category 1 and
    // 5 892.6125 − 1 824 = 4 068.6125 stays in category 2.
    let settings = CarbonSettings {
        scope3: Scope3Rules {
            purchased_goods_material_classes: vec!["cement".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    let school = department_scope3_purchases(c, edu.id, q2, &settings).unwrap();
    assert_eq!(school.purchased_goods.kg_co2e, dec("1824"));
    assert_eq!(school.capital_goods.kg_co2e, dec("4068.6125"));
    // Nothing was delivered under the school contract in Q1: both categories 0.
    let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
    let empty = department_scope3_purchases(c, edu.id, q1, &settings).unwrap();
    assert_eq!(empty.department_code, "XX-CITY-EDU");
    assert_eq!(
        (empty.purchased_goods.kg_co2e, empty.capital_goods.kg_co2e),
        (dec("0"), dec("0"))
    );
    assert!(empty.purchased_goods.deliveries.is_empty());
}

#[test]
fn an_empty_database_has_no_deliveries_and_no_lots() {
    let city = City::empty();
    let c = &mut city.db.conn();
    let year = ReportingPeriod::year(2026).unwrap();
    assert!(scope3_purchases(c, year, &CarbonSettings::default())
        .unwrap()
        .is_empty());
    let none = supplier_embodied_carbon(c, "NOBODY", None).unwrap();
    assert_eq!((none.kg_co2e, none.deliveries.len()), (dec("0"), 0));
    assert!(matches!(
        lot_embodied_carbon(c, 1),
        Err(citytrace_schema::diesel::result::Error::NotFound)
    ));
}
