//! An EPCIS document read as a stream: the events of `epcisBody.eventList` (an
//! EPCISDocument), `epcisBody.queryResults.resultsBody.eventList` (an EPCISQueryDocument),
//! `epcisBody.event` (one event) or a bare JSON array, one at a time; the header and other
//! fields skipped unread.
//!
//! The document's `@context` gives the namespace prefixes of user extensions, which the events'
//! hash ids depend on. Documents mostly give it first; some (GS1's own rail example) last. Until
//! it comes, the events read are kept back (up to a chunk), with the JSON of those whose keys
//! use prefixes not yet known, and their hash ids are computed again when it comes. A document
//! that gives more than a chunk of events before a `@context` defining prefixes they use is
//! refused, naming where to put its `@context`.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::event;
use super::hash::Namespaces;
use super::EventRecord;
use crate::error::RowError;
use crate::json_format::{
    guarded, other_json_types, skip_map, skip_seq, unread, ChunkWriter, JsonInput, KeySeed,
    Position, RowSeed, STOPPED,
};
use crate::ocds::json::item;

/// An event read from the file, with its Merkle leaf.
#[derive(Debug, Clone)]
pub(crate) struct EventItem {
    pub record: EventRecord,
    pub leaf: [u8; 32],
    /// The event as written, while its hash id waits for the document's `@context`.
    raw: Option<Value>,
}

/// Walk an EPCIS document, handing its events to `out`.
pub(crate) fn read<R: std::io::Read>(
    input: &mut JsonInput<R>,
    out: &mut ChunkWriter<'_, EventItem>,
) -> Result<(), serde_json::Error> {
    let mut document = Document {
        position: out.position().clone(),
        out,
        namespaces: Namespaces::default(),
        events: None,
        read: 0,
        refused: false,
        context_seen: false,
        held_unknown: BTreeSet::new(),
        sent_unknown: BTreeSet::new(),
    };
    let mut de = input.deserializer();
    Top(&mut document).deserialize(&mut de)?;
    de.end()?;
    document.finish();
    Ok(())
}

struct Document<'o, 'w> {
    out: &'o mut ChunkWriter<'w, EventItem>,
    position: Position,
    namespaces: Namespaces,
    /// Where the events are (the path of the list, or of the single event), once met.
    events: Option<&'static str>,
    /// Events read so far.
    read: u64,
    /// The document is not an object or an array: reported.
    refused: bool,
    /// The document's `@context` was read.
    context_seen: bool,
    /// Prefixes not yet known used by events kept back, and by events sent on, before the
    /// `@context` came.
    held_unknown: BTreeSet<String>,
    sent_unknown: BTreeSet<String>,
}

impl Document<'_, '_> {
    fn problem(&mut self, path: &str, reason: impl Into<String>) {
        self.out.error(RowError::new(1, Some(path), None, reason));
    }

    /// One event, at 0-based `index` of the list at `list` (or the single event at `list`).
    fn event(&mut self, list: &str, index: Option<usize>, value: &Value) -> Result<(), String> {
        let line = index.map_or(1, |i| i as u64 + 1);
        let path = match index {
            None => list.to_string(),
            Some(i) if list.is_empty() => format!("[{i}]"),
            Some(i) => item(list, i),
        };
        let mut errors = Vec::new();
        let namespaces = &self.namespaces;
        let record = guarded(line, &path, &mut errors, |errors| {
            event::read(value, &path, line, namespaces, errors)
        });
        if record.is_none() && errors.is_empty() {
            errors.push(unread(line, &path));
        }
        errors.into_iter().for_each(|e| self.out.error(e));
        if let Some(record) = record {
            let raw = self.waiting_for_context(value);
            let leaf = crate::merkle::leaf_hash(&record.canonical());
            self.out.push(EventItem { record, leaf, raw });
        }
        self.read += 1;
        let holding = self.out.holding();
        self.out.row_read().map_err(|_| STOPPED.to_string())?;
        if holding && !self.out.holding() {
            // The events kept back went on with the hash ids they have.
            self.sent_unknown.append(&mut self.held_unknown);
        }
        Ok(())
    }

    /// The event as written when its hash id may change with the document's `@context`, not
    /// read yet: kept while the events are kept back, else its unknown prefixes noted.
    fn waiting_for_context(&mut self, value: &Value) -> Option<Value> {
        if self.context_seen {
            return None;
        }
        let mut namespaces = self.namespaces.clone();
        if let Some(context) = value.get("@context") {
            namespaces.add_context(context);
        }
        let mut unknown = BTreeSet::new();
        namespaces.unknown_prefixes(value, &mut unknown);
        if unknown.is_empty() {
            None
        } else if self.out.holding() {
            self.held_unknown.extend(unknown);
            Some(value.clone())
        } else {
            self.sent_unknown.extend(unknown);
            None
        }
    }

    /// Where the events are: `path`, unless the document gave them elsewhere already.
    fn events_at(&mut self, path: &'static str) -> bool {
        match self.events {
            None => {
                self.events = Some(path);
                if !self.context_seen {
                    self.out.hold(false);
                }
                true
            }
            Some(first) => {
                self.problem(
                    path,
                    format!(
                        "the document gives events at `{first}` already: keep one list of events"
                    ),
                );
                false
            }
        }
    }

    /// The document's `@context`: the events kept back get their hash ids again.
    fn context(&mut self, context: &Value) {
        self.context_seen = true;
        let mut namespaces = self.namespaces.clone();
        namespaces.add_context(context);
        let late: Vec<&str> = self
            .namespaces
            .redefined_by(&namespaces)
            .into_iter()
            .filter(|p| self.sent_unknown.contains(*p))
            .collect();
        if !late.is_empty() {
            let reason = format!(
                "the @context comes after more than {} events and defines prefixes their hash ids depend on ({}): put @context before epcisBody, as EPCIS documents mostly do",
                crate::json_format::CHUNK_ROWS,
                late.join(", ")
            );
            self.problem("@context", reason);
            return;
        }
        self.namespaces = namespaces;
        for held in self.out.held_mut() {
            let Some(raw) = held.raw.take() else {
                continue;
            };
            let mut namespaces = self.namespaces.clone();
            if let Some(context) = raw.get("@context") {
                namespaces.add_context(context);
            }
            if let Some(event) = raw.as_object() {
                held.record.event_hash = super::hash::event_hash(event, &namespaces);
                held.leaf = crate::merkle::leaf_hash(&held.record.canonical());
            }
        }
        self.out.release();
    }

    fn finish(&mut self) {
        for held in self.out.held_mut() {
            held.raw = None;
        }
        self.out.release();
        if self.events.is_none() && !self.refused {
            self.problem(
                "(document)",
                "not an EPCIS document: expected epcisBody.eventList (an EPCISDocument), epcisBody.queryResults (an EPCISQueryDocument) or a list of events",
            );
        }
    }
}

/// The document: an object, or a bare array of events.
struct Top<'d, 'o, 'w>(&'d mut Document<'o, 'w>);

impl Top<'_, '_, '_> {
    fn wrong(self, found: &str) {
        self.0.refused = true;
        self.0.problem(
            "(document)",
            format!("expected an EPCIS document (an object) or a list of events, found {found}"),
        );
    }
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an EPCIS document")
    }

    other_json_types!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.events_at("");
        Events {
            document: self.0,
            path: "",
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_str() {
                "@context" => {
                    let context = map.next_value_seed(RowSeed::new(&self.0.position))?;
                    self.0.context(&context);
                }
                "epcisBody" => map.next_value_seed(Fields {
                    document: &mut *self.0,
                    level: Level::Body,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// An object on the way to the events, and which one it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// `epcisBody`: `eventList`, `event` or `queryResults`.
    Body,
    /// `epcisBody.queryResults`: `resultsBody`.
    QueryResults,
    /// `epcisBody.queryResults.resultsBody`: `eventList`.
    ResultsBody,
}

struct Fields<'d, 'o, 'w> {
    document: &'d mut Document<'o, 'w>,
    level: Level,
}

impl Fields<'_, '_, '_> {
    /// Anything but an object: no events there (the end of the document says so).
    fn wrong(self, _found: &str) {}
}

impl<'de> DeserializeSeed<'de> for Fields<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Fields<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    other_json_types!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        skip_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let document = &mut *self.document;
            match (self.level, key.as_str()) {
                (Level::Body, "eventList") if document.events_at("epcisBody.eventList") => {
                    map.next_value_seed(Events {
                        document,
                        path: "epcisBody.eventList",
                    })?;
                }
                (Level::Body, "event") if document.events_at("epcisBody.event") => {
                    let value = map.next_value_seed(RowSeed::new(&document.position))?;
                    document
                        .event("epcisBody.event", None, &value)
                        .map_err(A::Error::custom)?;
                }
                (Level::Body, "queryResults") => map.next_value_seed(Fields {
                    document,
                    level: Level::QueryResults,
                })?,
                (Level::QueryResults, "resultsBody") => map.next_value_seed(Fields {
                    document,
                    level: Level::ResultsBody,
                })?,
                (Level::ResultsBody, "eventList")
                    if document.events_at("epcisBody.queryResults.resultsBody.eventList") =>
                {
                    map.next_value_seed(Events {
                        document,
                        path: "epcisBody.queryResults.resultsBody.eventList",
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A list of events, read one at a time.
struct Events<'d, 'o, 'w> {
    document: &'d mut Document<'o, 'w>,
    path: &'static str,
}

impl Events<'_, '_, '_> {
    fn wrong(self, found: &str) {
        self.document.problem(
            self.path,
            format!("expected an array of events, found {found}"),
        );
    }
}

impl<'de> DeserializeSeed<'de> for Events<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Events<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of events")
    }

    other_json_types!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        let position = self.document.position.clone();
        let mut index = 0;
        while let Some(value) = seq.next_element_seed(RowSeed::new(&position))? {
            self.document
                .event(self.path, Some(index), &value)
                .map_err(A::Error::custom)?;
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.wrong("an object");
        skip_map(map)
    }
}
