//! Options every command shares, and opening the database from them.

use std::path::PathBuf;

use anyhow::Context;
use citytrace_schema::{DatabaseLocation, PgPool};

#[derive(clap::Args, Debug, Clone)]
pub struct Globals {
    /// Project data folder: the embedded PostgreSQL cluster, demo files.
    #[arg(
        long,
        global = true,
        env = "CITYTRACE_DATA_DIR",
        default_value = ".citytrace",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
    /// Use this PostgreSQL server instead of the embedded one (nothing is started).
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
}

impl Globals {
    pub fn location(&self, database: &str) -> anyhow::Result<DatabaseLocation> {
        DatabaseLocation::resolve(self.database_url.as_deref(), &self.data_dir, database)
            .context("opening the embedded PostgreSQL")
    }

    /// Start what is needed (the embedded server keeps running afterwards, for the next
    /// command), migrate, and pool `size` connections.
    pub fn open(&self, database: &str, size: u32) -> anyhow::Result<PgPool> {
        let location = self.location(database)?;
        let (url, _) = location
            .ensure_available()
            .context("starting the database")?;
        citytrace_schema::open_pool(&url, size)
            .with_context(|| format!("opening {}", citytrace_schema::database::redact(&url)))
    }
}
