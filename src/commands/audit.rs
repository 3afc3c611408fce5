//! `citytrace audit`: re-prove the whole database against itself and the ledger.
//!
//! Every import batch's stored rows are read back, encoded canonically and folded into their
//! Merkle root (`citytrace_importers::audit`), and compared with the batch's stored root and
//! row count and with the `BatchAnchored` event the ledger node itself returns for the batch
//! (`citytrace_indexer::verify::audit`); a batch whose rows changed since they were anchored
//! has its changed lines named from its leaf record. Batches left unanchored too long are
//! reported, and indexed logs are checked against their nodes. docs/verification.md.

mod findings;
mod gather;
mod ledger;
mod output;
mod progress;
mod steps;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use citytrace_indexer::verify::Verdict;
use citytrace_indexer::IndexerConfig;
use citytrace_schema::{PgPool, DEFAULT_DATABASE};

use crate::globals::Globals;
use gather::{judge, reprove_all, LedgerView, Stored};
use ledger::AnchorNode;
pub use output::{AuditReport, Output, Unchecked};
use steps::audit_logs;

#[derive(clap::Args)]
#[command(after_help = "What is checked, batch by batch:\n  \
    rows      every stored row is encoded as its importer encoded it (the text `citytrace verify --row`\n            \
              shows) and hashed; the batch's Merkle root and row count are rebuilt and compared with the\n            \
              ones stored with the batch and, once anchored, with the ledger's\n  \
    anchors   the BatchAnchored events asked of the ledger node itself (eth_getLogs over the BatchAnchor\n            \
              contract), not the database's copy: each carries the batch id, root and row count the rows\n            \
              give; the database's indexed anchors agree; no anchored batch is missing from the database\n  \
    waiting   no batch has waited longer than --unanchored-after for its anchor\n  \
    logs      --logs N indexed logs (chosen at random across the chain tables; all with --logs all)\n            \
              fetched again from their node, decoded and compared field by field (as `verify --log`)\n\n\
    A batch whose rows no longer give its anchored root is named line by line: the audit keeps each\n\
    anchored batch's leaves (audit_leaf_records) once its rows proved equal to the ledger's root, and\n\
    a later audit compares the rows with them (the record must itself give the ledger's root).\n\n\
    Exit status: 0 every check passed; 1 a mismatch was found (each is listed: batch, line,\n\
    expected, found); 2 no mismatch, but something could not be checked (node unreachable, no\n\
    BatchAnchor contract known). See docs/verification.md.")]
pub struct AuditArgs {
    /// The JSON-RPC URL of a node of the city ledger (default: the anchoring chain's `rpc` in the
    /// configuration).
    #[arg(long, env = "CITYTRACE_RPC", value_name = "URL")]
    rpc: Option<String>,
    /// Indexer configuration (TOML): the chains' RPC URLs, the [anchoring] BatchAnchor contract,
    /// the contracts' decoders. Default: citytrace.toml when it exists.
    #[arg(long, short, env = "CITYTRACE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The BatchAnchor contract whose events are the anchors (default: [anchoring] contract in
    /// the configuration, else the one the indexer registered in the database).
    #[arg(long, value_name = "ADDRESS")]
    contract: Option<String>,
    /// Report batches not anchored this long after their import: e.g. 90s, 15m, 1h, 2d, 1h30m.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    unanchored_after: Duration,
    /// How many indexed logs to check against their nodes, chosen at random: a number (0 for
    /// none), or `all`.
    #[arg(long, value_name = "N|all", default_value = "100", value_parser = parse_logs)]
    logs: LogSample,
    /// Do not keep leaf records of the batches proved (the audit then writes nothing).
    #[arg(long)]
    no_record: bool,
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

/// How many indexed logs to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSample {
    Some(u64),
    All,
}

fn parse_logs(text: &str) -> Result<LogSample, String> {
    match text.trim() {
        "all" => Ok(LogSample::All),
        n => n
            .parse()
            .map(LogSample::Some)
            .map_err(|_| format!("{text:?}: a number of logs, or all")),
    }
}

/// `90s`, `15m`, `15min`, `1h`, `2d`, `1h30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let usage = || format!("{text:?}: a duration such as 90s, 15m, 1h, 2d or 1h30m");
    let mut rest = text.trim();
    let mut total: u64 = 0;
    if rest.is_empty() {
        return Err(usage());
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let (number, tail) = rest.split_at_checked(digits).ok_or_else(usage)?;
        let unit_len = tail.chars().take_while(char::is_ascii_alphabetic).count();
        let (unit, tail) = tail.split_at_checked(unit_len).ok_or_else(usage)?;
        let n: u64 = number.parse().map_err(|_| usage())?;
        let seconds = match unit {
            "s" | "sec" => 1,
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(usage()),
        };
        total = n
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(usage)?;
        rest = tail.trim_start();
    }
    Ok(Duration::from_secs(total))
}

/// What to audit against, and how.
pub struct AuditSettings {
    pub config: Option<IndexerConfig>,
    pub rpc: Option<String>,
    pub contract: Option<String>,
    pub unanchored_after: Duration,
    pub logs: LogSample,
    /// Keep leaf records of the batches proved.
    pub record: bool,
    /// Show progress on stderr.
    pub progress: bool,
}

pub fn run(globals: &Globals, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let settings = match crate::commands::verify::load_config(args.config.as_deref()) {
        Ok(config) => AuditSettings {
            config,
            rpc: args.rpc.clone(),
            contract: args.contract.clone(),
            unanchored_after: args.unanchored_after,
            logs: args.logs,
            record: !args.no_record,
            progress: true,
        },
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let audited = globals
        .open(DEFAULT_DATABASE, 3)
        .and_then(|pool| audit(&pool, &settings));
    match audited {
        Ok(report) => report.print(args.output),
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Audit the database behind `pool` (two connections: one reads, one records).
pub fn audit(pool: &PgPool, settings: &AuditSettings) -> anyhow::Result<AuditReport> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let conn = &mut pool.get()?;
    let stored = Stored::load(conn)?;
    let ledger = LedgerView::ask(&runtime, settings, &stored.registered);
    let started = Instant::now();
    let reproofs = reprove_all(pool, conn, &stored, &ledger, settings)?;
    let seconds = started.elapsed().as_secs_f64();
    let steps = judge(conn, &stored, &reproofs, &ledger, settings)?;
    let logs = audit_logs(&runtime, conn, ledger.node.as_ref().ok(), settings)?;
    let rows: u64 = reproofs.iter().map(|r| r.rows).sum();
    let checks = steps.checks(
        stored.batches.len(),
        rows,
        seconds,
        ledger.anchors.as_ref().map(Vec::len).map_err(String::clone),
        settings.unanchored_after,
        &logs,
    );
    let mut unchecked = Vec::new();
    if let Err(reason) = &ledger.anchors {
        unchecked.push(Unchecked {
            what: "anchors".into(),
            reason: reason.clone(),
        });
    }
    unchecked.extend(logs.audit.unchecked.iter().map(|(key, reason)| Unchecked {
        what: format!("log {key}"),
        reason: reason.clone(),
    }));
    let mut mismatches = steps.rows_mismatches;
    mismatches.extend(steps.anchor_mismatches);
    mismatches.extend(steps.waiting_mismatches);
    mismatches.extend(logs.audit.mismatches);
    Ok(AuditReport {
        verdict: AuditReport::verdict_of(&checks),
        node: ledger.node.as_ref().ok().map(AnchorNode::describe),
        batches: stored.batches.len() as u64,
        rows,
        seconds,
        rows_per_second: per_second(rows, seconds),
        recorded: reproofs.iter().filter(|r| r.recorded).count() as u64,
        logs_indexed: logs.indexed,
        logs_checked: logs.audit.checked,
        checks,
        mismatches,
        unchecked,
    })
}

fn per_second(n: u64, seconds: f64) -> u64 {
    if seconds > 0.0 {
        (n as f64 / seconds) as u64
    } else {
        0
    }
}

/// The demo's audit, once every batch is anchored: the whole city against its ledger, with a
/// sample of 100 logs; the verdict in a line, the full report when something is wrong.
pub async fn demo_audit(pool: PgPool, config: IndexerConfig) {
    let settings = AuditSettings {
        config: Some(config),
        rpc: None,
        contract: None,
        unanchored_after: Duration::from_secs(3600),
        logs: LogSample::Some(100),
        record: true,
        progress: false,
    };
    let audited = tokio::task::spawn_blocking(move || audit(&pool, &settings)).await;
    match audited {
        Ok(Ok(report)) if report.verdict == Verdict::Verified => println!(
            "Audit passed: {} batches ({} rows) re-proved against the ledger's anchors, {} indexed logs checked against their nodes (`citytrace audit` runs it again).",
            report.batches,
            output::thousands(report.rows),
            report.logs_checked
        ),
        Ok(Ok(report)) => print!("{}", report.text()),
        Ok(Err(e)) => println!("The audit could not run: {e:#}"),
        Err(e) => println!("The audit could not run: {e}"),
    }
}

#[cfg(test)]
mod tests;
