//! Import errors. Everything wrong with the input is a [`RowError`] (line, column, value,
//! reason); an import with any of them writes nothing.

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
            column: column.map(str::to_string),
            value: value.map(|v| truncate(v, 60)),
            reason: reason.into(),
        }
    }

    /// A problem with the file as a whole, reported at line 1.
    pub fn file(reason: impl Into<String>) -> Self {
        Self::new(1, None, None, reason)
    }
}

fn truncate(value: &str, max: usize) -> String {
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
    fn errors_beyond_the_cap_are_counted_not_kept() {
        let mut errors = RowErrors::default();
        for i in 0..(MAX_REPORTED_ERRORS + 5) {
            errors.push(RowError::new(i as u64, None, None, "bad"));
        }
        assert_eq!(errors.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(errors.total, MAX_REPORTED_ERRORS + 5);
    }
}
