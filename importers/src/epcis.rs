//! The EPCIS format (docs/formats/epcis.md): EPCIS 2.0 JSON-LD documents — an EPCISDocument
//! (`epcisBody.eventList`), an EPCISQueryDocument (`epcisBody.queryResults.resultsBody.
//! eventList`) or a bare JSON array of events — with all five event types.
//!
//! The document is read as a stream (`stream`, through `crate::json_format`), one event at a
//! time. Each event is one row: its line is its 1-based position in the event list. An event becomes
//! a `supply_events` row (what, when, where, why, in canonical form) plus `epcis_events` (its
//! eventID, CBV 2.0 hash id, read point, ILMD, extensions, error declaration) and the lists
//! `supply_events` has no room for: identifiers by role (`epcis_epcs`), business transactions,
//! sources and destinations, sensor reports. Trade items named by SGTIN or LGTIN are registered
//! as lots of their GTIN's product and linked in `supply_event_lots`; GLN-based locations are
//! registered as sites.

mod cbv;
mod epc;
mod event;
#[cfg(test)]
mod fuzz;
mod hash;
mod store;
mod stream;

use std::collections::HashMap;
use std::io::Read;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::QueryResult;
use serde_json::{Map, Value};

use citytrace_schema::models::{
    EpcisBizTransaction, EpcisEpc, EpcisEvent, EpcisSensorReport, EpcisSourceDestination,
    ImportBatch, SupplyEvent,
};

use crate::error::{RowError, RowErrors};
use crate::json_format::{self, ChunkWriter, JsonFormat, JsonInput};
use crate::merkle::RootBuilder;
use crate::ocds::json::canonical_json;
use crate::values::{canonical_decimal, canonical_time};

pub(crate) use stream::EventItem;

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/epcis/1";

/// An identifier an event names: an EPC (`instance`) or a quantity element (`class`).
#[derive(Debug, Clone, PartialEq)]
pub struct EpcEntry {
    /// `epc` (epcList, quantityList), `parent`, `child`, `input` or `output`.
    pub role: String,
    pub kind: String,
    /// 1-based position within its list.
    pub position: i32,
    /// The canonical GS1 Digital Link URI for GS1 keys, else the identifier as written.
    pub epc: String,
    pub quantity: Option<BigDecimal>,
    pub uom: Option<String>,
}

/// A business transaction, source or destination: its type (a bare CBV word or a URI) and id.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedId {
    pub position: i32,
    pub kind: Option<String>,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDeclaration {
    pub declared_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub corrective_event_ids: Vec<String>,
}

/// A validated, normalised event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// 1-based position of the event in the file's event list.
    pub line: u64,
    /// Where in the file it is, e.g. `epcisBody.eventList[3]` (for error reports; not stored).
    pub path: String,
    pub event_type: String,
    /// The eventID as captured, if any.
    pub event_id: Option<String>,
    /// The CBV 2.0 event hash id, `ni:///sha-256;…?ver=CBV2.0`.
    pub event_hash: String,
    pub action: Option<String>,
    /// Bare CBV word, or the URI as written for a company's own business step.
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub event_time: DateTime<Utc>,
    pub event_tz_offset: String,
    pub record_time: Option<DateTime<Utc>>,
    pub read_point: Option<String>,
    pub biz_location: Option<String>,
    pub transformation_id: Option<String>,
    pub persistent_disposition_set: Vec<String>,
    pub persistent_disposition_unset: Vec<String>,
    /// Sorted by role, kind and position.
    pub epcs: Vec<EpcEntry>,
    pub biz_transactions: Vec<TypedId>,
    pub sources: Vec<TypedId>,
    pub destinations: Vec<TypedId>,
    /// One per sensor report (event_id 0 until stored), by element and position.
    pub sensor_reports: Vec<EpcisSensorReport>,
    pub ilmd: Option<Value>,
    /// Event-level user extensions (and certificationInfo), as written.
    pub extensions: Option<Value>,
    pub error_declaration: Option<ErrorDeclaration>,
}

impl EventRecord {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        let time = |t: &Option<DateTime<Utc>>| {
            t.as_ref()
                .map_or(Value::Null, |t| Value::String(canonical_time(t)))
        };
        let number = |d: &Option<BigDecimal>| {
            d.as_ref()
                .map_or(Value::Null, |d| Value::String(canonical_decimal(d)))
        };
        let typed = |list: &[TypedId]| {
            Value::Array(
                list.iter()
                    .map(|t| {
                        let mut m = Map::new();
                        m.insert("position".into(), t.position.into());
                        m.insert("type".into(), text(&t.kind));
                        m.insert("id".into(), t.id.clone().into());
                        Value::Object(m)
                    })
                    .collect(),
            )
        };
        let mut m = Map::new();
        m.insert("encoding".into(), ENCODING.into());
        m.insert("line".into(), self.line.into());
        m.insert("event_type".into(), self.event_type.clone().into());
        m.insert("event_id".into(), text(&self.event_id));
        m.insert("event_hash".into(), self.event_hash.clone().into());
        m.insert("action".into(), text(&self.action));
        m.insert("biz_step".into(), text(&self.biz_step));
        m.insert("disposition".into(), text(&self.disposition));
        m.insert("event_time".into(), canonical_time(&self.event_time).into());
        m.insert(
            "event_tz_offset".into(),
            self.event_tz_offset.clone().into(),
        );
        m.insert("record_time".into(), time(&self.record_time));
        m.insert("read_point".into(), text(&self.read_point));
        m.insert("biz_location".into(), text(&self.biz_location));
        m.insert("transformation_id".into(), text(&self.transformation_id));
        let mut pd = Map::new();
        pd.insert("set".into(), self.persistent_disposition_set.clone().into());
        pd.insert(
            "unset".into(),
            self.persistent_disposition_unset.clone().into(),
        );
        m.insert("persistent_disposition".into(), Value::Object(pd));
        let epcs = self
            .epcs
            .iter()
            .map(|e| {
                let mut o = Map::new();
                o.insert("role".into(), e.role.clone().into());
                o.insert("kind".into(), e.kind.clone().into());
                o.insert("position".into(), e.position.into());
                o.insert("epc".into(), e.epc.clone().into());
                o.insert("quantity".into(), number(&e.quantity));
                o.insert("uom".into(), text(&e.uom));
                Value::Object(o)
            })
            .collect();
        m.insert("epcs".into(), Value::Array(epcs));
        m.insert("biz_transactions".into(), typed(&self.biz_transactions));
        m.insert("sources".into(), typed(&self.sources));
        m.insert("destinations".into(), typed(&self.destinations));
        let reports = self
            .sensor_reports
            .iter()
            .map(|r| {
                let mut o = Map::new();
                o.insert("element".into(), r.element.into());
                o.insert("position".into(), r.position.into());
                for (key, value) in [
                    ("type", &r.report_type),
                    ("device_id", &r.device_id),
                    ("device_metadata", &r.device_metadata),
                    ("raw_data", &r.raw_data),
                    ("data_processing_method", &r.data_processing_method),
                    ("biz_rules", &r.biz_rules),
                    ("uom", &r.uom),
                    ("string_value", &r.string_value),
                    ("hex_binary_value", &r.hex_binary_value),
                    ("uri_value", &r.uri_value),
                    ("exception", &r.exception),
                    ("component", &r.component),
                    ("chemical_substance", &r.chemical_substance),
                    ("microorganism", &r.microorganism),
                    (
                        "coordinate_reference_system",
                        &r.coordinate_reference_system,
                    ),
                ] {
                    o.insert(key.into(), text(value));
                }
                for (key, value) in [
                    ("time", &r.report_time),
                    ("start_time", &r.start_time),
                    ("end_time", &r.end_time),
                ] {
                    o.insert(key.into(), time(value));
                }
                for (key, value) in [
                    ("value", &r.value),
                    ("min_value", &r.min_value),
                    ("max_value", &r.max_value),
                    ("mean_value", &r.mean_value),
                    ("sdev", &r.sdev),
                    ("perc_rank", &r.perc_rank),
                    ("perc_value", &r.perc_value),
                ] {
                    o.insert(key.into(), number(value));
                }
                o.insert(
                    "boolean_value".into(),
                    r.boolean_value.map_or(Value::Null, Value::Bool),
                );
                Value::Object(o)
            })
            .collect();
        m.insert("sensor_reports".into(), Value::Array(reports));
        m.insert("ilmd".into(), self.ilmd.clone().unwrap_or(Value::Null));
        m.insert(
            "extensions".into(),
            self.extensions.clone().unwrap_or(Value::Null),
        );
        m.insert(
            "error_declaration".into(),
            self.error_declaration.as_ref().map_or(Value::Null, |d| {
                let mut o = Map::new();
                o.insert("declared_at".into(), canonical_time(&d.declared_at).into());
                o.insert("reason".into(), text(&d.reason));
                o.insert(
                    "corrective_event_ids".into(),
                    d.corrective_event_ids.clone().into(),
                );
                Value::Object(o)
            }),
        );
        canonical_json(&Value::Object(m))
    }
}

/// The EPCIS format, read and written by `crate::json_format`.
pub(crate) struct Epcis;

impl JsonFormat for Epcis {
    type Item = EventItem;
    const KIND: &'static str = "epcis";
    const EMPTY: &'static str = "the document has no events";

    fn read<R: Read>(
        input: &mut JsonInput<R>,
        out: &mut ChunkWriter<'_, EventItem>,
    ) -> Result<(), serde_json::Error> {
        stream::read(input, out)
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &ImportBatch,
        items: Vec<EventItem>,
        errors: &mut Vec<RowError>,
        root: &mut RootBuilder,
    ) -> QueryResult<usize> {
        store::load_chunk(conn, batch, items, errors, root)
    }

    /// One supply-chain event per EPCIS event.
    fn finish(
        _conn: &mut PgConnection,
        _batch: &ImportBatch,
        written: usize,
    ) -> QueryResult<usize> {
        Ok(written)
    }
}

/// Check an EPCIS document without a database: the number of valid events, or every problem
/// found (an event met before, in the file or the database, is found on import).
pub fn check<R: Read>(input: R) -> Result<usize, RowErrors> {
    json_format::check::<Epcis, R>(input)
}

/// The events of an imported batch as stored, in line order, for recomputing their leaves.
pub fn stored_rows(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<EventRecord>> {
    let events = EpcisEvent::of_batch(conn, batch_id)?;
    records_of_events(conn, events)
}

/// Stored events (any page of a batch's, in line order) as records, with their identifiers,
/// business transactions, sources, destinations and sensor reports.
pub fn records_of_events(
    conn: &mut PgConnection,
    events: Vec<(SupplyEvent, EpcisEvent)>,
) -> QueryResult<Vec<EventRecord>> {
    let ids: Vec<i64> = events.iter().map(|(_, e)| e.event_id).collect();
    let mut epcs: HashMap<i64, Vec<EpcisEpc>> = HashMap::new();
    let mut transactions: HashMap<i64, Vec<EpcisBizTransaction>> = HashMap::new();
    let mut ends: HashMap<i64, Vec<EpcisSourceDestination>> = HashMap::new();
    let mut reports: HashMap<i64, Vec<EpcisSensorReport>> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        for e in EpcisEpc::of_events(conn, chunk)? {
            epcs.entry(e.event_id).or_default().push(e);
        }
        for t in EpcisBizTransaction::of_events(conn, chunk)? {
            transactions.entry(t.event_id).or_default().push(t);
        }
        for s in EpcisSourceDestination::of_events(conn, chunk)? {
            ends.entry(s.event_id).or_default().push(s);
        }
        for r in EpcisSensorReport::of_events(conn, chunk)? {
            reports.entry(r.event_id).or_default().push(r);
        }
    }
    Ok(events
        .into_iter()
        .map(|(supply, e)| {
            let id = e.event_id;
            let mut entries: Vec<EpcEntry> = epcs
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|x| EpcEntry {
                    role: x.role,
                    kind: x.kind,
                    position: x.position,
                    epc: x.epc,
                    quantity: x.quantity,
                    uom: x.uom,
                })
                .collect();
            sort_epcs(&mut entries);
            let mut biz: Vec<TypedId> = transactions
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|t| TypedId {
                    position: t.position,
                    kind: t.kind,
                    id: t.biz_transaction,
                })
                .collect();
            biz.sort_by_key(|t| t.position);
            let (mut sources, mut destinations) = (Vec::new(), Vec::new());
            for s in ends.remove(&id).unwrap_or_default() {
                let typed = TypedId {
                    position: s.position,
                    kind: s.kind,
                    id: s.value,
                };
                if s.direction == "source" {
                    sources.push(typed);
                } else {
                    destinations.push(typed);
                }
            }
            sources.sort_by_key(|t| t.position);
            destinations.sort_by_key(|t| t.position);
            let mut sensor_reports = reports.remove(&id).unwrap_or_default();
            sensor_reports.sort_by_key(|r| (r.element, r.position));
            for r in &mut sensor_reports {
                r.event_id = 0;
            }
            EventRecord {
                line: e.line as u64,
                path: String::new(),
                event_type: supply.event_type,
                event_id: e.event_uri,
                event_hash: e.event_hash,
                action: supply.action,
                biz_step: supply.biz_step,
                disposition: supply.disposition,
                event_time: supply.event_time,
                event_tz_offset: supply.event_tz_offset,
                record_time: e.record_time,
                read_point: e.read_point,
                biz_location: e.biz_location,
                transformation_id: e.transformation_id,
                persistent_disposition_set: e.persistent_disposition_set,
                persistent_disposition_unset: e.persistent_disposition_unset,
                epcs: entries,
                biz_transactions: biz,
                sources,
                destinations,
                sensor_reports,
                ilmd: e.ilmd,
                extensions: e.extensions,
                error_declaration: e.error_declared_at.map(|declared_at| ErrorDeclaration {
                    declared_at,
                    reason: e.error_reason,
                    corrective_event_ids: e.corrective_event_ids,
                }),
            }
        })
        .collect())
}

/// The order identifiers are kept in: by role, kind and position.
pub(crate) fn sort_epcs(entries: &mut [EpcEntry]) {
    entries.sort_by(|a, b| {
        (a.role.as_str(), a.kind.as_str(), a.position).cmp(&(
            b.role.as_str(),
            b.kind.as_str(),
            b.position,
        ))
    });
}
