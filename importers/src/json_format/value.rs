//! One row of a JSON file (a release, a record, an event) read into a `serde_json::Value` —
//! refusing, where the reader stands, what the database cannot store (a NUL character in a
//! string or a key) and rows larger than [`MAX_ROW_BYTES`].

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The largest single row read: a release, record or event whose JSON text is longer is
/// refused (everything else of a file streams; a row is held whole while it is checked).
pub const MAX_ROW_BYTES: u64 = 64 << 20;

/// Why a string cannot be stored (PostgreSQL refuses U+0000 in text and in jsonb).
pub(crate) const NUL_REASON: &str =
    "contains a NUL character (\\u0000), which cannot be stored: remove it from the file";

/// How far the reader has got in the file, in bytes; shared with the reader that counts them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Position(Rc<Cell<u64>>);

impl Position {
    pub fn get(&self) -> u64 {
        self.0.get()
    }

    pub fn advance(&self, bytes: usize) {
        self.0.set(self.0.get().saturating_add(bytes as u64));
    }
}

/// Reads one row as a [`Value`] (see the module docs).
#[derive(Clone, Copy)]
pub(crate) struct RowSeed<'a> {
    position: &'a Position,
    start: u64,
}

impl<'a> RowSeed<'a> {
    /// A row that starts where the reader stands now.
    pub fn new(position: &'a Position) -> Self {
        Self {
            position,
            start: position.get(),
        }
    }

    fn check_size<E: serde::de::Error>(&self) -> Result<(), E> {
        // The count runs a buffer ahead of the parser, hence the margin of one buffer.
        let read = self.position.get().saturating_sub(self.start);
        if read > MAX_ROW_BYTES + super::reader::BUFFER_BYTES as u64 {
            return Err(E::custom(format!(
                "this item is larger than {} MiB: citytrace reads releases, records and events of at most that size",
                MAX_ROW_BYTES >> 20
            )));
        }
        Ok(())
    }
}

/// A string the database can store, or the error that says why not.
pub(crate) fn checked_text<E: serde::de::Error>(text: &str) -> Result<(), E> {
    if text.contains('\0') {
        Err(E::custom(NUL_REASON))
    } else {
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        checked_text(v)?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        checked_text(&v)?;
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            self.check_size()?;
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(self)?;
            self.check_size()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// An object's key, with the same check as any string.
#[derive(Clone, Copy)]
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        checked_text(v)?;
        Ok(v.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        checked_text(&v)?;
        Ok(v)
    }
}

/// The `visit_*` methods of a visitor for the JSON types it does not expect (booleans,
/// numbers, strings, null): each calls the visitor's own `wrong(self, "a string")`, which
/// records the problem. Arrays and objects the visitor handles itself.
macro_rules! other_json_types {
    () => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(self.wrong("a boolean"))
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(self.wrong("a number"))
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(self.wrong("a number"))
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(self.wrong("a number"))
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.wrong("a string"))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.wrong("null"))
        }
    };
}
pub(crate) use other_json_types;

/// Skip the rest of an array or object a visitor does not read.
pub(crate) fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
    Ok(())
}

pub(crate) fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map
        .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
        .is_some()
    {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Value, serde_json::Error> {
        let position = Position::default();
        let mut de = serde_json::Deserializer::from_str(text);
        RowSeed::new(&position).deserialize(&mut de)
    }

    #[test]
    fn values_read_as_serde_json_reads_them() {
        let text =
            r#"{"a": [1, -2, 3.5, true, null, "é"], "b": {"c": {}}, "d": 18446744073709551615}"#;
        assert_eq!(
            read(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn nul_characters_are_refused_in_strings_and_keys_where_they_are() {
        // Line 2 is `  "a": "x\u0000y"}`: the reader stands on the closing quote, column 17.
        let e = read("{\n  \"a\": \"x\\u0000y\"}").unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 17));
        assert!(e.to_string().starts_with("contains a NUL character"), "{e}");
        let e = read(r#"{"a\u0000": 1}"#).unwrap_err();
        assert!(e.to_string().starts_with("contains a NUL character"), "{e}");
        assert!(read(r#"{"a": "x\u0001"}"#).is_ok());
    }
}
