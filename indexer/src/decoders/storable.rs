//! The rules of the indexed tables, checked in Rust before a range is written, so that a log
//! that would break one is quarantined alone instead of failing its whole range's transaction.
//!
//! They mirror what PostgreSQL refuses (schema/migrations/): `supply_events.event_type` is one
//! of the five EPCIS event types; a site code is not empty (an empty location registers no
//! site) and short enough for the unique index on `sites.code`; text and JSON hold no NUL
//! character. Columns fed from EVM integers hold their whole range (NUMERIC for uint64 and
//! wider), so no integer is checked here; a uint64 time past year 262,142 is refused where it
//! is converted (`domain`). What only the database knows is caught at write time
//! (`follow::write`, the refused rows).

use serde_json::Value;

use citytrace_schema::models::NewLedgerEvent;

use super::DomainRow;

/// The EPCIS 2.0 event types `supply_events.event_type` accepts.
pub const EPCIS_EVENT_TYPES: [&str; 5] = [
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// The longest site code registered from a TraceRegistry `bizLocation`, in bytes. A B-tree
/// index entry holds at most 2,704 bytes (a third of a page); `sites.code` is uniquely indexed.
pub const MAX_SITE_CODE_BYTES: usize = 2_000;

/// Check the row a domain event becomes against its table's rules.
pub fn domain_row(row: &DomainRow) -> Result<(), String> {
    match row {
        DomainRow::Anchor(a) => texts(&[("uri", &a.uri)]),
        DomainRow::Trace(t) => {
            if !EPCIS_EVENT_TYPES.contains(&t.event_type.as_str()) {
                return Err(format!(
                    "eventType {} is not an EPCIS event type ({})",
                    shown(&t.event_type),
                    EPCIS_EVENT_TYPES.join(", ")
                ));
            }
            if t.biz_location.len() > MAX_SITE_CODE_BYTES {
                return Err(format!(
                    "bizLocation is {} bytes long; a site code holds at most {MAX_SITE_CODE_BYTES}",
                    t.biz_location.len()
                ));
            }
            texts(&[
                ("bizStep", &t.biz_step),
                ("disposition", &t.disposition),
                ("epc", &t.epc),
                ("bizLocation", &t.biz_location),
            ])
        }
        DomainRow::Allocation(a) => texts(&[
            ("department", &a.department),
            ("program", &a.program),
            ("cofog", &a.cofog),
            ("currency", &a.currency),
        ]),
        DomainRow::Payment(p) => texts(&[
            ("payeeName", &p.payee_name),
            ("department", &p.department),
            ("currency", &p.currency),
            ("contractRef", &p.contract_ref),
            ("budgetLineId", p.budget_line_id.as_deref().unwrap_or("")),
        ]),
        DomainRow::Transfer(_) => Ok(()),
        DomainRow::Retirement(r) => texts(&[
            (
                "beneficiaryString",
                r.beneficiary_name.as_deref().unwrap_or(""),
            ),
            (
                "retiringEntityString",
                r.retiring_entity.as_deref().unwrap_or(""),
            ),
            ("retirementMessage", r.message.as_deref().unwrap_or("")),
        ]),
    }
}

/// Check a generic event (stored in ledger_events) against that table's rules.
pub fn ledger_event(event: &NewLedgerEvent) -> Result<(), String> {
    texts(&[
        ("event name", &event.event_name),
        ("signature", &event.signature),
    ])?;
    if !json_is_storable(&event.params) {
        return Err(format!(
            "a parameter of {} contains a NUL character, which PostgreSQL JSON cannot hold",
            event.signature
        ));
    }
    Ok(())
}

/// Can PostgreSQL's jsonb hold `value`? Not when a string (or key) holds a NUL character.
pub fn json_is_storable(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.contains('\0'),
        Value::Array(items) => items.iter().all(json_is_storable),
        Value::Object(map) => map
            .iter()
            .all(|(k, v)| !k.contains('\0') && json_is_storable(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
    }
}

fn texts(fields: &[(&str, &str)]) -> Result<(), String> {
    match fields.iter().find(|(_, value)| value.contains('\0')) {
        Some((name, value)) => Err(format!(
            "{name} {} contains a NUL character, which PostgreSQL text cannot hold",
            shown(value)
        )),
        None => Ok(()),
    }
}

/// A value as an error message shows it: quoted and escaped (a NUL reads `\0`), its first 80
/// characters then `…` when longer.
pub fn shown(value: &str) -> String {
    const MAX_CHARS: usize = 80;
    match value.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{:?}…", value.get(..cut).unwrap_or(value)),
        None => format!("{value:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_messages_are_escaped_and_cut_between_characters() {
        assert_eq!(shown("Obj\0ect"), "\"Obj\\0ect\"");
        let long = "é".repeat(100);
        let cut = shown(&long);
        assert_eq!(cut, format!("{:?}…", "é".repeat(80)));
    }

    #[test]
    fn json_with_a_nul_anywhere_is_not_storable() {
        assert!(json_is_storable(&serde_json::json!({"a": ["x", {"b": 1}]})));
        assert!(!json_is_storable(
            &serde_json::json!({"a": ["x", {"b": "\u{0}"}]})
        ));
        assert!(!json_is_storable(&serde_json::json!({"a\u{0}": 1})));
    }
}
