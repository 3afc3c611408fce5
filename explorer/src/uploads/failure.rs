//! What a supplier is told when a check or an import does not end with an outcome — for the
//! upload page's jobs and the API alike. Nothing was imported in any of these cases (an
//! import is one transaction), and every message says so.

use std::io::{BufRead, BufReader};
use std::path::Path;

use diesel::result::Error as DbError;

use citytrace_importers::{DbFailure, ImportError, RowError, RowErrors};

#[derive(Debug)]
pub enum JobFailure {
    /// Problems with rows, as the importer reports them: the upload is invalid (API: 422).
    Rows(RowErrors),
    /// The database refused the file's data in a way the importer did not foresee (API: 422).
    Refused(String),
    /// The file's rows met a constraint of the database while being written — rows stored
    /// meanwhile by another import, say (API: 409).
    Conflict(String),
    /// The database went away, is busy, or the import lost a race: send the file again later
    /// (API: 503 with `Retry-After`).
    Unavailable,
    /// Anything else, a panic included (API: 500). The text is for the supplier; details are
    /// in the log.
    Internal(String),
}

const NOTHING_IMPORTED: &str = "nothing was imported";

impl JobFailure {
    /// A panic in a job or an API import (`step`: "checking" or "importing").
    pub fn of_panic(message: &str, step: &str) -> Self {
        Self::Internal(format!(
            "internal error while {step} the file: {message}; {NOTHING_IMPORTED}. The error has been logged for the city; send the file again later, or tell the city if it keeps happening."
        ))
    }

    /// An importer's error. `file` is where the file is on the server, so that a NUL the
    /// database refused can be found and named by its line.
    pub fn of_import(error: ImportError, file: Option<&Path>) -> Self {
        match error {
            ImportError::Invalid(errors) => Self::Rows(errors),
            ImportError::Read { source, .. } => Self::Internal(format!(
                "the server could not read the uploaded file ({source}); {NOTHING_IMPORTED}. Upload it again."
            )),
            ImportError::ConnectionLost { .. } => Self::Unavailable,
            ImportError::Db(e) => Self::of_database(&e, file),
            // The importers' own words (e.g. "internal error while reading line N: …;
            // nothing was imported").
            other @ ImportError::Internal { .. } => Self::Internal(other.to_string()),
        }
    }

    fn of_database(error: &DbError, file: Option<&Path>) -> Self {
        if let DbError::DatabaseError(_, info) = error {
            if refuses_nul(info.message()) {
                return match file.and_then(first_nul_line) {
                    Some(line) => Self::Rows(nul_row_error(line)),
                    None => Self::Refused(format!(
                        "the file contains a NUL character (\\u0000), which the database cannot store; {NOTHING_IMPORTED}. Remove it and send the file again."
                    )),
                };
            }
        }
        match (DbFailure::of(error), error) {
            (failure, _) if failure.is_unavailable() => Self::Unavailable,
            (_, DbError::BrokenTransactionManager) => Self::Unavailable,
            (DbFailure::Conflict, DbError::DatabaseError(_, info)) => Self::Conflict(format!(
                "the database refused the file's data: {}; {NOTHING_IMPORTED}. Rows of the file may have been stored meanwhile by another import: look at what is stored, then send the file again.",
                info.message()
            )),
            _ => Self::Internal(format!(
                "the database could not finish the import; {NOTHING_IMPORTED}. The error has been logged for the city; send the file again later."
            )),
        }
    }

    /// The message for the supplier (the upload page's "failed" text, the API's `error`).
    pub fn message(&self) -> String {
        match self {
            Self::Rows(errors) => format!(
                "{} problem{} found; {NOTHING_IMPORTED}",
                errors.total,
                if errors.total == 1 { "" } else { "s" }
            ),
            Self::Refused(message) | Self::Conflict(message) | Self::Internal(message) => {
                message.clone()
            }
            Self::Unavailable => format!(
                "the database connection was lost or the database is busy; {NOTHING_IMPORTED}. Send the file again in a moment."
            ),
        }
    }
}

/// PostgreSQL's words for text with a NUL byte.
fn refuses_nul(message: &str) -> bool {
    message.contains("invalid byte sequence for encoding") && message.contains("0x00")
        || message.contains("unsupported Unicode escape sequence")
}

fn nul_row_error(line: u64) -> RowErrors {
    let mut errors = RowErrors::default();
    errors.push(RowError::new(
        line,
        None,
        None,
        "contains a NUL character (\\u0000), which the database cannot store; remove it",
    ));
    errors
}

/// The line (1 = the first) of the first NUL in a file: a NUL byte, or the JSON escape
/// `\u0000` that decodes to one.
pub fn first_nul_line(file: &Path) -> Option<u64> {
    let reader = BufReader::with_capacity(1 << 16, std::fs::File::open(file).ok()?);
    for (index, line) in reader.split(b'\n').enumerate() {
        let line = line.ok()?;
        if line.contains(&0) || line.windows(6).any(|w| w == b"\\u0000") {
            return u64::try_from(index).ok().map(|i| i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_nul_is_found_by_its_line_as_a_byte_or_a_json_escape() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"a,b\n1,2\n3,\x004\n5,\x00\n").unwrap();
        assert_eq!(first_nul_line(&path), Some(3));
        std::fs::write(&path, b"{\n \"a\": \"x\\u0000y\"\n}").unwrap();
        assert_eq!(first_nul_line(&path), Some(2));
        std::fs::write(&path, b"a,b\n1,2\n").unwrap();
        assert_eq!(first_nul_line(&path), None);
    }

    #[test]
    fn every_failure_says_nothing_was_imported() {
        for failure in [
            JobFailure::of_panic("index out of range", "checking"),
            JobFailure::Unavailable,
            JobFailure::Rows(nul_row_error(3)),
            JobFailure::of_import(ImportError::Db(DbError::BrokenTransactionManager), None),
        ] {
            assert!(
                failure.message().contains("nothing was imported"),
                "{failure:?}"
            );
        }
    }
}
