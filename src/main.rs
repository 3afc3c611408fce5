//! citytrace: one binary to index the city ledger, import suppliers' files and serve the
//! public explorer. Wiring only: the work lives in the crates.

mod commands;
mod demo_city;
mod demo_ledger;
mod globals;
mod shutdown;

use clap::{Parser, Subcommand};

use crate::globals::Globals;

#[derive(Parser)]
#[command(
    name = "citytrace",
    version,
    about = "Trace a city's supply chains, carbon and spending: index its ledger, import suppliers' files, serve the public explorer.",
    long_about = "Trace a city's supply chains, carbon and spending: index its ledger, import suppliers' files, serve the public explorer.\n\n\
        With no DATABASE_URL, citytrace runs its own PostgreSQL in the data folder (.citytrace/ by default), \
        using the system's PostgreSQL binaries, and keeps it running between commands (`citytrace db stop` stops it).\n\n\
        Start with `citytrace demo`: a generated city on a local ledger, explored at http://127.0.0.1:8080.",
    after_help = "Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) for more. Docs: README.md and docs/."
)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo: local PostgreSQL + local ledger node + a generated city, imported and
    /// anchored, explored at http://127.0.0.1:8080. Ctrl-C stops everything.
    Demo(commands::demo::DemoArgs),
    /// Serve the public explorer.
    Serve(commands::serve::ServeArgs),
    /// Follow the configured chains into the database and anchor imported batches.
    Index(commands::index::IndexArgs),
    /// Import a file (validated row by row; nothing is written if any row is invalid).
    Import(commands::import::ImportArgs),
    /// The database: status, URL, migrations, stopping the embedded server.
    Db(commands::db::DbArgs),
    /// API tokens for suppliers: create (printed once, stored hashed), list, revoke. A token
    /// signs in to the upload page (/import) and authorises the upload API.
    Token(commands::token::TokenArgs),
    /// Parties that hand files over (suppliers, departments, …): add one before giving it a token.
    Party(commands::party::PartyArgs),
    /// Check a row against the ledger alone: its proof file (or the database's copy of the row)
    /// step by step — leaf, Merkle path, the anchoring transaction's receipt, finality — or an
    /// indexed ledger row against its log. Exit 0 only when every step passes.
    Verify(commands::verify::VerifyArgs),
    /// Re-prove the whole database: every batch's stored rows against its Merkle root and the
    /// BatchAnchored event on the ledger (asked of the node), batches left unanchored, and
    /// indexed logs against their nodes. Names each mismatch (batch, line, expected, found);
    /// exit 0 when all pass, 1 on a mismatch, 2 when something could not be checked.
    Audit(commands::audit::AuditArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(&cli.globals, args),
        Command::Serve(args) => commands::serve::run(&cli.globals, args),
        Command::Index(args) => commands::index::run(&cli.globals, args),
        Command::Import(args) => commands::import::run(&cli.globals, args),
        Command::Db(args) => commands::db::run(&cli.globals, args),
        Command::Token(args) => commands::token::run(&cli.globals, args),
        Command::Party(args) => commands::party::run(&cli.globals, args),
        Command::Verify(args) => commands::verify::run(&cli.globals, args),
        Command::Audit(args) => commands::audit::run(&cli.globals, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn,citytrace::http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
