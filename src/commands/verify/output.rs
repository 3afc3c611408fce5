//! How `citytrace verify` reports: each step with ✓/✗/– and what was checked, then the
//! verdict; or all of it as JSON. The exit status is the verdict.

use std::process::ExitCode;

use citytrace_importers::proof::anchored::AnchoredProof;
use citytrace_indexer::verify::{Check, Report, Verdict};
use serde::Serialize;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// `--format json`: the verdict first, then the steps, then the proof checked.
#[derive(Serialize)]
struct JsonReport<'a> {
    subject: &'a str,
    verdict: Verdict,
    /// The step the verdict rests on, and why (null when verified).
    step: Option<&'a str>,
    reason: Option<&'a str>,
    node: Option<&'a str>,
    checks: &'a [Check],
    proof: Option<&'a AnchoredProof>,
}

/// A finished verification.
pub struct Outcome {
    /// What was verified, e.g. "line 2 of batch 1 (from proof.json)".
    pub subject: String,
    /// The node asked and what final meant (None when no node was needed to decide).
    pub node: Option<String>,
    /// What a `Verified` verdict means for this subject.
    pub verified: String,
    pub report: Report,
    /// The proof checked (row proofs).
    pub proof: Option<AnchoredProof>,
}

impl Outcome {
    pub fn print(&self, output: Output) -> anyhow::Result<ExitCode> {
        let verdict = self.report.verdict();
        match output {
            Output::Text => print!("{}", self.text()),
            Output::Json => {
                let deciding = self
                    .report
                    .deciding()
                    .filter(|_| verdict != Verdict::Verified);
                let json = JsonReport {
                    subject: &self.subject,
                    verdict,
                    step: deciding.map(|c| c.step.as_str()),
                    reason: deciding.map(|c| c.message.as_str()),
                    node: self.node.as_deref(),
                    checks: &self.report.checks,
                    proof: self.proof.as_ref(),
                };
                println!("{}", serde_json::to_string_pretty(&json)?);
            }
        }
        Ok(ExitCode::from(match verdict {
            Verdict::Verified => 0,
            Verdict::Failed => 1,
            Verdict::Inconclusive => 2,
        }))
    }

    fn text(&self) -> String {
        let mut out = format!("Verifying {}\n", self.subject);
        if let Some(node) = &self.node {
            out.push_str(&format!("  {node}\n"));
        }
        let width = self
            .report
            .checks
            .iter()
            .map(|c| c.step.chars().count())
            .max()
            .unwrap_or(0);
        for check in &self.report.checks {
            out.push_str(&format!(
                "  {} {:width$}  {}\n",
                check.status.mark(),
                check.step,
                check.message
            ));
        }
        let (step, reason) = self
            .report
            .deciding()
            .map_or(("any", "nothing was checked"), |c| {
                (c.step.as_str(), c.message.as_str())
            });
        out.push_str(&match self.report.verdict() {
            Verdict::Verified => format!("Verified: {}.\n", self.verified),
            Verdict::Failed => format!("NOT VERIFIED: the {step} step failed: {reason}.\n"),
            Verdict::Inconclusive => {
                format!("Could not verify: the {step} step could not be made: {reason}.\n")
            }
        });
        out
    }
}
