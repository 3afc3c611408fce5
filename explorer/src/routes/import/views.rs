//! What the upload pages show of an upload, a batch and a format.

use serde::Deserialize;

use citytrace_importers::Format;
use citytrace_schema::models::{ImportBatch, Upload, UploadStatus};

use crate::fmt;
use crate::routes::trust::TrustBadge;

/// Problems shown on the page; the error CSV has all that were kept (up to 1000).
pub const PROBLEMS_SHOWN: usize = 200;

pub struct FormatOption {
    pub name: &'static str,
    pub label: String,
    pub selected: bool,
    /// Its documentation, template and example (`/import/formats/…`).
    pub links: Option<super::formats::FormatLinks>,
}

/// Every format the importers know, `selected` preselected.
pub fn format_options(selected: Option<&str>) -> Vec<FormatOption> {
    Format::ALL
        .iter()
        .enumerate()
        .map(|(i, f)| FormatOption {
            name: f.name(),
            label: format_label(f.name()),
            selected: selected.map_or(i == 0, |s| s == f.name()),
            links: super::formats::links(f.name()),
        })
        .collect()
}

/// How the page names a format: "Shipments (CSV)", "Sensor readings (CSV)", "OCDS …".
pub fn format_label(name: &str) -> String {
    match name {
        "ocds" => return "OCDS release or record package (JSON)".into(),
        "epcis" => return "EPCIS 2.0 capture document (JSON-LD)".into(),
        _ => {}
    }
    let words = name.replace(['-', '_'], " ");
    let mut label: String = words
        .chars()
        .take(1)
        .flat_map(char::to_uppercase)
        .chain(words.chars().skip(1))
        .collect();
    if crate::uploads::format_named(name).is_some_and(|f| !f.columns().is_empty()) {
        label.push_str(" (CSV)");
    }
    label
}

/// (label, CSS class) of an upload status.
pub fn status_badge(status: UploadStatus) -> (&'static str, &'static str) {
    match status {
        UploadStatus::CheckQueued => ("waiting to be checked", "status-working"),
        UploadStatus::Checking => ("checking", "status-working"),
        UploadStatus::Invalid => ("has problems", "status-invalid"),
        UploadStatus::Valid => ("valid", "status-valid"),
        UploadStatus::ImportQueued => ("waiting to be imported", "status-working"),
        UploadStatus::Importing => ("importing", "status-working"),
        UploadStatus::Imported => ("imported", "status-done"),
        UploadStatus::AlreadyImported => ("imported before", "status-done"),
        UploadStatus::Failed => ("failed", "status-invalid"),
        UploadStatus::Discarded => ("discarded", "status-muted"),
    }
}

/// 1 234 bytes, 12.5 KiB, 3.2 MiB.
pub fn size_text(bytes: i64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else if b < KIB * KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else {
        format!("{:.2} GiB", b / (KIB * KIB * KIB))
    }
}

/// One problem as the importers report it (stored as JSON on the upload).
#[derive(Debug, Clone, Deserialize)]
pub struct Problem {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
struct StoredProblems {
    #[serde(default)]
    errors: Vec<Problem>,
}

/// The problems kept for an upload, in line order.
pub fn problems(upload: &Upload) -> Vec<Problem> {
    upload
        .problems
        .clone()
        .and_then(|v| serde_json::from_value::<StoredProblems>(v).ok())
        .unwrap_or_default()
        .errors
}

pub struct ProblemRow {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// An upload as its page and its status fragment show it.
pub struct UploadView {
    pub id: i64,
    pub href: String,
    pub file_name: String,
    pub format: String,
    pub size: String,
    pub sha256: String,
    pub uploaded_at: String,
    /// The status's name (`checking`, `invalid`, …) for the template's branches.
    pub status: &'static str,
    pub label: &'static str,
    pub class: &'static str,
    pub in_progress: bool,
    /// How much of the file the running job has read, in percent (0 before it starts).
    pub percent: i64,
    /// Rows the running job has read so far.
    pub rows_read: String,
    pub rows: String,
    pub merkle_root: String,
    pub problems: Vec<ProblemRow>,
    pub problem_total: i64,
    pub problems_hidden: i64,
    pub batch_id: i64,
    pub message: String,
    pub file_kept: bool,
}

impl UploadView {
    pub fn new(upload: &Upload) -> Self {
        let status = upload.status();
        let (label, class) = status_badge(status);
        let problems = problems(upload);
        let problem_total = i64::from(upload.problem_count.unwrap_or(0));
        let problems_hidden = problem_total - problems.len().min(PROBLEMS_SHOWN) as i64;
        Self {
            id: upload.id,
            href: format!("/import/uploads/{}", upload.id),
            file_name: upload.file_name.clone(),
            format: format_label(&upload.format),
            size: size_text(upload.size_bytes),
            sha256: hex::encode(&upload.sha256),
            uploaded_at: fmt::city_time(&upload.created_at),
            status: status.as_str(),
            label,
            class,
            in_progress: status.in_progress(),
            percent: if upload.size_bytes > 0 {
                (upload.progress_bytes.saturating_mul(100) / upload.size_bytes).clamp(0, 100)
            } else {
                0
            },
            rows_read: fmt::count(upload.progress_rows),
            rows: upload
                .row_count
                .map(|n| fmt::count(n.into()))
                .unwrap_or_default(),
            merkle_root: upload
                .merkle_root
                .as_deref()
                .map(citytrace_schema::hex0x)
                .unwrap_or_default(),
            problems: problems
                .into_iter()
                .take(PROBLEMS_SHOWN)
                .map(|p| ProblemRow {
                    line: p.line,
                    column: p.column.unwrap_or_else(|| "–".into()),
                    value: p.value.unwrap_or_default(),
                    reason: p.reason,
                })
                .collect(),
            problem_total,
            problems_hidden: problems_hidden.max(0),
            batch_id: upload.batch_id.unwrap_or(0),
            message: upload.message.clone().unwrap_or_default(),
            file_kept: upload.stored_as.is_some(),
        }
    }
}

/// A batch in the supplier's list.
pub struct BatchRow {
    pub id: i64,
    pub href: String,
    pub kind: String,
    pub file_name: String,
    pub rows: String,
    pub imported_at: String,
    pub trust: TrustBadge,
}

impl BatchRow {
    pub fn new(batch: &ImportBatch, trust: TrustBadge) -> Self {
        Self {
            id: batch.id,
            href: format!("/import/batches/{}", batch.id),
            kind: batch.kind.clone(),
            file_name: batch.file_name.clone(),
            rows: fmt::count(batch.row_count.into()),
            imported_at: fmt::city_time(&batch.imported_at),
            trust,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_labels_read_well() {
        assert_eq!(size_text(12), "12 bytes");
        assert_eq!(size_text(1536), "1.5 KiB");
        assert_eq!(size_text(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!(format_label("shipments"), "Shipments (CSV)");
        assert_eq!(
            format_label("ocds"),
            "OCDS release or record package (JSON)"
        );
        assert_eq!(format_label("no-such-format"), "No such format");
    }
}
