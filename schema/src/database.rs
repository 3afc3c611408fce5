//! Opening the database: `DATABASE_URL` if set, else the embedded local cluster; migrations
//! are applied on open; a connection pool for the caller.

use std::path::Path;
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::DbError;
use crate::local_pg::{self, LocalCluster, RunningCluster};

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PooledPg = PooledConnection<ConnectionManager<PgConnection>>;

/// Every migration under `schema/migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The database citytrace creates in its embedded cluster.
pub const DEFAULT_DATABASE: &str = "citytrace";

/// Where the database is.
#[derive(Debug, Clone)]
pub enum DatabaseLocation {
    /// `DATABASE_URL`: an existing server; nothing is started.
    External(String),
    /// The embedded cluster in a data folder, and the database name in it.
    Embedded {
        cluster: LocalCluster,
        database: String,
    },
}

impl DatabaseLocation {
    /// `DATABASE_URL` when given, else the embedded cluster under `data_dir`.
    pub fn resolve(
        database_url: Option<&str>,
        data_dir: &Path,
        database: &str,
    ) -> Result<Self, DbError> {
        match database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Ok(Self::External(url.to_string())),
            None => Ok(Self::Embedded {
                cluster: LocalCluster::open(data_dir, &[])?,
                database: database.to_string(),
            }),
        }
    }

    /// Make the database reachable (start the embedded server and create the database if
    /// needed) and return its URL, plus the server this call started, if any.
    pub fn ensure_available(&self) -> Result<(String, Option<RunningCluster>), DbError> {
        match self {
            Self::External(url) => Ok((url.clone(), None)),
            Self::Embedded { cluster, database } => {
                let (running, started) = cluster.start()?;
                create_database_if_missing(&running, database)?;
                Ok((running.url(database), started.then_some(running)))
            }
        }
    }
}

/// Create `database` on a running local server unless it exists.
pub fn create_database_if_missing(server: &RunningCluster, database: &str) -> Result<(), DbError> {
    let admin_url = server.url("postgres");
    local_pg::wait_for_connection(&admin_url, Duration::from_secs(30))?;
    let mut conn = connect(&admin_url)?;
    if !database_exists(&mut conn, database)? {
        let stmt = format!("CREATE DATABASE {}", quote_ident(database));
        if let Err(e) = diesel::sql_query(stmt).execute(&mut conn) {
            // Another process may have created it between the check and the create.
            if !database_exists(&mut conn, database)? {
                return Err(e.into());
            }
        }
    }
    Ok(())
}

pub fn database_exists(conn: &mut PgConnection, database: &str) -> Result<bool, DbError> {
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let row: Found =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(database)
            .get_result(conn)?;
    Ok(row.found)
}

/// A double-quoted SQL identifier (for the few DDL statements that cannot bind a name).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub fn connect(url: &str) -> Result<PgConnection, DbError> {
    PgConnection::establish(url).map_err(|e| DbError::Connect {
        url: redact(url),
        reason: e.to_string(),
    })
}

/// Apply every pending migration; returns the versions applied.
pub fn run_migrations(conn: &mut PgConnection) -> Result<Vec<String>, DbError> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Connect, migrate, and build a pool of `size` connections.
pub fn open_pool(url: &str, size: u32) -> Result<PgPool, DbError> {
    let mut conn = connect(url)?;
    let applied = run_migrations(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied database migrations");
    }
    // Connections beyond the first are opened when first needed, not all before the command
    // starts (r2d2's default): a short `index --once` or `import` spent a tenth of its time
    // opening connections it never used.
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(ConnectionManager::<PgConnection>::new(url))?;
    Ok(pool)
}

/// A URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/city"),
            "postgres://app:***@db.example:5432/city"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/citytrace"),
            "postgres://postgres@127.0.0.1:5432/citytrace"
        );
        assert_eq!(
            redact("postgres:///citytrace?host=/tmp"),
            "postgres:///citytrace?host=/tmp"
        );
        assert_eq!(
            redact("postgres://usér:pässwörd@hôst/db"),
            "postgres://usér:***@hôst/db"
        );
    }

    #[test]
    fn quote_ident_doubles_embedded_quotes() {
        assert_eq!(quote_ident("citytrace"), "\"citytrace\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
