//! The audit's steps — rows, anchors, waiting, logs — each one line of the report: what
//! passed, or how many mismatches it found, or why it could not be checked.

use std::time::Duration;

use diesel::pg::PgConnection;

use citytrace_indexer::verify::audit::indexed_log_keys;
use citytrace_indexer::verify::Check;

use super::findings::{self, Mismatch, OnLedger};
use super::ledger::{self, AnchorNode};
use super::output::thousands;
use super::progress::Progress;
use super::{per_second, AuditSettings, LogSample};

/// The logs step's outcome.
pub struct Logs {
    pub indexed: u64,
    sampled: bool,
    asked: bool,
    pub audit: ledger::LogAudit,
}

pub fn audit_logs(
    runtime: &tokio::runtime::Runtime,
    conn: &mut PgConnection,
    node: Option<&AnchorNode>,
    settings: &AuditSettings,
) -> anyhow::Result<Logs> {
    let sample = match settings.logs {
        LogSample::Some(0) => {
            let (indexed, _) = indexed_log_keys(conn, Some(0))?;
            return Ok(Logs {
                indexed,
                sampled: true,
                asked: false,
                audit: Default::default(),
            });
        }
        LogSample::Some(n) => Some(n),
        LogSample::All => None,
    };
    let (indexed, keys) = indexed_log_keys(conn, sample)?;
    let progress = Progress::new("logs checked", keys.len() as u64, settings.progress);
    let audit = ledger::check_logs(
        runtime,
        conn,
        &keys,
        node,
        settings.config.as_ref(),
        &|| progress.add(1),
    )?;
    progress.finish();
    Ok(Logs {
        indexed,
        sampled: (keys.len() as u64) < indexed,
        asked: true,
        audit,
    })
}

/// The mismatches of each step, gathered batch by batch.
#[derive(Default)]
pub struct Steps {
    pub rows_mismatches: Vec<Mismatch>,
    pub anchor_mismatches: Vec<Mismatch>,
    pub waiting_mismatches: Vec<Mismatch>,
    /// Batches whose rows fail (rows step).
    rows_failing: u64,
    anchored: u64,
    pub waiting: u64,
}

impl Steps {
    pub fn batch(&mut self, found: Vec<Mismatch>, ledger: &OnLedger) {
        if matches!(ledger, OnLedger::Anchored(_)) {
            self.anchored += 1;
        }
        if found.iter().any(|m| m.check != "anchor") {
            self.rows_failing += 1;
        }
        for m in found {
            match m.check {
                "anchor" => self.anchor_mismatches.push(m),
                _ => self.rows_mismatches.push(m),
            }
        }
    }

    pub fn checks(
        &self,
        n: usize,
        rows: u64,
        seconds: f64,
        anchors: Result<usize, String>,
        threshold: Duration,
        logs: &Logs,
    ) -> Vec<Check> {
        let rate = per_second(rows, seconds);
        let mut checks = vec![if self.rows_failing == 0 {
            Check::pass(
                "rows",
                format!(
                    "{n} batch{}, {} rows re-proved from their canonical encodings in {seconds:.1} s ({} rows/s): each batch's rows give its root and row count",
                    if n == 1 { "" } else { "es" },
                    thousands(rows),
                    thousands(rate)
                ),
            )
        } else {
            Check::fail(
                "rows",
                format!(
                    "{} of {n} batches: their rows do not give their root or row count ({} mismatch{} below)",
                    self.rows_failing,
                    self.rows_mismatches.len(),
                    if self.rows_mismatches.len() == 1 { "" } else { "es" }
                ),
            )
        }];
        checks.push(match &anchors {
            Err(reason) => Check::unchecked("anchors", reason.clone()),
            Ok(_) if !self.anchor_mismatches.is_empty() => Check::fail(
                "anchors",
                format!(
                    "{} mismatch{} between the ledger's BatchAnchored events and the database",
                    self.anchor_mismatches.len(),
                    if self.anchor_mismatches.len() == 1 { "" } else { "es" }
                ),
            ),
            Ok(events) => Check::pass(
                "anchors",
                format!(
                    "{} batch{} anchored on the ledger ({events} BatchAnchored event{} from the node): their ids, roots and row counts are the ones the rows give, and the database's indexed anchors agree",
                    self.anchored,
                    if self.anchored == 1 { "" } else { "es" },
                    if *events == 1 { "" } else { "s" }
                ),
            ),
        });
        let limit = findings::duration(threshold);
        checks.push(match &anchors {
            Err(_) => Check::unchecked("waiting", "the ledger's anchors are not known"),
            Ok(_) if !self.waiting_mismatches.is_empty() => Check::fail(
                "waiting",
                format!(
                    "{} batch{} not anchored {limit} after import",
                    self.waiting_mismatches.len(),
                    if self.waiting_mismatches.len() == 1 {
                        ""
                    } else {
                        "es"
                    }
                ),
            ),
            Ok(_) => Check::pass(
                "waiting",
                format!(
                    "no batch has waited more than {limit} for its anchor ({} waiting for less)",
                    self.waiting
                ),
            ),
        });
        if logs.asked {
            let a = &logs.audit;
            let which = if logs.sampled {
                format!(
                    "{} of {} indexed logs (chosen at random)",
                    a.checked, logs.indexed
                )
            } else {
                format!("all {} indexed logs", a.checked)
            };
            checks.push(if !a.mismatches.is_empty() {
                Check::fail(
                    "logs",
                    format!(
                        "{} of {which} differ from their logs on the node",
                        a.mismatches.len()
                    ),
                )
            } else if !a.unchecked.is_empty() {
                Check::unchecked(
                    "logs",
                    format!(
                        "{which} equal their logs on the node; {} could not be checked",
                        a.unchecked.len()
                    ),
                )
            } else {
                Check::pass("logs", format!("{which} equal their logs on the node"))
            });
        }
        checks
    }
}
