//! The pharma distributor's EPCIS 2.0 JSON-LD document (`epcis` format): for its first
//! shipments, the lots packed onto the shipment's SSCC at the depot, unpacked at the clinic,
//! inspected there with the logger's summary as a sensor report, and then accepted — or, after
//! a breach, destroyed. The lots and sites are the shipments file's (Digital Link LGTINs and
//! GLNs), so these events join the lots' timelines.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use citytrace_importers::Format;

use super::cold_chain::{self, ColdShipment, Flow, Scenario};
use super::materials::purchase_order;
use super::out::{FileEntry, Out};
use super::plan::Plan;
use super::time::{iso, offset_text};
use super::world::{World, CITY_PREFIX, PPL};
use super::{fixed, gln};

pub const EVENTS_PER_SHIPMENT: usize = 4;

fn shipments(plan: &Plan) -> usize {
    plan.epcis_shipments.min(plan.pharma_shipments)
}

pub fn planned_events(plan: &Plan) -> u64 {
    (shipments(plan) * EVENTS_PER_SHIPMENT) as u64
}

pub fn write(dir: &Path, plan: &Plan, world: &World, seed: u64) -> std::io::Result<FileEntry> {
    let mut out = Out::create(dir, "polar-pharma-epcis.jsonld", Format::Epcis, PPL.code)?;
    out.write_all(
        br#"{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-02T08:00:00+01:00","epcisBody":{"eventList":["#,
    )?;
    let mut first = true;
    for s in 0..shipments(plan) {
        let shipment = cold_chain::shipment(plan, world, seed, Flow::Pharma, s);
        let (mut min, mut max, mut sum, mut n) = (i64::MAX, i64::MIN, 0i64, 0i64);
        let (mut start, mut end) = (shipment.shipped, shipment.shipped);
        cold_chain::readings(plan, seed, Flow::Pharma, s, &shipment, |at, centi, _| {
            if n == 0 {
                start = at;
            }
            end = at;
            (min, max, sum, n) = (min.min(centi), max.max(centi), sum + centi, n + 1);
        });
        let summary = Summary {
            start,
            end,
            min,
            max,
            mean: sum / n.max(1),
        };
        for event in events(&shipment, &summary) {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut out, &event)?;
            out.count_row();
            first = false;
        }
    }
    out.write_all(b"\n]}}\n")?;
    out.finish()
}

/// The logger's readings in brief (hundredths of a degree).
struct Summary {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    min: i64,
    max: i64,
    mean: i64,
}

fn location(gln: &str) -> Value {
    json!({"id": format!("https://id.gs1.org/414/{gln}")})
}

fn when(t: DateTime<Utc>) -> (String, String) {
    (iso(t), offset_text(t))
}

fn events(s: &ColdShipment, summary: &Summary) -> Vec<Value> {
    let parent = format!("https://id.gs1.org/00/{}", s.sscc);
    let lots: Vec<Value> = s
        .lines
        .iter()
        .map(|l| json!({"epcClass": l.lot, "quantity": l.tenths / 10}))
        .collect();
    let city = gln(CITY_PREFIX, 1);
    let po = json!({
        "type": "po",
        "bizTransaction": format!("urn:epcglobal:cbv:bt:{city}:{}", purchase_order(&s.ocid, s.shipped)),
    });
    let desadv = json!({
        "type": "desadv",
        "bizTransaction": format!("urn:epcglobal:cbv:bt:{}:{}", PPL.site(), s.sscc),
    });
    let (packed, packed_offset) = when(s.shipped - Duration::minutes(20));
    let (unpacked, unpacked_offset) = when(s.received + Duration::minutes(10));
    let (inspected, inspected_offset) = when(s.received + Duration::minutes(25));
    let (closed, closed_offset) = when(s.received + Duration::minutes(40));
    let breach = s.scenario == Scenario::Breach;
    let temperature =
        |centi: i64| -> Value { serde_json::from_str(&fixed(centi, 2)).unwrap_or(Value::Null) };
    let mut events = vec![
        json!({
            "type": "AggregationEvent", "eventTime": packed, "eventTimeZoneOffset": packed_offset,
            "parentID": parent, "childQuantityList": lots, "action": "ADD",
            "bizStep": "packing", "disposition": "in_progress",
            "readPoint": location(&s.from), "bizLocation": location(&s.from),
            "bizTransactionList": [po, desadv],
        }),
        json!({
            "type": "AggregationEvent", "eventTime": unpacked, "eventTimeZoneOffset": unpacked_offset,
            "parentID": parent, "childQuantityList": lots, "action": "DELETE",
            "bizStep": "unpacking", "disposition": "in_progress",
            "readPoint": location(&s.to), "bizLocation": location(&s.to),
        }),
        json!({
            "type": "ObjectEvent", "eventTime": inspected, "eventTimeZoneOffset": inspected_offset,
            "quantityList": lots, "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": if breach { "non_conformant" } else { "conformant" },
            "readPoint": location(&s.to), "bizLocation": location(&s.to),
            "sensorElementList": [{
                "sensorMetadata": {"startTime": iso(summary.start), "endTime": iso(summary.end)},
                "sensorReport": [{
                    "type": "Temperature", "uom": "CEL",
                    "minValue": temperature(summary.min), "maxValue": temperature(summary.max),
                    "meanValue": temperature(summary.mean),
                }],
            }],
        }),
    ];
    events.push(if breach {
        json!({
            "type": "ObjectEvent", "eventTime": closed, "eventTimeZoneOffset": closed_offset,
            "quantityList": lots, "action": "DELETE",
            "bizStep": "destroying", "disposition": "destroyed",
            "readPoint": location(&s.to), "bizLocation": location(&s.to),
        })
    } else {
        json!({
            "type": "TransactionEvent", "eventTime": closed, "eventTimeZoneOffset": closed_offset,
            "parentID": parent, "quantityList": lots, "action": "ADD",
            "bizStep": "accepting", "disposition": "in_progress",
            "readPoint": location(&s.to), "bizLocation": location(&s.to),
            "bizTransactionList": [po, desadv],
        })
    });
    events
}
