//! The city of the follow-the-money tests (`follow.rs`): budget, OCDS, shipments and production
//! files imported through the real importers, CityTreasury payments inserted as the indexer
//! stores them.
//!
//! The test city's fiscal year 2026:
//! - Public Works has one budget line, PW-01 "Bridge renewal" (04.5): approved 2,000,000,
//!   adjusted 2,100,000 EUR; and a revenue line RV-01 (no budget to spend).
//! - Environment has two classifications: EN-01 (05.1) 400,000 and EN-02 (05.2) 100,000.
//! - F1 (Public Works, signed 2026-04-05): contract c1 of 1,200,000 EUR with Northgate Concrete.
//!   Paid: OCDS transaction tx1 400,000 on 2026-05-01, its copy on the ledger (not counted
//!   twice), ledger PAY-F1-2 100,000.00 on 2026-06-01.
//! - F2 (Public Works, signed 2026-06-01 and 2026-07-01): two contracts, c1 300,000 and c2
//!   200,000, with Bridge Builders; ledger PAY-F2-1 50,000.00 names only the process.
//! - F3 (Environment, signed 2026-03-01): 90,000 EUR for waste bins.
//! - F4 (Public Works, signed 2025-11-01): fiscal year 2025, not on the 2026 line.
//! - Cement lot CEM-01 shipped from CEMENT-WORKS to PLANT-1 (no contract); run MIX-01 at PLANT-1
//!   makes 8 m³ of ready-mix RMX-01 from CEM-01 (2.6 t) and AGG-01 (9.6 t, not known before),
//!   with its EPD: 265.4 kg CO2e per m³.
//! - Delivered under F1: DN-1 5 m³ of RMX-01 and DN-2 3 m³ of RMX-01 from PLANT-1 to the bridge
//!   site; DN-3 2.5 t of steel STEEL-01 from STEEL-MILL (a lot with no EPD anywhere).
//! - Delivered under F3: DN-9 40 bins BIN-01.

use serde_json::{json, Value};

use super::fixture::{award, eur, release, supplier, City, ENV, WORKS};

const CONCRETE: (&str, &str) = ("S1", "Northgate Concrete");
const BUILDER: (&str, &str) = ("S2", "Bridge Builders");
const BINS: (&str, &str) = ("S3", "Bin Makers");

pub fn ocid(n: u32) -> String {
    format!("ocds-ctfoll-{n:04}")
}

/// Process `n` of `buyer` with one award `a1` to `to` and `contracts` under it.
fn process(
    n: u32,
    buyer: (&str, &str),
    to: (&str, &str),
    date: &str,
    awarded: &str,
    contracts: Value,
) -> Value {
    release(
        &ocid(n),
        &format!("f{n}-r1"),
        date,
        "contract",
        buyer,
        json!({
            "tender": {"id": "t", "title": format!("Process F{n}"), "status": "complete", "procurementMethod": "open", "mainProcurementCategory": "works"},
            "parties": [supplier(to)],
            "awards": [award("a1", date, awarded, to)],
            "contracts": contracts,
        }),
    )
}

fn contract(id: &str, signed: &str, value: &str, transactions: Value) -> Value {
    json!({"id": id, "awardID": "a1", "status": "active", "title": format!("Contract {id}"),
           "value": eur(value), "dateSigned": signed, "implementation": {"transactions": transactions}})
}

const BUDGET: &str = "\
PW-01,2026,approved,,XI-CT-WORKS,Bridge renewal,04.5,31,North bridge,2000000,EUR
PW-01,2026,adjusted,,XI-CT-WORKS,Bridge renewal,04.5,31,North bridge,2100000,EUR
RV-01,2026,approved,revenue,XI-CT-WORKS,Permit fees,04.5,,,50000,EUR
EN-01,2026,approved,,XI-CT-ENV,Waste collection,05.1,22,,400000,EUR
EN-02,2026,approved,,XI-CT-ENV,Waste water,05.2,22,,100000,EUR
";

pub fn city() -> City {
    let city = City::new();
    city.ocds(vec![
        process(
            1,
            WORKS,
            CONCRETE,
            "2026-04-05T00:00:00Z",
            "1200000",
            json!([contract("c1", "2026-04-05T00:00:00Z", "1200000", json!([{
                "id": "ocds-ctfoll-0001-tx1", "date": "2026-05-01T00:00:00Z", "value": eur("400000"),
                "payer": {"id": WORKS.0, "name": WORKS.1}, "payee": {"id": CONCRETE.0, "name": CONCRETE.1},
            }]))]),
        ),
        process(
            2,
            WORKS,
            BUILDER,
            "2026-06-01T00:00:00Z",
            "500000",
            json!([
                contract("c1", "2026-06-01T00:00:00Z", "300000", json!([])),
                contract("c2", "2026-07-01T00:00:00Z", "200000", json!([])),
            ]),
        ),
        process(
            3,
            ENV,
            BINS,
            "2026-03-01T00:00:00Z",
            "90000",
            json!([contract("c1", "2026-03-01T00:00:00Z", "90000", json!([]))]),
        ),
        process(
            4,
            WORKS,
            BUILDER,
            "2025-11-01T00:00:00Z",
            "70000",
            json!([contract("c1", "2025-11-01T00:00:00Z", "70000", json!([]))]),
        ),
    ]);
    city.budget(BUDGET);
    city.shipments(
        "CEMCO",
        "DN-C1,1,CEM-01,,Portland cement CEM I 42.5,30,TNE,CEMENT-WORKS,PLANT-1,2026-04-20T08:00:00Z,2026-04-20T12:00:00Z,,,,\n",
    );
    city.production(
        "NGC",
        "\
MIX-01,1,RMX-01,,Ready-mix concrete C30/37,8,MTQ,CEM-01,,2.6,TNE,PLANT-1,2026-05-06T06:00:00Z,EPD-RMX-C3037-2025,265.4,MTQ
MIX-01,2,RMX-01,,Ready-mix concrete C30/37,8,MTQ,AGG-01,Crushed granite 4/20,9.6,TNE,PLANT-1,2026-05-06T06:00:00Z,EPD-RMX-C3037-2025,265.4,MTQ
",
    );
    city.shipments(
        "NGC",
        "\
DN-1,1,RMX-01,,Ready-mix concrete C30/37,5,MTQ,PLANT-1,SITE-NORTH-BRIDGE,2026-05-06T08:00:00Z,2026-05-06T09:00:00Z,,PO-1,ocds-ctfoll-0001,
DN-2,1,RMX-01,,Ready-mix concrete C30/37,3,MTQ,PLANT-1,SITE-NORTH-BRIDGE,2026-05-06T11:00:00Z,,,PO-1,ocds-ctfoll-0001,
",
    );
    city.shipments(
        "STEELCO",
        "DN-3,1,STEEL-01,,Reinforcing steel B500B,2.5,TNE,STEEL-MILL,SITE-NORTH-BRIDGE,2026-05-07T07:00:00Z,,,,ocds-ctfoll-0001,\n",
    );
    city.shipments(
        "BINCO",
        "DN-9,1,BIN-01,,Waste bin 240 l,40,H87,BIN-DEPOT,CITY-YARD,2026-04-01T07:00:00Z,,,,ocds-ctfoll-0003,\n",
    );
    // 400,000.00 EUR: F1's OCDS transaction again (the treasury id is its id hashed).
    city.ledger_payment(
        "ocds-ctfoll-0001-tx1",
        &ocid(1),
        "Public Works",
        40_000_000,
        "2026-05-01T10:00:00Z",
    );
    city.ledger_payment(
        "PAY-F1-2",
        &ocid(1),
        "Public Works",
        10_000_000,
        "2026-06-01T10:00:00Z",
    );
    city.ledger_payment(
        "PAY-F2-1",
        &ocid(2),
        "Public Works",
        5_000_000,
        "2026-07-15T10:00:00Z",
    );
    city
}
