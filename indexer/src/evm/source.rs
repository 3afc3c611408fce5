//! Reading a chain over JSON-RPC.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ethers::providers::{Http, Middleware, Provider};
use ethers::types::{Address as EthAddress, BlockId, BlockNumber, Filter, U64};

use super::{classify, provider};
use crate::config::FinalityTag;
use crate::error::RpcError;
use crate::source::{BlockHeader, ChainSource, LogFilter, RawLog};

/// A chain read through one JSON-RPC endpoint.
pub struct EvmSource {
    url: String,
    provider: Provider<Http>,
}

impl EvmSource {
    pub fn new(url: &str) -> Result<Self, RpcError> {
        Ok(Self {
            url: url.to_string(),
            provider: provider(url)?,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    async fn block(&self, id: BlockNumber) -> Result<Option<BlockHeader>, RpcError> {
        let Some(block) = self
            .provider
            .get_block(BlockId::Number(id))
            .await
            .map_err(classify)?
        else {
            return Ok(None);
        };
        let number = block
            .number
            .ok_or_else(|| RpcError::Transient(format!("block {id} has no number yet")))?
            .as_u64();
        let hash = block
            .hash
            .ok_or_else(|| RpcError::Transient(format!("block {number} has no hash yet")))?;
        let timestamp = DateTime::<Utc>::from_timestamp(block.timestamp.low_u64() as i64, 0)
            .ok_or_else(|| {
                RpcError::Fatal(format!("block {number} has an impossible timestamp"))
            })?;
        Ok(Some(BlockHeader {
            number,
            hash: hash.0,
            parent_hash: block.parent_hash.0,
            timestamp,
        }))
    }
}

#[async_trait]
impl ChainSource for EvmSource {
    fn describe(&self) -> String {
        self.url.clone()
    }

    async fn chain_id(&self) -> Result<u64, RpcError> {
        Ok(self
            .provider
            .get_chainid()
            .await
            .map_err(classify)?
            .as_u64())
    }

    async fn head(&self) -> Result<u64, RpcError> {
        Ok(self
            .provider
            .get_block_number()
            .await
            .map_err(classify)?
            .as_u64())
    }

    async fn header(&self, number: u64) -> Result<Option<BlockHeader>, RpcError> {
        self.block(BlockNumber::Number(U64::from(number))).await
    }

    async fn tagged_block(&self, tag: FinalityTag) -> Result<Option<u64>, RpcError> {
        let id = match tag {
            FinalityTag::Finalized => BlockNumber::Finalized,
            FinalityTag::Safe => BlockNumber::Safe,
        };
        Ok(self.block(id).await?.map(|h| h.number))
    }

    async fn logs(&self, filter: &LogFilter) -> Result<Vec<RawLog>, RpcError> {
        let addresses: Vec<EthAddress> = filter
            .addresses
            .iter()
            .map(|a| EthAddress::from_slice(a))
            .collect();
        let query = Filter::new()
            .from_block(filter.from_block)
            .to_block(filter.to_block)
            .address(addresses);
        let logs = self.provider.get_logs(&query).await.map_err(classify)?;
        logs.into_iter()
            .map(|log| {
                let missing =
                    |what: &str| RpcError::Transient(format!("log without {what} (pending?)"));
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
            })
            .collect()
    }
}
