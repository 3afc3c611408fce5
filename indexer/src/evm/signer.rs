//! Writing to the city ledger with a signing key: deploying the city contracts, anchoring
//! batches, recording trace events and treasury entries.

use std::sync::Arc;

use async_trait::async_trait;
use ethers::contract::{abigen, ContractFactory};
use ethers::middleware::SignerMiddleware;
use ethers::providers::{Http, Middleware, Provider};
use ethers::signers::{LocalWallet, Signer};
use ethers::types::{Address as EthAddress, BlockId, BlockNumber, Bytes, U256};

use super::{classify, contract_error, h256, provider};
use crate::error::RpcError;
use crate::source::{Address, AnchorSender, Hash32, SentTx, TxState};

abigen!(
    BatchAnchorContract,
    "../contracts/build/BatchAnchor.abi.json"
);
abigen!(
    TraceRegistryContract,
    "../contracts/build/TraceRegistry.abi.json"
);
abigen!(
    CityTreasuryContract,
    "../contracts/build/CityTreasury.abi.json"
);

const BATCH_ANCHOR_BIN: &str = include_str!("../../../contracts/build/BatchAnchor.bin");
const TRACE_REGISTRY_BIN: &str = include_str!("../../../contracts/build/TraceRegistry.bin");
const CITY_TREASURY_BIN: &str = include_str!("../../../contracts/build/CityTreasury.bin");

pub(super) type Client = SignerMiddleware<Provider<Http>, LocalWallet>;

/// A signing client for one chain.
pub struct EvmSigner {
    pub(super) client: Arc<Client>,
    pub(super) contract: Option<BatchAnchorContract<Client>>,
}

/// Where `deploy_city_contracts` put the contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployedContracts {
    pub batch_anchor: Address,
    pub trace_registry: Address,
    pub city_treasury: Address,
    /// The block of the first deployment (a safe start block for indexing).
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

/// Arguments of CityTreasury.pay (amount in minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentCall {
    pub payment_id: Hash32,
    pub payee: Address,
    pub department: String,
    pub payee_name: String,
    pub amount_minor: u128,
    pub currency: String,
    pub contract_ref: String,
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

    /// The next nonce, counting transactions still in the pool (sends in quick succession must
    /// not reuse one).
    pub(super) async fn pending_nonce(&self) -> Result<U256, RpcError> {
        self.client
            .get_transaction_count(
                self.client.address(),
                Some(BlockId::Number(BlockNumber::Pending)),
            )
            .await
            .map_err(|e| contract_error(&e.to_string()))
    }

    fn contract(&self) -> Result<&BatchAnchorContract<Client>, RpcError> {
        self.contract
            .as_ref()
            .ok_or_else(|| RpcError::Fatal("no BatchAnchor contract configured".into()))
    }

    /// Deploy BatchAnchor, TraceRegistry and CityTreasury from the committed bytecode.
    pub async fn deploy_city_contracts(&self) -> Result<DeployedContracts, RpcError> {
        let (batch_anchor, block) = self
            .deploy(BATCHANCHORCONTRACT_ABI.clone(), BATCH_ANCHOR_BIN, ())
            .await?;
        let (trace_registry, _) = self
            .deploy(TRACEREGISTRYCONTRACT_ABI.clone(), TRACE_REGISTRY_BIN, ())
            .await?;
        let (city_treasury, _) = self
            .deploy(CITYTREASURYCONTRACT_ABI.clone(), CITY_TREASURY_BIN, ())
            .await?;
        Ok(DeployedContracts {
            batch_anchor,
            trace_registry,
            city_treasury,
            block,
        })
    }

    pub(super) async fn deploy<T: ethers::abi::Tokenize>(
        &self,
        abi: ethers::abi::Abi,
        bin: &str,
        args: T,
    ) -> Result<(Address, u64), RpcError> {
        let code = hex::decode(bin.trim())
            .map_err(|e| RpcError::Fatal(format!("contract bytecode: {e}")))?;
        let factory = ContractFactory::new(abi, Bytes::from(code), self.client.clone());
        let deployer = factory
            .deploy(args)
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
        self.send(call).await
    }

    /// Record a budget allocation on the CityTreasury (amount in minor units).
    #[allow(clippy::too_many_arguments)]
    pub async fn allocate(
        &self,
        treasury: Address,
        allocation_id: Hash32,
        fiscal_year: u16,
        department: &str,
        program: &str,
        cofog: &str,
        amount_minor: u128,
        currency: &str,
    ) -> Result<Hash32, RpcError> {
        let contract =
            CityTreasuryContract::new(EthAddress::from_slice(&treasury), self.client.clone());
        let call = contract.allocate(
            allocation_id,
            fiscal_year,
            department.into(),
            program.into(),
            cofog.into(),
            U256::from(amount_minor),
            currency.into(),
        );
        self.send(call).await
    }

    /// Record a payment on the CityTreasury.
    pub async fn pay(&self, treasury: Address, payment: &PaymentCall) -> Result<Hash32, RpcError> {
        let contract =
            CityTreasuryContract::new(EthAddress::from_slice(&treasury), self.client.clone());
        let call = contract.pay(
            payment.payment_id,
            EthAddress::from_slice(&payment.payee),
            payment.department.clone(),
            payment.payee_name.clone(),
            U256::from(payment.amount_minor),
            payment.currency.clone(),
            payment.contract_ref.clone(),
        );
        self.send(call).await
    }

    /// Record a payment made from budget line `budget_line_id` on the CityTreasury
    /// (`payOnBudgetLine`, a `PaymentMadeOnBudgetLine` event).
    pub async fn pay_on_budget_line(
        &self,
        treasury: Address,
        payment: &PaymentCall,
        budget_line_id: &str,
    ) -> Result<Hash32, RpcError> {
        let contract =
            CityTreasuryContract::new(EthAddress::from_slice(&treasury), self.client.clone());
        let call = contract.pay_on_budget_line(LinePayment {
            payment_id: payment.payment_id,
            payee: EthAddress::from_slice(&payment.payee),
            department: payment.department.clone(),
            payee_name: payment.payee_name.clone(),
            amount: U256::from(payment.amount_minor),
            currency: payment.currency.clone(),
            contract_ref: payment.contract_ref.clone(),
            budget_line_id: budget_line_id.to_owned(),
        });
        self.send(call).await
    }

    /// Send a contract call with the pending nonce (sends in quick succession must not reuse
    /// one); returns the transaction hash without waiting for it to be mined.
    pub(super) async fn send<D: ethers::abi::Detokenize>(
        &self,
        call: ethers::contract::ContractCall<Client, D>,
    ) -> Result<Hash32, RpcError> {
        let call = call.nonce(self.pending_nonce().await?);
        let pending = call
            .send()
            .await
            .map_err(|e| contract_error(&e.to_string()))?;
        Ok(pending.tx_hash().0)
    }

    /// Wait until a sent transaction is mined; false when it reverted.
    pub async fn wait_mined(&self, hash: Hash32) -> Result<bool, RpcError> {
        loop {
            if let TxState::Mined { success, .. } = self.tx_state(hash).await? {
                return Ok(success);
            }
            tokio::time::sleep(super::POLL_INTERVAL).await;
        }
    }
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
        // The pending nonce: transactions still in the pool count, dropped ones do not.
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
