//! OCDS 1.0 spellings read as their 1.1 equivalents: a single `amendment` as `amendments`, a
//! transaction's `amount` as `value`, `providerOrganization` and `receiverOrganization` as
//! `payer` and `payee`.

use serde_json::{Map, Value};

/// Read OCDS 1.0 spellings as their 1.1 equivalents, in a cleaned object; `has_value`: the
/// object's kind has a `value` (a transaction), so an object `amount` is the 1.0 spelling of it.
pub(super) fn upgrade_1_0(object: &mut Map<String, Value>, has_value: bool) {
    if let Some(single) = object.remove("amendment") {
        if !object.contains_key("amendments") && single.is_object() {
            object.insert("amendments".into(), Value::Array(vec![single]));
        }
    }
    if let Some(amount) = object.remove("amount") {
        // Only transactions keep an object `amount` (planning.budget.amount and a budget
        // breakdown's amount are Value objects of kinds that have no `value`).
        if has_value
            && amount.is_object()
            && !object.contains_key("value")
            && object.contains_key("id")
        {
            object.insert("value".into(), amount);
        } else {
            object.insert("amount".into(), amount);
        }
    }
    for (old, new) in [
        ("providerOrganization", "payer"),
        ("receiverOrganization", "payee"),
    ] {
        if let Some(Value::Object(identifier)) = object.remove(old) {
            if object.contains_key(new) {
                continue;
            }
            let mut org = Map::new();
            if let Some(name) = identifier.get("legalName") {
                org.insert("name".into(), name.clone());
            }
            let mut id = identifier;
            id.remove("legalName");
            org.insert("identifier".into(), Value::Object(id));
            object.insert(new.into(), Value::Object(org));
        }
    }
}
