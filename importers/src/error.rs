//! Import errors. Everything wrong with the input is a [`RowError`] (line, column, value,
//! reason); an import with any of them writes nothing. Two more ways an import can end without
//! writing anything: a bug (a panic, caught at the importers' public boundary and reported as
//! [`ImportError::Internal`]) and the database connection going away
//! ([`ImportError::ConnectionLost`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

/// At most this many row errors are kept; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// One problem with the input, located by physical line (1 = the header line) and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl RowError {
    pub fn new(
        line: u64,
        column: Option<&str>,
        value: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            line,
            column: column.map(printable),
            value: value.map(|v| printable(&truncate(v, 60))),
            reason: printable(&reason.into()),
        }
    }

    /// A problem with the file as a whole, reported at line 1.
    pub fn file(reason: impl Into<String>) -> Self {
        Self::new(1, None, None, reason)
    }
}

/// `text` with each NUL character shown as `␀` (U+2400): PostgreSQL stores no NUL in text or
/// JSON, and problems are stored (upload previews) as well as shown.
fn printable(text: &str) -> String {
    text.replace('\0', "\u{2400}")
}

/// `value` cut to `max` characters with an ellipsis, when longer (counted in characters).
pub(crate) fn truncate(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        value.to_string()
    } else {
        format!("{}…", value.chars().take(max).collect::<String>())
    }
}

/// The row errors of one file, kept in line order, with a count of any beyond the cap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowErrors {
    pub errors: Vec<RowError>,
    pub total: usize,
}

impl RowErrors {
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn sort(&mut self) {
        self.errors
            .sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.column.cmp(&b.column)));
    }

    /// A plain-text table for terminals: line, column, value, reason.
    pub fn table(&self) -> String {
        let rows: Vec<[String; 4]> = self
            .errors
            .iter()
            .map(|e| {
                [
                    e.line.to_string(),
                    e.column.clone().unwrap_or_else(|| "-".into()),
                    e.value
                        .as_ref()
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_else(|| "-".into()),
                    e.reason.clone(),
                ]
            })
            .collect();
        let header = ["line", "column", "value", "reason"];
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: [&str; 4]| {
            let _ = writeln!(
                out,
                "{:>w0$}  {:<w1$}  {:<w2$}  {}",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
        };
        line(&mut out, header);
        for row in &rows {
            line(&mut out, [&row[0], &row[1], &row[2], &row[3]]);
        }
        if self.total > self.errors.len() {
            let _ = writeln!(out, "… and {} more", self.total - self.errors.len());
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} problem{} found; nothing was imported", .0.total, if .0.total == 1 { "" } else { "s" })]
    Invalid(RowErrors),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// A bug in citytrace: something panicked while importing. The transaction was rolled back.
    #[error("internal error while reading {}: {message}; nothing was imported", at(.line))]
    Internal {
        /// The line being read or written when it happened, when known.
        line: Option<u64>,
        message: String,
    },
    /// The database connection went away (server restarted, session terminated, network)
    /// before the batch was committed, so PostgreSQL rolled it back.
    #[error("the database connection was lost{}; nothing was imported; run it again", lost_at(.line))]
    ConnectionLost {
        /// The first line of the rows being written when it happened, when known.
        line: Option<u64>,
    },
}

fn at(line: &Option<u64>) -> String {
    match line {
        Some(line) => format!("line {line}"),
        None => "the file".into(),
    }
}

fn lost_at(line: &Option<u64>) -> String {
    line.map(|line| format!(" at line {line}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_counts_the_overflow() {
        let mut errors = RowErrors::default();
        errors.push(RowError::new(
            3,
            Some("quantity"),
            Some("ten"),
            "not a number",
        ));
        errors.push(RowError::file("the file is empty"));
        errors.total += 2;
        let table = errors.table();
        assert_eq!(
            table,
            "line  column    value  reason\n   3  quantity  \"ten\"  not a number\n   1  -         -      the file is empty\n… and 2 more\n"
        );
    }

    #[test]
    fn long_values_are_truncated() {
        let e = RowError::new(2, Some("product"), Some(&"x".repeat(100)), "too long");
        assert_eq!(e.value.unwrap().chars().count(), 61);
    }

    #[test]
    fn nul_characters_are_shown_as_the_nul_symbol() {
        let e = RowError::new(4, Some("na\0me"), Some("a\0b"), "has \0");
        assert_eq!(
            (e.column.as_deref(), e.value.as_deref(), e.reason.as_str()),
            (Some("na␀me"), Some("a␀b"), "has ␀")
        );
    }

    #[test]
    fn internal_errors_and_lost_connections_say_nothing_was_imported() {
        let internal = ImportError::Internal {
            line: Some(24002),
            message: "byte index 2 is not a char boundary".into(),
        };
        assert_eq!(internal.to_string(), "internal error while reading line 24002: byte index 2 is not a char boundary; nothing was imported");
        let lost = ImportError::ConnectionLost { line: Some(20002) };
        assert_eq!(
            lost.to_string(),
            "the database connection was lost at line 20002; nothing was imported; run it again"
        );
        assert_eq!(
            ImportError::ConnectionLost { line: None }.to_string(),
            "the database connection was lost; nothing was imported; run it again"
        );
    }

    #[test]
    fn errors_beyond_the_cap_are_counted_not_kept() {
        let mut errors = RowErrors::default();
        for i in 0..(MAX_REPORTED_ERRORS + 5) {
            errors.push(RowError::new(i as u64, None, None, "bad"));
        }
        assert_eq!(errors.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(errors.total, MAX_REPORTED_ERRORS + 5);
    }
}
