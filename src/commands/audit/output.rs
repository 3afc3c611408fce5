//! How `citytrace audit` reports: a line per step (✓ passed, ✗ found mismatches, – could not
//! check), then every mismatch — batch, line, expected, found — and the verdict; or all of it
//! as JSON. The exit status is the verdict: 0 audited, 1 mismatches, 2 could not check.

use std::process::ExitCode;

use serde::Serialize;

use citytrace_indexer::verify::{Check, Report, Verdict};

use super::findings::Mismatch;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Something the audit could not check, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unchecked {
    pub what: String,
    pub reason: String,
}

/// A finished audit.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub verdict: Verdict,
    /// The node and contract asked about anchors (null when none could be asked).
    pub node: Option<String>,
    pub batches: u64,
    /// Rows re-proved, and how long it took.
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: u64,
    /// Batches whose leaves this audit recorded.
    pub recorded: u64,
    pub logs_indexed: u64,
    pub logs_checked: u64,
    /// One per step: rows, anchors, waiting, logs.
    pub checks: Vec<Check>,
    pub mismatches: Vec<Mismatch>,
    pub unchecked: Vec<Unchecked>,
}

impl AuditReport {
    /// The verdict of `checks`: failed when one found mismatches, inconclusive when one could
    /// not be made, else verified.
    pub fn verdict_of(checks: &[Check]) -> Verdict {
        Report {
            checks: checks.to_vec(),
        }
        .verdict()
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self.verdict {
            Verdict::Verified => 0,
            Verdict::Failed => 1,
            Verdict::Inconclusive => 2,
        })
    }

    pub fn print(&self, output: Output) -> anyhow::Result<ExitCode> {
        match output {
            Output::Text => print!("{}", self.text()),
            Output::Json => println!("{}", serde_json::to_string_pretty(self)?),
        }
        Ok(self.exit_code())
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "Auditing {} batch{} ({} rows) and {} indexed log{}\n",
            self.batches,
            if self.batches == 1 { "" } else { "es" },
            thousands(self.rows),
            thousands(self.logs_indexed),
            if self.logs_indexed == 1 { "" } else { "s" },
        );
        if let Some(node) = &self.node {
            out.push_str(&format!("  {node}\n"));
        }
        let width = self
            .checks
            .iter()
            .map(|c| c.step.chars().count())
            .max()
            .unwrap_or(0);
        for check in &self.checks {
            out.push_str(&format!(
                "  {} {:width$}  {}\n",
                check.status.mark(),
                check.step,
                check.message
            ));
        }
        if !self.mismatches.is_empty() {
            out.push_str(&format!("Mismatches ({}):\n", self.mismatches.len()));
            for m in &self.mismatches {
                out.push_str(&format!(
                    "  {} [{}]\n      expected: {}\n      found:    {}\n",
                    m.subject(),
                    m.check,
                    m.expected,
                    m.found
                ));
            }
        }
        if !self.unchecked.is_empty() {
            out.push_str(&format!("Not checked ({}):\n", self.unchecked.len()));
            for u in &self.unchecked {
                out.push_str(&format!("  {}: {}\n", u.what, u.reason));
            }
        }
        out.push_str(&match self.verdict {
            Verdict::Verified => "Audited: every batch's stored rows give the root and row count the ledger anchored (or, not yet anchored, the ones imported), and every log checked is what its node says.\n".to_string(),
            Verdict::Failed => format!(
                "NOT AUDITED: {} mismatch{} (listed above). {}\n",
                self.mismatches.len(),
                if self.mismatches.len() == 1 { "" } else { "es" },
                self.next_step()
            ),
            Verdict::Inconclusive => "Could not audit everything: no mismatch found, but some checks could not be made (listed above).\n".to_string(),
        });
        out
    }
}

impl AuditReport {
    /// What to do about the mismatches found.
    fn next_step(&self) -> &'static str {
        let rows = self
            .mismatches
            .iter()
            .any(|m| matches!(m.check, "rows" | "row" | "stored_root" | "stored_row_count"));
        if rows {
            "Restore the rows named from a backup or the submitter's file (`citytrace verify --row BATCH:LINE` shows what is stored), and find out how they were changed."
        } else if self.mismatches.iter().any(|m| m.check == "unanchored") {
            "Start `citytrace index` with [anchoring] (its log says why a batch is not sent)."
        } else {
            "The database's copy of the ledger differs from the node: re-index the chain from the block named (`citytrace index`), and find out how it was changed."
        }
    }
}

/// `12,819,873`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_819_873), "12,819,873");
    }
}
