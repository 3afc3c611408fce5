//! Independent verification: checking what citytrace says against the ledger node alone.
//!
//! - [`anchor`]: a batch root was anchored — the anchoring transaction's receipt holds a
//!   `BatchAnchored` log from the BatchAnchor contract with that batch id, root and row count.
//! - [`check_block`]: a block is on the node's chain and final by the chain's finality.
//! - [`indexed`]: a row the indexer stored equals the log it came from, field by field.
//! - [`audit`]: for `citytrace audit`, every batch the node says was anchored, and the
//!   indexed logs to check.
//!
//! Each step is a [`Check`]; a [`Report`] lists them and gives the verdict. Nothing here reads
//! what it checks from the database: the database only says *where* to look.

pub mod anchor;
pub mod audit;
pub mod indexed;

use serde::Serialize;

use crate::config::{FinalityConfig, FinalityTag};
use crate::error::RpcError;
use crate::evm::{EvmLookup, EvmSource, TxReceipt};
use crate::source::{BlockHeader, ChainSource, Hash32, RawLog};

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The evidence agrees.
    Pass,
    /// The evidence contradicts the claim.
    Fail,
    /// The step could not be made (the node did not answer, or an earlier step failed).
    Unchecked,
}

impl Status {
    /// ✓, ✗ or – in front of a step.
    pub fn mark(self) -> char {
        match self {
            Self::Pass => '✓',
            Self::Fail => '✗',
            Self::Unchecked => '–',
        }
    }
}

/// One step of a verification: what was checked and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub step: String,
    pub status: Status,
    pub message: String,
}

impl Check {
    pub fn pass(step: &str, message: impl Into<String>) -> Self {
        Self::new(step, Status::Pass, message)
    }

    pub fn fail(step: &str, message: impl Into<String>) -> Self {
        Self::new(step, Status::Fail, message)
    }

    pub fn unchecked(step: &str, message: impl Into<String>) -> Self {
        Self::new(step, Status::Unchecked, message)
    }

    fn new(step: &str, status: Status, message: impl Into<String>) -> Self {
        Self {
            step: step.into(),
            status,
            message: message.into(),
        }
    }
}

/// The outcome of a whole verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every step passed.
    Verified,
    /// A step found evidence against the claim.
    Failed,
    /// Nothing failed, but a step could not be made.
    Inconclusive,
}

/// The steps of one verification, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    pub fn verdict(&self) -> Verdict {
        if self.checks.iter().any(|c| c.status == Status::Fail) {
            Verdict::Failed
        } else if self.checks.iter().all(|c| c.status == Status::Pass) && !self.checks.is_empty() {
            Verdict::Verified
        } else {
            Verdict::Inconclusive
        }
    }

    /// The step the verdict rests on when it is not `Verified`: the first that failed, else the
    /// first that could not be made.
    pub fn deciding(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.status == Status::Fail)
            .or_else(|| self.checks.iter().find(|c| c.status != Status::Pass))
    }
}

/// A ledger node to ask, through one JSON-RPC URL.
pub struct Ledger {
    url: String,
    source: EvmSource,
    lookup: EvmLookup,
}

impl Ledger {
    pub fn connect(url: &str) -> Result<Self, RpcError> {
        Ok(Self {
            url: url.to_string(),
            source: EvmSource::new(url)?,
            lookup: EvmLookup::new(url)?,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn chain_id(&self) -> Result<u64, RpcError> {
        self.source.chain_id().await
    }

    pub async fn head(&self) -> Result<u64, RpcError> {
        self.source.head().await
    }

    pub async fn header(&self, number: u64) -> Result<Option<BlockHeader>, RpcError> {
        self.source.header(number).await
    }

    pub async fn tagged_block(&self, tag: FinalityTag) -> Result<Option<u64>, RpcError> {
        self.source.tagged_block(tag).await
    }

    pub async fn receipt(&self, tx_hash: Hash32) -> Result<Option<TxReceipt>, RpcError> {
        self.lookup.receipt(tx_hash).await
    }

    pub async fn logs_at_block(&self, block_hash: Hash32) -> Result<Option<Vec<RawLog>>, RpcError> {
        self.lookup.logs_at_block(block_hash, None).await
    }

    /// A check that fails when the node is on another chain than `chain_id`.
    pub async fn check_chain(&self, step: &str, chain_id: u64) -> Result<(), Check> {
        match self.chain_id().await {
            Ok(id) if id == chain_id => Ok(()),
            Ok(id) => Err(Check::fail(
                step,
                format!(
                    "the node at {} is on chain {id}, not chain {chain_id}",
                    self.url
                ),
            )),
            Err(e) => Err(self.unreachable(step, &e)),
        }
    }

    /// The step could not be made because the node did not answer.
    pub fn unreachable(&self, step: &str, error: &RpcError) -> Check {
        Check::unchecked(
            step,
            format!("could not ask the node at {}: {error}", self.url),
        )
    }
}

/// Block `number` with hash `hash` is the node's block at that height, and final by
/// `finality` (`confirmations` below the head, or at or below the node's tagged block).
pub async fn check_block(
    ledger: &Ledger,
    step: &str,
    number: u64,
    hash: Hash32,
    finality: FinalityConfig,
) -> Check {
    let header = match ledger.header(number).await {
        Ok(h) => h,
        Err(e) => return ledger.unreachable(step, &e),
    };
    let head = match ledger.head().await {
        Ok(h) => h,
        Err(e) => return ledger.unreachable(step, &e),
    };
    let Some(header) = header else {
        return Check::fail(
            step,
            format!("the node has no block {number} (its chain ends at block {head}): block {number} was reorged away"),
        );
    };
    if header.hash != hash {
        return Check::fail(
            step,
            format!(
                "the node's block {number} is {}, not {}: that block was reorged away",
                hex0x(&header.hash),
                hex0x(&hash)
            ),
        );
    }
    let canonical = format!(
        "block {number} ({}) is the node's block at that height",
        hex0x(&hash)
    );
    match finality {
        FinalityConfig::Confirmations { confirmations } => {
            let have = head.saturating_sub(number);
            if have < confirmations {
                Check::fail(
                    step,
                    format!("{canonical}, but not final: {have} confirmations (head {head}), {confirmations} needed"),
                )
            } else {
                Check::pass(
                    step,
                    format!("{canonical}, and final: head {head}, {confirmations} confirmations needed, {have} seen"),
                )
            }
        }
        FinalityConfig::Tag { tag } => {
            let name = match tag {
                FinalityTag::Finalized => "finalized",
                FinalityTag::Safe => "safe",
            };
            match ledger.tagged_block(tag).await {
                Err(e) => ledger.unreachable(step, &e),
                Ok(None) => Check::fail(
                    step,
                    format!("{canonical}, but the node reports no {name} block"),
                ),
                Ok(Some(tagged)) if tagged < number => Check::fail(
                    step,
                    format!("{canonical}, but not final: the node's {name} block is {tagged}"),
                ),
                Ok(Some(tagged)) => Check::pass(
                    step,
                    format!("{canonical}, and final: the node's {name} block is {tagged}"),
                ),
            }
        }
    }
}

pub(crate) fn hex0x(bytes: &[u8]) -> String {
    citytrace_schema::hex0x(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statuses: &[Status]) -> Report {
        Report {
            checks: statuses
                .iter()
                .enumerate()
                .map(|(i, s)| Check::new(&format!("s{i}"), *s, ""))
                .collect(),
        }
    }

    #[test]
    fn the_verdict_is_verified_only_when_every_step_passed() {
        use Status::*;
        assert_eq!(report(&[Pass, Pass]).verdict(), Verdict::Verified);
        assert_eq!(report(&[Pass, Unchecked, Fail]).verdict(), Verdict::Failed);
        assert_eq!(
            report(&[Pass, Unchecked, Fail]).deciding().unwrap().step,
            "s2"
        );
        assert_eq!(report(&[Pass, Unchecked]).verdict(), Verdict::Inconclusive);
        assert_eq!(report(&[]).verdict(), Verdict::Inconclusive);
        assert!(report(&[Pass]).deciding().is_none());
    }
}
