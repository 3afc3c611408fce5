//! `citytrace db`: the database's status, URL and migrations; stopping the embedded server.

use std::process::ExitCode;

use anyhow::Context;
use citytrace_schema::database::{connect, redact, run_migrations};
use citytrace_schema::local_pg::ClusterStatus;
use citytrace_schema::{DatabaseLocation, DEFAULT_DATABASE};

use crate::globals::Globals;

#[derive(clap::Args)]
pub struct DbArgs {
    #[command(subcommand)]
    action: DbAction,
}

#[derive(clap::Subcommand)]
enum DbAction {
    /// Where the database is and whether its embedded server is running.
    Status,
    /// Print the database URL (starting the embedded server if needed), e.g. for psql.
    Url,
    /// Apply pending migrations (every command also does this on start).
    Migrate,
    /// Stop the embedded PostgreSQL server (its data stays in the data folder).
    Stop,
}

pub fn run(globals: &Globals, args: DbArgs) -> anyhow::Result<ExitCode> {
    let location = globals.location(DEFAULT_DATABASE)?;
    match args.action {
        DbAction::Status => status(&location),
        DbAction::Url => {
            let (url, _) = location.ensure_available()?;
            println!("{url}");
        }
        DbAction::Migrate => {
            let (url, _) = location.ensure_available()?;
            let mut conn = connect(&url)?;
            let applied = run_migrations(&mut conn).context("migrating")?;
            if applied.is_empty() {
                println!("The database is up to date.");
            } else {
                println!(
                    "Applied {} migration(s): {}",
                    applied.len(),
                    applied.join(", ")
                );
            }
        }
        DbAction::Stop => match &location {
            DatabaseLocation::External(url) => {
                println!("DATABASE_URL is set ({}); citytrace did not start that server and will not stop it.", redact(url));
            }
            DatabaseLocation::Embedded { cluster, .. } => {
                if cluster.stop()? {
                    println!(
                        "Stopped the embedded PostgreSQL in {}.",
                        cluster.cluster_dir().display()
                    );
                } else {
                    println!(
                        "The embedded PostgreSQL in {} was not running.",
                        cluster.cluster_dir().display()
                    );
                }
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn status(location: &DatabaseLocation) {
    match location {
        DatabaseLocation::External(url) => println!(
            "Database: {} (from DATABASE_URL; nothing embedded is used)",
            redact(url)
        ),
        DatabaseLocation::Embedded { cluster, database } => {
            println!(
                "Embedded PostgreSQL cluster: {}",
                cluster.cluster_dir().display()
            );
            if let Some(owner) = cluster.owner() {
                println!(
                    "Runs as OS user: {} (PostgreSQL refuses to run as root)",
                    owner.name
                );
            }
            match cluster.status() {
                ClusterStatus::Absent => println!(
                    "Status: not initialised yet (any command that needs it will create it)"
                ),
                ClusterStatus::Stopped => {
                    println!("Status: stopped (any command that needs it will start it)")
                }
                ClusterStatus::Running(running) => {
                    println!("Status: running, pid {}", running.pid);
                    println!("URL: {}", running.url(database));
                    println!("Socket URL: {}", running.socket_url(database));
                    println!("Log: {}", cluster.log_file().display());
                }
            }
        }
    }
}
