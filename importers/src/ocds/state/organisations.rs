//! The organisations a process names, resolved through its parties and registered under a
//! stable citytrace party code.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::{objects, text, Organisation};

/// The organisations of one process, by citytrace party code.
pub(super) struct Organisations<'a> {
    ocid: &'a str,
    publisher: &'a str,
    parties: HashMap<String, &'a Map<String, Value>>,
    found: BTreeMap<String, Organisation>,
    order: Vec<String>,
}

impl<'a> Organisations<'a> {
    pub(super) fn new(ocid: &'a str, compiled: &'a Map<String, Value>) -> Self {
        let parties = objects(compiled.get("parties"))
            .filter_map(|p| Some((text(p, "id")?, p)))
            .collect();
        Self {
            ocid,
            publisher: publisher_prefix(ocid),
            parties,
            found: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    /// Resolve an organisation reference (or a party), record it with `roles`, return its code.
    pub(super) fn add(
        &mut self,
        reference: &Map<String, Value>,
        roles: &[String],
    ) -> Option<String> {
        let ocds_id = text(reference, "id");
        let party = ocds_id
            .as_ref()
            .and_then(|id| self.parties.get(id))
            .copied();
        let identifier = party
            .and_then(|p| p.get("identifier"))
            .or_else(|| reference.get("identifier"))
            .and_then(Value::as_object);
        let name = party
            .and_then(|p| text(p, "name"))
            .or_else(|| text(reference, "name"));
        let code = party_code(
            self.ocid,
            self.publisher,
            identifier.and_then(|i| text(i, "scheme")).as_deref(),
            identifier.and_then(|i| text(i, "id")).as_deref(),
            ocds_id.as_deref(),
            name.as_deref(),
        )?;
        let org = self.found.entry(code.clone()).or_insert_with(|| {
            self.order.push(code.clone());
            Organisation {
                code: code.clone(),
                name: name.clone().unwrap_or_else(|| code.clone()),
                ocds_id: ocds_id.clone(),
                roles: BTreeSet::new(),
            }
        });
        if org.ocds_id.is_none() {
            org.ocds_id = ocds_id;
        }
        org.roles
            .extend(roles.iter().filter(|r| !r.is_empty()).cloned());
        Some(code)
    }

    pub(super) fn first_with_role(&self, role: &str) -> Option<String> {
        self.order
            .iter()
            .find(|code| self.found[*code].roles.contains(role))
            .cloned()
    }

    pub(super) fn into_list(self) -> Vec<Organisation> {
        self.found.into_values().collect()
    }
}

/// The citytrace party code of an organisation a process names (docs/formats/ocds.md):
/// `{scheme}-{id}` from its identifier (the org-id.guide form, e.g. `GB-COH-11111111`); else
/// `{publisher}/{identifier id}` when the identifier has no scheme (the publisher's own register,
/// the publisher being the ocid prefix such as `ocds-a1234567`); else `{ocid}/{party id}` (an
/// OCDS party id is only unique within its process); else `{publisher}/{name}`.
pub(crate) fn party_code(
    ocid: &str,
    publisher: &str,
    scheme: Option<&str>,
    identifier: Option<&str>,
    ocds_id: Option<&str>,
    name: Option<&str>,
) -> Option<String> {
    match (scheme, identifier, ocds_id, name) {
        (Some(s), Some(i), _, _) => Some(format!("{s}-{i}")),
        (None, Some(i), _, _) => Some(format!("{publisher}/{i}")),
        (_, None, Some(id), _) => Some(format!("{ocid}/{id}")),
        (_, None, None, Some(n)) => Some(format!("{publisher}/{n}")),
        _ => None,
    }
}

/// `ocds-213czf` of `ocds-213czf-000-00001`: the publisher's ocid prefix.
pub(crate) fn publisher_prefix(ocid: &str) -> &str {
    match ocid.match_indices('-').nth(1) {
        Some((i, _)) => ocid.get(..i).unwrap_or(ocid),
        None => ocid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_codes_follow_the_documented_rule() {
        let code = |s, i, id, n| party_code("ocds-a1234567-mt-1", "ocds-a1234567", s, i, id, n);
        assert_eq!(
            code(Some("GB-COH"), Some("11111111"), Some("P1"), Some("Acme")).as_deref(),
            Some("GB-COH-11111111")
        );
        assert_eq!(
            code(None, Some("fonctionnaires"), Some("cd22"), None).as_deref(),
            Some("ocds-a1234567/fonctionnaires")
        );
        assert_eq!(
            code(None, None, Some("cd22"), Some("Acme")).as_deref(),
            Some("ocds-a1234567-mt-1/cd22")
        );
        assert_eq!(
            code(None, None, None, Some("Penrith City Council")).as_deref(),
            Some("ocds-a1234567/Penrith City Council")
        );
        assert_eq!(code(Some("X"), None, None, None), None);
        assert_eq!(publisher_prefix("ocds-213czf-000-00001"), "ocds-213czf");
        assert_eq!(publisher_prefix("plain"), "plain");
    }
}
