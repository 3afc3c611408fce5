//! Errors of the read crate. Reads return `diesel::QueryResult` (the caller owns the
//! connection and its transaction); this covers what is read from a file instead.

use std::path::PathBuf;

/// Errors reading the `[methods]` settings from `citytrace.toml` (docs/methods.md, "Settings").
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("could not read {}: {reason}", file.display())]
    Read { file: PathBuf, reason: String },
    /// A key the settings do not have, a value of the wrong type, or a value out of range.
    #[error("{}{}: `{key}`: {reason}", file.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Invalid {
        file: PathBuf,
        /// 1-based line of the offending key or value, when known.
        line: Option<usize>,
        /// The dotted key (`methods.carbon.city_beneficiary_addresses`), or the table when the
        /// key itself could not be told.
        key: String,
        reason: String,
    },
}
