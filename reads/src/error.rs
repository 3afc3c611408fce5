//! Errors of the read crate. Reads return `diesel::QueryResult` (the caller owns the
//! connection and its transaction); this covers what is read from a file instead, and the
//! lists, whose requests can be at fault.

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

/// Errors reading a list (`crate::lists`): a request the list cannot take, or the database's.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// A parameter the list does not take or a value out of its range (the request's fault):
    /// an unknown sort key, a bad page number, a filter value of the wrong kind.
    #[error("{0}")]
    Parameter(String),
    /// A filter value PostgreSQL cannot cast (a date that is not one): the request's fault.
    #[error("a filter of {list} has a value of the wrong type: {message}")]
    FilterValue { list: &'static str, message: String },
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

impl ListError {
    /// A database error of a list's query: [`ListError::FilterValue`] when PostgreSQL refused
    /// a filter's value, else [`ListError::Database`].
    pub(crate) fn of_filter(def: &crate::lists::ListDef, e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().starts_with("invalid")
                    || info.message().contains("out of range") =>
            {
                Self::FilterValue {
                    list: def.name,
                    message: info.message().to_string(),
                }
            }
            _ => Self::Database(e),
        }
    }
}
