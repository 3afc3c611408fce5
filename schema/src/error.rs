//! Errors of the schema crate. Model functions return `diesel::QueryResult`; these cover the
//! database's life around them: the embedded cluster, connecting, migrating.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    #[error("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin; install them with `apt-get install postgresql`, set CITYTRACE_PG_BIN to their folder, or set DATABASE_URL to use an existing server")]
    NoBinaries,
    #[error("the OS account {0} the local PostgreSQL should run as does not exist")]
    NoSuchUser(String),
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} failed ({status}): {detail}")]
    Command {
        what: &'static str,
        status: String,
        detail: String,
    },
    #[error("the local PostgreSQL did not become ready; see {}", log.display())]
    NotReady { log: PathBuf },
    #[error("could not connect to {url}: {reason}")]
    Connect { url: String, reason: String },
}

impl LocalPgError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Errors opening the database for use: connecting, pooling, migrating.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    LocalPg(#[from] LocalPgError),
    #[error("could not connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}
