//! The city of the budget-vs-actual tests (`budget.rs`): a budget file and OCDS releases
//! imported through the real importers, CityTreasury payments inserted as the indexer stores
//! them.
//!
//! The test city's fiscal year 2026 (EUR unless said otherwise):
//!
//! | department | line | program, COFOG | approved | adjusted | budget compared with |
//! |---|---|---|---|---|---|
//! | Environment | EN-01 | Waste collection, 05.1 | 300,000 | 330,000 | 330,000 |
//! | Public Works | PW-01 | Bridge renewal, 04.5 | 1,000,000 | — | 1,000,000 (executed 900,000) |
//! | Public Works | PW-02 | School repairs, 09.1 | 500,000 | 450,000 | 450,000 |
//!
//! plus RV-01, an Environment *revenue* line of 999,999 that is no budget to spend.
//!
//! Contracts (OCDS), all with one contract `c1`:
//! - E1 Environment, signed 2026-03-01, 200,000 EUR. Paid: OCDS transaction tx1 60,000; the same
//!   payment again on the ledger (its treasury id is the SHA-256 of `…-tx1`: not counted twice);
//!   ledger PAY-E1-2 40,000.00; an OCDS transaction of 1,000 GBP (not the contract's currency).
//! - E2 Environment, signed 2026-06-01, 130,000 EUR.
//! - E3 Environment, signed 2026-05-01, 5,000 GBP; paid 2,000 GBP (OCDS).
//! - E4 Environment, signed 2025-12-31 23:00 UTC, 40,000 EUR: fiscal year 2025.
//! - W1 Public Works, signed 2026-04-05, 800,000 EUR; paid 200,000 (OCDS).
//!
//! Ledger payments naming no process: PO-4711 by "Public Works", 25,000.00 EUR (counted for
//! Public Works); PO-0009 by "Parks", which is no party (left out).

use serde_json::{json, Value};

use super::fixture::{eur, release, supplier, City, ENV, WORKS};

const HAULER: (&str, &str) = ("S1", "Waste Haulers");
const BUILDER: (&str, &str) = ("S2", "Bridge Builders");

pub fn ocid(name: &str) -> String {
    format!("ocds-ctbudg-{name}")
}

fn gbp(amount: i64) -> Value {
    json!({"amount": amount, "currency": "GBP"})
}

/// A process of `buyer` awarded and contracted (contract `c1`) on `signed` for `value`, with
/// `transactions` under the contract.
fn contracted(
    name: &str,
    buyer: (&str, &str),
    to: (&str, &str),
    signed: &str,
    value: Value,
    transactions: Value,
) -> Value {
    release(
        &ocid(name),
        &format!("{name}-r1"),
        signed,
        "contract",
        buyer,
        json!({
            "tender": {"id": "t", "status": "complete", "procurementMethod": "open", "mainProcurementCategory": "services"},
            "parties": [supplier(to)],
            "awards": [{"id": "a1", "status": "active", "date": signed, "value": value, "suppliers": [{"id": to.0, "name": to.1}]}],
            "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "value": value, "dateSigned": signed,
                           "implementation": {"transactions": transactions}}],
        }),
    )
}

fn transaction(id: &str, date: &str, value: Value, buyer: (&str, &str), to: (&str, &str)) -> Value {
    json!({"id": id, "date": date, "value": value,
           "payer": {"id": buyer.0, "name": buyer.1}, "payee": {"id": to.0, "name": to.1}})
}

const BUDGET: &str = "\
EN-01,2026,approved,,XI-CT-ENV,Waste collection,05.1,22,,300000,EUR
EN-01,2026,adjusted,,XI-CT-ENV,Waste collection,05.1,22,,330000,EUR
RV-01,2026,approved,revenue,XI-CT-ENV,Waste fees,05.1,,,999999,EUR
PW-01,2026,approved,,XI-CT-WORKS,Bridge renewal,04.5,31,,1000000,EUR
PW-01,2026,executed,,XI-CT-WORKS,Bridge renewal,04.5,31,,900000,EUR
PW-02,2026,approved,,XI-CT-WORKS,School repairs,09.1,31,,500000,EUR
PW-02,2026,adjusted,,XI-CT-WORKS,School repairs,09.1,31,,450000,EUR
";

pub fn city() -> City {
    let city = City::new();
    // OCDS first: the departments are the OCDS buyers (party codes XI-CT-ENV, XI-CT-WORKS, named
    // "Environment" and "Public Works"); the budget file names them by code.
    city.ocds(vec![
        contracted(
            "e1",
            ENV,
            HAULER,
            "2026-03-01T00:00:00Z",
            eur("200000"),
            json!([
                transaction(
                    &ocid("e1-tx1"),
                    "2026-04-01T00:00:00Z",
                    eur("60000"),
                    ENV,
                    HAULER
                ),
                transaction(
                    &ocid("e1-tx2"),
                    "2026-04-15T00:00:00Z",
                    gbp(1000),
                    ENV,
                    HAULER
                ),
            ]),
        ),
        contracted(
            "e2",
            ENV,
            HAULER,
            "2026-06-01T00:00:00Z",
            eur("130000"),
            json!([]),
        ),
        contracted(
            "e3",
            ENV,
            HAULER,
            "2026-05-01T00:00:00Z",
            gbp(5000),
            json!([transaction(
                &ocid("e3-tx1"),
                "2026-06-15T00:00:00Z",
                gbp(2000),
                ENV,
                HAULER
            )]),
        ),
        contracted(
            "e4",
            ENV,
            HAULER,
            "2025-12-31T23:00:00Z",
            eur("40000"),
            json!([]),
        ),
        contracted(
            "w1",
            WORKS,
            BUILDER,
            "2026-04-05T00:00:00Z",
            eur("800000"),
            json!([transaction(
                &ocid("w1-tx1"),
                "2026-05-01T00:00:00Z",
                eur("200000"),
                WORKS,
                BUILDER
            )]),
        ),
    ]);
    city.budget(BUDGET);
    // 60,000.00 EUR: E1's OCDS transaction tx1 again (the treasury's id is its id hashed).
    city.ledger_payment(
        &ocid("e1-tx1"),
        &ocid("e1"),
        "Environment",
        6_000_000,
        "2026-04-01T10:00:00Z",
    );
    city.ledger_payment(
        "PAY-E1-2",
        &ocid("e1"),
        "Environment",
        4_000_000,
        "2026-08-01T10:00:00Z",
    );
    city.ledger_payment(
        "PAY-PW-1",
        "PO-4711",
        "Public Works",
        2_500_000,
        "2026-09-01T10:00:00Z",
    );
    city.ledger_payment(
        "PAY-PK-1",
        "PO-0009",
        "Parks",
        700_000,
        "2026-09-02T10:00:00Z",
    );
    city
}
