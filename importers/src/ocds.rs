//! The OCDS format (docs/formats/ocds.md): Open Contracting Data Standard 1.1 release
//! packages, record packages, bare releases and bare records, as JSON.
//!
//! Each release (or record) of a file is one row: its line is its 1-based position in the
//! file's `releases` (or `records`) array, 1 for a bare release or record. A row is the release
//! reduced to what citytrace keeps and normalised (`clean`); rows are stored as received
//! (`ocds_releases`) and every contracting process they touch is rebuilt from all its stored
//! releases by the OCDS merge rules (`merge`, `state`) into `procurement_*` tables.

mod clean;
mod document;
pub(crate) mod json;
mod merge;
mod state;
mod store;

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use citytrace_schema::models::OcdsRelease;

use crate::error::{RowError, RowErrors};

pub use store::load;

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/ocds/1";

/// What a row is: a release, or a record (stored as its compiled release).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReleaseKind {
    Release,
    Record,
}

impl ReleaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Release => "release",
            Self::Record => "record",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "release" => Some(Self::Release),
            "record" => Some(Self::Record),
            _ => None,
        }
    }
}

/// A validated, normalised release or record.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseRow {
    /// 1-based position of the release or record in its file.
    pub line: u64,
    /// Where in the file it is, e.g. `releases[3]` (for error reports; not stored).
    pub path: String,
    pub kind: ReleaseKind,
    pub ocid: String,
    /// The release id; for a record, its compiled release's id (or `{ocid}-{date}`).
    pub release_id: String,
    pub date: DateTime<Utc>,
    pub tags: Vec<String>,
    /// The release as kept: an object with its ocid, id, date and tag.
    pub data: Value,
}

impl ReleaseRow {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md):
    /// `{"encoding","kind","line","release"}` with sorted keys, no whitespace.
    pub fn canonical(&self) -> Vec<u8> {
        let mut map = Map::new();
        map.insert("encoding".into(), ENCODING.into());
        map.insert("kind".into(), self.kind.as_str().into());
        map.insert("line".into(), self.line.into());
        map.insert("release".into(), self.data.clone());
        json::canonical_json(&Value::Object(map))
    }

    /// The row as stored, for recomputing its leaf from the database.
    pub fn from_stored(row: &OcdsRelease) -> Self {
        Self {
            line: row.line as u64,
            path: String::new(),
            kind: ReleaseKind::parse(&row.kind).unwrap_or(ReleaseKind::Release),
            ocid: row.ocid.clone(),
            release_id: row.release_id.clone(),
            date: row.release_date,
            tags: row.tags.clone(),
            data: row.data.clone(),
        }
    }
}

/// Read and validate a file; every problem is reported. JSON syntax errors carry the line and
/// column of the text; other problems the release's position and a JSON path.
pub fn parse<R: Read>(input: R) -> Result<Vec<ReleaseRow>, RowErrors> {
    let fail = |errors: Vec<RowError>| {
        let mut all = RowErrors::default();
        errors.into_iter().for_each(|e| all.push(e));
        all.sort();
        all
    };
    let document = json::read_document(input).map_err(|e| fail(vec![e]))?;
    let (rows, mut errors) = document::rows(&document);
    let mut first: HashMap<(ReleaseKind, &str, &str), &ReleaseRow> = HashMap::new();
    for row in &rows {
        match first.get(&(row.kind, row.ocid.as_str(), row.release_id.as_str())) {
            Some(earlier) if earlier.data != row.data => errors.push(RowError::new(
                row.line,
                Some(&json::field(&row.path, "id")),
                Some(&row.release_id),
                format!(
                    "{} {} of {} appears at line {} with other content; a published release never changes, give this one a new id",
                    row.kind.as_str(),
                    row.release_id,
                    row.ocid,
                    earlier.line
                ),
            )),
            Some(_) => {}
            None => {
                first.insert((row.kind, &row.ocid, &row.release_id), row);
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(fail(errors))
    }
}
