//! Looking up evidence on a chain: one transaction's receipt, one block's logs by the block's
//! hash. What `citytrace verify` asks the node beyond what following a chain needs; answered
//! in plain types.

use ethers::providers::{Http, Middleware, Provider};
use ethers::types::{Filter, Log};

use super::{classify, h256, provider};
use crate::error::RpcError;
use crate::source::{Address, Hash32, RawLog};

/// A mined transaction's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxReceipt {
    pub tx_hash: Hash32,
    pub block_number: u64,
    pub block_hash: Hash32,
    /// False when the transaction reverted.
    pub success: bool,
    pub logs: Vec<RawLog>,
}

/// Receipts and logs by block hash, through one JSON-RPC endpoint.
pub struct EvmLookup {
    provider: Provider<Http>,
}

impl EvmLookup {
    pub fn new(url: &str) -> Result<Self, RpcError> {
        Ok(Self {
            provider: provider(url)?,
        })
    }

    /// The receipt of `tx_hash`; None when the node knows no mined transaction with that hash
    /// (never sent, still pending, dropped, or on a branch the node left).
    pub async fn receipt(&self, tx_hash: Hash32) -> Result<Option<TxReceipt>, RpcError> {
        let Some(receipt) = self
            .provider
            .get_transaction_receipt(h256(&tx_hash))
            .await
            .map_err(classify)?
        else {
            return Ok(None);
        };
        let (Some(number), Some(hash)) = (receipt.block_number, receipt.block_hash) else {
            return Ok(None);
        };
        Ok(Some(TxReceipt {
            tx_hash: receipt.transaction_hash.0,
            block_number: number.as_u64(),
            block_hash: hash.0,
            success: receipt.status.is_some_and(|s| s.as_u64() == 1),
            logs: receipt.logs.iter().map(raw_log).collect::<Result<_, _>>()?,
        }))
    }

    /// Every log of the block with this hash (`eth_getLogs` with `blockHash`), optionally only
    /// those of `address`; None when the node does not know the block.
    pub async fn logs_at_block(
        &self,
        block_hash: Hash32,
        address: Option<Address>,
    ) -> Result<Option<Vec<RawLog>>, RpcError> {
        let mut filter = Filter::new().at_block_hash(h256(&block_hash));
        if let Some(a) = address {
            filter = filter.address(ethers::types::Address::from_slice(&a));
        }
        match self.provider.get_logs(&filter).await {
            Ok(logs) => Ok(Some(logs.iter().map(raw_log).collect::<Result<_, _>>()?)),
            Err(e) => {
                let error = classify(e);
                let text = error.to_string().to_ascii_lowercase();
                if matches!(error, RpcError::Fatal(_))
                    && (text.contains("unknown block") || text.contains("not found"))
                {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }
}

fn raw_log(log: &Log) -> Result<RawLog, RpcError> {
    let missing = |what: &str| RpcError::Fatal(format!("the node sent a log without {what}"));
    Ok(RawLog {
        address: log.address.0,
        topics: log.topics.iter().map(|t| t.0).collect(),
        data: log.data.to_vec(),
        block_number: log
            .block_number
            .ok_or_else(|| missing("block number"))?
            .as_u64(),
        block_hash: log.block_hash.ok_or_else(|| missing("block hash"))?.0,
        tx_hash: log
            .transaction_hash
            .ok_or_else(|| missing("transaction hash"))?
            .0,
        log_index: log.log_index.ok_or_else(|| missing("log index"))?.low_u64(),
    })
}
