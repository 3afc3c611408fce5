//! Was this batch root anchored? The anchoring transaction's receipt, from the node: it
//! succeeded, and holds a `BatchAnchored` log from the expected BatchAnchor contract carrying
//! the batch id, the root and the row count.

use serde_json::Value;

use super::{hex0x, Check, Ledger};
use crate::decoders::builtin_abi;
use crate::evm::{AbiDecoder, DecodedLog, TxReceipt};
use crate::source::{Address, Hash32};

const STEP: &str = "anchor";

/// What a proof says about its anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorClaim {
    pub chain_id: u64,
    /// The BatchAnchor contract the log must come from.
    pub contract: Address,
    /// Where that address came from, for the message (`--contract`, the configuration, the
    /// proof itself).
    pub contract_origin: String,
    pub tx_hash: Hash32,
    /// The block the proof says the transaction is in (used to tell a reorg from a
    /// transaction that never was).
    pub block_number: u64,
    pub block_hash: Hash32,
    pub batch_id: u64,
    pub root: Hash32,
    pub row_count: u64,
}

/// Where the node says the anchor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchoredAt {
    pub block_number: u64,
    pub block_hash: Hash32,
    pub log_index: u64,
}

/// The `anchor` step: Ok with where the anchor is when the ledger agrees with `claim`.
pub async fn check_anchor(ledger: &Ledger, claim: &AnchorClaim) -> (Check, Option<AnchoredAt>) {
    match anchor(ledger, claim).await {
        Ok((message, at)) => (Check::pass(STEP, message), Some(at)),
        Err(check) => (check, None),
    }
}

async fn anchor(ledger: &Ledger, claim: &AnchorClaim) -> Result<(String, AnchoredAt), Check> {
    ledger.check_chain(STEP, claim.chain_id).await?;
    let tx = hex0x(&claim.tx_hash);
    let receipt = match ledger.receipt(claim.tx_hash).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(Check::fail(STEP, missing_tx(ledger, claim).await)),
        Err(e) => return Err(ledger.unreachable(STEP, &e)),
    };
    let TxReceipt {
        block_number,
        block_hash,
        success,
        ..
    } = receipt;
    if !success {
        return Err(Check::fail(
            STEP,
            format!("transaction {tx} reverted in block {block_number}: it anchored nothing"),
        ));
    }
    let decoder = batch_anchored_decoder()?;
    let mut from_others = Vec::new();
    let mut for_other_batches = Vec::new();
    for log in &receipt.logs {
        let Ok(Some(event)) = decoder.decode(log) else {
            continue;
        };
        if log.address != claim.contract {
            from_others.push(hex0x(&log.address));
            continue;
        }
        let (Some(batch_id), Some(root), Some(row_count)) = (
            uint(&event, "batchId"),
            event.get("root").and_then(Value::as_str),
            uint(&event, "rowCount"),
        ) else {
            continue;
        };
        if batch_id != claim.batch_id {
            for_other_batches.push(batch_id.to_string());
            continue;
        }
        let at = format!(
            "the BatchAnchored log of transaction {tx} (block {block_number}) for batch {batch_id}"
        );
        if root != hex0x(&claim.root) {
            return Err(Check::fail(
                STEP,
                format!(
                    "{at} carries root {root}, not the proof's root {}",
                    hex0x(&claim.root)
                ),
            ));
        }
        if row_count != claim.row_count {
            return Err(Check::fail(
                STEP,
                format!(
                    "{at} says the batch has {row_count} rows, the proof's tree has {}",
                    claim.row_count
                ),
            ));
        }
        let moved = if block_hash == claim.block_hash {
            String::new()
        } else {
            format!(
                " (the proof names block {} {}; the transaction is now in this one)",
                claim.block_number,
                hex0x(&claim.block_hash)
            )
        };
        return Ok((
            format!(
                "transaction {tx} succeeded in block {block_number} ({}) on chain {}{moved}; its log {} from BatchAnchor {} ({}) carries batch {batch_id}, root {root}, {row_count} rows",
                hex0x(&block_hash),
                claim.chain_id,
                log.log_index,
                hex0x(&claim.contract),
                claim.contract_origin,
            ),
            AnchoredAt {
                block_number,
                block_hash,
                log_index: log.log_index,
            },
        ));
    }
    let contract = hex0x(&claim.contract);
    Err(Check::fail(
        STEP,
        if !for_other_batches.is_empty() {
            format!(
                "transaction {tx} anchored batch {} at {contract}, not batch {}",
                for_other_batches.join(", "),
                claim.batch_id
            )
        } else if !from_others.is_empty() {
            format!(
                "transaction {tx} has a BatchAnchored log only from {}, not from the BatchAnchor contract {contract} ({})",
                from_others.join(", "),
                claim.contract_origin
            )
        } else {
            format!("transaction {tx} (block {block_number}) emitted no BatchAnchored log")
        },
    ))
}

/// Why the node has no receipt: the block the proof names is gone (a reorg), or the
/// transaction never was on this chain.
async fn missing_tx(ledger: &Ledger, claim: &AnchorClaim) -> String {
    let tx = hex0x(&claim.tx_hash);
    let number = claim.block_number;
    let first = format!("the node has no receipt for transaction {tx}");
    match ledger.header(number).await {
        Ok(Some(h)) if h.hash != claim.block_hash => format!(
            "{first}, and its block {number} is {}, not {}: the anchoring block was reorged away",
            hex0x(&h.hash),
            hex0x(&claim.block_hash)
        ),
        Ok(Some(_)) => format!(
            "{first}, though block {number} is the one the proof names: the transaction is not on this chain"
        ),
        Ok(None) => format!(
            "{first}, and has no block {number} (its chain is shorter): the anchoring block was reorged away"
        ),
        Err(_) => format!("{first}: it is not on the node's chain"),
    }
}

fn batch_anchored_decoder() -> Result<AbiDecoder, Check> {
    let abi = builtin_abi("batch_anchor").unwrap_or("[]");
    AbiDecoder::from_json(abi, Some(&["BatchAnchored".to_string()]))
        .map_err(|e| Check::unchecked(STEP, format!("the built-in BatchAnchor ABI: {e}")))
}

fn uint(event: &DecodedLog, name: &str) -> Option<u64> {
    event.get(name)?.as_str()?.parse().ok()
}
