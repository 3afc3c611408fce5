//! The namespace prefixes of a document's JSON-LD `@context`, which user extension names are
//! written with in the pre-hash string (`{namespace}local`).

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

/// Namespace prefixes of a document's JSON-LD context, for user extension names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Namespaces(HashMap<String, String>);

impl Default for Namespaces {
    fn default() -> Self {
        let mut map = HashMap::new();
        for (prefix, uri) in [
            ("gs1", "https://ref.gs1.org/voc/"),
            ("cbv", "https://ref.gs1.org/cbv/"),
            ("epcis", "https://ref.gs1.org/epcis/"),
            ("cbvmda", "urn:epcglobal:cbv:mda"),
        ] {
            map.insert(prefix.to_string(), uri.to_string());
        }
        Self(map)
    }
}

impl Namespaces {
    /// Add the prefixes a `@context` value defines (objects of `prefix: "uri"`).
    pub fn add_context(&mut self, context: &Value) {
        match context {
            Value::Array(items) => items.iter().for_each(|c| self.add_context(c)),
            Value::Object(map) => {
                for (prefix, uri) in map {
                    if let (Some(uri), false) = (uri.as_str(), prefix.starts_with('@')) {
                        if prefix != "gs1" {
                            self.0.insert(prefix.clone(), uri.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// `{namespace}local` for `prefix:local` with a known prefix; the name as written otherwise.
    pub(super) fn expand(&self, name: &str) -> String {
        match name.split_once(':') {
            Some((prefix, local)) => match self.0.get(prefix) {
                Some(uri) => format!("{{{uri}}}{local}"),
                None => name.to_string(),
            },
            None => name.to_string(),
        }
    }

    /// The prefixes `other` defines and these namespaces do not, or define otherwise.
    pub fn redefined_by<'o>(&self, other: &'o Namespaces) -> Vec<&'o str> {
        other
            .0
            .iter()
            .filter(|(prefix, uri)| self.0.get(prefix.as_str()) != Some(*uri))
            .map(|(prefix, _)| prefix.as_str())
            .collect()
    }

    /// The prefixes of the keys of `value` (at any depth) these namespaces do not know: an
    /// event's hash id may change when a later `@context` defines them.
    pub fn unknown_prefixes(&self, value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if let Some((prefix, _)) = key.split_once(':') {
                        if !self.0.contains_key(prefix) && !prefix.is_empty() {
                            out.insert(prefix.to_string());
                        }
                    }
                    self.unknown_prefixes(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.unknown_prefixes(v, out)),
            _ => {}
        }
    }
}
