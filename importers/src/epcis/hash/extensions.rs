//! User extensions in the pre-hash string: names as `{namespace}local`, values canonised,
//! children sorted; CBV 2.0 puts those inside standard fields (readPoint, bizLocation,
//! quantity elements, sensor elements, metadata and reports) in a block after ILMD, each
//! prefixed by its field names, and event-level ones last.

use serde_json::{Map, Value};

use super::values::{canon, scalar_text};
use super::{
    objects, Namespaces, COMMENTS, METADATA_FIELDS, QUANTITY_FIELDS, QUANTITY_LISTS, REPORT_FIELDS,
};

/// CBV 2.0: user extensions inside readPoint, bizLocation, quantity elements and sensor
/// elements, each block prefixed by its field names, in property order.
pub(super) fn field_extensions(event: &Map<String, Value>, ns: &Namespaces) -> String {
    let mut out = String::new();
    for key in QUANTITY_LISTS {
        out.push_str(&list_extensions(
            event,
            key,
            "quantityElement",
            QUANTITY_FIELDS,
            ns,
        ));
    }
    for key in ["readPoint", "bizLocation"] {
        if let Some(location) = event.get(key).and_then(Value::as_object) {
            let direct = direct_extensions(location, &["id"], ns);
            if !direct.is_empty() {
                out.push_str(key);
                out.push_str(&direct);
            }
        }
    }
    let mut elements: Vec<String> = objects(event.get("sensorElementList"))
        .filter_map(|element| {
            let mut inner = String::new();
            if let Some(meta) = element.get("sensorMetadata").and_then(Value::as_object) {
                let direct = direct_extensions(meta, METADATA_FIELDS, ns);
                if !direct.is_empty() {
                    inner.push_str("sensorMetadata");
                    inner.push_str(&direct);
                }
            }
            let mut reports: Vec<String> = objects(element.get("sensorReport"))
                .map(|r| direct_extensions(r, REPORT_FIELDS, ns))
                .filter(|d| !d.is_empty())
                .map(|d| format!("sensorReport{d}"))
                .collect();
            reports.sort();
            inner.extend(reports);
            inner.push_str(&direct_extensions(
                element,
                &["sensorMetadata", "sensorReport"],
                ns,
            ));
            (!inner.is_empty()).then(|| format!("sensorElement{inner}"))
        })
        .collect();
    elements.sort();
    out.extend(elements);
    out
}

fn list_extensions(
    event: &Map<String, Value>,
    key: &str,
    item: &str,
    fields: &[&str],
    ns: &Namespaces,
) -> String {
    let parts: Vec<String> = objects(event.get(key))
        .map(|o| direct_extensions(o, fields, ns))
        .filter(|d| !d.is_empty())
        .map(|d| format!("{item}{d}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{key}{}", parts.concat())
    }
}

/// The sorted extension entries of an object, its standard `fields` left out.
fn direct_extensions(object: &Map<String, Value>, fields: &[&str], ns: &Namespaces) -> String {
    let mut entries = Vec::new();
    for (key, value) in object {
        if fields.contains(&key.as_str())
            || COMMENTS.contains(&key.as_str())
            || key.starts_with('@')
        {
            continue;
        }
        entries.extend(extension_entries(key, value, ns));
    }
    sorted(entries)
}

/// The entries of one user extension element: `{ns}name=value`, `{ns}name` followed by its
/// sorted children, one entry per item of an array.
pub(super) fn extension_entries(key: &str, value: &Value, ns: &Namespaces) -> Vec<String> {
    let name = ns.expand(key);
    match value {
        Value::Array(items) => items
            .iter()
            .flat_map(|v| extension_entries(key, v, ns))
            .collect(),
        Value::Object(map) => {
            let mut entry = name;
            if let Some(text) = map
                .get("#text")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                entry.push('=');
                entry.push_str(&canon(text));
            }
            entry.push_str(&sorted(extension_children(value, ns)));
            vec![entry]
        }
        scalar => {
            let text = scalar_text(scalar);
            let text = text.trim();
            if text.is_empty() {
                vec![name]
            } else {
                vec![format!("{name}={}", canon(text))]
            }
        }
    }
}

pub(super) fn extension_children(value: &Value, ns: &Namespaces) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(map) = value.as_object() {
        for (key, v) in map {
            if COMMENTS.contains(&key.as_str()) || key.starts_with("@xmlns") {
                continue;
            }
            out.extend(extension_entries(key, v, ns));
        }
    }
    out
}

pub(super) fn sorted(mut entries: Vec<String>) -> String {
    entries.sort();
    entries.concat()
}
