//! The rows an OCDS file yields: a release of a release package (or a bare release) is one
//! row; a record (of a record package, or bare) is one row — its compiledRelease, or its
//! releases compiled by the merge rules. A record whose releases are only *linked* (`url`,
//! `date`, `tag`) is compiled by the loader from those releases when they are imported
//! already ([`LinkedRecord`]).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use citytrace_schema::models::{NoteKind, OcdsRelease};

use super::clean::{CleanRelease, Cleaner};
use super::json::{field, item, type_name};
use super::merge;
use super::{ReleaseKind, ReleaseRow};
use crate::error::RowError;
use crate::json_format::Note;
use crate::values::{canonical_time, parse_timestamp};

/// A row read from the file: a release or record ready to store (with its Merkle leaf), or a
/// record of linked releases that the loader compiles from the stored releases it links.
#[derive(Debug, Clone)]
pub(crate) enum OcdsItem {
    Row { row: ReleaseRow, leaf: [u8; 32] },
    Linked(LinkedRecord),
}

impl OcdsItem {
    pub(crate) fn row(row: ReleaseRow) -> Self {
        let leaf = crate::merkle::leaf_hash(&row.canonical());
        Self::Row { row, leaf }
    }
}

/// A release a record names by `url`, `date` and `tag` only.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinkedRelease {
    pub path: String,
    pub url: Option<String>,
    pub date: Option<DateTime<Utc>>,
}

impl LinkedRelease {
    /// The release ids the URL may name: its fragment, then its file name without `.json`.
    pub fn url_ids(&self) -> Vec<&str> {
        let Some(url) = &self.url else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        if let Some((_, fragment)) = url.rsplit_once('#') {
            ids.push(fragment);
        }
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let last = path.rsplit('/').next().unwrap_or_default();
        ids.push(last.strip_suffix(".json").unwrap_or(last));
        ids.retain(|id| !id.is_empty());
        ids
    }

    /// The release id the URL names most plainly (for reports).
    pub fn named_id(&self) -> Option<&str> {
        self.url_ids().first().copied()
    }
}

/// A record that links releases instead of holding them: compiled, by the loader, from its
/// embedded releases and the stored releases it links.
#[derive(Debug, Clone)]
pub(crate) struct LinkedRecord {
    pub line: u64,
    pub path: String,
    pub ocid: String,
    pub releases: Vec<CleanRelease>,
    pub links: Vec<LinkedRelease>,
}

/// A release of a package, checked: its row, or None (its problems recorded).
pub(crate) fn release(
    value: &Value,
    path: &str,
    line: u64,
    errors: &mut Vec<RowError>,
    notes: &mut Vec<Note>,
) -> Option<ReleaseRow> {
    let clean = Cleaner::new(line, errors, notes).release(value, path, true)?;
    let id = clean.id.clone()?;
    Some(row(line, path, ReleaseKind::Release, id, clean))
}

/// A linked release (`url`, `date`, `tag` and no `ocid`), if `value` is one.
pub(crate) fn linked(value: &Value, path: &str) -> Option<LinkedRelease> {
    let object = value.as_object()?;
    if object.contains_key("ocid") || !object.contains_key("url") {
        return None;
    }
    Some(LinkedRelease {
        path: path.to_string(),
        url: object
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_string),
        date: object
            .get("date")
            .and_then(Value::as_str)
            .and_then(|d| parse_timestamp(d.trim()).ok())
            .map(|t| t.utc),
    })
}

/// A record of a record package, read whole.
pub(crate) fn record(
    value: &Value,
    path: &str,
    line: u64,
    errors: &mut Vec<RowError>,
    notes: &mut Vec<Note>,
) -> Option<OcdsItem> {
    let Some(object) = value.as_object() else {
        errors.push(RowError::new(
            line,
            Some(if path.is_empty() { "(document)" } else { path }),
            None,
            format!("expected a record (an object), found {}", type_name(value)),
        ));
        return None;
    };
    let mut parts = RecordParts::new(line, path);
    let compiled = object.get("compiledRelease").filter(|v| !v.is_null());
    if compiled.is_none() {
        let releases_path = field(path, "releases");
        match object.get("releases") {
            Some(Value::Array(items)) => {
                for (i, r) in items.iter().enumerate() {
                    parts.add_release(r, &item(&releases_path, i), errors, notes);
                }
            }
            Some(one @ Value::Object(_)) => {
                notes.push(Note::new(line, &releases_path, NoteKind::ObjectAsList, one));
                parts.add_release(one, &item(&releases_path, 0), errors, notes);
            }
            None | Some(Value::Null) => {}
            Some(other) => errors.push(RowError::new(
                line,
                Some(&releases_path),
                None,
                format!("expected an array, found {}", type_name(other)),
            )),
        }
    }
    parts.finish(object.get("ocid"), compiled, errors, notes)
}

/// What a record holds, gathered as the reader meets it.
pub(crate) struct RecordParts {
    line: u64,
    path: String,
    releases: Vec<CleanRelease>,
    links: Vec<LinkedRelease>,
    /// A release had problems (recorded): the record has no row.
    failed: bool,
}

impl RecordParts {
    pub fn new(line: u64, path: &str) -> Self {
        Self {
            line,
            path: path.to_string(),
            releases: Vec::new(),
            links: Vec::new(),
            failed: false,
        }
    }

    /// One of the record's `releases`: a linked release, or a release to compile.
    pub fn add_release(
        &mut self,
        value: &Value,
        path: &str,
        errors: &mut Vec<RowError>,
        notes: &mut Vec<Note>,
    ) {
        if let Some(link) = linked(value, path) {
            self.links.push(link);
        } else {
            match Cleaner::new(self.line, errors, notes).release(value, path, true) {
                Some(clean) => self.releases.push(clean),
                None => self.failed = true,
            }
        }
    }

    /// A release of the record had problems (recorded elsewhere).
    pub fn fail(&mut self) {
        self.failed = true;
    }

    /// A release of the record already checked (a bare record's releases, read as rows first).
    pub fn add_checked(&mut self, clean: CleanRelease) {
        self.releases.push(clean);
    }

    pub fn add_link(&mut self, link: LinkedRelease) {
        self.links.push(link);
    }

    /// The record's row: its compiledRelease when it has one (its releases are not read
    /// then), else its releases compiled — here, or by the loader when some are linked.
    pub fn finish(
        self,
        ocid: Option<&Value>,
        compiled: Option<&Value>,
        errors: &mut Vec<RowError>,
        notes: &mut Vec<Note>,
    ) -> Option<OcdsItem> {
        let (line, path) = (self.line, self.path.clone());
        let mut cleaner = Cleaner::new(line, errors, notes);
        let record_ocid = ocid
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|o| !o.is_empty());
        let compiled = match compiled {
            Some(c) => cleaner.release(c, &field(&path, "compiledRelease"), false)?,
            None if self.failed => return None,
            None if !self.links.is_empty() => return self.linked_record(record_ocid, &mut cleaner),
            None if self.releases.is_empty() => {
                cleaner.fail(
                    &path,
                    None,
                    "a record needs a compiledRelease or a non-empty `releases` array",
                );
                return None;
            }
            None => {
                let ocid = same_ocid(&self.releases, &path, &mut cleaner)?;
                compile(&ocid, self.releases.iter())?
            }
        };
        if let Some(ocid) = record_ocid.filter(|o| *o != compiled.ocid) {
            cleaner.fail(
                &field(&path, "ocid"),
                Some(&Value::String(ocid.to_string())),
                format!(
                    "the record's ocid differs from its releases' ({})",
                    compiled.ocid
                ),
            );
            return None;
        }
        let id = compiled
            .id
            .clone()
            .unwrap_or_else(|| format!("{}-{}", compiled.ocid, compiled.date));
        Some(OcdsItem::row(row(
            line,
            &path,
            ReleaseKind::Record,
            id,
            compiled,
        )))
    }

    fn linked_record(
        self,
        record_ocid: Option<&str>,
        cleaner: &mut Cleaner<'_>,
    ) -> Option<OcdsItem> {
        let ocid = match (record_ocid, self.releases.is_empty()) {
            (Some(ocid), _) => ocid.to_string(),
            (None, false) => same_ocid(&self.releases, &self.path, cleaner)?,
            (None, true) => {
                cleaner.fail(
                    &field(&self.path, "ocid"),
                    None,
                    "a record of linked releases needs its `ocid` to find the releases it links",
                );
                return None;
            }
        };
        if let Some(other) = self.releases.iter().find(|r| r.ocid != ocid) {
            cleaner.fail(
                &field(&self.path, "ocid"),
                Some(&Value::String(ocid.clone())),
                format!(
                    "the record's ocid differs from its releases' ({})",
                    other.ocid
                ),
            );
            return None;
        }
        Some(OcdsItem::Linked(LinkedRecord {
            line: self.line,
            path: self.path,
            ocid,
            releases: self.releases,
            links: self.links,
        }))
    }
}

/// The one ocid of a record's releases (a problem when they name several).
fn same_ocid(releases: &[CleanRelease], path: &str, cleaner: &mut Cleaner<'_>) -> Option<String> {
    let ocid = releases.first()?.ocid.clone();
    for (i, r) in releases.iter().enumerate().skip(1) {
        if r.ocid != ocid {
            cleaner.fail(
                &field(&item(&field(path, "releases"), i), "ocid"),
                Some(&Value::String(r.ocid.clone())),
                format!("a record's releases share one ocid; the first has {ocid}"),
            );
            return None;
        }
    }
    Some(ocid)
}

/// A record's compiled release: its releases sorted by date and merged. Canonical dates sort
/// as instants; the sort is stable, so equal dates keep the order given.
pub(crate) fn compile<'a>(
    ocid: &str,
    releases: impl Iterator<Item = &'a CleanRelease>,
) -> Option<CleanRelease> {
    let mut releases: Vec<&CleanRelease> = releases.collect();
    releases.sort_by(|a, b| a.date.cmp(&b.date));
    let date = releases.last()?.date.clone();
    let mut data = merge::compile(releases.iter().map(|c| &c.data));
    data.insert("ocid".into(), Value::String(ocid.to_string()));
    data.insert("date".into(), Value::String(date.clone()));
    data.insert(
        "tag".into(),
        Value::Array(vec![Value::String("compiled".into())]),
    );
    Some(CleanRelease {
        ocid: ocid.to_string(),
        id: None,
        date,
        tags: vec!["compiled".into()],
        data,
    })
}

/// A stored release, as a record compiled from it reads it.
pub(crate) fn stored_release(stored: &OcdsRelease) -> Option<CleanRelease> {
    let data = stored.data.as_object()?.clone();
    Some(CleanRelease {
        ocid: stored.ocid.clone(),
        id: Some(stored.release_id.clone()),
        date: data
            .get("date")
            .and_then(Value::as_str)
            .map_or_else(|| canonical_time(&stored.release_date), str::to_string),
        tags: stored.tags.clone(),
        data,
    })
}

/// A release row back as the release it was cleaned from (a bare record's releases are read
/// as rows until the record shows itself).
pub(crate) fn release_of_row(row: ReleaseRow) -> CleanRelease {
    let data = match row.data {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    CleanRelease {
        date: data
            .get("date")
            .and_then(Value::as_str)
            .map_or_else(|| canonical_time(&row.date), str::to_string),
        ocid: row.ocid,
        id: Some(row.release_id),
        tags: row.tags,
        data,
    }
}

pub(crate) fn row(
    line: u64,
    path: &str,
    kind: ReleaseKind,
    id: String,
    clean: CleanRelease,
) -> ReleaseRow {
    let mut data = clean.data;
    data.insert("id".into(), Value::String(id.clone()));
    let date = DateTime::parse_from_rfc3339(&clean.date)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default();
    ReleaseRow {
        line,
        path: path.to_string(),
        kind,
        ocid: clean.ocid,
        release_id: id,
        date,
        tags: clean.tags,
        data: Value::Object(data),
    }
}
