//! Reading a chain over JSON-RPC.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ethers::providers::{Http, Middleware, Provider};
use ethers::types::{Address as EthAddress, Block, BlockId, BlockNumber, Filter, H256, U64};
use serde::Deserialize;

use super::{classify, http_client, provider};
use crate::config::FinalityTag;
use crate::error::{classify_rpc_message, RpcError};
use crate::source::{headers_one_by_one, BlockHeader, ChainSource, LogFilter, RawLog};

/// A chain read through one JSON-RPC endpoint.
pub struct EvmSource {
    url: String,
    provider: Provider<Http>,
    /// For JSON-RPC batches, which ethers-rs does not send.
    client: reqwest011::Client,
    endpoint: reqwest011::Url,
    /// Cleared when the node answers a batch with something other than a batch: headers are
    /// then asked for one by one.
    batches: AtomicBool,
}

/// One answer of a JSON-RPC batch.
#[derive(Deserialize)]
struct BatchAnswer {
    id: usize,
    #[serde(default)]
    result: Option<Block<H256>>,
    #[serde(default)]
    error: Option<JsonRpcError>,
}

#[derive(Deserialize)]
struct JsonRpcError {
    code: i64,
    message: String,
}

impl EvmSource {
    pub fn new(url: &str) -> Result<Self, RpcError> {
        let (endpoint, client) = http_client(url)?;
        Ok(Self {
            url: url.to_string(),
            provider: provider(url)?,
            client,
            endpoint,
            batches: AtomicBool::new(true),
        })
    }

    /// `eth_getBlockByNumber` for each number in one JSON-RPC batch; `Ok(None)` when the node
    /// does not take batches (it answered with a single error, not a list).
    async fn batched_headers(
        &self,
        numbers: &[u64],
    ) -> Result<Option<Vec<Option<BlockHeader>>>, RpcError> {
        let body: Vec<serde_json::Value> = numbers
            .iter()
            .enumerate()
            .map(|(id, n)| {
                serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "eth_getBlockByNumber",
                                   "params": [format!("{n:#x}"), false]})
            })
            .collect();
        let response = self
            .client
            .post(self.endpoint.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| RpcError::Transient(format!("error sending request: {e}")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| RpcError::Transient(format!("error reading a body: {e}")))?;
        if status.as_u16() == 429 {
            return Err(RpcError::RateLimited(format!("HTTP 429: {text}")));
        }
        if status.is_server_error() {
            return Err(RpcError::Transient(format!("HTTP {status}: {text}")));
        }
        let answers: Vec<BatchAnswer> = match serde_json::from_str(&text) {
            Ok(answers) => answers,
            Err(_) => {
                let single: Option<JsonRpcError> = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| serde_json::from_value(v.get("error")?.clone()).ok());
                return match single.map(|e| classify_rpc_message(Some(e.code), &e.message)) {
                    // The node refuses batches ("method not found", "batch not supported").
                    Some(RpcError::Fatal(_)) => Ok(None),
                    Some(error) => Err(error),
                    None => match classify_rpc_message(Some(status.as_u16().into()), &text) {
                        limited @ RpcError::RateLimited(_) => Err(limited),
                        _ => Err(RpcError::Transient(format!(
                            "unreadable response to a batch of {} headers",
                            numbers.len()
                        ))),
                    },
                };
            }
        };
        let mut headers: Vec<Option<Option<BlockHeader>>> = vec![None; numbers.len()];
        for answer in answers {
            let Some(slot) = headers.get_mut(answer.id) else {
                return Err(RpcError::Transient(format!(
                    "a batch answer with an id ({}) that was not asked",
                    answer.id
                )));
            };
            if let Some(e) = answer.error {
                return Err(classify_rpc_message(Some(e.code), &e.message));
            }
            *slot = Some(answer.result.map(header_of).transpose()?);
        }
        headers
            .into_iter()
            .zip(numbers)
            .map(|(h, n)| {
                h.ok_or_else(|| RpcError::Transient(format!("no answer for block {n} in a batch")))
            })
            .collect::<Result<_, _>>()
            .map(Some)
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
        header_of(block).map(Some)
    }
}

/// What citytrace keeps of a block.
fn header_of(block: Block<H256>) -> Result<BlockHeader, RpcError> {
    let number = block
        .number
        .ok_or_else(|| RpcError::Transient("a block has no number yet".into()))?
        .as_u64();
    let hash = block
        .hash
        .ok_or_else(|| RpcError::Transient(format!("block {number} has no hash yet")))?;
    let timestamp = DateTime::<Utc>::from_timestamp(block.timestamp.low_u64() as i64, 0)
        .ok_or_else(|| RpcError::Fatal(format!("block {number} has an impossible timestamp")))?;
    Ok(BlockHeader {
        number,
        hash: hash.0,
        parent_hash: block.parent_hash.0,
        timestamp,
    })
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

    async fn headers(&self, numbers: &[u64]) -> Result<Vec<Option<BlockHeader>>, RpcError> {
        if numbers.len() > 1 && self.batches.load(Ordering::Relaxed) {
            if let Some(headers) = self.batched_headers(numbers).await? {
                return Ok(headers);
            }
            tracing::info!(url = %self.url, "the node does not take JSON-RPC batches: asking for headers one by one");
            self.batches.store(false, Ordering::Relaxed);
        }
        headers_one_by_one(self, numbers).await
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
