//! The OCDS importer against a real PostgreSQL: the official examples import and give the
//! figures they publish; releases of one process merge by the OCDS rules whatever file they
//! come in; bad files are refused with a location and write nothing; row proofs verify.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use bigdecimal::BigDecimal;
use citytrace_importers::proof::row_proof;
use citytrace_importers::{
    import_file, CsvOptions, Format, ImportError, ImportOptions, ImportOutcome,
};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{
    Party, ProcurementAmendment, ProcurementAward, ProcurementContract, ProcurementParty,
    ProcurementProcess, ProcurementTransaction,
};
use citytrace_schema::schema::{
    import_batches, ocds_releases, parties, procurement_amendments, procurement_awards,
    procurement_contracts, procurement_parties, procurement_processes, procurement_transactions,
};
use citytrace_schema::testing::{reference_dir, TestDatabase};
use serde_json::{json, Value};

mod planning;

const FICTIONAL: &str = "ocds-213czf-000-00001";
const MONTREAL: &str = "ocds-a1234567-mt-063635891f001755a1637786dd047485f3dcfaf6";
const MET_OFFICE: &str = "ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b";
const BELMONT: &str = "ocds-43qwtd-RFT-0B980BC7-FB94-5FC4-D587404FC31576A7";

struct Fixture {
    db: TestDatabase,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn file(&self, name: &str, content: &Value) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(content).unwrap()).unwrap();
        path
    }

    fn import(&self, path: &Path, submitter: &str) -> Result<ImportOutcome, ImportError> {
        let options = ImportOptions {
            submitter: submitter.into(),
            dry_run: false,
            csv: CsvOptions::default(),
            ..Default::default()
        };
        import_file(&mut self.db.conn(), Format::Ocds, path, &options)
    }

    fn imported(&self, path: &Path) -> i64 {
        match self.import(path, "city") {
            Ok(ImportOutcome::Imported { batch, events, .. }) => {
                assert_eq!(events, 0, "OCDS records no supply-chain events");
                batch.id
            }
            other => panic!("{} was not imported: {other:?}", path.display()),
        }
    }

    fn invalid(
        &self,
        name: &str,
        content: &[u8],
    ) -> Vec<(u64, Option<String>, Option<String>, String)> {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        match self.import(&path, "city") {
            Err(ImportError::Invalid(errors)) => errors
                .errors
                .into_iter()
                .map(|e| (e.line, e.column, e.value, e.reason))
                .collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    /// Rows in every table an OCDS import writes to.
    fn counts(&self) -> [i64; 8] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            ocds_releases::table.count().get_result(c).unwrap(),
            procurement_processes::table.count().get_result(c).unwrap(),
            procurement_parties::table.count().get_result(c).unwrap(),
            procurement_awards::table.count().get_result(c).unwrap(),
            procurement_contracts::table.count().get_result(c).unwrap(),
            procurement_amendments::table.count().get_result(c).unwrap(),
            procurement_transactions::table
                .count()
                .get_result(c)
                .unwrap(),
        ]
    }

    /// A process as the explorer would read it, without provenance (batch, line, how many
    /// releases): parties by code, suppliers and payers by code.
    fn state(&self, ocid: &str) -> Value {
        let c = &mut self.db.conn();
        let p = ProcurementProcess::find(c, ocid).unwrap().unwrap();
        let code =
            |c: &mut PgConnection, id: Option<i64>| id.map(|id| Party::find(c, id).unwrap().code);
        let awards: Vec<Value> = ProcurementAward::of_process(c, ocid)
            .unwrap()
            .into_iter()
            .map(|a| {
                json!({"id": a.award_id, "title": a.title, "status": a.status, "date": a.award_date,
                       "value": a.value.as_ref().map(ToString::to_string), "currency": a.currency,
                       "suppliers": a.supplier_codes(c).unwrap()})
            })
            .collect();
        let contracts: Vec<Value> = ProcurementContract::of_process(c, ocid)
            .unwrap()
            .into_iter()
            .map(|k| {
                json!({"id": k.contract_id, "award": k.award_id, "status": k.status,
                       "value": k.value.as_ref().map(ToString::to_string), "currency": k.currency,
                       "signed": k.date_signed, "start": k.period_start, "end": k.period_end})
            })
            .collect();
        let transactions: Vec<Value> = ProcurementTransaction::of_process(c, ocid)
            .unwrap()
            .into_iter()
            .map(|t| {
                json!({"contract": t.contract_id, "id": t.transaction_id, "date": t.transaction_date,
                       "value": t.value.as_ref().map(ToString::to_string), "currency": t.currency,
                       "payer": code(c, t.payer_id), "payee": code(c, t.payee_id)})
            })
            .collect();
        let amendments: Vec<Value> = ProcurementAmendment::of_process(c, ocid)
            .unwrap()
            .into_iter()
            .map(|a| {
                json!({"scope": a.scope, "scope_id": a.scope_id, "position": a.position,
                       "id": a.amendment_id, "date": a.amendment_date, "description": a.description,
                       "amends": a.amends_release_id, "release": a.release_id})
            })
            .collect();
        let parties: Vec<Value> = ProcurementParty::of_process(c, ocid)
            .unwrap()
            .into_iter()
            .map(|(code, p)| json!({"code": code, "name": p.name, "roles": p.roles}))
            .collect();
        json!({
            "title": p.title, "tender_id": p.tender_id, "method": p.procurement_method,
            "category": p.main_procurement_category, "status": p.tender_status,
            "value": p.tender_value.as_ref().map(ToString::to_string), "currency": p.tender_currency,
            "period": [p.tender_period_start, p.tender_period_end],
            "tenderers": p.number_of_tenderers,
            "budget": p.budget_amount.as_ref().map(ToString::to_string),
            "buyer": code(c, p.buyer_id), "procuring_entity": code(c, p.procuring_entity_id),
            "last_release": p.last_release_date,
            "parties": parties, "awards": awards, "contracts": contracts,
            "transactions": transactions, "amendments": amendments,
        })
    }
}

fn decimal(text: &str) -> Option<BigDecimal> {
    Some(BigDecimal::from_str(text).unwrap())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The six releases of the fictional example, in date order.
fn fictional_releases(reference: &Path) -> Vec<Value> {
    [
        "01-planning",
        "02-tender",
        "03-tenderAmendment",
        "04-award",
        "05-contract",
        "06-implementation",
    ]
    .iter()
    .map(|stage| {
        let package = read(&reference.join(format!(
            "ocds/examples/fictional-1.1/{FICTIONAL}-{stage}.json"
        )));
        package["releases"][0].clone()
    })
    .collect()
}

#[test]
fn every_reference_example_imports_into_one_database() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let files = files_under(&reference.join("ocds/examples"));
    assert_eq!(files.len(), 80);
    for path in &files {
        f.imported(path);
    }
    let [batches, releases, processes, _, awards, contracts, _, transactions] = f.counts();
    assert_eq!(
        (
            batches,
            releases,
            processes,
            awards,
            contracts,
            transactions
        ),
        (80, 80, 42, 21, 1, 2),
        "80 files of one release or record each, about 42 processes"
    );
    // Contact points (people's names, e-mails, telephones) are not stored anywhere.
    let c = &mut f.db.conn();
    let stored: Vec<Value> = ocds_releases::table
        .select(ocds_releases::data)
        .load(c)
        .unwrap();
    let text = serde_json::to_string(&stored).unwrap();
    for personal in [
        "Trina Briers",
        "trina.briers@metoffice.gov.uk",
        "John Rutter",
        "0422 385 958",
        "villeintelligente@",
    ] {
        assert!(!text.contains(personal), "{personal} was stored");
    }
    let names: Vec<String> = parties::table.select(parties::name).load(c).unwrap();
    assert!(!names
        .iter()
        .any(|n| n.contains("Trina") || n.contains("Rutter")));
}

#[test]
fn the_fictional_record_package_gives_the_published_figures() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    f.imported(&reference.join(format!("ocds/examples/fictional-1.1/{FICTIONAL}.json")));
    let c = &mut f.db.conn();
    let p = ProcurementProcess::find(c, FICTIONAL).unwrap().unwrap();
    assert_eq!(p.title.as_deref(), Some("Planned cycle lane improvements"));
    assert_eq!(p.procurement_method.as_deref(), Some("open"));
    assert_eq!(p.main_procurement_category.as_deref(), Some("works"));
    assert_eq!(
        (p.tender_value.clone(), p.tender_currency.as_deref()),
        (decimal("1100000"), Some("GBP"))
    );
    assert_eq!(
        p.tender_period_start.unwrap().to_rfc3339(),
        "2010-03-01T09:00:00+00:00"
    );
    assert_eq!(
        p.tender_period_end.unwrap().to_rfc3339(),
        "2010-04-08T18:00:00+00:00"
    );
    assert_eq!(p.number_of_tenderers, Some(2));
    assert_eq!(
        (p.budget_amount.clone(), p.budget_currency.as_deref()),
        (decimal("6700000"), Some("GBP"))
    );
    assert_eq!((p.release_count, p.line), (1, 1));
    let buyer = Party::find(c, p.buyer_id.unwrap()).unwrap();
    assert_eq!(
        (
            buyer.code.as_str(),
            buyer.name.as_str(),
            buyer.kind.as_str()
        ),
        ("GB-LAC-E09000003", "London Borough of Barnet", "department")
    );
    assert_eq!(p.procuring_entity_id, p.buyer_id);

    let awards = ProcurementAward::of_process(c, FICTIONAL).unwrap();
    assert_eq!(awards.len(), 1);
    assert_eq!(awards[0].award_id, "ocds-213czf-000-00001-award-01");
    assert_eq!(
        (awards[0].value.clone(), awards[0].status.as_deref()),
        (decimal("11000000"), Some("active"))
    );
    assert_eq!(
        awards[0].supplier_codes(c).unwrap(),
        vec!["GB-COH-11111111.0"]
    );

    let contracts = ProcurementContract::of_process(c, FICTIONAL).unwrap();
    assert_eq!(contracts.len(), 1);
    assert_eq!(
        contracts[0].award_id.as_deref(),
        Some("ocds-213czf-000-00001-award-01")
    );
    assert_eq!(contracts[0].value, decimal("11000000"));
    assert_eq!(
        contracts[0].date_signed.unwrap().to_rfc3339(),
        "2010-06-10T14:23:12+00:00"
    );

    let payments = ProcurementTransaction::of_process(c, FICTIONAL).unwrap();
    let amounts: Vec<(String, Option<BigDecimal>, String)> = payments
        .iter()
        .map(|t| {
            (
                t.transaction_id.clone(),
                t.value.clone(),
                t.transaction_date.unwrap().to_rfc3339(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        vec![
            (
                "ocds-213czf-000-00001-1".into(),
                decimal("50000"),
                "2010-08-01T00:00:00+00:00".into()
            ),
            (
                "ocds-213czf-000-00001-2".into(),
                decimal("10000"),
                "2010-10-01T00:00:00+00:00".into()
            ),
        ]
    );
    assert_eq!(payments[0].payer_id, p.buyer_id);
    assert_eq!(
        Party::find(c, payments[0].payee_id.unwrap()).unwrap().code,
        "GB-COH-11111111.0"
    );

    let amendments = ProcurementAmendment::of_process(c, FICTIONAL).unwrap();
    assert_eq!(amendments.len(), 1);
    let a = &amendments[0];
    assert_eq!(
        (
            a.scope.as_str(),
            a.scope_id.as_str(),
            a.amendment_id.as_deref()
        ),
        ("tender", "", Some("1.0"))
    );
    assert_eq!(
        a.amendment_date.unwrap().to_rfc3339(),
        "2010-03-20T09:45:00+00:00"
    );
    assert_eq!(
        a.description.as_deref(),
        Some("The tender period has been extended in accordance with council guidelines")
    );
    assert_eq!(
        (a.value_before.clone(), a.value_after.clone()),
        (None, None),
        "the record holds no releases to compare"
    );

    let roles: Vec<(String, Vec<String>)> = ProcurementParty::of_process(c, FICTIONAL)
        .unwrap()
        .into_iter()
        .map(|(code, p)| (code, p.roles))
        .collect();
    assert_eq!(
        roles,
        vec![
            (
                "GB-COH-11111111.0".into(),
                vec!["payee".into(), "supplier".into(), "tenderer".into()]
            ),
            ("GB-COH-22222222.0".into(), vec!["tenderer".into()]),
            (
                "GB-LAC-E09000003".into(),
                vec!["buyer".into(), "payer".into(), "procuringEntity".into()]
            ),
        ]
    );
}

#[test]
fn releases_imported_one_file_at_a_time_merge_into_the_published_compiled_release() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let record = Fixture::new();
    record.imported(&reference.join(format!("ocds/examples/fictional-1.1/{FICTIONAL}.json")));
    let expected = record.state(FICTIONAL);

    let f = Fixture::new();
    // Out of date order on purpose: the state is the merge in date order whatever the order
    // of import.
    for stage in [
        "04-award",
        "01-planning",
        "06-implementation",
        "02-tender",
        "05-contract",
        "03-tenderAmendment",
    ] {
        f.imported(&reference.join(format!(
            "ocds/examples/fictional-1.1/{FICTIONAL}-{stage}.json"
        )));
    }
    assert_eq!(f.state(FICTIONAL), expected);
    let c = &mut f.db.conn();
    let p = ProcurementProcess::find(c, FICTIONAL).unwrap().unwrap();
    assert_eq!(p.release_count, 6);
    // The amendment names the releases before and after it, which are stored now: the tender
    // value was 1,100,000 on both sides (the amendment extended the tender period).
    let a = &ProcurementAmendment::of_process(c, FICTIONAL).unwrap()[0];
    assert_eq!(
        (
            a.value_before.clone(),
            a.value_after.clone(),
            a.currency.as_deref()
        ),
        (decimal("1100000"), decimal("1100000"), Some("GBP"))
    );
    // Provenance: the award row comes from the last release that mentions the award.
    let award = &ProcurementAward::of_process(c, FICTIONAL).unwrap()[0];
    let award_batch: String = import_batches::table
        .find(award.batch_id)
        .select(import_batches::file_name)
        .first(c)
        .unwrap();
    assert_eq!(award_batch, format!("{FICTIONAL}-06-implementation.json"));
}

#[test]
fn a_record_without_compiled_release_is_compiled_by_the_merge_rules() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let published = Fixture::new();
    published.imported(&reference.join(format!("ocds/examples/fictional-1.1/{FICTIONAL}.json")));

    let f = Fixture::new();
    let mut releases = fictional_releases(&reference);
    releases.reverse();
    let path = f.file(
        "record.json",
        &json!({"records": [{"ocid": FICTIONAL, "releases": releases}]}),
    );
    f.imported(&path);
    assert_eq!(f.state(FICTIONAL), published.state(FICTIONAL));
    let c = &mut f.db.conn();
    let (kind, id): (String, String) = ocds_releases::table
        .select((ocds_releases::kind, ocds_releases::release_id))
        .first(c)
        .unwrap();
    assert_eq!(
        (kind.as_str(), id.as_str()),
        (
            "record",
            "ocds-213czf-000-00001-2011-01-10T09:30:00.000000Z"
        )
    );
}

#[test]
fn montreal_release_and_record_of_one_process_make_one_process() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let dir = reference.join("ocds/examples/canada-montreal");
    f.imported(&dir.join(format!(
        "{MONTREAL}-063635891f001755a1637786dd047485f3dcfaf6.json"
    )));
    let after_release = f.state(MONTREAL);
    f.imported(&dir.join(format!("{MONTREAL}.json")));
    assert_eq!(
        f.state(MONTREAL),
        after_release,
        "the record repeats the release"
    );
    let c = &mut f.db.conn();
    let p = ProcurementProcess::find(c, MONTREAL).unwrap().unwrap();
    assert_eq!(
        (p.release_count, p.tender_status.as_deref()),
        (2, Some("complete"))
    );
    assert_eq!(
        Party::find(c, p.buyer_id.unwrap()).unwrap().code,
        "ocds-a1234567/infrastructures-voirie-et-transports"
    );
    let awards = ProcurementAward::of_process(c, MONTREAL).unwrap();
    assert_eq!(awards.len(), 1);
    assert_eq!(
        (
            awards[0].award_id.as_str(),
            awards[0].value.clone(),
            awards[0].currency.as_deref()
        ),
        ("1108514", decimal("8923.94"), Some("CAD"))
    );
    assert_eq!(
        awards[0].award_date.unwrap().to_rfc3339(),
        "2017-05-27T04:00:00+00:00"
    );
    assert_eq!(
        awards[0].supplier_codes(c).unwrap(),
        vec!["ocds-a1234567/centre-de-technologie-physique-et-photonique-de-montreal"]
    );
}

#[test]
fn uk_and_nsw_releases_give_their_tender_figures() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    f.imported(&reference.join(format!(
        "ocds/examples/uk-contracts-finder-sample/{MET_OFFICE}-59429-metofc-9mgh-ghl8ty.json"
    )));
    f.imported(&reference.join("ocds/examples/australia-new-south-wales/0.json"));
    let c = &mut f.db.conn();

    let uk = ProcurementProcess::find(c, MET_OFFICE).unwrap().unwrap();
    assert_eq!(
        uk.title.as_deref(),
        Some("Climate Science for Service Partnership (CSSP): Calls for Expressions of Interest")
    );
    assert_eq!(
        (uk.tender_value.clone(), uk.tender_currency.as_deref()),
        (decimal("464500"), Some("GBP"))
    );
    assert_eq!(uk.tender_status.as_deref(), Some("unsuccessful"));
    assert_eq!(
        uk.tender_period_end.unwrap().to_rfc3339(),
        "2015-02-27T00:00:00+00:00"
    );
    assert_eq!(
        (uk.procurement_method.as_deref(), uk.tender_period_start),
        (None, None),
        "procurementMethod is null"
    );
    let buyer = Party::find(c, uk.buyer_id.unwrap()).unwrap();
    assert_eq!(
        (buyer.code.as_str(), buyer.name.as_str()),
        (
            "ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b/8130c4404b180f94c332e29fd4de6c39",
            "Met Office"
        ),
        "an empty identifier falls back to the party id, scoped by ocid"
    );

    let nsw = ProcurementProcess::find(c, BELMONT).unwrap().unwrap();
    assert_eq!(
        nsw.title.as_deref(),
        Some("Belmont Hospital Theatre Refurbishment")
    );
    assert_eq!(nsw.procurement_method.as_deref(), Some("selective"));
    let buyer = Party::find(c, nsw.buyer_id.unwrap()).unwrap();
    assert_eq!(
        buyer.code,
        "ocds-43qwtd/Public Works Advisory - Hunter New England Region"
    );
    let amendments: Vec<(i32, String)> = ProcurementAmendment::of_process(c, BELMONT)
        .unwrap()
        .into_iter()
        .map(|a| (a.position, a.amendment_date.unwrap().to_rfc3339()))
        .collect();
    assert_eq!(
        amendments,
        vec![
            (1, "2017-12-12T05:01:17+00:00".into()),
            (2, "2018-01-11T00:49:31+00:00".into())
        ]
    );
}

#[test]
fn the_same_release_from_another_file_changes_nothing_and_a_correction_replaces_it() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let award = &fictional_releases(&reference)[3];
    let first = f.file("a.json", &json!({"releases": [award]}));
    let batch = f.imported(&first);
    match f.import(&first, "city").unwrap() {
        ImportOutcome::AlreadyImported { batch: again } => assert_eq!(again.id, batch),
        other => panic!("{other:?}"),
    }
    let state = f.state(FICTIONAL);
    // The same release in another file (another package around it): stored as that file's
    // row, the process state unchanged.
    let again = f.file(
        "b.json",
        &json!({"uri": "https://example.org/again", "releases": [award]}),
    );
    f.imported(&again);
    assert_eq!(f.state(FICTIONAL), state);
    assert_eq!(f.counts()[..5], [2, 2, 1, 3, 1]);

    // The publisher corrects the award under the same release id: the latest import wins.
    let mut corrected = award.clone();
    corrected["awards"][0]["value"]["amount"] = json!(10500000);
    f.imported(&f.file("c.json", &json!({"releases": [corrected]})));
    let c = &mut f.db.conn();
    assert_eq!(
        ProcurementAward::of_process(c, FICTIONAL).unwrap()[0].value,
        decimal("10500000")
    );
    assert_eq!(
        ProcurementProcess::find(c, FICTIONAL)
            .unwrap()
            .unwrap()
            .release_count,
        1
    );
}

#[test]
fn malformed_json_is_located_by_line_and_column() {
    let f = Fixture::new();
    let errors = f.invalid(
        "broken.json",
        b"{\n  \"releases\": [\n    {\"ocid\": \"ocds-x-1\",, \"id\": \"1\"}\n  ]\n}\n",
    );
    assert_eq!(
        errors,
        vec![(
            3,
            Some("25".into()),
            None,
            "not valid JSON: key must be a string".into()
        )]
    );
    assert_eq!(f.counts(), [0; 8]);
}

#[test]
fn problems_in_releases_are_reported_by_position_and_path_and_nothing_is_written() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let releases = fictional_releases(&reference);
    let mut undated = releases[0].clone();
    undated.as_object_mut().unwrap().remove("date");
    let mut text_amount = releases[3].clone();
    text_amount["awards"][0]["value"]["amount"] = json!("11,000,000");
    let mut other_content = releases[1].clone();
    other_content["tender"]["title"] = json!("Something else");
    let package = json!({"releases": [undated, releases[1], text_amount, other_content, releases[4], releases[5]]});
    let errors = f.invalid("bad.json", &serde_json::to_vec(&package).unwrap());
    assert_eq!(
        errors,
        vec![
            (1, Some("releases[0].date".into()), None, "a release needs `date`".into()),
            (3, Some("releases[2].awards[0].value.amount".into()), Some("11,000,000".into()), "expected a number, found a string".into()),
            (4, Some("releases[3].id".into()), Some("ocds-213czf-000-00001-02-tender".into()),
             "release ocds-213czf-000-00001-02-tender of ocds-213czf-000-00001 appears at line 2 with other content; a published release never changes, give this one a new id".into()),
        ]
    );
    assert_eq!(f.counts(), [0; 8]);

    let not_ocds = f.invalid("other.json", br#"{"type": "EPCISDocument"}"#);
    assert_eq!(not_ocds[0].3, "not OCDS: expected a `releases` or `records` array (a package), or a release or record with an `ocid`");
    let linked = f.invalid("linked.json", &serde_json::to_vec(&json!({"records": [{"ocid": FICTIONAL, "releases": [{"url": "https://example.org/r1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}]}]})).unwrap());
    assert_eq!(linked, vec![(1, Some("records[0].releases".into()), None, "this record holds only linked releases (url, date, tag) and the releases they link are not imported: import those releases first, or include the compiledRelease or the releases themselves".into())]);
}

#[test]
fn an_invalid_last_release_means_nothing_is_imported() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let mut releases = fictional_releases(&reference);
    releases[5]["contracts"][0]["implementation"]["transactions"][1]["date"] = json!("01/10/2010");
    let errors = f.invalid(
        "last.json",
        &serde_json::to_vec(&json!({"releases": releases})).unwrap(),
    );
    assert_eq!(
        errors,
        vec![(
            6,
            Some("releases[5].contracts[0].implementation.transactions[1].date".into()),
            Some("01/10/2010".into()),
            "not an ISO 8601 date-time such as 2026-03-04T10:00:00+01:00".into()
        )]
    );
    assert_eq!(f.counts(), [0; 8]);
}

#[test]
fn row_proofs_from_stored_releases_lead_to_the_batch_root() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let path = f.file(
        "package.json",
        &json!({"releases": fictional_releases(&reference)}),
    );
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "city").unwrap() else {
        panic!()
    };
    assert_eq!(batch.rows, 6);
    let c = &mut f.db.conn();
    for line in 1..=6u64 {
        let proof = row_proof(c, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent(), "line {line}");
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
        assert_eq!(proof.index, line - 1);
    }
    let proof = row_proof(c, batch.id, 6).unwrap().unwrap();
    assert!(
        proof.canonical.starts_with(r#"{"encoding":"citytrace/ocds/1","kind":"release","line":6,"release":{"awards":[{"date":"2010-05-10T10:30:00.000000Z","id":"ocds-213czf-000-00001-award-01""#),
        "{}",
        proof.canonical
    );
    assert!(proof.canonical.contains(r#""implementation":{"transactions":[{"date":"2010-08-01T00:00:00.000000Z","id":"ocds-213czf-000-00001-1","payee":{"id":"GB-COH-11111111","name":"AnyCorp Cycle Provision"},"payer":{"id":"GB-LAC-E09000003","name":"London Borough of Barnet"},"source":"https://openspending.org/uk-barnet-spending/","value":{"amount":"50000","currency":"GBP"}}"#), "{}", proof.canonical);
    let mut tampered = proof.clone();
    tampered.canonical = tampered.canonical.replace("\"50000\"", "\"5000\"");
    assert!(!tampered.is_consistent());

    // A dry run computes the same root and writes nothing.
    let other = Fixture::new();
    let dry = other.file(
        "package.json",
        &json!({"releases": fictional_releases(&reference)}),
    );
    let options = ImportOptions {
        submitter: "city".into(),
        dry_run: true,
        csv: CsvOptions::default(),
        ..Default::default()
    };
    let ImportOutcome::Validated {
        rows, merkle_root, ..
    } = import_file(&mut other.db.conn(), Format::Ocds, &dry, &options).unwrap()
    else {
        panic!()
    };
    assert_eq!((rows, merkle_root), (6, batch.merkle_root));
    assert_eq!(other.counts(), [0; 8]);
}

/// The `citytrace/ocds/1` example of docs/verification.md is what the importer produces.
#[test]
fn the_encoding_example_in_the_documentation_is_the_importers() {
    let f = Fixture::new();
    let release = json!({"ocid": FICTIONAL, "id": "ocds-213czf-000-00001-06-implementation",
        "date": "2011-01-10T09:30:00Z", "tag": ["implementation"], "initiationType": "tender",
        "contracts": [{"id": "ocds-213czf-000-00001-contract-01", "awardID": "ocds-213czf-000-00001-award-01",
            "status": "active", "value": {"amount": 11000000, "currency": "GBP"},
            "implementation": {"transactions": [{"id": "ocds-213czf-000-00001-1", "date": "2010-08-01T00:00:00Z",
                "value": {"amount": 50000.00, "currency": "GBP"},
                "payer": {"id": "GB-LAC-E09000003", "name": "London Borough of Barnet"},
                "payee": {"id": "GB-COH-11111111", "name": "AnyCorp Cycle Provision"}}]}}]});
    let path = f.file("one-release.json", &json!({"releases": [release]}));
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "BARNET").unwrap() else {
        panic!()
    };
    let proof = row_proof(&mut f.db.conn(), batch.id, 1).unwrap().unwrap();
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verification.md"),
    )
    .unwrap();
    let documented = docs
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(r#"{"encoding":"citytrace/ocds/1""#))
        .unwrap();
    assert_eq!(proof.canonical, documented);
    assert_eq!(
        citytrace_schema::hex0x(&proof.leaf),
        batch.merkle_root,
        "one row: its leaf is the root"
    );
}
