//! The OCDS format (docs/formats/ocds.md): Open Contracting Data Standard 1.1 release
//! packages, record packages, bare releases and bare records, as JSON, read as a stream
//! (`stream`, through `crate::json_format`).
//!
//! Each release (or record) of a file is one row: its line is its 1-based position in the
//! file's `releases` (or `records`) array, 1 for a bare release or record. A row is the release
//! reduced to what citytrace keeps and normalised (`clean`, which also reads publishers'
//! harmless slips and notes them); rows are stored as received (`ocds_releases`) and every
//! contracting process they touch is rebuilt from all its stored releases by the OCDS merge
//! rules (`merge`, `state`) into `procurement_*` tables, once the whole file is written.

mod clean;
mod document;
#[cfg(test)]
mod fuzz;
pub(crate) mod json;
mod linked;
mod merge;
mod state;
mod store;
mod stream;

use std::io::Read;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::QueryResult;
use serde_json::{Map, Value};

use citytrace_schema::models::{ImportBatch, OcdsRelease, ProcurementProcess};

use crate::error::{RowError, RowErrors};
use crate::json_format::{self, ChunkWriter, JsonFormat, JsonInput};
use crate::merkle::RootBuilder;

pub(crate) use document::OcdsItem;

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

/// The OCDS format, read and written by `crate::json_format`.
pub(crate) struct Ocds;

impl JsonFormat for Ocds {
    type Item = OcdsItem;
    const KIND: &'static str = "ocds";
    const EMPTY: &'static str = "the package has no releases or records";

    fn read<R: Read>(
        input: &mut JsonInput<R>,
        out: &mut ChunkWriter<'_, OcdsItem>,
    ) -> Result<(), serde_json::Error> {
        stream::read(input, out)
    }

    /// Processes are rebuilt from all their releases: one import at a time.
    fn begin(conn: &mut PgConnection) -> QueryResult<()> {
        ProcurementProcess::lock_for_rebuild(conn)
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &ImportBatch,
        items: Vec<OcdsItem>,
        errors: &mut Vec<RowError>,
        root: &mut RootBuilder,
    ) -> QueryResult<usize> {
        store::load_chunk(conn, batch, items, errors, root)
    }

    /// OCDS records no supply-chain events.
    fn finish(conn: &mut PgConnection, batch: &ImportBatch, _written: usize) -> QueryResult<usize> {
        store::rebuild_processes(conn, batch.id)?;
        Ok(0)
    }
}

/// Check an OCDS file without a database: the number of valid releases and records, or every
/// problem found (a release met twice in the file with other content is found on import).
pub fn check<R: Read>(input: R) -> Result<usize, RowErrors> {
    json_format::check::<Ocds, R>(input)
}
