//! The EPCIS importer against a real PostgreSQL and the official EPCIS 2.0 examples: every
//! example imports; events keep what they say in canonical form; bad documents are refused
//! with a location and write nothing; row proofs verify.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use citytrace_importers::proof::row_proof;
use citytrace_importers::{
    import_file, CsvOptions, Format, ImportError, ImportOptions, ImportOutcome,
};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{
    EpcisBizTransaction, EpcisEpc, EpcisEvent, EpcisSensorReport, EpcisSourceDestination, Lot,
    Site, SupplyEvent,
};
use citytrace_schema::schema::{
    epcis_epcs, epcis_events, epcis_sensor_reports, import_batches, lots, products, sites,
    supply_event_lots, supply_events,
};
use citytrace_schema::testing::{reference_dir, TestDatabase};
use serde_json::{json, Value};

/// role, kind, position, identifier, quantity, unit.
type EpcRow = (String, String, i32, String, Option<String>, Option<String>);
/// type, exception, boolean value, URI value of a sensor report.
type Alarm = (Option<String>, Option<String>, Option<bool>, Option<String>);

struct Fixture {
    db: TestDatabase,
    dir: tempfile::TempDir,
    reference: PathBuf,
}

impl Fixture {
    fn new(reference: &Path) -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
            reference: reference.join("epcis/examples"),
        }
    }

    fn import(&self, path: &Path, submitter: &str) -> Result<ImportOutcome, ImportError> {
        let options = ImportOptions {
            submitter: submitter.into(),
            dry_run: false,
            csv: CsvOptions::default(),
            ..Default::default()
        };
        import_file(&mut self.db.conn(), Format::Epcis, path, &options)
    }

    fn imported(&self, path: &Path) -> i64 {
        match self.import(path, "city") {
            Ok(ImportOutcome::Imported { batch, events, .. }) => {
                assert_eq!(
                    events as i32, batch.rows,
                    "one supply event per EPCIS event"
                );
                batch.id
            }
            other => panic!("{} was not imported: {other:?}", path.display()),
        }
    }

    fn example(&self, name: &str) -> i64 {
        self.imported(&self.reference.join(name))
    }

    fn example_json(&self, name: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.reference.join(name)).unwrap()).unwrap()
    }

    fn file(&self, name: &str, content: &Value) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(content).unwrap()).unwrap();
        path
    }

    fn invalid(&self, content: &[u8]) -> Vec<(u64, Option<String>, Option<String>, String)> {
        let path = self.dir.path().join("bad.jsonld");
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

    fn events(&self, batch: i64) -> Vec<(SupplyEvent, EpcisEvent)> {
        EpcisEvent::of_batch(&mut self.db.conn(), batch).unwrap()
    }

    fn epcs(&self, event: i64) -> Vec<EpcRow> {
        EpcisEpc::of_events(&mut self.db.conn(), &[event])
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.role,
                    e.kind,
                    e.position,
                    e.epc,
                    e.quantity.map(|q| q.normalized().to_string()),
                    e.uom,
                )
            })
            .collect()
    }

    /// (lot code, role, quantity) of an event's lot links.
    fn lot_links(&self, event: i64) -> Vec<(String, String, Option<String>)> {
        supply_event_lots::table
            .inner_join(lots::table)
            .filter(supply_event_lots::event_id.eq(event))
            .order((lots::code, supply_event_lots::role))
            .select((
                lots::code,
                supply_event_lots::role,
                supply_event_lots::quantity,
            ))
            .load::<(String, String, Option<bigdecimal::BigDecimal>)>(&mut self.db.conn())
            .unwrap()
            .into_iter()
            .map(|(c, r, q)| (c, r, q.map(|q| q.normalized().to_string())))
            .collect()
    }

    fn site_code(&self, id: Option<i64>) -> Option<String> {
        id.map(|id| Site::find(&mut self.db.conn(), id).unwrap().code)
    }

    /// Rows in every table an EPCIS import writes to.
    fn counts(&self) -> [i64; 7] {
        let c = &mut self.db.conn();
        [
            import_batches::table.count().get_result(c).unwrap(),
            supply_events::table.count().get_result(c).unwrap(),
            epcis_events::table.count().get_result(c).unwrap(),
            epcis_epcs::table.count().get_result(c).unwrap(),
            supply_event_lots::table.count().get_result(c).unwrap(),
            lots::table.count().get_result(c).unwrap(),
            sites::table.count().get_result(c).unwrap(),
        ]
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.extension().is_some_and(|e| e == "jsonld") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[test]
fn every_reference_example_imports_with_all_five_event_types() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let files = files_under(&reference.join("epcis/examples"));
    assert_eq!(files.len(), 34);
    let mut per_type: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        // Several examples repeat one event (9.6.1 by URN, by Digital Link, with headers...),
        // and an event is imported once: each example goes into a database of its own.
        let f = Fixture::new(&reference);
        let batch = f.imported(path);
        for (event, _) in f.events(batch) {
            *per_type.entry(event.event_type).or_default() += 1;
        }
    }
    assert_eq!(
        per_type,
        BTreeMap::from([
            ("AggregationEvent".to_string(), 3),
            ("AssociationEvent".to_string(), 9),
            ("ObjectEvent".to_string(), 25),
            ("TransactionEvent".to_string(), 2),
            ("TransformationEvent".to_string(), 4),
        ])
    );
}

#[test]
fn object_events_keep_their_what_when_where_why_in_canonical_form() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let batch = f.example("Example_9.6.1-ObjectEvent.jsonld");
    let events = f.events(batch);
    assert_eq!(events.len(), 2);
    let (shipping, extra) = &events[0];
    assert_eq!(
        (
            shipping.event_type.as_str(),
            shipping.action.as_deref(),
            shipping.biz_step.as_deref(),
            shipping.disposition.as_deref()
        ),
        (
            "ObjectEvent",
            Some("OBSERVE"),
            Some("shipping"),
            Some("in_transit")
        )
    );
    assert_eq!(
        (
            utc(shipping.event_time).as_str(),
            shipping.event_tz_offset.as_str()
        ),
        ("2005-04-04T02:33:31.116Z", "-06:00")
    );
    assert_eq!(
        extra.read_point.as_deref(),
        Some("https://id.gs1.org/414/0614141073467/254/1234")
    );
    assert_eq!(
        f.site_code(extra.read_point_site_id).as_deref(),
        Some("0614141073467/254/1234")
    );
    assert_eq!(shipping.biz_location_id, None);
    assert_eq!(
        f.epcs(shipping.id),
        vec![
            (
                "epc".into(),
                "instance".into(),
                1,
                "https://id.gs1.org/01/10614141073464/21/2017".into(),
                None,
                None
            ),
            (
                "epc".into(),
                "instance".into(),
                2,
                "https://id.gs1.org/01/10614141073464/21/2018".into(),
                None,
                None
            ),
        ]
    );
    let (receiving, extra) = &events[1];
    assert_eq!(
        (
            receiving.biz_step.as_deref(),
            receiving.disposition.as_deref()
        ),
        (Some("receiving"), Some("in_progress"))
    );
    assert_eq!(
        f.site_code(receiving.biz_location_id).as_deref(),
        Some("0012345111112")
    );
    assert_eq!(
        extra.extensions,
        Some(json!({"example:myField": "Example of a vendor/user extension"}))
    );
    let transactions: Vec<(Option<String>, String)> =
        EpcisBizTransaction::of_events(&mut f.db.conn(), &[receiving.id])
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.biz_transaction))
            .collect();
    assert_eq!(
        transactions,
        vec![
            (
                Some("po".into()),
                "http://transaction.acme.com/po/12345678".into()
            ),
            (
                Some("desadv".into()),
                "urn:epcglobal:cbv:bt:0614141073467:1152".into()
            ),
        ]
    );
    // The serialised items are lots of product 10614141073464; both events name item 2018.
    assert_eq!(
        f.lot_links(receiving.id),
        vec![(
            "https://id.gs1.org/01/10614141073464/21/2018".into(),
            "object".into(),
            None
        )]
    );
    assert_eq!(f.counts(), [1, 2, 2, 3, 3, 2, 3]);
    let product: String = products::table
        .select(products::code)
        .first(&mut f.db.conn())
        .unwrap();
    assert_eq!(product, "10614141073464");
}

#[test]
fn one_event_written_with_other_spellings_has_the_same_hash_id_and_the_same_rows() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let urn = Fixture::new(&reference);
    let (urn_event, urn_extra) = urn
        .events(urn.example("Example_9.6.1-ObjectEvent.jsonld"))
        .remove(0);
    // The same event with Digital Links on another domain, CBV URNs and another offset
    // spelling of the same instant.
    let mut event =
        urn.example_json("Example_9.6.1-ObjectEvent.jsonld")["epcisBody"]["eventList"][0].clone();
    event["epcList"] = json!([
        "https://example.com/01/10614141073464/21/2018?linkType=all",
        "https://id.gs1.org/gtin/10614141073464/ser/2017"
    ]);
    event["bizStep"] = json!("urn:epcglobal:cbv:bizstep:shipping");
    event["disposition"] = json!("https://ref.gs1.org/cbv/Disp-in_transit");
    event["readPoint"] = json!({"id": "https://id.gs1.org/414/0614141073467/254/1234"});
    event["eventTime"] = json!("2005-04-04T02:33:31.116Z");
    let other = Fixture::new(&reference);
    let (other_event, other_extra) = other
        .events(other.imported(&other.file("dl.jsonld", &json!([event]))))
        .remove(0);
    assert_eq!(urn_extra.event_hash, other_extra.event_hash);
    let epcs = |f: &Fixture, id: i64| {
        let mut list: Vec<String> = f.epcs(id).into_iter().map(|e| e.3).collect();
        list.sort();
        list
    };
    assert_eq!(epcs(&urn, urn_event.id), epcs(&other, other_event.id));
    assert_eq!(epcs(&other, other_event.id).len(), 2);
    assert_eq!(
        (
            other_event.biz_step,
            other_event.disposition,
            other_extra.read_point
        ),
        (
            urn_event.biz_step,
            urn_event.disposition,
            urn_extra.read_point
        )
    );
    assert_eq!(other_event.event_time, urn_event.event_time);
    assert!(
        urn_extra.event_hash.starts_with("ni:///sha-256;")
            && urn_extra.event_hash.ends_with("?ver=CBV2.0")
    );
}

#[test]
fn aggregation_transformation_and_association_events_list_their_identifiers_by_role() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let (aggregation, _) = f
        .events(f.example("Example_9.6.3-AggregationEvent.jsonld"))
        .remove(0);
    assert_eq!(
        f.epcs(aggregation.id),
        vec![
            (
                "child".into(),
                "class".into(),
                1,
                "https://id.gs1.org/01/04012345987652".into(),
                Some("10".into()),
                None
            ),
            (
                "child".into(),
                "class".into(),
                2,
                "https://id.gs1.org/01/04012345123456/10/998877".into(),
                Some("200.5".into()),
                Some("KGM".into())
            ),
            (
                "child".into(),
                "instance".into(),
                1,
                "https://id.gs1.org/01/10614141073464/21/2017".into(),
                None,
                None
            ),
            (
                "child".into(),
                "instance".into(),
                2,
                "https://id.gs1.org/01/10614141073464/21/2018".into(),
                None,
                None
            ),
            (
                "parent".into(),
                "instance".into(),
                1,
                "https://id.gs1.org/00/106141412345678908".into(),
                None,
                None
            ),
        ]
    );
    assert_eq!(
        f.lot_links(aggregation.id),
        vec![
            (
                "https://id.gs1.org/01/04012345123456/10/998877".into(),
                "child".into(),
                Some("200.5".into())
            ),
            (
                "https://id.gs1.org/01/10614141073464/21/2017".into(),
                "child".into(),
                None
            ),
            (
                "https://id.gs1.org/01/10614141073464/21/2018".into(),
                "child".into(),
                None
            ),
        ],
        "the SSCC and the GTIN-level pattern are kept as identifiers, not lots"
    );
    assert_eq!(
        f.site_code(aggregation.biz_location_id).as_deref(),
        Some("0614141008889")
    );

    let (transformation, extra) = f
        .events(f.example("Example_9.6.4-TransformationEvent.jsonld"))
        .remove(0);
    assert_eq!(
        (transformation.action, transformation.biz_step.as_deref()),
        (None, Some("commissioning"))
    );
    assert_eq!(
        extra.ilmd,
        Some(json!({"example:bestBeforeDate": "2014-12-10", "example:batch": "XYZ"}))
    );
    let links = f.lot_links(transformation.id);
    let roles: Vec<&str> = links.iter().map(|(_, role, _)| role.as_str()).collect();
    assert_eq!(
        roles.iter().filter(|r| **r == "input").count(),
        4,
        "{links:?}"
    );
    assert_eq!(
        roles.iter().filter(|r| **r == "output").count(),
        4,
        "{links:?}"
    );
    assert!(links.contains(&(
        "https://id.gs1.org/01/04012345111118/10/4444".into(),
        "input".into(),
        Some("10".into())
    )));

    let (association, _) = f
        .events(f.example("AssociationEvent/AssociationEvent-a.jsonld"))
        .remove(0);
    assert_eq!(
        f.epcs(association.id),
        vec![
            (
                "child".into(),
                "instance".into(),
                1,
                "https://id.gs1.org/8004/400000112345".into(),
                None,
                None
            ),
            (
                "parent".into(),
                "instance".into(),
                1,
                "https://id.gs1.org/8003/04012345555554987".into(),
                None,
                None
            ),
        ]
    );
    assert_eq!(
        (
            association.action.as_deref(),
            association.biz_step.as_deref()
        ),
        (Some("ADD"), Some("assembling"))
    );
}

#[test]
fn sensor_reports_are_stored_one_row_each() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let (event, _) = f
        .events(f.example("WithSensorData/SensorDataExample1.jsonld"))
        .remove(0);
    let reports = EpcisSensorReport::of_events(&mut f.db.conn(), &[event.id]).unwrap();
    assert_eq!(reports.len(), 12, "3 sensor elements of 4 reports");
    let temperatures: Vec<(i32, String, String)> = reports
        .iter()
        .filter(|r| r.report_type.as_deref() == Some("Temperature"))
        .map(|r| {
            (
                r.element,
                utc(r.report_time.unwrap()),
                r.value.as_ref().unwrap().normalized().to_string(),
            )
        })
        .collect();
    assert_eq!(
        temperatures,
        vec![
            (1, "2019-04-02T13:05:00.000Z".into(), "26".into()),
            (2, "2019-04-02T13:35:00.000Z".into(), "26.1".into()),
            (3, "2019-04-02T13:55:00.000Z".into(), "26.2".into()),
        ]
    );
    assert!(reports
        .iter()
        .all(|r| r.device_id.as_deref() == Some("https://id.gs1.org/8004/4000001111")));
    assert_eq!(reports[0].uom.as_deref(), Some("CEL"));
    assert_eq!(
        (reports[1].report_type.as_deref(), reports[1].uom.as_deref()),
        (Some("AbsoluteHumidity"), Some("A93"))
    );

    let (event, _) = f
        .events(f.example("WithSensorData/SensorDataExample9.jsonld"))
        .remove(0);
    let reports = EpcisSensorReport::of_events(&mut f.db.conn(), &[event.id]).unwrap();
    let alarms: Vec<Alarm> = reports
        .into_iter()
        .map(|r| (r.report_type, r.exception, r.boolean_value, r.uri_value))
        .collect();
    assert_eq!(
        alarms,
        vec![
            (
                Some("Temperature".into()),
                Some("ERROR_CONDITION".into()),
                None,
                Some("https://example.com/ErrorCode-A827".into())
            ),
            (
                Some("AbsoluteHumidity".into()),
                Some("ALARM_CONDITION".into()),
                Some(true),
                None
            ),
        ]
    );

    let (event, _) = f
        .events(f.example("WithSensorData/SensorDataExample8.jsonld"))
        .remove(0);
    let reports = EpcisSensorReport::of_events(&mut f.db.conn(), &[event.id]).unwrap();
    let summary = reports.iter().find(|r| r.min_value.is_some()).unwrap();
    assert_eq!(
        [
            &summary.min_value,
            &summary.max_value,
            &summary.mean_value,
            &summary.sdev
        ]
        .map(|v| v.as_ref().unwrap().normalized().to_string()),
        ["12.4", "13.8", "13.2", "0.41"]
    );
    assert_eq!(utc(summary.start_time.unwrap()), "2019-04-01T14:00:00.000Z");
    assert_eq!(utc(summary.end_time.unwrap()), "2019-04-02T13:59:59.999Z");
}

#[test]
fn an_error_declaration_is_stored_and_marks_the_event_it_declares() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let events =
        f.events(f.example("WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld"));
    let (_, declared) = &events[0];
    assert_eq!(
        utc(declared.error_declared_at.unwrap()),
        "2020-01-14T23:00:00.000Z"
    );
    assert_eq!(declared.error_reason.as_deref(), Some("incorrect_data"));
    assert_eq!(
        declared.corrective_event_ids,
        vec!["urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"]
    );
    let (_, corrective) = &events[1];
    assert_eq!(
        corrective.event_uri.as_deref(),
        Some("urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8")
    );
    let c = &mut f.db.conn();
    assert_eq!(
        declared.error_mark(c).unwrap().unwrap().reason.as_deref(),
        Some("incorrect_data")
    );
    assert_eq!(corrective.error_mark(c).unwrap(), None);

    // The original event, imported first; the declaration repeats it with errorDeclaration
    // added (the same hash id) and comes later in another file: the original is marked.
    let g = Fixture::new(&reference);
    let original =
        g.example_json("Example_9.6.1-ObjectEvent.jsonld")["epcisBody"]["eventList"][0].clone();
    let declaration = g.example_json(
        "WithErrorDeclaration/Example_9.6.1-ObjectEvent-with-error-declaration.jsonld",
    )["epcisBody"]["eventList"][0]
        .clone();
    let first = g.imported(&g.file("original.jsonld", &json!([original])));
    let second = g.imported(&g.file("declaration.jsonld", &json!([declaration])));
    let (_, original) = g.events(first).remove(0);
    let (declaring, declaration) = g.events(second).remove(0);
    assert_eq!(original.event_hash, declaration.event_hash);
    // The hash id leaves errorDeclaration out, so the examples' own eventIDs, which differ
    // here, are not the CBV 2.0 hash ids of these events: they are kept as written.
    assert_ne!(original.event_uri, declaration.event_uri);
    let mark = original.error_mark(&mut g.db.conn()).unwrap().unwrap();
    assert_eq!(
        (mark.declared_by, utc(mark.declared_at).as_str()),
        (declaring.id, "2021-02-01T22:46:31.117Z")
    );
    assert_eq!(
        mark.corrective_event_ids,
        vec![
            "ni:///sha-256;c6407ffcac52ec159528f2b556ba4ac3844c5aa48485c1fd61643e94f0a2d678?ver=CBV2.0",
            "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
        ]
    );
}

#[test]
fn query_documents_transactions_and_persistent_dispositions_import() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    assert_eq!(f.events(f.example("EPCISQueryDocument.jsonld")).len(), 2);

    let events = f.events(f.example("Example-TransactionEvents-2020_07_03y.jsonld"));
    let (discharge, extra) = &events[0];
    assert_eq!(
        discharge.biz_step.as_deref(),
        Some("http://epcis.example.org/hc/bizstep/summarising_discharge"),
        "a company's own business step is kept as written"
    );
    assert_eq!(extra.extensions, None);
    let (rail, extra) = &events[1];
    assert_eq!(
        (rail.biz_step.as_deref(), rail.disposition.as_deref()),
        (Some("transporting"), Some("in_transit"))
    );
    assert_eq!(
        extra.extensions.as_ref().unwrap()["rail:trainAxleCount"],
        json!("12")
    );
    let ends: Vec<(String, Option<String>, String, Option<String>)> =
        EpcisSourceDestination::of_events(&mut f.db.conn(), &[rail.id])
            .unwrap()
            .into_iter()
            .map(|s| (s.direction, s.kind, s.value, f.site_code(s.site_id)))
            .collect();
    assert_eq!(
        ends,
        vec![
            (
                "destination".into(),
                Some("location".into()),
                "https://id.gs1.org/414/9520053850113".into(),
                Some("9520053850113".into())
            ),
            (
                "source".into(),
                Some("location".into()),
                "https://id.gs1.org/414/9520053854814".into(),
                Some("9520053854814".into())
            ),
        ]
    );
    assert_eq!(
        f.site_code(rail.source_site_id).as_deref(),
        Some("9520053854814")
    );
    assert_eq!(
        f.site_code(rail.biz_location_id).as_deref(),
        Some("9520053850113/254/scA")
    );

    let events = f.events(f.example("PersistentDisposition-example.jsonld"));
    let sets: Vec<(Vec<String>, Vec<String>)> = events
        .into_iter()
        .map(|(_, e)| (e.persistent_disposition_set, e.persistent_disposition_unset))
        .collect();
    let json_sets = f.example_json("PersistentDisposition-example.jsonld")["epcisBody"]
        ["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let list = |k: &str| {
                e["persistentDisposition"][k]
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default()
            };
            (list("set"), list("unset"))
        })
        .collect::<Vec<(Vec<String>, Vec<String>)>>();
    assert_eq!(sets, json_sets);
    assert!(sets.iter().any(|(set, _)| !set.is_empty()));
}

#[test]
fn an_event_already_imported_is_refused_naming_its_batch_and_the_same_file_is_a_no_op() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let path = f.reference.join("Example_9.6.1-ObjectEvent.jsonld");
    let batch = f.imported(&path);
    match f.import(&path, "city").unwrap() {
        ImportOutcome::AlreadyImported { batch: again } => assert_eq!(again.id, batch),
        other => panic!("{other:?}"),
    }
    let before = f.counts();
    // The same events under pseudo-SBDH headers, from another file.
    let errors = match f.import(
        &f.reference
            .join("Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld"),
        "city",
    ) {
        Err(ImportError::Invalid(e)) => e.errors,
        other => panic!("{other:?}"),
    };
    let located: Vec<(u64, Option<String>, String)> = errors
        .into_iter()
        .map(|e| (e.line, e.column, e.reason))
        .collect();
    assert_eq!(
        located,
        vec![
            (
                1,
                Some("epcisBody.eventList[0]".into()),
                format!("this event (same hash id) was already imported in batch {batch} (line 1)")
            ),
            (
                2,
                Some("epcisBody.eventList[1]".into()),
                format!("this event (same hash id) was already imported in batch {batch} (line 2)")
            ),
        ]
    );
    assert_eq!(f.counts(), before);
}

#[test]
fn malformed_json_is_located_by_line_and_column() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let errors = f.invalid(b"{\"type\": \"EPCISDocument\",\n \"epcisBody\": {\"eventList\": [\n  {\"type\": \"ObjectEvent\" \"action\": \"ADD\"}]}}");
    assert_eq!(
        errors,
        vec![(
            3,
            Some("26".into()),
            None,
            "not valid JSON: expected `,` or `}`".into()
        )]
    );
    assert_eq!(f.counts(), [0; 7]);
}

#[test]
fn problems_in_events_are_reported_by_position_and_path_and_nothing_is_written() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    let mut document = f.example_json("Example_9.6.1-ObjectEvent.jsonld");
    let list = document["epcisBody"]["eventList"].as_array_mut().unwrap();
    list[0]["bizStep"] = json!("recycling");
    list[0]["epcList"][1] = json!("urn:epc:id:sgtin:0614141.10734.2018");
    list[1]
        .as_object_mut()
        .unwrap()
        .remove("eventTimeZoneOffset");
    list.push(json!({"type": "TransactionEvent", "action": "ADD", "eventTime": "2020-01-01T10:00:00", "eventTimeZoneOffset": "+01:00",
                     "quantityList": [{"epcClass": "https://id.gs1.org/01/04012345111117/10/L1", "quantity": "ten"}]}));
    let errors = f.invalid(&serde_json::to_vec(&document).unwrap());
    assert_eq!(
        errors,
        vec![
            (1, Some("epcisBody.eventList[0].bizStep".into()), Some("recycling".into()),
             "not a CBV 2.0 business step; use one of its terms (e.g. accepting, arriving, assembling) or a full URI of your own".into()),
            (1, Some("epcisBody.eventList[0].epcList[1]".into()), Some("urn:epc:id:sgtin:0614141.10734.2018".into()),
             "not a valid GS1 EPC URI: check the company prefix and reference lengths (13 digits together for an SGTIN)".into()),
            (2, Some("epcisBody.eventList[1].eventTimeZoneOffset".into()), None,
             "an event needs its `eventTimeZoneOffset`, e.g. +01:00".into()),
            (3, Some("epcisBody.eventList[2].bizTransactionList".into()), None, "a TransactionEvent needs a bizTransactionList".into()),
            (3, Some("epcisBody.eventList[2].eventTime".into()), Some("2020-01-01T10:00:00".into()),
             "no UTC offset: add Z or ±hh:mm, e.g. 2026-03-04T10:00:00+01:00".into()),
            (3, Some("epcisBody.eventList[2].quantityList[0].epcClass".into()), Some("https://id.gs1.org/01/04012345111117/10/L1".into()),
             "GTIN 04012345111117 has check digit 7, expected 8".into()),
            (3, Some("epcisBody.eventList[2].quantityList[0].quantity".into()), Some("ten".into()), "expected a number, found a string".into()),
        ]
    );
    assert_eq!(f.counts(), [0; 7]);
    let not_epcis = f.invalid(br#"{"releases": []}"#);
    assert_eq!(not_epcis[0].3, "not an EPCIS document: expected epcisBody.eventList (an EPCISDocument), epcisBody.queryResults (an EPCISQueryDocument) or a list of events");
}

#[test]
fn row_proofs_from_stored_events_lead_to_the_batch_root() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new(&reference);
    // One document gathering events of several examples: every kind of list and sensor data.
    let mut events = Vec::new();
    for name in [
        "Example_9.6.1-ObjectEvent.jsonld",
        "Example_9.6.3-AggregationEvent.jsonld",
        "Example_9.6.4-TransformationEvent.jsonld",
        "WithSensorData/SensorDataExample8.jsonld",
        "Example-TransactionEvents-2020_07_03y.jsonld",
        "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld",
        "PersistentDisposition-example.jsonld",
    ] {
        let document = f.example_json(name);
        events.extend(
            document["epcisBody"]["eventList"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
    }
    let context = json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                         {"example": "http://ns.example.com/epcis/", "rail": "urn:gs1:epcisapp:rail:"}]);
    let path = f.file(
        "many.jsonld",
        &json!({"@context": context, "type": "EPCISDocument", "epcisBody": {"eventList": events}}),
    );
    let ImportOutcome::Imported { batch, .. } = f.import(&path, "city").unwrap() else {
        panic!()
    };
    assert_eq!(batch.rows, 11);
    let c = &mut f.db.conn();
    for line in 1..=11u64 {
        let proof = row_proof(c, batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent(), "line {line}: {}", proof.canonical);
        assert_eq!(
            citytrace_schema::hex0x(&proof.root),
            batch.merkle_root,
            "line {line}"
        );
    }
    let proof = row_proof(c, batch.id, 1).unwrap().unwrap();
    assert!(
        proof.canonical.starts_with(r#"{"action":"OBSERVE","biz_location":null,"biz_step":"shipping","biz_transactions":[{"id":"http://transaction.acme.com/po/12345678","position":1,"type":"po"}],"destinations":[],"disposition":"in_transit","encoding":"citytrace/epcis/1","epcs":[{"epc":"https://id.gs1.org/01/10614141073464/21/2017""#),
        "{}",
        proof.canonical
    );
    let mut tampered = proof.clone();
    tampered.canonical = tampered.canonical.replace("in_transit", "in_progress");
    assert!(!tampered.is_consistent());
    let reports: i64 = epcis_sensor_reports::table.count().get_result(c).unwrap();
    assert_eq!(
        reports, 7,
        "SensorDataExample8: elements of 3, 2 and 2 reports"
    );
    // The lots registered by the events: the 20 SGTINs and 5 LGTINs they name, each once.
    assert_eq!(Lot::count(c).unwrap(), 25);
}

/// The `citytrace/epcis/1` example of docs/verification.md is what the importer produces.
#[test]
fn the_encoding_example_in_the_documentation_is_the_importers() {
    // Needs no reference file.
    let f = Fixture::new(Path::new("."));
    let event = json!({"type": "ObjectEvent", "eventTime": "2026-04-12T07:30:00+02:00", "eventTimeZoneOffset": "+02:00",
        "action": "OBSERVE", "bizStep": "urn:epcglobal:cbv:bizstep:shipping", "disposition": "in_transit", "epcList": [],
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.LOT-A", "quantity": 25.5, "uom": "TNE"}],
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00011.0"},
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000115:PO-77"}]});
    let path = f.file(
        "one-event.jsonld",
        &json!({"type": "EPCISDocument", "epcisBody": {"eventList": [event]}}),
    );
    let batch = f.imported(&path);
    let proof = row_proof(&mut f.db.conn(), batch, 1).unwrap().unwrap();
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verification.md"),
    )
    .unwrap();
    let documented = docs
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(r#"{"action":"OBSERVE","biz_location""#))
        .unwrap();
    assert_eq!(proof.canonical, documented);
    assert!(proof.is_consistent());
    let (_, extra) = f.events(batch).remove(0);
    assert_eq!(f.site_code(extra.read_point_site_id), None);
    assert_eq!(
        f.lot_links(extra.event_id),
        vec![(
            "https://id.gs1.org/01/04012345111118/10/LOT-A".into(),
            "object".into(),
            Some("25.5".into())
        )]
    );
}
