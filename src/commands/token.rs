//! `citytrace token`: the API tokens suppliers use to sign in to the upload page (`/import`)
//! and to call the upload API. A token is printed once, when it is created; only its sha256
//! is stored.

use std::process::ExitCode;

use anyhow::Context;
use diesel::PgConnection;

use citytrace_explorer::credentials;
use citytrace_schema::models::{ApiToken, NewApiToken, Party};
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

const AFTER_HELP: &str = concat!(
    "A party signs in at http://<explorer>/import with its token, or sends it to the upload API:\n",
    "    curl -H \"Authorization: Bearer $TOKEN\" --data-binary @deliveries.csv \\\n",
    "      'http://<explorer>/api/v1/imports?format=shipments&file_name=deliveries.csv'\n",
    "Everything it uploads is imported as that party. See docs/uploads.md."
);

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(clap::Subcommand)]
enum TokenCommand {
    /// Create a token for a party and print it, once: only its hash is kept, so it cannot be
    /// shown again (create another and revoke the old one if it is lost).
    #[command(
        after_help = "The token alone goes to stdout (TOKEN=$(citytrace token create --party RCW)); \
        the explanation to stderr. The party must exist: `citytrace party add CODE --name NAME`."
    )]
    Create {
        /// The party the token acts for (its code, e.g. RCW).
        #[arg(long, value_name = "CODE")]
        party: String,
        /// A note to tell tokens apart, e.g. who holds it or where it is used.
        #[arg(long, value_name = "TEXT", default_value = "")]
        label: String,
    },
    /// List tokens: id, party, label, when created and last used, and whether revoked. The
    /// tokens themselves are never shown (they are not stored).
    List {
        /// Only this party's tokens.
        #[arg(long, value_name = "CODE")]
        party: Option<String>,
    },
    /// Revoke a token: it stops working at once, for the API and for signed-in browsers.
    Revoke {
        /// The token's id, from `citytrace token list`.
        id: i64,
    },
}

pub fn run(globals: &Globals, args: TokenArgs) -> anyhow::Result<ExitCode> {
    let pool = globals.open(DEFAULT_DATABASE, 1)?;
    let conn = &mut *pool.get()?;
    match args.command {
        TokenCommand::Create { party, label } => {
            let (token, party, secret) = issue(conn, &party, &label)?;
            println!("{secret}");
            eprintln!(
                "Token {} for {} ({}). It is shown this once: only its hash is stored.\n\
                 Sign in with it at <explorer>/import, or send it as `Authorization: Bearer <token>` to POST /api/v1/imports.\n\
                 Revoke it with `citytrace token revoke {}`.",
                token.id, party.code, party.name, token.id
            );
        }
        TokenCommand::List { party } => {
            let party_id = match party {
                Some(code) => Some(existing_party(conn, &code)?.id),
                None => None,
            };
            print!("{}", table(&ApiToken::list(conn, party_id)?));
        }
        TokenCommand::Revoke { id } => {
            let Some((token, party)) = ApiToken::find(conn, id)? else {
                anyhow::bail!("there is no token {id}; `citytrace token list` shows them");
            };
            if let Some(at) = token.revoked_at {
                println!(
                    "Token {id} of {} was already revoked on {}.",
                    party.code,
                    at.format("%Y-%m-%d %H:%M UTC")
                );
            } else {
                let ended = ApiToken::revoke(conn, id)?;
                println!(
                    "Revoked token {id} of {}{}. It no longer works; {ended} signed-in session{} ended.",
                    party.code,
                    if token.label.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", token.label)
                    },
                    if ended == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Create a token for the party with `code`: the stored row, the party and the token itself.
pub fn issue(
    conn: &mut PgConnection,
    code: &str,
    label: &str,
) -> anyhow::Result<(ApiToken, Party, String)> {
    let party = existing_party(conn, code)?;
    let (secret, hash) = credentials::new_api_token();
    let token = ApiToken::insert(
        conn,
        &NewApiToken {
            party_id: party.id,
            token_hash: &hash,
            label,
        },
    )
    .context("storing the token")?;
    Ok((token, party, secret))
}

fn existing_party(conn: &mut PgConnection, code: &str) -> anyhow::Result<Party> {
    Party::find_by_code(conn, code)?.with_context(|| {
        format!(
            "there is no party {code}: create it first with `citytrace party add {code} --name \"Its name\"`"
        )
    })
}

fn table(tokens: &[(ApiToken, Party)]) -> String {
    if tokens.is_empty() {
        return "No tokens. Create one with `citytrace token create --party CODE`.\n".into();
    }
    let time = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let rows: Vec<[String; 6]> = tokens
        .iter()
        .map(|(t, p)| {
            [
                t.id.to_string(),
                p.code.clone(),
                t.label.clone(),
                time(&t.created_at),
                t.last_used_at.as_ref().map_or("never".into(), time),
                t.revoked_at
                    .as_ref()
                    .map_or("active".into(), |at| format!("revoked {}", time(at))),
            ]
        })
        .collect();
    let header = ["id", "party", "label", "created", "last used", "status"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 6]| {
        let mut text = format!("{:>w$}", cells[0], w = widths[0]);
        for (cell, w) in cells.iter().zip(widths).skip(1) {
            text.push_str(&format!("  {cell:<w$}"));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
    }
    out
}
