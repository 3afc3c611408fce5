//! One EPCIS event, checked and normalised: required fields by event type, timestamps with a
//! UTC offset, CBV values in any spelling (stored as the bare word), GS1 identifiers as
//! canonical Digital Links (with their check digits verified), quantities and sensor values
//! as exact decimals. Every problem is located by a JSON path such as
//! `epcisBody.eventList[2].epcList[0]`.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

mod identifiers;
mod lists;

use super::cbv::{self, Vocabulary};
use super::hash::{self, Namespaces, STANDARD_KEYS};
use super::{sort_epcs, EpcEntry, EventRecord};
use crate::error::RowError;
use crate::ocds::json::{field, item, shown, type_name};
use crate::values::parse_timestamp;

pub(crate) const EVENT_TYPES: &[&str] = &[
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// Read the event at `path`; None when it has problems (they are recorded).
pub(crate) fn read(
    value: &Value,
    path: &str,
    line: u64,
    namespaces: &Namespaces,
    errors: &mut Vec<RowError>,
) -> Option<EventRecord> {
    let before = errors.len();
    let mut r = Reader { line, errors };
    let Some(event) = value.as_object() else {
        r.fail(
            path,
            None,
            format!("expected an event (an object), found {}", type_name(value)),
        );
        return None;
    };
    let at = |key: &str| field(path, key);

    let event_type = match r.text(event, path, "type") {
        Some(t) if EVENT_TYPES.contains(&t.as_str()) => Some(t),
        Some(t) => {
            r.fail(
                &at("type"),
                Some(&Value::String(t)),
                format!(
                    "not an EPCIS event type; use one of {}",
                    EVENT_TYPES.join(", ")
                ),
            );
            None
        }
        None => {
            r.missing(event, &at("type"), "an event needs its `type`");
            None
        }
    };
    let event_time = match r.text(event, path, "eventTime") {
        Some(t) => r.timestamp(&at("eventTime"), &t),
        None => {
            r.missing(event, &at("eventTime"), "an event needs its `eventTime`");
            None
        }
    };
    let offset = match r.text(event, path, "eventTimeZoneOffset") {
        Some(o) if valid_offset(&o) => Some(o),
        Some(o) => {
            r.fail(
                &at("eventTimeZoneOffset"),
                Some(&Value::String(o)),
                "not a UTC offset such as +01:00 or -06:00",
            );
            None
        }
        None => {
            r.missing(
                event,
                &at("eventTimeZoneOffset"),
                "an event needs its `eventTimeZoneOffset`, e.g. +01:00",
            );
            None
        }
    };
    let record_time = r
        .text(event, path, "recordTime")
        .and_then(|t| r.timestamp(&at("recordTime"), &t));
    let event_id = r.text(event, path, "eventID");
    let action = r.text(event, path, "action");
    match (event_type.as_deref(), &action) {
        (Some("TransformationEvent"), Some(a)) => {
            r.fail(
                &at("action"),
                Some(&Value::String(a.clone())),
                "a TransformationEvent has no action",
            );
        }
        (Some("TransformationEvent"), None) | (None, _) => {}
        (Some(_), None) => r.missing(
            event,
            &at("action"),
            "this event type needs an `action`: ADD, OBSERVE or DELETE",
        ),
        (Some(_), Some(a)) if !["ADD", "OBSERVE", "DELETE"].contains(&a.as_str()) => {
            r.fail(
                &at("action"),
                Some(&Value::String(a.clone())),
                "not an EPCIS action; use ADD, OBSERVE or DELETE",
            );
        }
        _ => {}
    }
    let biz_step = r.vocabulary(event, path, "bizStep", Vocabulary::BizStep);
    let disposition = r.vocabulary(event, path, "disposition", Vocabulary::Disposition);
    let (mut set, mut unset) = (Vec::new(), Vec::new());
    if let Some(pd) = r.object(event, path, "persistentDisposition") {
        for (key, out) in [("set", &mut set), ("unset", &mut unset)] {
            let p = at("persistentDisposition");
            for (i, d) in r.strings(pd, &p, key).into_iter().enumerate() {
                match cbv::stored_form(Vocabulary::Disposition, &d) {
                    Ok(d) => out.push(d),
                    Err(reason) => {
                        r.fail(&item(&field(&p, key), i), Some(&Value::String(d)), reason)
                    }
                }
            }
        }
    }
    let read_point = r.location(event, path, "readPoint");
    let biz_location = r.location(event, path, "bizLocation");
    let transformation_id = r.text(event, path, "transformationID");

    let mut epcs = Vec::new();
    for (key, role) in [
        ("epcList", "epc"),
        ("childEPCs", "child"),
        ("inputEPCList", "input"),
        ("outputEPCList", "output"),
    ] {
        for (i, text) in r.strings(event, path, key).into_iter().enumerate() {
            if let Some(epc) = r.identifier(&item(&at(key), i), &text) {
                epcs.push(EpcEntry {
                    role: role.into(),
                    kind: "instance".into(),
                    position: i as i32 + 1,
                    epc,
                    quantity: None,
                    uom: None,
                });
            }
        }
    }
    let parent = r.text(event, path, "parentID");
    if let Some(p) = &parent {
        if let Some(epc) = r.identifier(&at("parentID"), p) {
            epcs.push(EpcEntry {
                role: "parent".into(),
                kind: "instance".into(),
                position: 1,
                epc,
                quantity: None,
                uom: None,
            });
        }
    }
    for (key, role) in [
        ("quantityList", "epc"),
        ("childQuantityList", "child"),
        ("inputQuantityList", "input"),
        ("outputQuantityList", "output"),
    ] {
        for (i, q) in r.objects(event, path, key).into_iter().enumerate() {
            let p = item(&at(key), i);
            if let Some(entry) = r.quantity(q, &p, role, i as i32 + 1) {
                epcs.push(entry);
            }
        }
    }
    sort_epcs(&mut epcs);

    let biz_transactions = r.typed_list(
        event,
        path,
        "bizTransactionList",
        "bizTransaction",
        Vocabulary::BizTransactionType,
    );
    let sources = r.typed_list(
        event,
        path,
        "sourceList",
        "source",
        Vocabulary::SourceDestinationType,
    );
    let destinations = r.typed_list(
        event,
        path,
        "destinationList",
        "destination",
        Vocabulary::SourceDestinationType,
    );
    match event_type.as_deref() {
        Some("TransactionEvent") if biz_transactions.is_empty() => {
            r.missing_list(
                event,
                &at("bizTransactionList"),
                "a TransactionEvent needs a bizTransactionList",
            );
        }
        Some("AssociationEvent") if parent.is_none() => {
            r.missing(
                event,
                &at("parentID"),
                "an AssociationEvent needs a parentID",
            );
        }
        Some("AggregationEvent")
            if parent.is_none() && matches!(action.as_deref(), Some("ADD" | "DELETE")) =>
        {
            r.missing(
                event,
                &at("parentID"),
                "an AggregationEvent that adds or deletes needs a parentID",
            );
        }
        _ => {}
    }

    let mut sensor_reports = Vec::new();
    for (e, element) in r
        .objects(event, path, "sensorElementList")
        .into_iter()
        .enumerate()
    {
        let p = item(&at("sensorElementList"), e);
        r.sensor_element(element, &p, e as i32 + 1, &mut sensor_reports);
    }

    let ilmd = match event.get("ilmd") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(other) => {
            r.fail(
                &at("ilmd"),
                Some(other),
                format!("expected an object, found {}", type_name(other)),
            );
            None
        }
    };
    let error_declaration = r.error_declaration(event, path);
    let extensions: Map<String, Value> = event
        .iter()
        .filter(|(k, _)| k.as_str() == "certificationInfo" || !STANDARD_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    if r.errors.len() > before {
        return None;
    }
    let mut namespaces = namespaces.clone();
    if let Some(context) = event.get("@context") {
        namespaces.add_context(context);
    }
    Some(EventRecord {
        line,
        path: path.to_string(),
        event_type: event_type?,
        event_id,
        event_hash: hash::event_hash(event, &namespaces),
        action,
        biz_step,
        disposition,
        event_time: event_time?,
        event_tz_offset: offset?,
        record_time,
        read_point,
        biz_location,
        transformation_id,
        persistent_disposition_set: set,
        persistent_disposition_unset: unset,
        epcs,
        biz_transactions,
        sources,
        destinations,
        sensor_reports,
        ilmd,
        extensions: (!extensions.is_empty()).then_some(Value::Object(extensions)),
        error_declaration,
    })
}

/// `±hh:mm` with hours up to 14 and minutes under 60.
fn valid_offset(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(['+', '-']) else {
        return false;
    };
    let Some((hours, minutes)) = rest.split_once(':') else {
        return false;
    };
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    two_digits(hours)
        && two_digits(minutes)
        && hours.parse::<u8>().is_ok_and(|h| h <= 14)
        && minutes.parse::<u8>().is_ok_and(|m| m < 60)
}

/// Reads the fields of one event, recording problems.
struct Reader<'e> {
    line: u64,
    errors: &'e mut Vec<RowError>,
}

impl Reader<'_> {
    fn fail(&mut self, path: &str, value: Option<&Value>, reason: impl Into<String>) {
        let shown = value.map(shown);
        self.errors.push(RowError::new(
            self.line,
            Some(path),
            shown.as_deref(),
            reason,
        ));
    }

    /// Report a missing field — absent, null or an empty string — unless it is present (and
    /// so already reported as invalid).
    fn missing(&mut self, event: &Map<String, Value>, path: &str, reason: &str) {
        let key = path.rsplit('.').next().unwrap_or(path);
        let absent = |v: &Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
        if event.get(key).is_none_or(absent) {
            self.fail(path, None, reason);
        }
    }

    fn missing_list(&mut self, event: &Map<String, Value>, path: &str, reason: &str) {
        let key = path.rsplit('.').next().unwrap_or(path);
        if event
            .get(key)
            .and_then(Value::as_array)
            .is_none_or(|a| a.is_empty())
        {
            self.fail(path, None, reason);
        }
    }

    /// A trimmed, non-empty string field (None when absent or null; an error for another type).
    fn text(&mut self, object: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        match object.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            other => {
                self.fail(
                    &field(path, key),
                    Some(other),
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn timestamp(&mut self, path: &str, text: &str) -> Option<DateTime<Utc>> {
        match parse_timestamp(text) {
            Ok(t) => Some(t.utc),
            Err(reason) => {
                self.fail(path, Some(&Value::String(text.to_string())), reason);
                None
            }
        }
    }

    fn object<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v Map<String, Value>> {
        match object.get(key)? {
            Value::Null => None,
            Value::Object(o) => Some(o),
            other => {
                self.fail(
                    &field(path, key),
                    Some(other),
                    format!("expected an object, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn array<'v>(&mut self, object: &'v Map<String, Value>, path: &str, key: &str) -> &'v [Value] {
        match object.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.fail(
                    &field(path, key),
                    Some(other),
                    format!("expected an array, found {}", type_name(other)),
                );
                &[]
            }
        }
    }

    fn strings(&mut self, object: &Map<String, Value>, path: &str, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, v) in self.array(object, path, key).iter().enumerate() {
            match v.as_str().map(str::trim) {
                Some(s) if !s.is_empty() => out.push(s.to_string()),
                _ => self.fail(
                    &item(&field(path, key), i),
                    Some(v),
                    "expected a non-empty string",
                ),
            }
        }
        out
    }

    fn objects<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Vec<&'v Map<String, Value>> {
        let mut out = Vec::new();
        for (i, v) in self.array(object, path, key).iter().enumerate() {
            match v.as_object() {
                Some(o) => out.push(o),
                None => self.fail(
                    &item(&field(path, key), i),
                    Some(v),
                    format!("expected an object, found {}", type_name(v)),
                ),
            }
        }
        out
    }

    fn vocabulary(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
        key: &str,
        vocabulary: Vocabulary,
    ) -> Option<String> {
        let text = self.text(object, path, key)?;
        match cbv::stored_form(vocabulary, &text) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.fail(&field(path, key), Some(&Value::String(text)), reason);
                None
            }
        }
    }
}
