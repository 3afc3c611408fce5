//! One OCDS release reduced to what citytrace keeps, checked and normalised: every problem
//! located by a JSON path such as `releases[2].awards[0].value.amount`.
//!
//! Kept: the release's identity (ocid, id, date, tag), buyer, parties (id, name, identifier
//! scheme and id, roles), planning.budget (id, amount, and the budgetBreakdown extension's id,
//! amount, period and sourceParty), the tender (id, title, status, method and its
//! details, main category, value, tender period, number of tenderers, procuring entity,
//! tenderers, amendments), awards (id, title, status, date, value, suppliers, amendments),
//! contracts (id, awardID, title, status, value, dateSigned, period, amendments,
//! implementation.transactions) and bids.details. Everything else — contact points above all
//! — is dropped. Nulls are kept: in a release a null deletes the field when releases are
//! merged. Normalised: text trimmed, ids as strings, dates in UTC with microseconds, amounts
//! as plain decimal strings, currencies upper-case. OCDS 1.0 spellings are read as their 1.1
//! equivalents (transaction `amount`, `providerOrganization`, `receiverOrganization`, a single
//! `amendment`).
//!
//! Publishers' harmless slips are read as the standard means them, each recorded as a
//! data-quality note (docs/formats/ocds.md, "Tolerated deviations"): an empty string where a
//! date, amount, number, code, object or list belongs is absent; one object where a list of
//! objects belongs, or one string where a list of strings belongs, is a list of one; a number
//! where text belongs is its digits; a currency code in small letters is read in capitals.

use citytrace_schema::models::NoteKind;
use serde_json::{Map, Value};

mod fields;
mod upgrade;

use super::json::{decimal, field, item, shown, type_name};
use crate::error::RowError;
use crate::json_format::Note;
use crate::values::{canonical_decimal, canonical_time, parse_timestamp};
use fields::{Field, Kind, RELEASE, VALUE, VALUE_PROPERTIES};
use upgrade::upgrade_1_0;

/// A release as kept: its identity checked, its content normalised.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CleanRelease {
    pub ocid: String,
    /// None only for a compiled release without an id.
    pub id: Option<String>,
    /// The date in canonical text (UTC, microseconds).
    pub date: String,
    pub tags: Vec<String>,
    /// The normalised release, ocid, id, date and tag included.
    pub data: Map<String, Value>,
}

/// Whether `key` is a release field citytrace keeps (a bare release's top-level fields).
pub(crate) fn is_release_field(key: &str) -> bool {
    RELEASE.iter().any(|(k, _)| *k == key)
}

/// Checks and normalises releases of one row of a file (one `line`), collecting problems and
/// notes of the deviations it tolerated.
pub(crate) struct Cleaner<'e> {
    line: u64,
    errors: &'e mut Vec<RowError>,
    notes: &'e mut Vec<Note>,
}

impl<'e> Cleaner<'e> {
    pub fn new(line: u64, errors: &'e mut Vec<RowError>, notes: &'e mut Vec<Note>) -> Self {
        Self {
            line,
            errors,
            notes,
        }
    }

    fn note(&mut self, path: &str, kind: NoteKind, value: &Value) {
        self.notes.push(Note::new(self.line, path, kind, value));
    }

    pub fn fail(&mut self, path: &str, value: Option<&Value>, reason: impl Into<String>) {
        let shown = value.map(shown);
        self.errors.push(RowError::new(
            self.line,
            Some(if path.is_empty() { "(document)" } else { path }),
            shown.as_deref(),
            reason,
        ));
    }

    /// Clean the release at `path`. `id_required`: false for a record's compiled release,
    /// which may leave its id out. None when it has problems (they are recorded).
    pub fn release(
        &mut self,
        value: &Value,
        path: &str,
        id_required: bool,
    ) -> Option<CleanRelease> {
        let before = self.errors.len();
        let Some(object) = value.as_object() else {
            self.fail(
                path,
                None,
                format!("expected a release (an object), found {}", type_name(value)),
            );
            return None;
        };
        let data = self.fields(object, path, RELEASE);
        let text = |key: &str| {
            data.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let ocid = text("ocid").map(str::to_string);
        let id = text("id").map(str::to_string);
        let date = text("date").map(str::to_string);
        let required = [
            ("ocid", ocid.is_none()),
            ("id", id_required && id.is_none()),
            ("date", date.is_none()),
        ];
        for (key, missing) in required {
            let p = field(path, key);
            // A present but invalid value is reported already.
            if missing && !self.has_error_at(&p, before) {
                self.fail(&p, None, format!("a release needs `{key}`"));
            }
        }
        if self.errors.len() > before {
            return None;
        }
        let tags = data
            .get("tag")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Some(CleanRelease {
            ocid: ocid?,
            id,
            date: date?,
            tags,
            data,
        })
    }

    fn fields(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
        spec: &[Field],
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, kind) in spec {
            let Some(value) = object.get(*key) else {
                continue;
            };
            if value.is_null() {
                out.insert((*key).to_string(), Value::Null);
                continue;
            }
            if let Some(clean) = self.clean(value, &field(path, key), *kind) {
                out.insert((*key).to_string(), clean);
            }
        }
        upgrade_1_0(&mut out, spec.iter().any(|(key, _)| *key == "value"));
        out
    }

    fn clean(&mut self, value: &Value, path: &str, kind: Kind) -> Option<Value> {
        if value.as_str().is_some_and(|s| s.trim().is_empty()) && kind.empty_is_absent() {
            self.note(path, NoteKind::EmptyString, value);
            return None;
        }
        match kind {
            Kind::Text => match value {
                Value::String(s) => Some(Value::String(s.trim().to_string())),
                Value::Number(n) => {
                    self.note(path, NoteKind::NumberAsText, value);
                    Some(Value::String(n.to_string()))
                }
                other => self.wrong_type(path, other, "text"),
            },
            Kind::Id => match value {
                Value::String(s) => Some(Value::String(s.trim().to_string())),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some(Value::String(n.to_string())),
                other => self.wrong_type(path, other, "an identifier (a string)"),
            },
            Kind::Date => {
                let Some(text) = value.as_str() else {
                    return self.wrong_type(path, value, "a date-time string");
                };
                match parse_timestamp(text.trim()) {
                    Ok(t) => Some(Value::String(canonical_time(&t.utc))),
                    Err(reason) => {
                        self.fail(path, Some(value), reason);
                        None
                    }
                }
            }
            Kind::Amount => match decimal(value) {
                Ok(d) => Some(Value::String(canonical_decimal(&d))),
                Err(reason) => {
                    self.fail(path, Some(value), reason);
                    None
                }
            },
            Kind::Currency => {
                let code = value.as_str().map(|s| s.trim().to_ascii_uppercase());
                match code {
                    Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                        if value.as_str() != Some(c.as_str()) {
                            self.note(path, NoteKind::CurrencyCase, value);
                        }
                        Some(Value::String(c))
                    }
                    _ => {
                        self.fail(
                            path,
                            Some(value),
                            "not an ISO 4217 currency code such as EUR",
                        );
                        None
                    }
                }
            }
            Kind::Count => {
                let n = value.as_u64().or_else(|| {
                    value
                        .as_f64()
                        .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e9)
                        .map(|f| f as u64)
                });
                match n.filter(|n| *n <= i32::MAX as u64) {
                    Some(n) => Some(Value::from(n)),
                    None => {
                        self.fail(path, Some(value), "not a whole number from 0");
                        None
                    }
                }
            }
            Kind::Strings => match value {
                Value::String(s) => {
                    self.note(path, NoteKind::StringAsList, value);
                    Some(Value::Array(vec![Value::String(s.trim().to_string())]))
                }
                Value::Array(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, v) in items.iter().enumerate() {
                        match v.as_str() {
                            Some(s) => out.push(Value::String(s.trim().to_string())),
                            None => {
                                self.wrong_type(&item(path, i), v, "a string");
                            }
                        }
                    }
                    Some(Value::Array(out))
                }
                other => self.wrong_type(path, other, "a list of strings"),
            },
            Kind::Object(spec) => match value.as_object() {
                Some(object) => Some(Value::Object(self.fields(object, path, spec))),
                None => self.wrong_type(path, value, "an object"),
            },
            Kind::Objects(spec, id_required) => {
                let items = self.list(value, path)?;
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    let p = item(path, i);
                    let Some(object) = v.as_object() else {
                        self.wrong_type(&p, v, "an object");
                        continue;
                    };
                    let before = self.errors.len();
                    let clean = self.fields(object, &p, spec);
                    let has_id = clean
                        .get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty());
                    let id_path = field(&p, "id");
                    if id_required && !has_id && !self.has_error_at(&id_path, before) {
                        self.fail(
                            &id_path,
                            None,
                            "needs an `id`: objects in this list are merged across releases by id",
                        );
                    }
                    out.push(Value::Object(clean));
                }
                Some(Value::Array(out))
            }
            Kind::Changes => {
                let items = self.list(value, path)?;
                let mut out = Vec::new();
                for (i, change) in items.iter().enumerate() {
                    let property = change
                        .get("property")
                        .and_then(Value::as_str)
                        .map(str::trim);
                    if !property.is_some_and(|p| VALUE_PROPERTIES.contains(&p)) {
                        continue;
                    }
                    let p = field(&item(path, i), "former_value");
                    let former = match change.get("former_value") {
                        Some(Value::Object(o)) => Some(Value::Object(self.fields(o, &p, VALUE))),
                        Some(v @ Value::Number(_)) => self.clean(v, &p, Kind::Amount),
                        _ => None,
                    };
                    if let Some(former) = former {
                        let mut m = Map::new();
                        m.insert("property".into(), Value::String("value".into()));
                        m.insert("former_value".into(), former);
                        out.push(Value::Object(m));
                    }
                }
                Some(Value::Array(out))
            }
        }
    }

    /// The items of a list of objects: an array, or one object (a list of one, noted).
    fn list<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v [Value]> {
        match value {
            Value::Array(items) => Some(items),
            Value::Object(_) => {
                self.note(path, NoteKind::ObjectAsList, value);
                Some(std::slice::from_ref(value))
            }
            other => {
                self.wrong_type(path, other, "an array");
                None
            }
        }
    }

    fn has_error_at(&self, path: &str, since: usize) -> bool {
        self.errors[since..]
            .iter()
            .any(|e| e.column.as_deref() == Some(path))
    }

    fn wrong_type(&mut self, path: &str, value: &Value, expected: &str) -> Option<Value> {
        self.fail(
            path,
            Some(value),
            format!("expected {expected}, found {}", type_name(value)),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn clean(v: Value) -> (Option<CleanRelease>, Vec<(String, String)>) {
        let (mut errors, mut notes) = (Vec::new(), Vec::new());
        let r = Cleaner::new(3, &mut errors, &mut notes).release(&v, "releases[2]", true);
        (
            r,
            errors
                .into_iter()
                .map(|e| (e.column.unwrap_or_default(), e.reason))
                .collect(),
        )
    }

    #[test]
    fn keeps_what_citytrace_uses_and_drops_contact_points() {
        let (r, errors) = clean(json!({
            "ocid": "ocds-abc-1", "id": 7, "date": "2020-01-02T03:04:05+01:00", "tag": "award",
            "parties": [{"id": "P1", "name": " Acme ", "roles": ["supplier"],
                         "contactPoint": {"name": "Jane Doe", "email": "jane@acme.example"},
                         "address": {"locality": "Springfield"}}],
            "awards": [{"id": "A1", "value": {"amount": 1234.50, "currency": "eur"}, "items": [{"id": 1}]}],
            "tender": {"numberOfTenderers": 3, "procurementMethod": null}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        let r = r.unwrap();
        assert_eq!(
            (r.ocid.as_str(), r.id.as_deref()),
            ("ocds-abc-1", Some("7"))
        );
        assert_eq!(r.date, "2020-01-02T02:04:05.000000Z");
        assert_eq!(r.tags, vec!["award"]);
        assert_eq!(
            Value::Object(r.data),
            json!({
                "ocid": "ocds-abc-1", "id": "7", "date": "2020-01-02T02:04:05.000000Z", "tag": ["award"],
                "parties": [{"id": "P1", "name": "Acme", "roles": ["supplier"]}],
                "awards": [{"id": "A1", "value": {"amount": "1234.5", "currency": "EUR"}}],
                "tender": {"numberOfTenderers": 3, "procurementMethod": null}
            })
        );
    }

    #[test]
    fn problems_are_located_by_json_path() {
        let (r, errors) = clean(json!({
            "ocid": "ocds-abc-1", "date": "2020-01-02",
            "awards": [{"value": {"amount": "12", "currency": "euro"}}],
            "contracts": [{"id": "C1", "implementation": {"transactions": [{"id": "T1", "value": {"amount": 0.30000000000000004}}]}}],
            "tender": {"numberOfTenderers": -1, "tenderPeriod": {"endDate": "2020-01-02T10:00:00"}}
        }));
        assert!(r.is_none());
        assert_eq!(
            errors,
            vec![
                (
                    "releases[2].date".into(),
                    "not an ISO 8601 date-time such as 2026-03-04T10:00:00+01:00".into()
                ),
                (
                    "releases[2].tender.tenderPeriod.endDate".into(),
                    "no UTC offset: add Z or ±hh:mm, e.g. 2026-03-04T10:00:00+01:00".into()
                ),
                (
                    "releases[2].tender.numberOfTenderers".into(),
                    "not a whole number from 0".into()
                ),
                (
                    "releases[2].awards[0].value.amount".into(),
                    "expected a number, found a string".into()
                ),
                (
                    "releases[2].awards[0].value.currency".into(),
                    "not an ISO 4217 currency code such as EUR".into()
                ),
                (
                    "releases[2].awards[0].id".into(),
                    "needs an `id`: objects in this list are merged across releases by id".into()
                ),
                (
                    "releases[2].contracts[0].implementation.transactions[0].value.amount".into(),
                    "more than 15 significant digits; such a number cannot be read exactly".into()
                ),
                ("releases[2].id".into(), "a release needs `id`".into()),
            ]
        );
    }

    #[test]
    fn ocds_1_0_spellings_are_read_as_1_1() {
        let (r, errors) = clean(json!({
            "ocid": "o", "id": "r", "date": "2020-01-02T00:00:00Z",
            "contracts": [{"id": "C1", "amendment": {"date": "2020-02-01T00:00:00Z", "rationale": "more"},
                "implementation": {"transactions": [{"id": "T1", "amount": {"amount": 5, "currency": "GBP"},
                    "providerOrganization": {"scheme": "GB-LAC", "id": "E1", "legalName": "Council"}}]}}],
            "planning": {"budget": {"amount": {"amount": 10, "currency": "GBP"}}}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        let data = Value::Object(r.unwrap().data);
        assert_eq!(
            data["contracts"][0],
            json!({"id": "C1",
                "amendments": [{"date": "2020-02-01T00:00:00.000000Z", "rationale": "more"}],
                "implementation": {"transactions": [{"id": "T1", "value": {"amount": "5", "currency": "GBP"},
                    "payer": {"name": "Council", "identifier": {"scheme": "GB-LAC", "id": "E1"}}}]}})
        );
        assert_eq!(
            data["planning"]["budget"]["amount"],
            json!({"amount": "10", "currency": "GBP"})
        );
    }

    #[test]
    fn amounts_are_exact_decimals() {
        assert_eq!(
            canonical_decimal(&decimal(&json!(8923.94)).unwrap()),
            "8923.94"
        );
        assert_eq!(
            canonical_decimal(&decimal(&json!(11000000)).unwrap()),
            "11000000"
        );
        assert_eq!(
            canonical_decimal(&decimal(&json!(1e-7)).unwrap()),
            "0.0000001"
        );
        assert_eq!(canonical_decimal(&decimal(&json!(-20.5)).unwrap()), "-20.5");
        assert!(decimal(&json!(123456789012345.67)).is_err());
    }
}
