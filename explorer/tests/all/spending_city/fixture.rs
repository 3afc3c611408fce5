//! A small city for the spending and emissions pages, put in through the real importers (OCDS
//! release package, budget, products, shipments, emissions) plus what the indexer writes for
//! the ledger (a CityTreasury payment and a carbon-credit retirement), which no import format
//! carries. Shared by the explorer's `spending`, `emissions` and `method_settings` tests and
//! the browser journey of the root crate (`tests/all/browser_spending.rs`), which includes
//! this file by path.
//!
//! The figures the tests expect, worked out by hand:
//! - budget line `2025-PW-01` of `XI-CT-WORKS`, fiscal year 2025, EUR: approved 1 000 000,
//!   adjusted 1 100 000, executed 800 000 as the department reports it (its only line, so the
//!   works contract is on it); paid as evidenced 650 000 (below): a gap of 150 000;
//! - process `ocds-ctexpl-0001` (open works tender, 1 tenderer, tender period 1 → 11 February
//!   2025 = 10 days < 15): contract `c1` of 950 000 signed 5 March 2025 with supplier
//!   `XI-CT-S1`; paid 400 000 (OCDS transaction `t1`) + 250 000 (ledger payment) = 650 000,
//!   i.e. 59 % of the budget after the year ended → `unspent` (below 85 %);
//!   flags `single_bid` and `short_tender_period`;
//! - process `ocds-ctexpl-0002`: a direct award of goods for 20 000 EUR (below every
//!   threshold: no flag) by the same buyer, to `XI-CT-S2`, not signed as a contract; it also
//!   names a tenderer without identifier, whose party code is `ocds-ctexpl-0002/S3`;
//! - 2.5 t of cement (EPD 912 kg CO2e/t) delivered by `XI-CT-S1` under `ocds-ctexpl-0001` on
//!   10 March 2025: 2.5 × 912 = 2 280 kg CO2e;
//! - emissions of `XI-CT-WORKS` in 2025: scope 1 120 000 kg for the year, scope 2 30 000 kg
//!   location-based (and 10 000 market-based, not added) for Q1: 150 t for the year; in Q1 the
//!   annual report is set aside, so Q1 counts 30 t;
//! - one retirement of 2.5 t (2.5 × 10^18 units) on chain 137 on 2 June 2025, for "City of
//!   Example" — not counted for the city: no beneficiary is configured.

use std::path::Path;

use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{Chain, ChainKind};
use citytrace_schema::testing::TestDatabase;
use serde_json::json;

pub const OCID: &str = "ocds-ctexpl-0001";
pub const OCID_DIRECT: &str = "ocds-ctexpl-0002";
pub const BUYER: &str = "XI-CT-WORKS";
pub const SUPPLIER: &str = "XI-CT-S1";
pub const SUPPLIER_NAME: &str = "Alpha <script>alert(1)</script> Works";
pub const LINE: &str = "2025-PW-01";
pub const LEDGER_TX: &str = "0x7777777777777777777777777777777777777777777777777777777777777777";
pub const RETIREMENT_TX: &str =
    "0x9999999999999999999999999999999999999999999999999999999999999999";

fn import(
    db: &TestDatabase,
    dir: &Path,
    format: Format,
    submitter: &str,
    name: &str,
    content: &[u8],
) -> i64 {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    let options = ImportOptions {
        submitter: submitter.into(),
        ..Default::default()
    };
    match import_file(&mut db.conn(), format, &path, &options) {
        Ok(ImportOutcome::Imported { batch, .. }) => batch.id,
        other => panic!("{name} was not imported: {other:?}"),
    }
}

fn org(id: &str, name: &str, roles: &[&str]) -> serde_json::Value {
    json!({"id": id, "name": name, "identifier": {"scheme": "XI-CT", "id": id}, "roles": roles})
}

/// Fill `db` with the city described above.
pub fn seed(db: &TestDatabase) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let works = org("WORKS", "Public Works", &["buyer", "payer"]);
    let releases = json!({
        "uri": "https://city.example/ocds/package.json",
        "publishedDate": "2025-12-31T00:00:00Z",
        "version": "1.1",
        "releases": [
            {
                "ocid": OCID, "id": "r1", "date": "2025-02-01T00:00:00Z", "tag": ["tender"],
                "initiationType": "tender",
                "buyer": {"id": "WORKS", "name": "Public Works"},
                "parties": [works],
                "tender": {
                    "id": "T-1", "title": "North bridge deck", "status": "complete",
                    "procurementMethod": "open", "mainProcurementCategory": "works",
                    "value": {"amount": 900000, "currency": "EUR"},
                    "tenderPeriod": {"startDate": "2025-02-01T00:00:00Z", "endDate": "2025-02-11T00:00:00Z"},
                    "numberOfTenderers": 1
                }
            },
            {
                "ocid": OCID, "id": "r2", "date": "2025-03-05T00:00:00Z", "tag": ["award", "contract", "implementation"],
                "initiationType": "tender",
                "buyer": {"id": "WORKS", "name": "Public Works"},
                "parties": [works, org("S1", SUPPLIER_NAME, &["supplier", "payee"])],
                "awards": [{"id": "a1", "status": "active", "date": "2025-03-01T00:00:00Z",
                            "value": {"amount": 950000, "currency": "EUR"},
                            "suppliers": [{"id": "S1", "name": SUPPLIER_NAME}]}],
                "contracts": [{"id": "c1", "awardID": "a1", "title": "Bridge deck works", "status": "active",
                               "dateSigned": "2025-03-05T00:00:00Z",
                               "value": {"amount": 950000, "currency": "EUR"},
                               "implementation": {"transactions": [
                                   {"id": "t1", "date": "2025-04-01T00:00:00Z",
                                    "value": {"amount": 400000, "currency": "EUR"},
                                    "payer": {"id": "WORKS", "name": "Public Works"},
                                    "payee": {"id": "S1", "name": SUPPLIER_NAME}}]}}]
            },
            {
                "ocid": OCID_DIRECT, "id": "d1", "date": "2025-06-01T00:00:00Z", "tag": ["award"],
                "initiationType": "tender",
                "buyer": {"id": "WORKS", "name": "Public Works"},
                "parties": [works, org("S2", "Bravo Office", &["supplier"]),
                            {"id": "S3", "name": "Charlie Chairs", "roles": ["tenderer"]}],
                "tender": {"id": "T-2", "title": "Office chairs", "status": "complete",
                           "procurementMethod": "direct", "mainProcurementCategory": "goods"},
                "awards": [{"id": "a1", "status": "active", "date": "2025-06-01T00:00:00Z",
                            "value": {"amount": 20000, "currency": "EUR"},
                            "suppliers": [{"id": "S2", "name": "Bravo Office"}]}]
            }
        ]
    });
    import(
        db,
        d,
        Format::Ocds,
        "FIN",
        "releases.json",
        &serde_json::to_vec(&releases).unwrap(),
    );
    import(
        db,
        d,
        Format::Budget,
        "FIN",
        "budget.csv",
        format!(
            "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
             {LINE},2025,approved,expenditure,{BUYER},Bridge renewal,04.5,31,North bridge deck,1000000,EUR\n\
             {LINE},2025,adjusted,expenditure,{BUYER},Bridge renewal,04.5,31,North bridge deck,1100000,EUR\n\
             {LINE},2025,executed,expenditure,{BUYER},Bridge renewal,04.5,31,North bridge deck,800000,EUR\n"
        )
        .as_bytes(),
    );
    import(
        db,
        d,
        Format::Products,
        "FIN",
        "products.csv",
        b"gtin,product,material_class,unit,epd_ref,gwp_kg_co2e_per_unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes\n\
          04012345111118,Portland cement CEM I 42.5 R,cement,TNE,EPD-IES-0009876,912,,,,,\n",
    );
    import(
        db,
        d,
        Format::Shipments,
        SUPPLIER,
        "shipments.csv",
        format!(
            "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at,carrier,purchase_order,contract_ocid,certificates\n\
             SHP-1,1,LOT-CEM-1,04012345111118,Portland cement CEM I 42.5 R,2.5,TNE,PLANT-1,SITE-BRIDGE,2025-03-10T08:00:00+01:00,2025-03-10T11:00:00+01:00,,PO-1,{OCID},\n"
        )
        .as_bytes(),
    );
    import(
        db,
        d,
        Format::Emissions,
        "FIN",
        "emissions.csv",
        format!(
            "party,scope,category,activity,period,kg_co2e,method,source_document\n\
             {BUYER},1,mobile_combustion,Fleet,2025,120000,fuel-based,FLEET-2025.pdf\n\
             {BUYER},2,location_based,Depots,2025-Q1,30000,grid factor,GRID-2025-Q1.xlsx\n\
             {BUYER},2,market_based,Depots,2025-Q1,10000,supplier factor,GRID-2025-Q1.xlsx\n"
        )
        .as_bytes(),
    );
    let c = &mut db.conn();
    Chain::upsert(c, 31337, "city ledger", ChainKind::Ledger).unwrap();
    citytrace_schema::diesel::sql_query(
        "INSERT INTO treasury_payments (chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract, payment_id, payee, payee_name, department, amount_minor, currency, contract_ref, finality) \
         VALUES (31337, 12, decode(repeat('12', 32), 'hex'), '2025-05-01T10:00:00Z', decode(repeat('77', 32), 'hex'), 0, decode(repeat('c7', 20), 'hex'), decode(repeat('01', 32), 'hex'), decode(repeat('0b', 20), 'hex'), $1, $2, 25000000, 'EUR', $3, 'final')",
    )
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(SUPPLIER_NAME)
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(BUYER)
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(OCID)
    .execute(c)
    .unwrap();
    Chain::upsert(c, 137, "polygon", ChainKind::Public).unwrap();
    citytrace_schema::diesel::sql_query(
        "INSERT INTO carbon_retirements (chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract, source, token, retiring_address, beneficiary, beneficiary_name, retiring_entity, message, amount, tonnes, finality) \
         VALUES (137, 500, decode(repeat('55', 32), 'hex'), '2025-06-02T12:00:00Z', decode(repeat('99', 32), 'hex'), 3, decode(repeat('44', 20), 'hex'), 'toucan_tco2', decode(repeat('33', 20), 'hex'), decode(repeat('22', 20), 'hex'), decode(repeat('aa', 20), 'hex'), 'City of Example', 'Example Retirer', 'offset 2025', 2500000000000000000, 2.5, 'final')",
    )
    .execute(c)
    .unwrap();
}
