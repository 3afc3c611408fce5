//! The data-quality notes of a contracting process: the harmless deviations from OCDS that its
//! releases were published with and the import tolerated (docs/formats/ocds.md, "Tolerated
//! deviations") — where, what kind, and the value as published.

use std::collections::HashMap;

use citytrace_schema::models::{DataQualityNote, NoteKind, TrustState};
use serde::Serialize;

use super::super::evidence::{Provenance, ProvenanceJson};
use crate::error::AppError;

/// Notes shown on the page (the total is always given).
pub const SHOWN: i64 = 50;

pub struct QualityNoteView {
    pub source: Provenance,
    pub path: String,
    pub kind: &'static str,
    pub what: &'static str,
    pub original: String,
}

/// The process's notes: the first [`SHOWN`] and how many there are.
pub struct QualityNotes {
    pub total: i64,
    pub notes: Vec<QualityNoteView>,
}

#[derive(Serialize)]
pub struct QualityNoteJson {
    pub source: ProvenanceJson,
    pub path: String,
    pub kind: &'static str,
    pub original: String,
}

#[derive(Serialize)]
pub struct QualityNotesJson {
    pub total: i64,
    pub notes: Vec<QualityNoteJson>,
}

impl QualityNotes {
    /// The notes a read found (`total` in all), each with its row's provenance.
    pub fn new(
        total: i64,
        notes: Vec<DataQualityNote>,
        trust: &HashMap<i64, TrustState>,
    ) -> Result<Self, AppError> {
        let notes = notes
            .into_iter()
            .map(|n| {
                let kind = NoteKind::parse(&n.kind);
                Ok(QualityNoteView {
                    source: Provenance::known(trust, n.batch_id, n.line)?,
                    path: n.path,
                    kind: kind.map_or("other", NoteKind::as_str),
                    what: kind.map_or("a deviation from the standard", NoteKind::description),
                    original: n.original,
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Self { total, notes })
    }

    /// "as published, with 3 data-quality notes".
    pub fn summary(&self) -> String {
        match self.total {
            0 => "as published, without data-quality notes".into(),
            1 => "as published, with 1 data-quality note".into(),
            n => format!("as published, with {n} data-quality notes"),
        }
    }

    pub fn json(&self) -> QualityNotesJson {
        QualityNotesJson {
            total: self.total,
            notes: self
                .notes
                .iter()
                .map(|n| QualityNoteJson {
                    source: n.source.json(),
                    path: n.path.clone(),
                    kind: n.kind,
                    original: n.original.clone(),
                })
                .collect(),
        }
    }
}
