//! `citytrace party`: the parties (suppliers, departments, carriers, recyclers, labs) that hand
//! files over. A party needs to exist before it can be given an API token.

use std::process::ExitCode;

use citytrace_schema::models::{NewParty, Party};
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

mod list;

#[derive(clap::Args)]
pub struct PartyArgs {
    #[command(subcommand)]
    command: PartyCommand,
}

#[derive(clap::Subcommand)]
enum PartyCommand {
    /// Register a party, e.g. `citytrace party add RCW --name "Riverside Cement Works"`.
    Add {
        /// Its short code: what files and tokens name it by (e.g. RCW).
        code: String,
        /// Its name as the explorer shows it.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "supplier")]
        kind: PartyKind,
        /// Its GS1 Global Location Number (13 digits), if it has one.
        #[arg(long)]
        gln: Option<String>,
    },
    /// List every party: code, name, kind, GLN, the roles the procurement files give it
    /// (buyer, supplier, tenderer, payer, …) and its API tokens (active, revoked).
    #[command(
        after_help = "Examples:\n  citytrace party list\n  citytrace party list --format csv > parties.csv\n  citytrace party list --format json\n\n\
        Give a party a token with `citytrace token create --party CODE`; `citytrace token list` shows\n\
        each token."
    )]
    List {
        /// Output: a table to read, or CSV or JSON for other programs.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ListFormat {
    Text,
    Csv,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PartyKind {
    Supplier,
    Department,
    Carrier,
    Recycler,
    Lab,
    Other,
}

impl PartyKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Supplier => "supplier",
            Self::Department => "department",
            Self::Carrier => "carrier",
            Self::Recycler => "recycler",
            Self::Lab => "lab",
            Self::Other => "other",
        }
    }
}

pub fn run(globals: &Globals, args: PartyArgs) -> anyhow::Result<ExitCode> {
    let pool = globals.open(DEFAULT_DATABASE, 1)?;
    let conn = &mut *pool.get()?;
    match args.command {
        PartyCommand::Add {
            code,
            name,
            kind,
            gln,
        } => {
            let code = code.trim();
            if code.is_empty() || name.trim().is_empty() {
                anyhow::bail!("a party needs a code and a name");
            }
            if let Some(existing) = Party::find_by_code(conn, code)? {
                anyhow::bail!(
                    "party {code} exists already ({}, {})",
                    existing.name,
                    existing.kind
                );
            }
            if let Some(gln) = &gln {
                if gln.len() != 13 || !gln.bytes().all(|b| b.is_ascii_digit()) {
                    anyhow::bail!("--gln takes a 13-digit GS1 Global Location Number");
                }
            }
            let party = Party::ensure(
                conn,
                &NewParty {
                    code,
                    name: name.trim(),
                    kind: kind.as_str(),
                    gln: gln.as_deref(),
                },
            )?;
            println!(
                "Added {} {} ({}). Give it an API token with `citytrace token create --party {}`.",
                party.kind, party.code, party.name, party.code
            );
        }
        PartyCommand::List { format } => {
            let parties = citytrace_reads::parties::list_parties(conn)?;
            match format {
                ListFormat::Text => print!("{}", list::table(&parties)),
                ListFormat::Csv => print!("{}", list::csv(&parties)?),
                ListFormat::Json => println!("{}", list::json(&parties)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
