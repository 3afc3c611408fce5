//! An OCDS file read as a stream: the releases of a release package and the records of a
//! record package one at a time, the package's other fields skipped unread.
//!
//! The shape of a file shows as it is read: `records` makes a record package; a top-level
//! `ocid` or `compiledRelease` a bare record (with `releases`) or a bare release (without);
//! `releases` without them a release package. Publishers write bare records with their
//! `releases` before their `compiledRelease` and no top-level `ocid` (the UK and Montréal
//! examples), so the releases of a top-level `releases` array are kept back until a chunk is
//! full: when the file turns out to be a bare record, they are its releases (one row); else
//! they go on as the package's rows. A bare record with more releases than a chunk must give
//! its `ocid` or `compiledRelease` before them.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use citytrace_schema::models::NoteKind;

use super::clean::is_release_field;
use super::document::{self, LinkedRelease, OcdsItem, RecordParts};
use super::json::item;
use crate::error::RowError;
use crate::json_format::{
    guarded, other_json_types, skip_seq, unread, ChunkWriter, KeySeed, Note, Position, RowSeed,
    STOPPED,
};

/// Walk an OCDS document, handing its rows to `out`.
pub(crate) fn read<R: std::io::Read>(
    input: &mut crate::json_format::JsonInput<R>,
    out: &mut ChunkWriter<'_, OcdsItem>,
) -> Result<(), serde_json::Error> {
    let mut document = Document {
        position: out.position().clone(),
        out,
        top: Map::new(),
        shape: Shape::Unknown,
        links: Vec::new(),
    };
    let mut de = input.deserializer();
    Top(&mut document).deserialize(&mut de)?;
    de.end()?;
    document.finish();
    Ok(())
}

/// What the top level has shown so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Unknown,
    /// A top-level `releases` array was read.
    Releases,
    /// A top-level `releases` array was skipped (a bare record's, after its compiledRelease).
    SkippedReleases,
    Records,
    /// Not an object: reported.
    Refused,
}

/// Which top-level list is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Releases,
    Records,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            Self::Releases => "releases",
            Self::Records => "records",
        }
    }
}

struct Document<'o, 'w> {
    out: &'o mut ChunkWriter<'w, OcdsItem>,
    position: Position,
    /// Top-level fields a bare release or record is made of.
    top: Map<String, Value>,
    shape: Shape,
    /// Linked releases of a top-level `releases` array (a bare record's, or problems).
    links: Vec<LinkedRelease>,
}

impl Document<'_, '_> {
    fn problem(&mut self, path: &str, reason: impl Into<String>) {
        self.out.error(RowError::new(1, Some(path), None, reason));
    }

    /// One row of a top-level list, at its 0-based `index`.
    fn item(&mut self, list: List, index: usize, value: &Value) -> Result<(), String> {
        let (line, path) = (index as u64 + 1, item(list.key(), index));
        let (mut errors, mut notes) = (Vec::new(), Vec::new());
        let row = match list {
            List::Records => guarded(line, &path, &mut errors, |errors| {
                let record = document::record(value, &path, line, errors, &mut notes);
                if record.is_none() && errors.is_empty() {
                    errors.push(unread(line, &path));
                }
                record
            }),
            List::Releases => match document::linked(value, &path) {
                Some(link) if self.out.holding() => {
                    self.links.push(link);
                    None
                }
                Some(_) => {
                    errors.push(linked_in_package(line, &path));
                    None
                }
                None => guarded(line, &path, &mut errors, |errors| {
                    let release = document::release(value, &path, line, errors, &mut notes);
                    if release.is_none() && errors.is_empty() {
                        errors.push(unread(line, &path));
                    }
                    release.map(OcdsItem::row)
                }),
            },
        };
        let holding = self.out.holding();
        self.emit(row, errors, notes)
            .map_err(|_| STOPPED.to_string())?;
        if holding && !self.out.holding() {
            // The kept releases went on as a package's rows: its linked releases are problems.
            for link in std::mem::take(&mut self.links) {
                self.out
                    .error(linked_in_package(link_line(&link), &link.path));
            }
        }
        Ok(())
    }

    /// Hand a row (if any), its problems and its notes on; count it as read.
    fn emit(
        &mut self,
        row: Option<OcdsItem>,
        errors: Vec<RowError>,
        notes: Vec<Note>,
    ) -> Result<(), crate::json_format::Stopped> {
        errors.into_iter().for_each(|e| self.out.error(e));
        notes.into_iter().for_each(|n| self.out.note(n));
        if let Some(row) = row {
            self.out.push(row);
        }
        self.out.row_read()
    }

    /// A top-level key.
    fn key<'de, A: MapAccess<'de>>(&mut self, key: String, map: &mut A) -> Result<(), A::Error> {
        let list = match key.as_str() {
            "records" => Some(List::Records),
            "releases" => Some(List::Releases),
            _ => None,
        };
        if let Some(list) = list {
            if self.shape != Shape::Unknown {
                self.problem(
                    list.key(),
                    "a second `releases` or `records` list: a file holds one package",
                );
                return map.next_value::<IgnoredAny>().map(|_| ());
            }
            if list == List::Releases && self.top.contains_key("compiledRelease") {
                // A bare record's releases, after its compiledRelease: not read.
                self.shape = Shape::SkippedReleases;
                return map.next_value::<IgnoredAny>().map(|_| ());
            }
            self.shape = match list {
                List::Records => Shape::Records,
                List::Releases => {
                    self.out.hold(self.top.contains_key("ocid"));
                    Shape::Releases
                }
            };
            return map.next_value_seed(ListSeed {
                document: self,
                list,
            });
        }
        let record_key = key == "ocid" || key == "compiledRelease";
        if record_key && self.shape == Shape::Releases && !self.out.holding() {
            self.problem(
                &key,
                format!("`{key}` after a long `releases` list: read as a release package, which has no top-level `{key}`; a bare record gives its `ocid` or `compiledRelease` before its releases"),
            );
        }
        if record_key || is_release_field(&key) {
            let value = map.next_value_seed(RowSeed::new(&self.position))?;
            self.top.insert(key, value);
            return Ok(());
        }
        map.next_value::<IgnoredAny>().map(|_| ())
    }

    /// The end of the document: a bare release or record is read now, from the top-level
    /// fields and the releases kept back.
    fn finish(mut self) {
        let is_record = self.top.contains_key("ocid") || self.top.contains_key("compiledRelease");
        match self.shape {
            Shape::Records | Shape::Refused => {}
            Shape::Releases if !self.out.holding() => {}
            Shape::Releases if is_record => self.bare_record(),
            Shape::Releases => {
                self.out.release();
                for link in std::mem::take(&mut self.links) {
                    let line = link_line(&link);
                    self.out.error(linked_in_package(line, &link.path));
                }
            }
            Shape::SkippedReleases => self.bare_record(),
            Shape::Unknown if self.top.contains_key("compiledRelease") => self.bare_record(),
            Shape::Unknown if self.top.contains_key("ocid") => self.bare_release(),
            Shape::Unknown => self.problem(
                "(document)",
                "not OCDS: expected a `releases` or `records` array (a package), or a release or record with an `ocid`",
            ),
        }
    }

    /// A bare release: the top-level fields (line 1, paths from the document).
    fn bare_release(&mut self) {
        let top = Value::Object(std::mem::take(&mut self.top));
        let (mut errors, mut notes) = (Vec::new(), Vec::new());
        let row = guarded(1, "", &mut errors, |errors| {
            document::release(&top, "", 1, errors, &mut notes).map(OcdsItem::row)
        });
        let _ = self.emit(row, errors, notes);
    }

    /// A bare record (line 1): its compiledRelease, else the releases kept back compiled.
    fn bare_record(&mut self) {
        let held = self.out.take_held();
        let mut parts = RecordParts::new(1, "");
        let (mut errors, mut notes) = (Vec::new(), Vec::new());
        if !self.top.contains_key("compiledRelease") {
            for e in held.errors {
                parts.fail();
                errors.push(RowError { line: 1, ..e });
            }
            notes.extend(held.notes.into_iter().map(|n| Note { line: 1, ..n }));
            for row in held.items {
                if let OcdsItem::Row { row, .. } = row {
                    parts.add_checked(document::release_of_row(row));
                }
            }
            for link in std::mem::take(&mut self.links) {
                parts.add_link(link);
            }
        }
        let row = guarded(1, "", &mut errors, |errors| {
            parts.finish(
                self.top.get("ocid"),
                self.top.get("compiledRelease"),
                errors,
                &mut notes,
            )
        });
        let _ = self.emit(row, errors, notes);
    }
}

/// The line of a linked release of a top-level `releases` list: its position.
fn link_line(link: &LinkedRelease) -> u64 {
    link.path
        .strip_prefix("releases[")
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|i| i.parse::<u64>().ok())
        .map_or(1, |i| i + 1)
}

fn linked_in_package(line: u64, path: &str) -> RowError {
    RowError::new(
        line,
        Some(path),
        None,
        "a linked release (url, date, tag) belongs in a record; a release package holds the releases themselves",
    )
}

/// The document: an object.
struct Top<'d, 'o, 'w>(&'d mut Document<'o, 'w>);

impl Top<'_, '_, '_> {
    fn wrong(self, found: &str) {
        self.0.shape = Shape::Refused;
        self.0.problem(
            "(document)",
            format!("expected an OCDS release package, record package, release or record (an object), found {found}"),
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
        f.write_str("an OCDS package, release or record")
    }

    other_json_types!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.wrong("an array");
        skip_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            self.0.key(key, &mut map)?;
        }
        Ok(())
    }
}

/// A top-level `releases` or `records` list, read one row at a time.
struct ListSeed<'d, 'o, 'w> {
    document: &'d mut Document<'o, 'w>,
    list: List,
}

impl ListSeed<'_, '_, '_> {
    fn wrong(self, found: &str) {
        self.document
            .problem(self.list.key(), format!("expected an array, found {found}"));
    }
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    other_json_types!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        let position = self.document.position.clone();
        let mut index = 0;
        while let Some(value) = seq.next_element_seed(RowSeed::new(&position))? {
            self.document
                .item(self.list, index, &value)
                .map_err(A::Error::custom)?;
            index += 1;
        }
        Ok(())
    }

    /// One object where the list belongs: a list of one (noted).
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        let position = self.document.position.clone();
        let value = RowSeed::new(&position).visit_map(map)?;
        let key = self.list.key();
        self.document
            .out
            .note(Note::new(1, key, NoteKind::ObjectAsList, &value));
        self.document
            .item(self.list, 0, &value)
            .map_err(A::Error::custom)
    }
}
