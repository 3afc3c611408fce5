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

/// What a database error means for the one who asked, decided in one place (after
/// graph-node's `from_diesel_error`): the importers' boundary reads [`DbFailure::ConnectionLost`]
/// from it, and the explorer its answer (503 with `Retry-After`, 409, or 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFailure {
    /// The connection to PostgreSQL is gone (server restarted or shut down, session
    /// terminated, network cut): libpq reports the connection as bad, or could not send.
    ConnectionLost,
    /// The statement was canceled: a statement or lock timeout, or a cancel request. The
    /// database is busy; the same request later may well succeed.
    Canceled,
    /// A write met a constraint: a unique, foreign-key, not-null, check, exclusion or
    /// restrict violation.
    Conflict,
    /// A serialization failure or a deadlock: the transaction lost a race; run it again.
    Retry,
    /// Anything else: a bug or a database that does not match the code.
    Internal,
}

impl DbFailure {
    pub fn of(error: &diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match error {
            Error::DatabaseError(kind, info) => match kind {
                Kind::ClosedConnection | Kind::UnableToSendCommand => Self::ConnectionLost,
                Kind::UniqueViolation
                | Kind::ForeignKeyViolation
                | Kind::NotNullViolation
                | Kind::CheckViolation
                | Kind::ExclusionViolation
                | Kind::RestrictViolation => Self::Conflict,
                Kind::SerializationFailure => Self::Retry,
                _ => Self::of_message(info.message()),
            },
            Error::RollbackErrorOnCommit {
                rollback_error,
                commit_error,
            } => match (Self::of(rollback_error), Self::of(commit_error)) {
                (Self::ConnectionLost, _) | (_, Self::ConnectionLost) => Self::ConnectionLost,
                (_, commit) => commit,
            },
            _ => Self::Internal,
        }
    }

    /// PostgreSQL's words for the errors diesel gives no kind of (SQLSTATE 57014 query
    /// canceled, 55P03 lock not available, 40P01 deadlock, 57P01 admin shutdown).
    fn of_message(message: &str) -> Self {
        const LOST: [&str; 4] = [
            "server closed the connection unexpectedly",
            "terminating connection",
            "no connection to the server",
            "connection to server was lost",
        ];
        if LOST.iter().any(|m| message.contains(m)) {
            Self::ConnectionLost
        } else if message.starts_with("canceling statement due to") {
            Self::Canceled
        } else if message.starts_with("deadlock detected") {
            Self::Retry
        } else {
            Self::Internal
        }
    }

    /// Whether the database cannot answer now and the same request later may succeed (an
    /// HTTP answer of 503 with `Retry-After`).
    pub fn is_unavailable(self) -> bool {
        matches!(self, Self::ConnectionLost | Self::Canceled | Self::Retry)
    }
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

    /// The error PostgreSQL gives `sql` on a fresh connection to a test database, after `setup`.
    fn failure_of(setup: &str, sql: &str) -> DbFailure {
        use diesel::connection::SimpleConnection;
        use diesel::RunQueryDsl;
        let db = citytrace_schema::testing::TestDatabase::new();
        let conn = &mut db.conn();
        if !setup.is_empty() {
            conn.batch_execute(setup).unwrap();
        }
        let error = diesel::sql_query(sql).execute(conn).unwrap_err();
        DbFailure::of(&error)
    }

    #[test]
    fn a_statement_timeout_is_a_canceled_statement_the_database_may_answer_later() {
        let failure = failure_of("SET statement_timeout = 50", "SELECT pg_sleep(5)");
        assert_eq!(failure, DbFailure::Canceled);
        assert!(failure.is_unavailable());
    }

    #[test]
    fn constraint_violations_on_a_write_are_conflicts() {
        let table = "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL CHECK (n > 0), \
                     parent int REFERENCES t (id)); INSERT INTO t VALUES (1, 1, NULL);";
        for write in [
            "INSERT INTO t VALUES (1, 1, NULL)",
            "INSERT INTO t VALUES (2, 0, NULL)",
            "INSERT INTO t VALUES (2, NULL, NULL)",
            "INSERT INTO t VALUES (2, 1, 7)",
        ] {
            let failure = failure_of(table, write);
            assert_eq!(failure, DbFailure::Conflict, "{write}");
            assert!(!failure.is_unavailable());
        }
    }

    #[test]
    fn a_terminated_session_is_a_lost_connection() {
        let failure = failure_of("", "SELECT pg_terminate_backend(pg_backend_pid())");
        assert_eq!(failure, DbFailure::ConnectionLost);
        assert!(failure.is_unavailable());
    }

    #[test]
    fn anything_else_is_internal() {
        for sql in ["SELECT * FROM no_such_table", "SELECT 1/0"] {
            let failure = failure_of("", sql);
            assert_eq!(failure, DbFailure::Internal, "{sql}");
            assert!(!failure.is_unavailable());
        }
        assert_eq!(
            DbFailure::of(&diesel::result::Error::NotFound),
            DbFailure::Internal
        );
    }

    /// Two transactions each waiting for a row the other holds: PostgreSQL ends one of them
    /// ("deadlock detected", SQLSTATE 40P01), which may simply run again.
    #[test]
    fn a_deadlock_is_a_transaction_to_run_again() {
        use diesel::connection::SimpleConnection;
        use diesel::{Connection, RunQueryDsl};
        let db = citytrace_schema::testing::TestDatabase::new();
        let (first, second) = (&mut db.conn(), &mut db.conn());
        first
            .batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
            .unwrap();
        for (conn, row) in [(&mut *first, 1), (&mut *second, 2)] {
            conn.batch_execute(&format!(
                "SET deadlock_timeout = 50; BEGIN; SELECT * FROM t WHERE id = {row} FOR UPDATE"
            ))
            .unwrap();
        }
        let url = db.url().to_string();
        let results = std::thread::scope(|scope| {
            let waiting = scope.spawn(|| {
                diesel::sql_query("SELECT * FROM t WHERE id = 2 FOR UPDATE").execute(first)
            });
            // The first transaction waits for row 2 before the second asks for row 1.
            let watcher = &mut diesel::PgConnection::establish(&url).unwrap();
            while !first_waits(watcher) {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let other =
                diesel::sql_query("SELECT * FROM t WHERE id = 1 FOR UPDATE").execute(second);
            [waiting.join().unwrap(), other]
        });
        let failures: Vec<DbFailure> = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(DbFailure::of)
            .collect();
        assert_eq!(failures, [DbFailure::Retry], "{results:?}");
    }

    fn first_waits(conn: &mut diesel::PgConnection) -> bool {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Waiting {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            waits: bool,
        }
        diesel::sql_query(
            "SELECT count(*) > 0 AS waits FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result::<Waiting>(conn)
        .unwrap()
        .waits
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
