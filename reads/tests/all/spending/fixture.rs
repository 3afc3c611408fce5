//! A city for the spending tests: a real PostgreSQL database filled through the importers
//! (OCDS release packages, budget, shipments and production CSV) and, for the ledger, plain
//! inserts of CityTreasury payments (the indexer's rows; no import format exists for them).

use std::path::Path;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::PgConnection;
use citytrace_schema::models::{Chain, ChainKind, NewTreasuryPayment, Party};
use citytrace_schema::schema::treasury_payments;
use citytrace_schema::testing::TestDatabase;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The city ledger's chain id in these tests.
pub const LEDGER: i64 = 31337;

pub struct City {
    pub db: TestDatabase,
    dir: tempfile::TempDir,
    files: std::cell::Cell<usize>,
    ledger_logs: std::cell::Cell<i32>,
}

impl City {
    pub fn new() -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
            files: std::cell::Cell::new(0),
            ledger_logs: std::cell::Cell::new(0),
        }
    }

    pub fn conn(&self) -> PgConnection {
        self.db.conn()
    }

    /// Import `content` as a file of `format` from `submitter`; panics unless imported.
    pub fn import(&self, format: Format, submitter: &str, content: &[u8]) -> i64 {
        let n = self.files.get() + 1;
        self.files.set(n);
        let path = self.dir.path().join(format!("file-{n}"));
        std::fs::write(&path, content).unwrap();
        self.import_path(format, submitter, &path)
    }

    pub fn import_path(&self, format: Format, submitter: &str, path: &Path) -> i64 {
        let options = ImportOptions {
            submitter: submitter.into(),
            ..Default::default()
        };
        match import_file(&mut self.conn(), format, path, &options) {
            Ok(ImportOutcome::Imported { batch, .. }) => batch.id,
            other => panic!("{} was not imported: {other:?}", path.display()),
        }
    }

    pub fn ocds(&self, releases: Vec<Value>) -> i64 {
        let package = json!({
            "uri": "https://city.example/ocds/package.json",
            "publishedDate": "2026-12-31T00:00:00Z",
            "version": "1.1",
            "releases": releases,
        });
        self.import(Format::Ocds, "FIN", &serde_json::to_vec(&package).unwrap())
    }

    pub fn budget(&self, rows: &str) -> i64 {
        let csv = format!(
            "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n{rows}"
        );
        self.import(Format::Budget, "FIN", csv.as_bytes())
    }

    pub fn shipments(&self, submitter: &str, rows: &str) -> i64 {
        let csv = format!(
            "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at,carrier,purchase_order,contract_ocid,certificates\n{rows}"
        );
        self.import(Format::Shipments, submitter, csv.as_bytes())
    }

    pub fn production(&self, submitter: &str, rows: &str) -> i64 {
        let csv = format!(
            "production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit\n{rows}"
        );
        self.import(Format::Production, submitter, csv.as_bytes())
    }

    /// A CityTreasury `PaymentMade` event as the indexer stores it: `amount_minor` in minor
    /// units (cents), the treasury's payment id hashed with SHA-256.
    pub fn ledger_payment(
        &self,
        payment_id: &str,
        contract_ref: &str,
        department: &str,
        amount_minor: u64,
        block_time: &str,
    ) {
        self.ledger_payment_on_line(
            payment_id,
            contract_ref,
            department,
            amount_minor,
            block_time,
            None,
        );
    }

    /// A CityTreasury payment as [`Self::ledger_payment`], from budget line `line` when given
    /// (a `PaymentMadeOnBudgetLine` event).
    pub fn ledger_payment_on_line(
        &self,
        payment_id: &str,
        contract_ref: &str,
        department: &str,
        amount_minor: u64,
        block_time: &str,
        line: Option<&str>,
    ) {
        let c = &mut self.conn();
        Chain::upsert(c, LEDGER, "city ledger", ChainKind::Ledger).unwrap();
        let log = self.ledger_logs.get() + 1;
        self.ledger_logs.set(log);
        let block_hash = Sha256::digest(format!("block {log}").as_bytes()).to_vec();
        let row = NewTreasuryPayment {
            chain_id: LEDGER,
            block_number: i64::from(log),
            block_hash,
            block_time: at(block_time),
            tx_hash: Sha256::digest(format!("tx {log}").as_bytes()).to_vec(),
            log_index: 0,
            contract: vec![0xc7; 20],
            payment_id: Sha256::digest(payment_id.as_bytes()).to_vec(),
            payee: vec![0x0b; 20],
            payee_name: "Payee".into(),
            department: department.into(),
            amount_minor: BigDecimal::from(amount_minor),
            currency: "EUR".into(),
            contract_ref: contract_ref.into(),
            budget_line_id: line.map(str::to_owned),
            finality: "final".into(),
        };
        diesel::insert_into(treasury_payments::table)
            .values(&row)
            .execute(c)
            .unwrap();
    }

    pub fn party(&self, code: &str) -> i64 {
        Party::find_by_code(&mut self.conn(), code)
            .unwrap()
            .unwrap_or_else(|| panic!("no party {code}"))
            .id
    }
}

pub fn d(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// An organisation of the test city: identifier scheme `XI-CT`, so its party code is
/// `XI-CT-{id}`.
pub fn org(id: &str, name: &str, roles: &[&str]) -> Value {
    json!({"id": id, "name": name, "identifier": {"scheme": "XI-CT", "id": id}, "roles": roles})
}

/// A EUR value; whole amounts are written as JSON integers (read exactly by the importer).
pub fn eur(amount: &str) -> Value {
    match amount.parse::<i64>() {
        Ok(whole) => json!({"amount": whole, "currency": "EUR"}),
        Err(_) => json!({"amount": amount.parse::<f64>().unwrap(), "currency": "EUR"}),
    }
}

/// A release of process `ocid` by `buyer`, with `body` (tender, awards, contracts, …) merged in.
pub fn release(
    ocid: &str,
    id: &str,
    date: &str,
    tag: &str,
    buyer: (&str, &str),
    body: Value,
) -> Value {
    let mut r = json!({
        "ocid": ocid,
        "id": id,
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "buyer": {"id": buyer.0, "name": buyer.1},
        "parties": [org(buyer.0, buyer.1, &["buyer"])],
    });
    let (Value::Object(target), Value::Object(extra)) = (&mut r, body) else {
        panic!("release bodies are objects");
    };
    for (key, value) in extra {
        if key == "parties" {
            let parties = target["parties"].as_array_mut().unwrap();
            parties.extend(value.as_array().unwrap().iter().cloned());
        } else {
            target.insert(key, value);
        }
    }
    r
}

/// A supplier of the test city, for a release's `parties`.
pub fn supplier(s: (&str, &str)) -> Value {
    org(s.0, s.1, &["supplier"])
}

/// An award with one supplier (also list it in the release's parties with [`supplier`]).
pub fn award(id: &str, date: &str, amount: &str, supplier: (&str, &str)) -> Value {
    json!({
        "id": id,
        "status": "active",
        "date": date,
        "value": eur(amount),
        "suppliers": [{"id": supplier.0, "name": supplier.1}],
    })
}

pub const WORKS: (&str, &str) = ("WORKS", "Public Works");
pub const ENV: (&str, &str) = ("ENV", "Environment");
