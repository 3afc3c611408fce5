//! Writing canonical row encodings directly: a JSON object whose keys are given in sorted
//! order, no whitespace, strings escaped as serde_json escapes them — byte for byte what a
//! sorted map serialised by serde_json gives (docs/verification.md), without building one per
//! row.

/// A canonical JSON object under construction; keys must be added in byte order.
pub struct Canonical {
    out: Vec<u8>,
    last_key: &'static str,
}

impl Canonical {
    pub fn new() -> Self {
        Self {
            out: vec![b'{'],
            last_key: "",
        }
    }
}

impl Default for Canonical {
    fn default() -> Self {
        Self::new()
    }
}

impl Canonical {
    fn key(&mut self, key: &'static str) {
        debug_assert!(
            self.last_key.is_empty() || key > self.last_key,
            "canonical keys out of order: {} then {key}",
            self.last_key
        );
        if !self.last_key.is_empty() {
            self.out.push(b',');
        }
        self.last_key = key;
        self.string(key);
        self.out.push(b':');
    }

    fn string(&mut self, value: &str) {
        // Writing a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    /// `"key":"value"`.
    pub fn str(mut self, key: &'static str, value: &str) -> Self {
        self.key(key);
        self.string(value);
        self
    }

    /// `"key":"value"` or `"key":null`.
    pub fn opt(mut self, key: &'static str, value: Option<&str>) -> Self {
        self.key(key);
        match value {
            Some(v) => self.string(v),
            None => self.out.extend_from_slice(b"null"),
        }
        self
    }

    /// `"key":123`.
    pub fn int(mut self, key: &'static str, value: i64) -> Self {
        self.key(key);
        self.out.extend_from_slice(value.to_string().as_bytes());
        self
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn matches_a_sorted_map_serialised_by_serde_json() {
        let written = Canonical::new()
            .opt("a\"quote", Some("tab\there, ünïcode, \u{1}"))
            .str("encoding", "citytrace/test/1")
            .int("line", 42)
            .opt("missing", None)
            .str("zeta", "</script>")
            .finish();
        let mut map: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        map.insert("encoding", "citytrace/test/1".into());
        map.insert("a\"quote", "tab\there, ünïcode, \u{1}".into());
        map.insert("line", 42.into());
        map.insert("missing", serde_json::Value::Null);
        map.insert("zeta", "</script>".into());
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
    }
}
