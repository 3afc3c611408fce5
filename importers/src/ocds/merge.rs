//! The OCDS merge rules (OCDS 1.1 "Merging"), applied to releases already reduced and
//! normalised (see `clean`): releases sorted by date are applied in turn, so the latest value
//! wins; objects merge field by field; arrays of objects merge by `id`; arrays of anything
//! else, and empty arrays, are replaced whole; a null deletes the field; the release's own
//! `id`, `date` and `tag` are not merged (omitWhenMerged).
//!
//! Objects without an `id` in an array are appended, as the rules say — except that an object
//! equal to one already in the array is not added again (several releases of one process
//! often repeat the same id-less amendment; appending it twice would invent an amendment).
//! None of the schema's wholeListMerge arrays survive the reduction, so none needs a rule.

use serde_json::{Map, Value};

/// Release fields that are not merged.
const OMIT_WHEN_MERGED: &[&str] = &["id", "date", "tag"];

/// Merge `releases` (in the order given: sort them by date first) into a compiled release.
pub(crate) fn compile<'a>(
    releases: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> Map<String, Value> {
    let mut compiled = Map::new();
    for release in releases {
        for (key, value) in release {
            if OMIT_WHEN_MERGED.contains(&key.as_str()) {
                continue;
            }
            merge_field(&mut compiled, key, value);
        }
    }
    compiled
}

/// Apply `patch` to `base` by the merge rules.
pub(crate) fn merge_object(base: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        merge_field(base, key, value);
    }
}

fn merge_field(base: &mut Map<String, Value>, key: &str, value: &Value) {
    match value {
        Value::Null => {
            base.remove(key);
        }
        Value::Object(patch) => {
            let slot = base
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(target) = slot {
                merge_object(target, patch);
            }
        }
        Value::Array(items) if items.is_empty() || !items.iter().all(Value::is_object) => {
            base.insert(key.to_string(), value.clone());
        }
        Value::Array(items) => {
            let slot = base
                .entry(key.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(target) = slot {
                for patch in items.iter().filter_map(Value::as_object) {
                    merge_item(target, patch);
                }
            }
        }
        scalar => {
            base.insert(key.to_string(), scalar.clone());
        }
    }
}

/// Identifier merge of one object into an array of objects.
fn merge_item(target: &mut Vec<Value>, patch: &Map<String, Value>) {
    let id = patch.get("id").filter(|v| !v.is_null());
    if let Some(id) = id {
        if let Some(Value::Object(existing)) = target
            .iter_mut()
            .find(|v| v.get("id").is_some_and(|other| other == id))
        {
            merge_object(existing, patch);
            return;
        }
    }
    let mut fresh = Map::new();
    merge_object(&mut fresh, patch);
    let fresh = Value::Object(fresh);
    if id.is_none() && target.contains(&fresh) {
        return;
    }
    target.push(fresh);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn latest_value_wins_objects_merge_and_null_deletes() {
        let r1 = obj(
            json!({"id": "1", "date": "d1", "tag": ["tender"], "ocid": "o",
            "tender": {"title": "Old", "status": "active", "value": {"amount": "10", "currency": "EUR"}}}),
        );
        let r2 = obj(
            json!({"id": "2", "date": "d2", "tag": ["tenderUpdate"], "ocid": "o",
            "tender": {"title": "New", "status": null, "value": {"amount": "12"}}}),
        );
        assert_eq!(
            Value::Object(compile([&r1, &r2])),
            json!({"ocid": "o", "tender": {"title": "New", "value": {"amount": "12", "currency": "EUR"}}})
        );
    }

    #[test]
    fn arrays_of_objects_merge_by_id_and_other_arrays_are_replaced() {
        let r1 = obj(
            json!({"awards": [{"id": "A", "status": "pending", "suppliers": [{"id": "S1", "name": "One"}]},
                                       {"id": "B", "status": "active"}],
                            "parties": [{"id": "P", "roles": ["tenderer", "supplier"]}]}),
        );
        let r2 = obj(
            json!({"awards": [{"id": "A", "status": "active", "suppliers": [{"id": "S2", "name": "Two"}]},
                                       {"id": "C"}],
                            "parties": [{"id": "P", "roles": ["supplier"]}]}),
        );
        assert_eq!(
            Value::Object(compile([&r1, &r2])),
            json!({
                "awards": [
                    {"id": "A", "status": "active", "suppliers": [{"id": "S1", "name": "One"}, {"id": "S2", "name": "Two"}]},
                    {"id": "B", "status": "active"},
                    {"id": "C"}
                ],
                "parties": [{"id": "P", "roles": ["supplier"]}]
            })
        );
    }

    #[test]
    fn objects_without_id_are_appended_once() {
        let a = json!({"date": "2020-01-01T00:00:00.000000Z", "rationale": "extend"});
        let r1 = obj(json!({"tender": {"amendments": [a.clone()]}}));
        let r2 = obj(
            json!({"tender": {"amendments": [a.clone(), {"rationale": "other", "gone": null}]}}),
        );
        assert_eq!(
            Value::Object(compile([&r1, &r2])),
            json!({"tender": {"amendments": [a, {"rationale": "other"}]}})
        );
    }
}
