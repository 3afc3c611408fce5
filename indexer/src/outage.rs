//! Riding out a database restart: the long-running loops (following a chain, anchoring, `index
//! --once`) treat an unreachable database as a pause, not an end. They wait with back-off,
//! say so in the log, and resume from their checkpoint when it answers again. Nothing is lost
//! or written twice: a range's rows and its checkpoint are one transaction, so a transaction
//! cut by the restart is rolled back by PostgreSQL and written again from the checkpoint.

use std::time::{Duration, Instant};

use diesel::result::{DatabaseErrorKind, Error};

use crate::error::IndexerError;

/// The first wait after the database is found unavailable; it doubles up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(30);

impl IndexerError {
    /// Is this the database being out of reach — restarting, stopped, the connection lost —
    /// rather than refusing what was asked? The loops wait and try again.
    pub fn is_database_unavailable(&self) -> bool {
        match self {
            IndexerError::Pool(_) => true,
            IndexerError::Db(e) => database_unavailable(e),
            _ => false,
        }
    }
}

/// Is `error` a lost or refused connection (diesel's closed-connection kind, libpq's and the
/// server's messages for a connection that went away or a server shutting down or starting)?
pub fn database_unavailable(error: &Error) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            const GONE: &[&str] = &[
                "terminating connection",
                "server closed the connection",
                "no connection to the server",
                "could not connect to server",
                "connection to server",
                "could not receive data from server",
                "could not send data to server",
                "the database system is",
                "connection refused",
                "ssl syscall error",
                "lost synchronization with server",
            ];
            let message = info.message().to_ascii_lowercase();
            GONE.iter().any(|p| message.contains(p))
        }
        Error::BrokenTransactionManager => true,
        Error::RollbackErrorOnCommit {
            rollback_error,
            commit_error,
        } => database_unavailable(rollback_error) || database_unavailable(commit_error),
        _ => false,
    }
}

/// One loop's view of a database outage: how long to wait next, and since when it lasts.
#[derive(Debug)]
pub struct Outage {
    /// Who is waiting, for the log ("chain 31337", "anchoring").
    who: String,
    since: Option<Instant>,
    delay: Duration,
}

impl Outage {
    pub fn new(who: impl Into<String>) -> Self {
        Self {
            who: who.into(),
            since: None,
            delay: FIRST_DELAY,
        }
    }

    /// Whether the database was last found unavailable.
    pub fn is_down(&self) -> bool {
        self.since.is_some()
    }

    /// The database is unavailable: say so, and return how long to wait before trying again.
    pub fn unavailable(&mut self, error: &IndexerError) -> Duration {
        let delay = self.delay;
        self.since.get_or_insert_with(Instant::now);
        self.delay = (self.delay * 2).min(MAX_DELAY);
        tracing::warn!(
            "{}: database unavailable: {error}; retrying in {} s",
            self.who,
            delay.as_secs()
        );
        delay
    }

    /// The database answered again: say so (once per outage) with where the loop resumes.
    pub fn back(&mut self, resuming: &str) {
        self.delay = FIRST_DELAY;
        if let Some(since) = self.since.take() {
            tracing::info!(
                "{}: database back after {} s; resuming {resuming}",
                self.who,
                since.elapsed().as_secs()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_thirty_seconds_and_start_again_after_an_outage() {
        let mut outage = Outage::new("test");
        let error = IndexerError::Db(Error::BrokenTransactionManager);
        assert!(error.is_database_unavailable());
        let waits: Vec<u64> = (0..7)
            .map(|_| outage.unavailable(&error).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        assert!(outage.is_down());
        outage.back("at block 7");
        assert!(!outage.is_down());
        assert_eq!(outage.unavailable(&error).as_secs(), 1);
    }

    #[test]
    fn a_refused_row_is_not_an_outage() {
        let check = IndexerError::Db(Error::DatabaseError(
            DatabaseErrorKind::CheckViolation,
            Box::new("new row violates check constraint".to_string()),
        ));
        assert!(!check.is_database_unavailable());
        let gone = IndexerError::Db(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("terminating connection due to administrator command".to_string()),
        ));
        assert!(gone.is_database_unavailable());
        assert!(!IndexerError::Config("x".into()).is_database_unavailable());
    }
}
