//! The identifiers an event names: GS1 keys made canonical Digital Links, locations.

use serde_json::{Map, Value};

use super::super::epc;
use super::Reader;
use crate::ocds::json::field;

impl Reader<'_> {
    /// An identifier: GS1 keys as canonical Digital Links (a GS1 EPC URI or a URI on GS1's
    /// resolver that does not convert, or a wrong check digit, is an error), anything else as
    /// written.
    pub(super) fn identifier(&mut self, path: &str, text: &str) -> Option<String> {
        match epc::digital_link(text) {
            Some(dl) => match epc::check_digit_problem(&dl) {
                Some(problem) => {
                    self.fail(path, Some(&Value::String(text.to_string())), problem);
                    None
                }
                None => Some(dl),
            },
            None if epc::is_gs1_epc_uri(text) => {
                self.fail(path, Some(&Value::String(text.to_string())), "not a valid GS1 EPC URI: check the company prefix and reference lengths (13 digits together for an SGTIN)");
                None
            }
            None if epc::on_gs1_resolver(text) => {
                self.fail(path, Some(&Value::String(text.to_string())), "not a valid GS1 Digital Link: a URI on id.gs1.org must name a GS1 key with the digits and length its application identifier requires");
                None
            }
            None => Some(text.to_string()),
        }
    }

    /// readPoint / bizLocation: `{ "id": … }`.
    pub(super) fn location(
        &mut self,
        event: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<String> {
        let location = self.object(event, path, key)?;
        let p = field(path, key);
        match self.text(location, &p, "id") {
            Some(id) => self.identifier(&field(&p, "id"), &id),
            None => {
                self.fail(&field(&p, "id"), None, format!("a {key} needs an `id`"));
                None
            }
        }
    }
}
