//! JSON values shared by the JSON formats (OCDS, EPCIS): exact decimals, JSON-path-like
//! locations for problems inside a row, and the canonical JSON text that row encodings use.
//! (Reading the files themselves: `crate::json_format`.)

use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde_json::Value;

/// Significant digits a fractional JSON number may have and still be read exactly.
const MAX_SIGNIFICANT_DIGITS: usize = 15;

/// A JSON number as an exact decimal. Integers are exact; a fractional number has passed
/// through an IEEE double, so it is accepted only with at most 15 significant digits (where
/// the shortest decimal that reads back as the same double is the number that was written).
pub(crate) fn decimal(value: &Value) -> Result<BigDecimal, String> {
    let Value::Number(n) = value else {
        return Err(format!("expected a number, found {}", type_name(value)));
    };
    if n.is_i64() || n.is_u64() {
        return BigDecimal::from_str(&n.to_string()).map_err(|e| e.to_string());
    }
    let f = n
        .as_f64()
        .filter(|f| f.is_finite())
        .ok_or("not a finite number")?;
    let text = format!("{f}");
    let significant = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|b| *b == b'0')
        .count();
    if significant > MAX_SIGNIFICANT_DIGITS {
        return Err(format!(
            "more than {MAX_SIGNIFICANT_DIGITS} significant digits; such a number cannot be read exactly"
        ));
    }
    BigDecimal::from_str(&text).map_err(|e| e.to_string())
}

/// `prefix.key`, or `key` at the top.
pub(crate) fn field(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// `prefix[index]`.
pub(crate) fn item(prefix: &str, index: usize) -> String {
    format!("{prefix}[{index}]")
}

/// A short rendering of a JSON value for error reports.
pub(crate) fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value's JSON type, as error messages name it.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Canonical JSON text: UTF-8, object keys sorted by their bytes, no insignificant
/// whitespace, strings escaped as JSON requires (non-ASCII written as itself), numbers as
/// serde_json writes them. Independent of how serde_json orders maps.
pub(crate) fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_canonical(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(s, out),
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    // serde_json escapes exactly what JSON requires and writes other characters as themselves.
    out.extend_from_slice(Value::String(s.to_string()).to_string().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level_and_keeps_unicode() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":null,"x":"é\n"}],"m":true}}"#).unwrap();
        assert_eq!(
            String::from_utf8(canonical_json(&v)).unwrap(),
            r#"{"a":{"m":true,"z":[{"x":"é\n","y":null}]},"b":1}"#
        );
    }
}
