//! `citytrace verify`: check a row against the ledger alone — from a proof file (no database),
//! from the database's copy of a row (`--row`), or an indexed ledger row against its log
//! (`--log`). Each step is printed with ✓/✗ and what was checked; the exit status is the
//! verdict.

mod output;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use citytrace_importers::proof::anchored::{anchored_proof, AnchoredProof};
use citytrace_indexer::config::{parse_address, ContractConfig, FinalityConfig, FinalityTag};
use citytrace_indexer::decoders::ContractDecoder;
use citytrace_indexer::source::Address;
use citytrace_indexer::verify::anchor::{check_anchor, AnchorClaim};
use citytrace_indexer::verify::indexed::{stored_rows, verify_log, LogKey};
use citytrace_indexer::verify::{check_block, Check, Ledger, Report};
use citytrace_indexer::IndexerConfig;
use citytrace_schema::models::{Chain, ContractRow};
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;
use output::{Outcome, Output};

#[derive(clap::Args)]
#[command(
    group(clap::ArgGroup::new("what").required(true).args(["proof", "row", "log"])),
    after_help = "Steps of a row proof: leaf (the row's canonical text hashes to the leaf), path (the\n\
    Merkle path leads from the leaf to the root), anchor (the node's receipt of the anchoring\n\
    transaction holds a BatchAnchored log from the BatchAnchor contract with that batch id, root\n\
    and row count), final (the block is the node's block at that height, and final).\n\
    Steps of --log: stored, log (fetched again by block hash), fields (decoded and compared one\n\
    by one), final. The database only says where to look; every verdict comes from the node.\n\n\
    Exit status: 0 verified, 1 a step failed (the evidence contradicts the claim), 2 could not\n\
    verify (node unreachable, no such row, unreadable proof). See docs/verification.md."
)]
pub struct VerifyArgs {
    /// A proof file (citytrace/proof/1, as the explorer serves it at
    /// /api/v1/batches/{id}/rows/{line}/proof); `-` reads standard input. No database needed.
    #[arg(value_name = "PROOF.json")]
    proof: Option<PathBuf>,
    /// Verify line LINE of batch BATCH: the proof is built from the stored rows and the indexed
    /// anchor, then checked against the node like a proof file.
    #[arg(long, value_name = "BATCH:LINE", value_parser = parse_row)]
    row: Option<(i64, u64)>,
    /// Verify an indexed ledger row against its log: fetched again from the node by block hash
    /// and log index, decoded with its contract's decoder, compared field by field.
    #[arg(long, value_name = "CHAIN:BLOCK_HASH:LOG_INDEX")]
    log: Option<LogKey>,
    /// The JSON-RPC URL of a node of the chain to check (default: the chain's `rpc` in the
    /// configuration).
    #[arg(long, env = "CITYTRACE_RPC", value_name = "URL")]
    rpc: Option<String>,
    /// Indexer configuration (TOML): the chains' RPC URLs and finality, the BatchAnchor
    /// address, the contracts' decoders. Default: citytrace.toml when it exists.
    #[arg(long, short, env = "CITYTRACE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The BatchAnchor contract the anchor must come from (default: `[anchoring] contract` in
    /// the configuration, else the address the proof names).
    #[arg(long, value_name = "ADDRESS")]
    contract: Option<String>,
    /// When a block is final: a number of confirmations, or `finalized` / `safe` (the node's
    /// block tags). Default: the chain's finality in the configuration, else 0 confirmations for
    /// the city ledger and 12 for public chains.
    #[arg(long, value_name = "N|finalized|safe", value_parser = parse_finality)]
    finality: Option<FinalityConfig>,
    /// Output format.
    #[arg(
        long = "format",
        value_enum,
        default_value = "text",
        id = "output",
        value_name = "FORMAT"
    )]
    output: Output,
}

fn parse_row(text: &str) -> Result<(i64, u64), String> {
    let usage = || format!("{text:?}: expected BATCH:LINE, e.g. 12:2");
    let (batch, line) = text.split_once(':').ok_or_else(usage)?;
    Ok((
        batch.trim().parse().map_err(|_| usage())?,
        line.trim().parse().map_err(|_| usage())?,
    ))
}

fn parse_finality(text: &str) -> Result<FinalityConfig, String> {
    match text {
        "finalized" => Ok(FinalityConfig::Tag {
            tag: FinalityTag::Finalized,
        }),
        "safe" => Ok(FinalityConfig::Tag {
            tag: FinalityTag::Safe,
        }),
        n => n
            .parse()
            .map(|confirmations| FinalityConfig::Confirmations { confirmations })
            .map_err(|_| format!("{n:?}: a number of confirmations, finalized or safe")),
    }
}

pub fn run(globals: &Globals, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    match verify(globals, &args) {
        Ok(outcome) => outcome.print(args.output),
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(2))
        }
    }
}

fn verify(globals: &Globals, args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let config = load_config(args.config.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if let Some(key) = &args.log {
        let (stored, decoders, kind) = {
            let pool = globals.open(DEFAULT_DATABASE, 1)?;
            let conn = &mut pool.get()?;
            let stored = stored_rows(conn, key).context("reading the stored rows")?;
            if stored.is_empty() {
                bail!("no indexed row has the key {key} (chain, block hash, log index)");
            }
            let decoders = decoders(conn, config.as_ref(), key.chain_id)?;
            let kind = Chain::all(conn)?
                .into_iter()
                .find(|c| c.chain_id == key.chain_id as i64)
                .map(|c| c.kind);
            (stored, decoders, kind)
        };
        let settings = Settings::new(args, config.as_ref(), key.chain_id, kind.as_deref())?;
        let (report, node) = runtime.block_on(async {
            let ledger = settings.ledger().await?;
            let report = verify_log(&ledger, key, &stored, &decoders, settings.finality).await;
            anyhow::Ok((report, settings.describe(ledger.url())))
        })?;
        return Ok(Outcome {
            subject: format!("the indexed row {key}"),
            node: Some(node),
            verified: format!(
                "the stored row is what log {} of block {} on chain {} says, field for field, and that block is final",
                key.log_index,
                citytrace_schema::hex0x(&key.block_hash),
                key.chain_id
            ),
            report,
            proof: None,
        });
    }
    let (proof, source) = match (&args.row, &args.proof) {
        (Some((batch, line)), _) => (
            proof_from_database(globals, *batch, *line)?,
            "the database".to_string(),
        ),
        (None, Some(path)) => (read_proof(path)?, path.display().to_string()),
        (None, None) => {
            bail!("give a proof file, --row BATCH:LINE or --log CHAIN:BLOCK_HASH:LOG_INDEX")
        }
    };
    let (report, node) = runtime.block_on(verify_proof(&proof, args, config.as_ref()))?;
    let (line, batch) = (proof.row.line, proof.row.batch_id);
    Ok(Outcome {
        subject: format!("line {line} of batch {batch} (from {source})"),
        node,
        verified: format!(
            "line {line} of batch {batch} is exactly this text, in the batch whose Merkle root the ledger anchored, in a final block"
        ),
        report,
        proof: Some(proof),
    })
}

/// The four steps of a row proof: leaf and path offline, anchor and final against the node.
async fn verify_proof(
    proof: &AnchoredProof,
    args: &VerifyArgs,
    config: Option<&IndexerConfig>,
) -> anyhow::Result<(Report, Option<String>)> {
    let mut report = Report::default();
    report.push(match proof.check_leaf() {
        Ok(m) => Check::pass("leaf", m),
        Err(m) => Check::fail("leaf", m),
    });
    report.push(match proof.check_path() {
        Ok(m) => Check::pass("path", m),
        Err(m) => Check::fail("path", m),
    });
    let Some(anchor) = &proof.anchor else {
        report.push(Check::fail(
            "anchor",
            format!(
                "batch {} is not anchored: the proof names no anchoring transaction",
                proof.row.batch_id
            ),
        ));
        report.push(Check::unchecked("final", "no anchoring block to check"));
        return Ok((report, None));
    };
    let settings = Settings::new(args, config, anchor.chain_id, Some("ledger"))?;
    let ledger = settings.ledger().await?;
    let (contract, contract_origin) =
        match (&args.contract, config.and_then(|c| c.anchoring.as_ref())) {
            (Some(text), _) => (parse_address(text)?, "given with --contract".to_string()),
            (None, Some(a)) if a.chain == anchor.chain_id => (
                parse_address(&a.contract)?,
                "the configuration's [anchoring] contract".to_string(),
            ),
            _ => (
                anchor.contract,
                "as the proof names it: pass --contract or --config to hold it to the city's own"
                    .to_string(),
            ),
        };
    let claim = AnchorClaim {
        chain_id: anchor.chain_id,
        contract,
        contract_origin,
        tx_hash: anchor.tx_hash,
        block_number: anchor.block_number,
        block_hash: anchor.block_hash,
        batch_id: proof.row.batch_id as u64,
        root: proof.row.root,
        row_count: proof.row.leaf_count,
    };
    let (check, at) = check_anchor(&ledger, &claim).await;
    report.push(check);
    report.push(match at {
        Some(at) => {
            check_block(
                &ledger,
                "final",
                at.block_number,
                at.block_hash,
                settings.finality,
            )
            .await
        }
        None => Check::unchecked("final", "no anchoring block to check"),
    });
    Ok((report, Some(settings.describe(ledger.url()))))
}

/// Which node to ask and what final means, from the arguments, the configuration and defaults.
struct Settings {
    chain_id: u64,
    urls: Vec<String>,
    finality: FinalityConfig,
    finality_origin: &'static str,
}

impl Settings {
    /// `kind`: the chain's kind when known (`ledger` or `public`), for the default finality.
    fn new(
        args: &VerifyArgs,
        config: Option<&IndexerConfig>,
        chain_id: u64,
        kind: Option<&str>,
    ) -> anyhow::Result<Self> {
        let chain = config.and_then(|c| c.chain(chain_id));
        let urls = match (&args.rpc, chain) {
            (Some(url), _) => vec![url.clone()],
            (None, Some(c)) => c.rpc.clone(),
            (None, None) => bail!(
                "no node to ask for chain {chain_id}: pass --rpc URL, set CITYTRACE_RPC, or give --config a [[chain]] with id = {chain_id}"
            ),
        };
        let (finality, finality_origin) = match (args.finality, chain) {
            (Some(f), _) => (f, "--finality"),
            (None, Some(c)) => (c.finality(), "the configuration"),
            (None, None) if kind == Some("public") => (
                FinalityConfig::Confirmations { confirmations: 12 },
                "the default for public chains",
            ),
            (None, None) => (
                FinalityConfig::Confirmations { confirmations: 0 },
                "the default for the city ledger",
            ),
        };
        Ok(Self {
            chain_id,
            urls,
            finality,
            finality_origin,
        })
    }

    /// The first URL whose node answers (else the first: its steps then say it did not answer).
    async fn ledger(&self) -> anyhow::Result<Ledger> {
        let mut first = None;
        for url in &self.urls {
            let ledger = Ledger::connect(url).with_context(|| format!("RPC URL {url}"))?;
            if ledger.chain_id().await.is_ok() {
                return Ok(ledger);
            }
            first.get_or_insert(ledger);
        }
        first.context("no RPC URL")
    }

    fn describe(&self, node: &str) -> String {
        let finality = match self.finality {
            FinalityConfig::Confirmations { confirmations } => {
                format!("{confirmations} confirmations")
            }
            FinalityConfig::Tag { tag } => format!(
                "at or below the node's {} block",
                match tag {
                    FinalityTag::Finalized => "finalized",
                    FinalityTag::Safe => "safe",
                }
            ),
        };
        format!(
            "node {node} (chain {}); final means {finality} ({})",
            self.chain_id, self.finality_origin
        )
    }
}

/// The configuration named by --config (which must exist), else ./citytrace.toml if present.
pub(crate) fn load_config(path: Option<&Path>) -> anyhow::Result<Option<IndexerConfig>> {
    let path = match path {
        Some(p) => p,
        None if Path::new("citytrace.toml").is_file() => Path::new("citytrace.toml"),
        None => return Ok(None),
    };
    Ok(Some(IndexerConfig::from_file(path).with_context(|| {
        format!("reading the configuration {}", path.display())
    })?))
}

fn read_proof(path: &Path) -> anyhow::Result<AnchoredProof> {
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    };
    AnchoredProof::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn proof_from_database(globals: &Globals, batch: i64, line: u64) -> anyhow::Result<AnchoredProof> {
    let pool = globals.open(DEFAULT_DATABASE, 1)?;
    let conn = &mut pool.get()?;
    match anchored_proof(conn, batch, line) {
        Ok(Some(proof)) => Ok(proof),
        Ok(None) => bail!("batch {batch} has no row at line {line}"),
        Err(citytrace_schema::diesel::result::Error::NotFound) => {
            bail!("there is no batch {batch}")
        }
        Err(e) => Err(e).context("building the proof from the database"),
    }
}

/// The decoders of `chain_id`'s contracts: those configured, then the built-in kinds the
/// database has registered (an `abi` contract needs its configuration for its ABI).
pub(crate) fn decoders(
    conn: &mut citytrace_schema::diesel::PgConnection,
    config: Option<&IndexerConfig>,
    chain_id: u64,
) -> anyhow::Result<HashMap<Address, ContractDecoder>> {
    let mut decoders = HashMap::new();
    for contract in config.iter().flat_map(|c| &c.contracts) {
        if contract.chain == chain_id {
            let decoder = ContractDecoder::load(contract)?;
            decoders.insert(decoder.address, decoder);
        }
    }
    for kind in citytrace_indexer::config::BUILTIN_KINDS {
        for row in ContractRow::of_kind(conn, kind)? {
            let Ok(address) = <Address>::try_from(row.address.as_slice()) else {
                continue;
            };
            if row.chain_id != chain_id as i64 || decoders.contains_key(&address) {
                continue;
            }
            let config = ContractConfig::new(chain_id, kind, &citytrace_schema::hex0x(&address), 0);
            let decoder = ContractDecoder::load(&config)?;
            decoders.insert(address, decoder);
        }
    }
    Ok(decoders)
}
