//! The EPCIS event hash id of CBV 2.0 (the reference algorithm of GS1's CBV 2.0 standard, as
//! implemented in RalphTro/epcis-event-hash-generator): a pre-hash string of the event's
//! fields in a fixed order, each `key=value`, without separators, then
//! `ni:///sha-256;<hex>?ver=CBV2.0`.
//!
//! Canonical values: timestamps in UTC with milliseconds (rounded half up) and `Z`; numbers
//! without trailing zeros; CBV values as `https://ref.gs1.org/cbv/…` URIs, GS1 web vocabulary
//! terms as `https://ref.gs1.org/voc/…`; EPC URIs and Digital Links as canonical Digital
//! Links; lists sorted by their strings. ILMD, then user extensions inside standard fields
//! (prefixed by their field names), then event-level user extensions follow, names written
//! `{namespace}local`. Left out: eventID, recordTime, errorDeclaration, certificationInfo.

mod extensions;
mod namespaces;
mod values;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::cbv::{self, Vocabulary};
use extensions::{extension_children, extension_entries, field_extensions, sorted};
pub(crate) use namespaces::Namespaces;
use values::scalar_text;
pub(crate) use values::{canon, timestamp};

/// The hash id of an event (its JSON object as captured).
pub(crate) fn event_hash(event: &Map<String, Value>, namespaces: &Namespaces) -> String {
    let digest = Sha256::digest(pre_hash(event, namespaces).as_bytes());
    format!("ni:///sha-256;{}?ver=CBV2.0", hex::encode(digest))
}

const QUANTITY_LISTS: &[&str] = &[
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
];
const QUANTITY_FIELDS: &[&str] = &["epcClass", "quantity", "uom"];
const METADATA_FIELDS: &[&str] = &[
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
];
const REPORT_FIELDS: &[&str] = &[
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
];

/// Event keys with a place in the property order, or left out of the hash.
pub(crate) const STANDARD_KEYS: &[&str] = &[
    "type",
    "eventTime",
    "eventTimeZoneOffset",
    "epcList",
    "parentID",
    "inputEPCList",
    "childEPCs",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
    "eventID",
    "recordTime",
    "errorDeclaration",
    "certificationInfo",
    "@context",
];

/// Keys JSON-LD documents use for comments; never hashed.
const COMMENTS: &[&str] = &["rdfs:comment", "comment", "#text"];

/// The pre-hash string of an event.
pub(crate) fn pre_hash(event: &Map<String, Value>, ns: &Namespaces) -> String {
    let mut out = String::new();
    let text = |key: &str| {
        event
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    if let Some(t) = text("type") {
        out.push_str(&format!("eventType={t}"));
    }
    if let Some(t) = text("eventTime") {
        out.push_str(&format!("eventTime={}", timestamp(t)));
    }
    if let Some(t) = text("eventTimeZoneOffset") {
        out.push_str(&format!("eventTimeZoneOffset={t}"));
    }
    let epc_list = |key: &str, out: &mut String| {
        let items: Vec<String> = strings(event.get(key))
            .map(|e| format!("epc={}", canon(e)))
            .collect();
        block(out, key, items);
    };
    let quantity_list = |key: &str, out: &mut String| {
        let items: Vec<String> = objects(event.get(key))
            .map(|q| {
                let mut s = String::from("quantityElement");
                for field in QUANTITY_FIELDS {
                    if let Some(v) = q.get(*field) {
                        push_value(&mut s, field, v, canon);
                    }
                }
                s
            })
            .collect();
        block(out, key, items);
    };
    epc_list("epcList", &mut out);
    if let Some(p) = text("parentID") {
        out.push_str(&format!("parentID={}", canon(p)));
    }
    epc_list("inputEPCList", &mut out);
    epc_list("childEPCs", &mut out);
    quantity_list("quantityList", &mut out);
    quantity_list("childQuantityList", &mut out);
    quantity_list("inputQuantityList", &mut out);
    epc_list("outputEPCList", &mut out);
    quantity_list("outputQuantityList", &mut out);
    if let Some(a) = text("action") {
        out.push_str(&format!("action={}", canon(a)));
    }
    if let Some(t) = text("transformationID") {
        out.push_str(&format!("transformationID={}", canon(t)));
    }
    for (key, vocabulary) in [
        ("bizStep", Vocabulary::BizStep),
        ("disposition", Vocabulary::Disposition),
    ] {
        if let Some(v) = text(key) {
            out.push_str(&format!("{key}={}", vocabulary_value(vocabulary, v)));
        }
    }
    if let Some(pd) = event
        .get("persistentDisposition")
        .and_then(Value::as_object)
    {
        let mut s = String::new();
        for key in ["set", "unset"] {
            let mut values: Vec<String> = strings(pd.get(key))
                .map(|d| format!("{key}={}", vocabulary_value(Vocabulary::Disposition, d)))
                .collect();
            values.sort();
            s.extend(values);
        }
        if !s.is_empty() {
            out.push_str("persistentDisposition");
            out.push_str(&s);
        }
    }
    for key in ["readPoint", "bizLocation"] {
        if let Some(id) = event
            .get(key)
            .and_then(|l| l.get("id"))
            .and_then(Value::as_str)
        {
            if !id.trim().is_empty() {
                out.push_str(&format!("{key}id={}", canon(id)));
            }
        }
    }
    for (key, item, vocabulary) in [
        (
            "bizTransactionList",
            "bizTransaction",
            Vocabulary::BizTransactionType,
        ),
        ("sourceList", "source", Vocabulary::SourceDestinationType),
        (
            "destinationList",
            "destination",
            Vocabulary::SourceDestinationType,
        ),
    ] {
        let items: Vec<String> = objects(event.get(key))
            .map(|o| {
                let mut s = String::new();
                if let Some(t) = o
                    .get("type")
                    .and_then(Value::as_str)
                    .filter(|t| !t.trim().is_empty())
                {
                    s.push_str(&format!("type={}", vocabulary_value(vocabulary, t)));
                }
                if let Some(v) = o
                    .get(item)
                    .and_then(Value::as_str)
                    .filter(|v| !v.trim().is_empty())
                {
                    s.push_str(&format!("{item}={}", canon(v)));
                }
                s
            })
            .filter(|s| !s.is_empty())
            .collect();
        block(&mut out, key, items);
    }
    let mut elements: Vec<String> = objects(event.get("sensorElementList"))
        .map(sensor_element)
        .collect();
    elements.retain(|e| e != "sensorElement");
    elements.sort();
    out.extend(elements);

    // ILMD; user extensions inside standard fields; event-level user extensions.
    if let Some(ilmd) = event.get("ilmd") {
        let children = extension_children(ilmd, ns);
        if !children.is_empty() {
            out.push_str("ilmd");
            out.push_str(&sorted(children));
        }
    }
    out.push_str(&field_extensions(event, ns));
    let mut rest = Vec::new();
    for (key, value) in event {
        if STANDARD_KEYS.contains(&key.as_str()) || COMMENTS.contains(&key.as_str()) {
            continue;
        }
        rest.extend(extension_entries(key, value, ns));
    }
    out.push_str(&sorted(rest));
    out
}

/// `name` followed by its sorted items, or nothing when there are none.
fn block(out: &mut String, name: &str, mut items: Vec<String>) {
    if items.is_empty() {
        return;
    }
    items.sort();
    out.push_str(name);
    out.extend(items);
}

fn sensor_element(element: &Map<String, Value>) -> String {
    let mut s = String::from("sensorElement");
    if let Some(meta) = element.get("sensorMetadata").and_then(Value::as_object) {
        let mut m = String::new();
        for field in METADATA_FIELDS {
            if let Some(v) = meta.get(*field) {
                push_value(&mut m, field, v, canon);
            }
        }
        if !m.is_empty() {
            s.push_str("sensorMetadata");
            s.push_str(&m);
        }
    }
    let mut reports: Vec<String> = objects(element.get("sensorReport"))
        .map(|r| {
            let mut s = String::from("sensorReport");
            for field in REPORT_FIELDS {
                let Some(v) = r.get(*field) else { continue };
                match *field {
                    "type" | "exception" => push_value(&mut s, field, v, |t| {
                        canon(&cbv::gs1_term_uri(&cbv::gs1_term(t)))
                    }),
                    "component" => push_value(&mut s, field, v, |t| {
                        canon(&cbv::component_uri(&cbv::component(t)))
                    }),
                    _ => push_value(&mut s, field, v, canon),
                }
            }
            s
        })
        .filter(|r| r != "sensorReport")
        .collect();
    reports.sort();
    s.extend(reports);
    s
}

/// Append `key=value` for a field value (a time field gets the timestamp form).
fn push_value(out: &mut String, key: &str, value: &Value, canon: impl Fn(&str) -> String) {
    let text = scalar_text(value);
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let lower = key.to_ascii_lowercase();
    let value = if lower.contains("time") && !lower.contains("offset") {
        timestamp(text)
    } else {
        canon(text)
    };
    out.push_str(&format!("{key}={value}"));
}

fn vocabulary_value(vocabulary: Vocabulary, text: &str) -> String {
    match cbv::stored_form(vocabulary, text) {
        Ok(stored) => canon(&cbv::web_uri(vocabulary, &stored)),
        Err(_) => canon(text),
    }
}

fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn objects(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn namespaces(context: Value) -> Namespaces {
        let mut ns = Namespaces::default();
        ns.add_context(&context);
        ns
    }

    /// Example 1 of the reference implementation (the vector DOMAIN.md quotes): SSCCs, a
    /// bizStep URN, an SGLN read point and user extensions at event level.
    #[test]
    fn reference_vector_1_user_extensions_at_event_level() {
        let event = json!({
            "type": "ObjectEvent",
            "eventTime": "2020-03-04T11:00:30.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "recordTime": "2020-03-04T11:00:30.999+01:00",
            "epcList": ["urn:epc:id:sscc:4012345.0000000333", "urn:epc:id:sscc:4012345.0000000111", "urn:epc:id:sscc:4012345.0000000222"],
            "action": "OBSERVE",
            "bizStep": "departing",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
            "example:myField1": {"example:mySubField1": "2", "example:mySubField2": "5"},
            "example:myField2": "0",
            "example:myField3": {"example:mySubField3": ["3", "1"]}
        });
        let ns = namespaces(
            json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"example": "https://ns.example.com/epcis/"}]),
        );
        let pre = pre_hash(event.as_object().unwrap(), &ns);
        assert!(pre.starts_with("eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/00/040123450000001112"));
        assert_eq!(
            pre,
            "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00\
             epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/040123450000002225\
             epc=https://id.gs1.org/00/040123450000003338action=OBSERVE\
             bizStep=https://ref.gs1.org/cbv/BizStep-departingreadPointid=https://id.gs1.org/414/4012345000115/254/987\
             {https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2\
             {https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0\
             {https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1\
             {https://ns.example.com/epcis/}mySubField3=3"
        );
        assert_eq!(
            event_hash(event.as_object().unwrap(), &ns),
            "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0"
        );
    }

    /// Example 2: sensor data; CBV 2.0 writes no `sensorElementList` wrapper.
    #[test]
    fn reference_vector_2_sensor_data() {
        let event = json!({
            "type": "ObjectEvent",
            "eventTime": "2020-04-01T15:00:00+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"],
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00005.0"},
            "sensorElementList": [{
                "sensorMetadata": {"deviceID": "urn:epc:id:giai:4000001.111", "deviceMetadata": "https://id.gs1.org/8004/4000001111"},
                "sensorReport": [
                    {"type": "Temperature", "value": 26, "sDev": 0.1, "uom": "CEL"},
                    {"type": "AbsoluteHumidity", "value": 12.1, "uom": "A93"},
                    {"type": "Dimensionless", "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011", "value": 0.05, "uom": "C35"},
                    {"type": "Dimensionless", "chemicalSubstance": "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N", "value": 0.18, "uom": "C35"}
                ]
            }]
        });
        let ns = namespaces(json!([
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
        ]));
        assert_eq!(
            pre_hash(event.as_object().unwrap(), &ns),
            "eventType=ObjectEventeventTime=2020-04-01T14:00:00.000ZeventTimeZoneOffset=+01:00\
             epcListepc=https://id.gs1.org/01/04012345111118/21/9876action=OBSERVE\
             bizStep=https://ref.gs1.org/cbv/BizStep-inspectingreadPointid=https://id.gs1.org/414/4012345000054\
             sensorElementsensorMetadatadeviceID=https://id.gs1.org/8004/4000001111deviceMetadata=https://id.gs1.org/8004/4000001111\
             sensorReporttype=https://ref.gs1.org/voc/AbsoluteHumidityvalue=12.1uom=A93\
             sensorReporttype=https://ref.gs1.org/voc/DimensionlesschemicalSubstance=https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-Nvalue=0.18uom=C35\
             sensorReporttype=https://ref.gs1.org/voc/Dimensionlessmicroorganism=https://www.ncbi.nlm.nih.gov/taxonomy/1126011value=0.05uom=C35\
             sensorReporttype=https://ref.gs1.org/voc/Temperaturevalue=26sDev=0.1uom=CEL"
        );
        assert_eq!(
            event_hash(event.as_object().unwrap(), &ns),
            "ni:///sha-256;271565c346ae2fb28c4583c4dca4ab4772d465eb4e0b6e548d77d8b49377d95c?ver=CBV2.0"
        );
    }

    /// Example 3: business transactions, source and destination, and a user extension inside
    /// readPoint, which CBV 2.0 moves to a trailing `readPoint` block.
    #[test]
    fn reference_vector_3_transactions_sources_and_a_read_point_extension() {
        let event = json!({
            "type": "ObjectEvent",
            "eventTime": "2020-03-04T11:00:30+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sgtin:0614141.011111.987"],
            "action": "OBSERVE",
            "bizStep": "departing",
            "disposition": "in_transit",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.0", "example:myField1": "AB-12"},
            "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epc:id:gdti:4012345.11111.123"}],
            "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00000"}],
            "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00000"}],
            "example:userExt": "CD-34"
        });
        let ns = namespaces(
            json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"example": "https://ns.example.com/epcis/"}]),
        );
        assert_eq!(
            pre_hash(event.as_object().unwrap(), &ns),
            "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00\
             epcListepc=https://id.gs1.org/01/00614141111114/21/987action=OBSERVE\
             bizStep=https://ref.gs1.org/cbv/BizStep-departingdisposition=https://ref.gs1.org/cbv/Disp-in_transit\
             readPointid=https://id.gs1.org/414/4012345000115\
             bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=https://id.gs1.org/253/4012345111118123\
             sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009\
             destinationListtype=https://ref.gs1.org/cbv/SDT-owning_partydestination=https://id.gs1.org/417/0614141000005\
             readPoint{https://ns.example.com/epcis/}myField1=AB-12{https://ns.example.com/epcis/}userExt=CD-34"
        );
        assert_eq!(
            event_hash(event.as_object().unwrap(), &ns),
            "ni:///sha-256;3ae14c02c4bdc220cc31942cf804f6845eb8dec96ba6483391c92a9b165f9329?ver=CBV2.0"
        );
    }

    #[test]
    fn spellings_of_one_event_hash_alike_and_any_change_changes_the_hash() {
        let ns = Namespaces::default();
        let a = json!({"type": "ObjectEvent", "eventTime": "2020-03-04T11:00:30.1+01:00", "eventTimeZoneOffset": "+01:00",
                       "action": "OBSERVE", "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:4012345.011111.987"],
                       "eventID": "urn:uuid:1", "recordTime": "2020-03-05T00:00:00Z"});
        let b = json!({"type": "ObjectEvent", "eventTime": "2020-03-04T10:00:30.100Z", "eventTimeZoneOffset": "+01:00",
                       "action": "OBSERVE", "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
                       "epcList": ["https://example.com/gtin/4012345111118/ser/987"]});
        let hash = |v: &Value| event_hash(v.as_object().unwrap(), &ns);
        assert_eq!(hash(&a), hash(&b));
        let mut c = b.clone();
        c["bizStep"] = json!("receiving");
        assert_ne!(hash(&b), hash(&c));
    }
}
