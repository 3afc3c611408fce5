//! What the types of the configuration cannot check: references between sections, addresses,
//! kinds, and the ranges every number must be in for the indexer to run with it (a zero poll
//! interval, a write queue too large to allocate, an id that does not fit the database's
//! BIGINT). A problem names its section and key; read from a file, also its line.

use toml::de::{DeTable, DeValue};

use super::{parse_address, IndexerConfig, BUILTIN_KINDS};

/// Where a problem is: a `[[chain]]` or `[[contract]]` (by position), `[anchoring]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Chain(usize),
    Contract(usize),
    Anchoring,
}

/// A value the configuration cannot run with: where, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub section: Section,
    pub key: &'static str,
    pub message: String,
}

/// The largest value the database holds for a chain id or a block number (BIGINT).
const MAX_BIGINT: u64 = i64::MAX as u64;
/// The longest poll interval: a day.
const MAX_POLL_MS: u64 = 86_400_000;
/// Bounds of the pipeline's sizes: beyond them memory, not the node, is the limit.
const MAX_IN_FLIGHT: usize = 1_024;
const MAX_REORG_WINDOW: u64 = 1_000_000;

impl Problem {
    fn new(section: Section, key: &'static str, message: impl Into<String>) -> Self {
        Self {
            section,
            key,
            message: message.into(),
        }
    }

    /// `[[chain]] 31337 (the 1st): poll_interval_ms: …`.
    pub fn describe(&self, config: &IndexerConfig) -> String {
        let section = match self.section {
            Section::Chain(i) => match config.chains.get(i) {
                Some(c) => format!("[[chain]] {} ({})", c.id, ordinal(i)),
                None => format!("[[chain]] ({})", ordinal(i)),
            },
            Section::Contract(i) => match config.contracts.get(i) {
                Some(c) => format!("[[contract]] {} ({})", c.address, ordinal(i)),
                None => format!("[[contract]] ({})", ordinal(i)),
            },
            Section::Anchoring => "[anchoring]".to_string(),
        };
        format!("{section}: {}: {}", self.key, self.message)
    }
}

fn ordinal(i: usize) -> String {
    let n = i + 1;
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("the {n}{suffix} in the file")
}

fn within<T: PartialOrd + std::fmt::Display>(
    section: Section,
    key: &'static str,
    value: T,
    low: T,
    high: T,
) -> Result<(), Problem> {
    if value < low || value > high {
        return Err(Problem::new(
            section,
            key,
            format!("{value} is out of range: it must be from {low} to {high}"),
        ));
    }
    Ok(())
}

fn message(error: crate::error::IndexerError) -> String {
    match error {
        crate::error::IndexerError::Config(m) => m,
        other => other.to_string(),
    }
}

fn no_nul(section: Section, key: &'static str, text: &str) -> Result<(), Problem> {
    if text.contains('\0') {
        return Err(Problem::new(section, key, "contains a NUL character"));
    }
    Ok(())
}

impl IndexerConfig {
    /// The first problem, if any.
    pub(super) fn check(&self) -> Result<(), Problem> {
        for (i, chain) in self.chains.iter().enumerate() {
            self.check_chain(i, chain)?;
        }
        for (i, contract) in self.contracts.iter().enumerate() {
            self.check_contract(i, contract)?;
        }
        if let Some(a) = &self.anchoring {
            let at = Section::Anchoring;
            if !self.chains.iter().any(|c| c.id == a.chain) {
                return Err(Problem::new(
                    at,
                    "chain",
                    format!("anchoring chain {} is not configured", a.chain),
                ));
            }
            parse_address(&a.contract).map_err(|e| Problem::new(at, "contract", message(e)))?;
            within(at, "interval_ms", a.interval_ms, 1, MAX_POLL_MS)?;
            no_nul(at, "key_env", &a.key_env)?;
            no_nul(at, "uri_base", &a.uri_base)?;
        }
        Ok(())
    }

    fn check_chain(&self, i: usize, chain: &super::ChainConfig) -> Result<(), Problem> {
        let at = Section::Chain(i);
        let id = chain.id;
        within(at, "id", id, 0, MAX_BIGINT)?;
        no_nul(at, "name", &chain.name)?;
        if chain.rpc.is_empty() {
            return Err(Problem::new(
                at,
                "rpc",
                "no URL: list the node's JSON-RPC URLs, e.g. rpc = [\"http://127.0.0.1:8545\"]",
            ));
        }
        for url in &chain.rpc {
            no_nul(at, "rpc", url)?;
        }
        if chain.max_block_range == 0 || chain.initial_block_range == 0 {
            return Err(Problem::new(
                at,
                if chain.initial_block_range == 0 {
                    "initial_block_range"
                } else {
                    "max_block_range"
                },
                "block ranges must be at least 1",
            ));
        }
        if chain.initial_block_range > chain.max_block_range {
            return Err(Problem::new(
                at,
                "initial_block_range",
                "initial_block_range is larger than max_block_range",
            ));
        }
        within(
            at,
            "poll_interval_ms",
            chain.poll_interval_ms,
            1,
            MAX_POLL_MS,
        )?;
        within(
            at,
            "stall_after_polls",
            chain.stall_after_polls,
            1,
            u32::MAX,
        )?;
        within(
            at,
            "fetch_concurrency",
            chain.fetch_concurrency,
            1,
            MAX_IN_FLIGHT,
        )?;
        within(at, "write_queue", chain.write_queue, 1, MAX_IN_FLIGHT)?;
        within(at, "reorg_window", chain.reorg_window, 0, MAX_REORG_WINDOW)?;
        if let Some(start) = chain.start_block {
            within(at, "start_block", start, 0, MAX_BIGINT)?;
        }
        if self.chains.iter().filter(|c| c.id == id).count() > 1 {
            return Err(Problem::new(
                at,
                "id",
                format!("chain {id} is configured twice"),
            ));
        }
        Ok(())
    }

    fn check_contract(&self, i: usize, contract: &super::ContractConfig) -> Result<(), Problem> {
        let at = Section::Contract(i);
        let address = &contract.address;
        if !self.chains.iter().any(|c| c.id == contract.chain) {
            return Err(Problem::new(
                at,
                "chain",
                format!(
                    "contract {address} is on chain {}, which is not configured",
                    contract.chain
                ),
            ));
        }
        match (contract.kind.as_str(), &contract.abi) {
            ("abi", None) => {
                return Err(Problem::new(
                    at,
                    "kind",
                    format!("contract {address}: kind \"abi\" needs abi = \"path.json\""),
                ))
            }
            ("abi", Some(_)) => {}
            (kind, _) if !BUILTIN_KINDS.contains(&kind) => {
                return Err(Problem::new(
                    at,
                    "kind",
                    format!(
                        "contract {address}: unknown kind {kind:?}; built-in kinds: {}, or \"abi\" with abi = \"path.json\"",
                        BUILTIN_KINDS.join(", ")
                    ),
                ))
            }
            (kind, Some(_)) => {
                return Err(Problem::new(
                    at,
                    "abi",
                    format!("contract {address}: kind {kind:?} has a built-in ABI; drop `abi` or use kind = \"abi\""),
                ))
            }
            (_, None) => {}
        }
        contract
            .address_bytes()
            .map_err(|e| Problem::new(at, "address", message(e)))?;
        within(at, "start_block", contract.start_block, 0, MAX_BIGINT)?;
        if let Some(name) = &contract.name {
            no_nul(at, "name", name)?;
        }
        Ok(())
    }
}

/// The line of `problem`'s key in `text` (1-based), or of its section when the key is not
/// written there (a default), when the text says.
pub fn line_of(text: &str, problem: &Problem) -> Option<usize> {
    let document = DeTable::parse(text).ok()?;
    let (name, index) = match problem.section {
        Section::Chain(i) => ("chain", Some(i)),
        Section::Contract(i) => ("contract", Some(i)),
        Section::Anchoring => ("anchoring", None),
    };
    let section = document.get_ref().get(name)?;
    let table = match (section.get_ref(), index) {
        (DeValue::Array(items), Some(i)) => items.get(i)?,
        (DeValue::Table(_), None) => section,
        _ => return None,
    };
    let span = match table.get_ref() {
        DeValue::Table(t) => t.get(problem.key).map_or(table.span(), |v| v.span()),
        _ => table.span(),
    };
    Some(
        1 + text
            .bytes()
            .take(span.start)
            .filter(|b| *b == b'\n')
            .count(),
    )
}
