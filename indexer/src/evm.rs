//! The one module that speaks ethers-rs. Everything outside it sees the [`ChainSource`] and
//! [`AnchorSender`] traits and plain byte arrays: ethers-rs is deprecated in favour of alloy,
//! and this keeps the switch to one file.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ethers::abi::RawLog as AbiRawLog;
use ethers::contract::{abigen, ContractFactory, EthLogDecode};
use ethers::middleware::SignerMiddleware;
use ethers::providers::{Http, Middleware, Provider, ProviderError, RpcError as _};
use ethers::signers::{LocalWallet, Signer};
use ethers::types::{Address as EthAddress, BlockId, BlockNumber, Bytes, Filter, H256, U64};

use crate::error::{classify_rpc_message, RpcError};
use crate::source::{
    Address, AnchorSender, BlockHeader, ChainSource, Hash32, LogFilter, RawLog, SentTx, TxState,
};

abigen!(
    BatchAnchorContract,
    "../contracts/build/BatchAnchor.abi.json"
);
abigen!(
    TraceRegistryContract,
    "../contracts/build/TraceRegistry.abi.json"
);

const BATCH_ANCHOR_BIN: &str = include_str!("../../contracts/build/BatchAnchor.bin");
const TRACE_REGISTRY_BIN: &str = include_str!("../../contracts/build/TraceRegistry.bin");

/// How long one JSON-RPC request may take before it counts as a transient failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often ethers polls for a sent transaction's receipt (its default, 7 s, is for mainnet).
const POLL_INTERVAL: Duration = Duration::from_millis(50);

fn provider(url: &str) -> Result<Provider<Http>, RpcError> {
    let parsed: reqwest011::Url = url
        .parse()
        .map_err(|e| RpcError::Fatal(format!("bad RPC URL {url}: {e}")))?;
    let client = reqwest011::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| RpcError::Fatal(format!("HTTP client: {e}")))?;
    Ok(Provider::new(Http::new_with_client(parsed, client)).interval(POLL_INTERVAL))
}

/// Classify an ethers provider error by what the caller should do.
fn classify(error: ProviderError) -> RpcError {
    if let Some(response) = error.as_error_response() {
        return classify_rpc_message(Some(response.code), &response.message);
    }
    if error.as_serde_error().is_some() {
        // A cut or garbled body (e.g. a proxy dropping the connection mid-response).
        return RpcError::Transient(format!("unreadable response: {error}"));
    }
    let text = error.to_string();
    if text.contains("HTTP status client error (429") {
        return RpcError::RateLimited(text);
    }
    if text.contains("HTTP status server error")
        || text.contains("error sending request")
        || text.contains("error decoding response body")
    {
        return RpcError::Transient(text);
    }
    classify_rpc_message(None, &text)
}

fn h256(h: &Hash32) -> H256 {
    H256::from_slice(h)
}

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
}

#[async_trait]
impl ChainSource for EvmSource {
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
        let block = self
            .provider
            .get_block(BlockId::Number(BlockNumber::Number(U64::from(number))))
            .await
            .map_err(classify)?;
        let Some(block) = block else { return Ok(None) };
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

type Client = SignerMiddleware<Provider<Http>, LocalWallet>;

/// A signing client for one chain: anchors batches, deploys the city contracts.
pub struct EvmSigner {
    client: Arc<Client>,
    contract: Option<BatchAnchorContract<Client>>,
}

impl EvmSigner {
    /// `key`: hex private key (0x optional). `batch_anchor`: the contract to anchor to.
    pub async fn connect(
        url: &str,
        key: &str,
        batch_anchor: Option<Address>,
    ) -> Result<Self, RpcError> {
        let provider = provider(url)?;
        let chain_id = provider.get_chainid().await.map_err(classify)?.as_u64();
        let wallet: LocalWallet = key.trim().trim_start_matches("0x").parse().map_err(|_| {
            RpcError::Fatal("the signing key is not a 32-byte hex private key".into())
        })?;
        let client = Arc::new(SignerMiddleware::new(
            provider,
            wallet.with_chain_id(chain_id),
        ));
        let contract = batch_anchor
            .map(|a| BatchAnchorContract::new(EthAddress::from_slice(&a), client.clone()));
        Ok(Self { client, contract })
    }

    pub fn address(&self) -> Address {
        self.client.address().0
    }

    fn contract(&self) -> Result<&BatchAnchorContract<Client>, RpcError> {
        self.contract
            .as_ref()
            .ok_or_else(|| RpcError::Fatal("no BatchAnchor contract configured".into()))
    }

    /// Deploy BatchAnchor and TraceRegistry from the committed bytecode; returns their
    /// addresses and the block of the first deployment.
    pub async fn deploy_city_contracts(&self) -> Result<DeployedContracts, RpcError> {
        let (batch_anchor, block) = self
            .deploy(BATCHANCHORCONTRACT_ABI.clone(), BATCH_ANCHOR_BIN)
            .await?;
        let (trace_registry, _) = self
            .deploy(TRACEREGISTRYCONTRACT_ABI.clone(), TRACE_REGISTRY_BIN)
            .await?;
        Ok(DeployedContracts {
            batch_anchor,
            trace_registry,
            block,
        })
    }

    async fn deploy(&self, abi: ethers::abi::Abi, bin: &str) -> Result<(Address, u64), RpcError> {
        let code = hex::decode(bin.trim())
            .map_err(|e| RpcError::Fatal(format!("contract bytecode: {e}")))?;
        let factory = ContractFactory::new(abi, Bytes::from(code), self.client.clone());
        let deployer = factory
            .deploy(())
            .map_err(|e| RpcError::Fatal(format!("deploy: {e}")))?;
        let (contract, receipt) = deployer
            .send_with_receipt()
            .await
            .map_err(|e| RpcError::Fatal(format!("deploy: {e}")))?;
        let block = receipt.block_number.map(|b| b.as_u64()).unwrap_or_default();
        Ok((contract.address().0, block))
    }

    /// Record a supply-chain event on the TraceRegistry; returns the transaction hash.
    pub async fn record_trace_event(
        &self,
        registry: Address,
        event: &TraceEventCall,
    ) -> Result<Hash32, RpcError> {
        let contract =
            TraceRegistryContract::new(EthAddress::from_slice(&registry), self.client.clone());
        let call = contract.record(
            event.event_hash,
            event.event_type.clone(),
            event.biz_step.clone(),
            event.disposition.clone(),
            event.epc.clone(),
            event.biz_location.clone(),
            event.event_time,
        );
        let pending = call
            .send()
            .await
            .map_err(|e| contract_error(&e.to_string()))?;
        Ok(pending.tx_hash().0)
    }
}

fn contract_error(text: &str) -> RpcError {
    classify_rpc_message(None, text)
}

/// Where `deploy_city_contracts` put the contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployedContracts {
    pub batch_anchor: Address,
    pub trace_registry: Address,
    pub block: u64,
}

/// Arguments of TraceRegistry.record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEventCall {
    pub event_hash: Hash32,
    pub event_type: String,
    pub biz_step: String,
    pub disposition: String,
    pub epc: String,
    pub biz_location: String,
    pub event_time: u64,
}

#[async_trait]
impl AnchorSender for EvmSigner {
    async fn anchored_root(&self, batch_id: u64) -> Result<Option<Hash32>, RpcError> {
        let root: [u8; 32] = self
            .contract()?
            .root_of(batch_id)
            .call()
            .await
            .map_err(|e| contract_error(&e.to_string()))?;
        Ok((root != [0u8; 32]).then_some(root))
    }

    async fn send_anchor(
        &self,
        batch_id: u64,
        root: Hash32,
        row_count: u32,
        uri: &str,
    ) -> Result<SentTx, RpcError> {
        let nonce = self
            .client
            .get_transaction_count(
                self.client.address(),
                Some(BlockId::Number(BlockNumber::Pending)),
            )
            .await
            .map_err(|e| contract_error(&e.to_string()))?;
        let call = self
            .contract()?
            .anchor(batch_id, root, row_count, uri.to_string())
            .nonce(nonce);
        let pending = call
            .send()
            .await
            .map_err(|e| contract_error(&e.to_string()))?;
        Ok(SentTx {
            hash: pending.tx_hash().0,
            nonce: nonce.as_u64(),
        })
    }

    async fn tx_state(&self, hash: Hash32) -> Result<TxState, RpcError> {
        let provider = self.client.inner();
        let Some(tx) = provider
            .get_transaction(h256(&hash))
            .await
            .map_err(classify)?
        else {
            return Ok(TxState::Unknown);
        };
        let Some(block) = tx.block_number else {
            return Ok(TxState::Pending);
        };
        let receipt = provider
            .get_transaction_receipt(h256(&hash))
            .await
            .map_err(classify)?;
        let success = receipt
            .and_then(|r| r.status)
            .is_some_and(|s| s.as_u64() == 1);
        Ok(TxState::Mined {
            block: block.as_u64(),
            success,
        })
    }
}

/// Events of the city contracts, decoded into plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CityEvent {
    BatchAnchored {
        root: Hash32,
        batch_id: u64,
        row_count: u32,
        uri: String,
    },
    TraceEventRecorded(TraceEventCall),
}

/// Decode a log of a BatchAnchor (`batch_anchor`) or TraceRegistry (`trace_registry`)
/// contract. Ok(None): an event of that contract citytrace does not store (e.g. role changes).
pub fn decode_city_event(kind: &str, log: &RawLog) -> Result<Option<CityEvent>, String> {
    let raw = AbiRawLog {
        topics: log.topics.iter().map(h256).collect(),
        data: log.data.clone(),
    };
    match kind {
        "batch_anchor" => match BatchAnchorContractEvents::decode_log(&raw) {
            Ok(BatchAnchorContractEvents::BatchAnchoredFilter(e)) => {
                Ok(Some(CityEvent::BatchAnchored {
                    root: e.root,
                    batch_id: e.batch_id,
                    row_count: e.row_count,
                    uri: e.uri,
                }))
            }
            Ok(_) => Ok(None),
            Err(e) => Err(format!("undecodable BatchAnchor log: {e}")),
        },
        "trace_registry" => match TraceRegistryContractEvents::decode_log(&raw) {
            Ok(TraceRegistryContractEvents::TraceEventRecordedFilter(e)) => {
                Ok(Some(CityEvent::TraceEventRecorded(TraceEventCall {
                    event_hash: e.event_hash,
                    event_type: e.event_type,
                    biz_step: e.biz_step,
                    disposition: e.disposition,
                    epc: e.epc,
                    biz_location: e.biz_location,
                    event_time: e.event_time,
                })))
            }
            Ok(_) => Ok(None),
            Err(e) => Err(format!("undecodable TraceRegistry log: {e}")),
        },
        other => Err(format!("no built-in decoder for contract kind {other}")),
    }
}
