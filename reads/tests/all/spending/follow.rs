//! Follow the money from a budget line to its contracts, payments, shipments, lots, the lots'
//! origins and inputs, and their embodied carbon, against a real PostgreSQL; the city is
//! described in `follow_city.rs`.

use citytrace_reads::carbon::{
    contract_embodied_carbon, lot_embodied_carbon, FactorSource, NotComputable,
};
use citytrace_reads::spending::{
    follow_the_money, BudgetLink, BudgetRules, MoneyTrail, MoneyTrailLimits, PaymentSource,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::fixture::{d, City, LEDGER};
use super::follow_city::{city, ocid};

fn follow(city: &City, year: i32, line: &str, limits: &MoneyTrailLimits) -> Option<MoneyTrail> {
    follow_the_money(
        &mut city.conn(),
        year,
        line,
        &BudgetRules::default(),
        limits,
    )
    .unwrap()
}

fn treasury_id(payment_id: &str) -> String {
    let hash = Sha256::digest(payment_id.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("0x{hex}")
}

#[test]
fn an_empty_database_has_no_trail() {
    let city = City::new();
    assert_eq!(
        follow(&city, 2026, "PW-01", &MoneyTrailLimits::default()),
        None
    );
}

#[test]
fn lines_that_are_not_budgets_to_spend_have_no_trail() {
    let city = city();
    let limits = MoneyTrailLimits::default();
    assert_eq!(follow(&city, 2026, "PW-99", &limits), None);
    assert_eq!(follow(&city, 2027, "PW-01", &limits), None);
    // A revenue line is not followed.
    assert_eq!(follow(&city, 2026, "RV-01", &limits), None);
}

#[test]
fn a_budget_line_leads_to_contracts_payments_shipments_lots_and_origins() {
    let city = city();
    let trail = follow(&city, 2026, "PW-01", &MoneyTrailLimits::default()).unwrap();
    let line = &trail.budget_line;
    assert_eq!(line.fiscal_year, 2026);
    assert_eq!(line.budget_line_id, "PW-01");
    assert_eq!(line.department_id, city.party("XI-CT-WORKS"));
    assert_eq!(line.department, "XI-CT-WORKS");
    assert_eq!(line.program.as_deref(), Some("Bridge renewal"));
    assert_eq!(line.cofog, "04.5");
    assert_eq!(line.currency, "EUR");
    assert_eq!(line.approved, Some(d("2000000")));
    assert_eq!(line.adjusted, Some(d("2100000")));
    assert_eq!(line.executed_reported, None);
    // PW-01 is Public Works' only classification (RV-01 is revenue): contracts go on it.
    assert_eq!(line.department_classifications, 1);

    // F1 and F2, in ocid order; F3 is another department's, F4 another year's.
    assert!(!trail.processes_truncated);
    let ocids: Vec<&str> = trail.processes.iter().map(|p| p.ocid.as_str()).collect();
    assert_eq!(ocids, [ocid(1), ocid(2)]);

    let f1 = &trail.processes[0];
    // The process title is the OCDS `tender.title`.
    assert_eq!(f1.title.as_deref(), Some("Process F1"));
    assert_eq!(f1.link, BudgetLink::Line);
    assert_eq!(f1.contracts.len(), 1);
    let c1 = &f1.contracts[0];
    assert_eq!(c1.contract_id, "c1");
    assert_eq!(c1.title.as_deref(), Some("Contract c1"));
    assert_eq!(c1.value, Some(d("1200000")));
    assert_eq!(c1.currency.as_deref(), Some("EUR"));
    let suppliers: Vec<(&str, &str)> = c1
        .suppliers
        .iter()
        .map(|s| (s.code.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(suppliers, [("XI-CT-S1", "Northgate Concrete")]);
    // Paid: OCDS tx1 400,000 (2026-05-01) then ledger PAY-F1-2 100,000.00 (2026-06-01) =
    // 500,000; the ledger copy of tx1 (40,000,000 cents) is not counted a second time.
    assert_eq!(c1.payments.len(), 2);
    assert!(matches!(
        &c1.payments[0].source,
        PaymentSource::OcdsTransaction { transaction_id, .. } if transaction_id == "ocds-ctfoll-0001-tx1"
    ));
    assert_eq!(c1.payments[0].amount, d("400000"));
    match &c1.payments[1].source {
        PaymentSource::Ledger {
            payment_id,
            chain_id,
            finality,
            ..
        } => {
            assert_eq!(payment_id, &treasury_id("PAY-F1-2"));
            assert_eq!(*chain_id, LEDGER);
            assert_eq!(finality, "final");
        }
        other => panic!("expected a ledger payment, got {other:?}"),
    }
    assert_eq!(c1.payments[1].amount, d("100000"));
    assert_eq!(c1.paid, d("500000"));
    assert!(f1.process_payments.is_empty());

    // Shipments in shipping order: DN-1 (05-06 08:00), DN-2 (05-06 11:00), DN-3 (05-07).
    let shipments: Vec<(&str, &str, usize)> = f1
        .shipments
        .iter()
        .map(|s| {
            (
                s.submitter.as_str(),
                s.shipment_code.as_str(),
                s.lines.len(),
            )
        })
        .collect();
    assert_eq!(
        shipments,
        [
            ("NGC", "DN-1", 1),
            ("NGC", "DN-2", 1),
            ("STEELCO", "DN-3", 1)
        ]
    );
    let dn1 = &f1.shipments[0];
    assert_eq!(dn1.purchase_order.as_deref(), Some("PO-1"));
    assert_eq!(dn1.from_site.as_ref().unwrap().code, "PLANT-1");
    assert_eq!(dn1.to_site.as_ref().unwrap().code, "SITE-NORTH-BRIDGE");
    assert_eq!(dn1.lines[0].lot_code, "RMX-01");
    assert_eq!(dn1.lines[0].quantity, d("5"));
    assert_eq!(dn1.lines[0].unit, "MTQ");
    assert!(!f1.shipment_lines_truncated);

    // Lots in delivery order: RMX-01 (5 + 3 = 8 m³ delivered), then STEEL-01 (2.5 t).
    assert!(!f1.lots_truncated);
    let lots: Vec<&str> = f1.lots.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(lots, ["RMX-01", "STEEL-01"]);
    let rmx = &f1.lots[0];
    assert_eq!(rmx.product, "Ready-mix concrete C30/37");
    assert_eq!(rmx.product_unit, "MTQ");
    assert_eq!(rmx.delivered, [(d("8"), "MTQ".to_owned())]);
    // Made at PLANT-1 (the run's site is the output lot's origin) from CEM-01 and AGG-01.
    assert_eq!(rmx.origin_site.as_ref().unwrap().code, "PLANT-1");
    assert!(!rmx.inputs_truncated);
    let inputs: Vec<(&str, String, &str, &str)> = rmx
        .inputs
        .iter()
        .map(|i| {
            (
                i.lot.code.as_str(),
                i.quantity.normalized().to_string(),
                i.unit.as_str(),
                i.production_code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        [
            ("CEM-01", "2.6".to_owned(), "TNE", "MIX-01"),
            ("AGG-01", "9.6".to_owned(), "TNE", "MIX-01"),
        ]
    );
    // CEM-01 came from the cement works (its first shipment's origin); AGG-01 was first named
    // as a production input and has no known origin.
    let cement = &rmx.inputs[0].lot;
    assert_eq!(cement.product, "Portland cement CEM I 42.5");
    assert_eq!(cement.origin_site.as_ref().unwrap().code, "CEMENT-WORKS");
    assert!(
        cement.delivered.is_empty(),
        "inputs are not delivered under the process"
    );
    assert!(cement.inputs.is_empty());
    let aggregate = &rmx.inputs[1].lot;
    assert_eq!(aggregate.product, "Crushed granite 4/20");
    assert_eq!(aggregate.origin_site, None);
    let steel = &f1.lots[1];
    assert_eq!(steel.delivered, [(d("2.5"), "TNE".to_owned())]);
    assert_eq!(steel.origin_site.as_ref().unwrap().code, "STEEL-MILL");
    assert!(steel.inputs.is_empty());

    // F2: two contracts, the same supplier; the ledger payment names only the process, so it
    // stays with the process (50,000.00) and neither contract is paid.
    let f2 = &trail.processes[1];
    assert_eq!(f2.link, BudgetLink::Line);
    let contracts: Vec<(&str, String)> = f2
        .contracts
        .iter()
        .map(|c| (c.contract_id.as_str(), c.paid.to_string()))
        .collect();
    assert_eq!(contracts, [("c1", "0".to_owned()), ("c2", "0".to_owned())]);
    assert!(f2
        .contracts
        .iter()
        .all(|c| c.suppliers.len() == 1 && c.suppliers[0].code == "XI-CT-S2"));
    assert_eq!(f2.process_payments.len(), 1);
    assert!(f2.process_payments[0].is_ledger());
    assert_eq!(f2.process_payments[0].contract_id, None);
    assert_eq!(f2.process_payments[0].amount, d("50000"));
    assert!(f2.shipments.is_empty());
    assert!(f2.lots.is_empty());
}

#[test]
fn the_trails_lots_carry_their_embodied_carbon() {
    let city = city();
    let trail = follow(&city, 2026, "PW-01", &MoneyTrailLimits::default()).unwrap();
    let f1 = &trail.processes[0];
    let c = &mut city.conn();
    // RMX-01, the whole lot: its run's EPD, 265.4 kg CO2e per m³ × 8 m³ = 2,123.2 kg CO2e. The
    // cement and aggregate it was made from are inside that EPD (A1–A3), not added again.
    let rmx = lot_embodied_carbon(c, f1.lots[0].lot_id).unwrap();
    let carbon = rmx.carbon.unwrap();
    assert_eq!(carbon.kg_co2e, d("2123.2"));
    assert_eq!(carbon.quantity, d("8"));
    assert!(matches!(
        &carbon.factor.source,
        FactorSource::ProductionRun { epd_reference, production_code, .. }
            if epd_reference == "EPD-RMX-C3037-2025" && production_code == "MIX-01"
    ));
    // STEEL-01: no run made it and its product has no EPD: not computable, with the reason.
    let steel = lot_embodied_carbon(c, f1.lots[1].lot_id).unwrap();
    assert!(
        matches!(steel.carbon, Err(NotComputable::NoFactor { ref lot_code, .. }) if lot_code == "STEEL-01")
    );
    // What was delivered under F1: DN-1 5 × 265.4 = 1,327 and DN-2 3 × 265.4 = 796.2, together
    // 2,123.2 kg CO2e; DN-3 (steel) counted apart as not computable, never as 0.
    let delivered = contract_embodied_carbon(c, &f1.ocid).unwrap();
    assert_eq!(delivered.deliveries.len(), 3);
    assert_eq!(delivered.kg_co2e, d("2123.2"));
    assert_eq!(delivered.not_computable, 1);
    let per_line: Vec<Option<String>> = delivered
        .deliveries
        .iter()
        .map(|x| {
            x.carbon
                .as_ref()
                .ok()
                .map(|e| e.kg_co2e.normalized().to_string())
        })
        .collect();
    assert_eq!(
        per_line,
        [Some("1327".to_owned()), Some("796.2".to_owned()), None]
    );
    // The lots the trail lists are exactly the lots the carbon figure covers.
    let mut trail_lots: Vec<i64> = f1.lots.iter().map(|l| l.lot_id).collect();
    let mut carbon_lots: Vec<i64> = delivered
        .deliveries
        .iter()
        .map(|x| x.delivery.lot_id)
        .collect();
    trail_lots.sort_unstable();
    carbon_lots.sort_unstable();
    carbon_lots.dedup();
    assert_eq!(trail_lots, carbon_lots);
}

#[test]
fn a_department_with_several_classifications_shows_its_contracts_under_each_line() {
    let city = city();
    let limits = MoneyTrailLimits::default();
    for line in ["EN-01", "EN-02"] {
        let trail = follow(&city, 2026, line, &limits).unwrap();
        assert_eq!(trail.budget_line.department_classifications, 2, "{line}");
        assert_eq!(trail.processes.len(), 1, "{line}");
        let f3 = &trail.processes[0];
        assert_eq!(f3.ocid, ocid(3));
        assert_eq!(f3.link, BudgetLink::DepartmentYear { classifications: 2 });
        assert_eq!(f3.shipments.len(), 1);
        assert_eq!(f3.shipments[0].shipment_code, "DN-9");
        assert_eq!(f3.lots[0].code, "BIN-01");
        assert_eq!(f3.lots[0].delivered, [(d("40"), "H87".to_owned())]);
    }
    let en02 = follow(&city, 2026, "EN-02", &limits).unwrap();
    assert_eq!(en02.budget_line.cofog, "05.2");
    assert_eq!(en02.budget_line.approved, Some(d("100000")));
}

#[test]
fn the_limits_cut_the_tree_and_say_so() {
    let city = city();
    // One process of two: F1 only, and the cut is reported.
    let limits = MoneyTrailLimits {
        max_processes: 1,
        ..MoneyTrailLimits::default()
    };
    let trail = follow(&city, 2026, "PW-01", &limits).unwrap();
    assert_eq!(trail.processes.len(), 1);
    assert!(trail.processes_truncated);
    // Exactly two processes with a limit of two: nothing cut.
    let limits = MoneyTrailLimits {
        max_processes: 2,
        ..MoneyTrailLimits::default()
    };
    assert!(
        !follow(&city, 2026, "PW-01", &limits)
            .unwrap()
            .processes_truncated
    );

    // Two shipment lines of F1's three: DN-1 and DN-2, so only RMX-01 among the lots.
    let limits = MoneyTrailLimits {
        max_shipment_lines: 2,
        ..MoneyTrailLimits::default()
    };
    let f1 = follow(&city, 2026, "PW-01", &limits)
        .unwrap()
        .processes
        .remove(0);
    assert!(f1.shipment_lines_truncated);
    assert_eq!(f1.shipments.len(), 2);
    assert_eq!(f1.lots.len(), 1);
    // Three lines with a limit of three: not cut.
    let limits = MoneyTrailLimits {
        max_shipment_lines: 3,
        ..MoneyTrailLimits::default()
    };
    let f1 = follow(&city, 2026, "PW-01", &limits)
        .unwrap()
        .processes
        .remove(0);
    assert!(!f1.shipment_lines_truncated);

    // One lot of two.
    let limits = MoneyTrailLimits {
        max_lots: 1,
        ..MoneyTrailLimits::default()
    };
    let f1 = follow(&city, 2026, "PW-01", &limits)
        .unwrap()
        .processes
        .remove(0);
    assert!(f1.lots_truncated);
    assert_eq!(f1.lots.len(), 1);
    assert_eq!(f1.lots[0].code, "RMX-01");

    // No input levels: RMX-01's inputs exist but are not shown; STEEL-01 has none to cut.
    let limits = MoneyTrailLimits {
        max_input_depth: 0,
        ..MoneyTrailLimits::default()
    };
    let f1 = follow(&city, 2026, "PW-01", &limits)
        .unwrap()
        .processes
        .remove(0);
    assert!(f1.lots[0].inputs.is_empty());
    assert!(f1.lots[0].inputs_truncated);
    assert!(!f1.lots[1].inputs_truncated);
    // One input per lot: CEM-01 shown, AGG-01 cut.
    let limits = MoneyTrailLimits {
        max_inputs_per_lot: 1,
        ..MoneyTrailLimits::default()
    };
    let f1 = follow(&city, 2026, "PW-01", &limits)
        .unwrap()
        .processes
        .remove(0);
    assert_eq!(f1.lots[0].inputs.len(), 1);
    assert_eq!(f1.lots[0].inputs[0].lot.code, "CEM-01");
    assert!(f1.lots[0].inputs_truncated);

    // The limits are read from `[methods.spending.follow_the_money]`; missing keys keep their
    // defaults.
    let limits: MoneyTrailLimits = serde_json::from_value(json!({"max_lots": 7})).unwrap();
    assert_eq!(
        limits,
        MoneyTrailLimits {
            max_lots: 7,
            ..MoneyTrailLimits::default()
        }
    );
}
