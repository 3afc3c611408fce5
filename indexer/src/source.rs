//! What the indexer needs from a chain, independent of the RPC library: the one trait the
//! follow loop and the anchorer are written against. `evm` implements it with ethers-rs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::config::FinalityTag;
use crate::error::RpcError;

pub type Hash32 = [u8; 32];
pub type Address = [u8; 20];

/// A block header: the unit of progress is a (number, hash) pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    pub number: u64,
    pub hash: Hash32,
    pub parent_hash: Hash32,
    pub timestamp: DateTime<Utc>,
}

/// A log as the node returns it, before decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLog {
    pub address: Address,
    pub topics: Vec<Hash32>,
    pub data: Vec<u8>,
    pub block_number: u64,
    pub block_hash: Hash32,
    pub tx_hash: Hash32,
    pub log_index: u64,
}

/// Which logs to fetch: an inclusive block range, from these contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    pub from_block: u64,
    pub to_block: u64,
    pub addresses: Vec<Address>,
}

/// Read access to an EVM chain.
#[async_trait]
pub trait ChainSource: Send + Sync {
    /// Where it reads from, for logs (an RPC URL, or a list of them).
    fn describe(&self) -> String;
    async fn chain_id(&self) -> Result<u64, RpcError>;
    /// The latest block number.
    async fn head(&self) -> Result<u64, RpcError>;
    /// The header at `number`; `Ok(None)` when the node has no such block (yet).
    async fn header(&self, number: u64) -> Result<Option<BlockHeader>, RpcError>;
    /// The headers at `numbers`, in their order (`None` where the node has no such block yet):
    /// one request where the source can batch them, by default one request each.
    async fn headers(&self, numbers: &[u64]) -> Result<Vec<Option<BlockHeader>>, RpcError> {
        headers_one_by_one(self, numbers).await
    }
    /// The number of the block the node calls `finalized` or `safe`; None when it has none.
    async fn tagged_block(&self, tag: FinalityTag) -> Result<Option<u64>, RpcError>;
    async fn logs(&self, filter: &LogFilter) -> Result<Vec<RawLog>, RpcError>;
}

/// [`ChainSource::headers`] as one request per header.
pub async fn headers_one_by_one<S: ChainSource + ?Sized>(
    source: &S,
    numbers: &[u64],
) -> Result<Vec<Option<BlockHeader>>, RpcError> {
    let mut headers = Vec::with_capacity(numbers.len());
    for number in numbers {
        headers.push(source.header(*number).await?);
    }
    Ok(headers)
}

/// A transaction the anchorer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTx {
    pub hash: Hash32,
    pub nonce: u64,
}

/// Where a sent transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    /// Known to the node, not mined.
    Pending,
    /// Mined in this block; `success` false when it reverted.
    Mined { block: u64, success: bool },
    /// The node does not know it (dropped, or the node restarted without it).
    Unknown,
}

/// Write access to the BatchAnchor contract with the configured signing key.
#[async_trait]
pub trait AnchorSender: Send + Sync {
    /// The root the contract holds for `batch_id` (None when not anchored).
    async fn anchored_root(&self, batch_id: u64) -> Result<Option<Hash32>, RpcError>;
    async fn send_anchor(
        &self,
        batch_id: u64,
        root: Hash32,
        row_count: u32,
        uri: &str,
    ) -> Result<SentTx, RpcError>;
    async fn tx_state(&self, hash: Hash32) -> Result<TxState, RpcError>;
}
