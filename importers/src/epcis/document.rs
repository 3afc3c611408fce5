//! Where the events of an EPCIS JSON-LD document are: `epcisBody.eventList` of an
//! EPCISDocument, `epcisBody.queryResults.resultsBody.eventList` of an EPCISQueryDocument,
//! `epcisBody.event` (one event), or a bare JSON array of events.

use serde_json::Value;

use super::event;
use super::hash::Namespaces;
use super::EventRecord;
use crate::error::RowError;
use crate::ocds::json::{item, type_name};

/// The valid events of a document, in order, and every problem found in it.
pub(crate) fn events(document: &Value) -> (Vec<EventRecord>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut namespaces = Namespaces::default();
    let (list, path): (Vec<&Value>, String) = match document {
        Value::Array(items) => (items.iter().collect(), String::new()),
        Value::Object(top) => {
            if let Some(context) = top.get("@context") {
                namespaces.add_context(context);
            }
            let body = top.get("epcisBody");
            let query = body
                .and_then(|b| b.get("queryResults"))
                .and_then(|q| q.get("resultsBody"))
                .and_then(|r| r.get("eventList"));
            match (
                body.and_then(|b| b.get("eventList")),
                query,
                body.and_then(|b| b.get("event")),
            ) {
                (Some(Value::Array(items)), _, _) => {
                    (items.iter().collect(), "epcisBody.eventList".into())
                }
                (None, Some(Value::Array(items)), _) => (
                    items.iter().collect(),
                    "epcisBody.queryResults.resultsBody.eventList".into(),
                ),
                (None, None, Some(single)) => {
                    let mut out = Vec::new();
                    if let Some(r) =
                        event::read(single, "epcisBody.event", 1, &namespaces, &mut errors)
                    {
                        out.push(r);
                    }
                    return (out, errors);
                }
                (Some(other), _, _) | (None, Some(other), _) => {
                    errors.push(RowError::new(
                        1,
                        Some("epcisBody.eventList"),
                        None,
                        format!("expected an array of events, found {}", type_name(other)),
                    ));
                    return (Vec::new(), errors);
                }
                (None, None, None) => {
                    errors.push(RowError::new(
                        1,
                        Some("(document)"),
                        None,
                        "not an EPCIS document: expected epcisBody.eventList (an EPCISDocument), epcisBody.queryResults (an EPCISQueryDocument) or a list of events",
                    ));
                    return (Vec::new(), errors);
                }
            }
        }
        other => {
            errors.push(RowError::new(
                1,
                Some("(document)"),
                None,
                format!(
                    "expected an EPCIS document (an object) or a list of events, found {}",
                    type_name(other)
                ),
            ));
            return (Vec::new(), errors);
        }
    };
    let mut records = Vec::with_capacity(list.len());
    for (i, value) in list.into_iter().enumerate() {
        let p = if path.is_empty() {
            format!("[{i}]")
        } else {
            item(&path, i)
        };
        if let Some(r) = event::read(value, &p, i as u64 + 1, &namespaces, &mut errors) {
            records.push(r);
        }
    }
    if records.is_empty() && errors.is_empty() {
        errors.push(RowError::file("the document has no events"));
    }
    (records, errors)
}
