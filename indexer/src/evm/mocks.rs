//! Stand-ins for public-chain carbon-credit contracts (MockCarbonCredit ≈ Toucan TCO2,
//! MockKlimaRetirement ≈ Klima Infinity's CarbonRetired), and anvil's development RPC: what the
//! demo and the tests use to put real events on a real local node.

use std::sync::Arc;

use ethers::contract::abigen;
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, U256};

use super::classify;
use super::signer::{Client, EvmSigner};
use crate::error::RpcError;
use crate::source::{Address, Hash32};

abigen!(
    MockCarbonCreditContract,
    "../contracts/build/MockCarbonCredit.abi.json"
);
abigen!(
    MockKlimaRetirementContract,
    "../contracts/build/MockKlimaRetirement.abi.json"
);

const CARBON_CREDIT_BIN: &str = include_str!("../../../contracts/build/MockCarbonCredit.bin");
const KLIMA_BIN: &str = include_str!("../../../contracts/build/MockKlimaRetirement.bin");

/// Arguments of a KlimaDAO-style retirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarbonRetirementCall {
    pub carbon_bridge: u8,
    pub retiring_entity: String,
    pub beneficiary: Address,
    pub beneficiary_name: String,
    pub message: String,
    pub carbon_pool: Address,
    pub carbon_token: Address,
    pub amount: u128,
}

/// The mock carbon contracts, deployed, with a signing client.
pub struct DemoLedger {
    client: Arc<Client>,
    signer: EvmSigner,
    pub carbon_credit: Address,
    pub klima: Address,
    pub block: u64,
}

impl DemoLedger {
    pub async fn deploy(signer: &EvmSigner) -> Result<Self, RpcError> {
        let (carbon_credit, block) = signer
            .deploy(
                MOCKCARBONCREDITCONTRACT_ABI.clone(),
                CARBON_CREDIT_BIN,
                (
                    "Mock TCO2 VCS-1234-2021".to_string(),
                    "TCO2-MOCK".to_string(),
                ),
            )
            .await?;
        let (klima, _) = signer
            .deploy(MOCKKLIMARETIREMENTCONTRACT_ABI.clone(), KLIMA_BIN, ())
            .await?;
        Ok(Self {
            signer: EvmSigner {
                client: signer.client.clone(),
                contract: None,
            },
            client: signer.client.clone(),
            carbon_credit,
            klima,
            block,
        })
    }

    /// The account sending the mock transactions.
    pub fn sender(&self) -> Address {
        self.client.address().0
    }

    fn token(&self) -> MockCarbonCreditContract<Client> {
        MockCarbonCreditContract::new(
            EthAddress::from_slice(&self.carbon_credit),
            self.client.clone(),
        )
    }

    pub async fn mint(&self, to: Address, amount: u128) -> Result<Hash32, RpcError> {
        self.signer
            .send(
                self.token()
                    .mint(EthAddress::from_slice(&to), U256::from(amount)),
            )
            .await
    }

    /// Many Transfer events in one transaction.
    pub async fn batch_transfer(
        &self,
        to: &[Address],
        amounts: &[u128],
    ) -> Result<Hash32, RpcError> {
        let to = to.iter().map(|a| EthAddress::from_slice(a)).collect();
        let amounts = amounts.iter().map(|a| U256::from(*a)).collect();
        self.signer
            .send(self.token().batch_transfer(to, amounts))
            .await
    }

    /// Toucan's current `Retired(address,uint256,uint256)` (plus the burn's Transfer).
    pub async fn retire(&self, amount: u128) -> Result<Hash32, RpcError> {
        self.signer
            .send(self.token().retire(U256::from(amount)))
            .await
    }

    /// Toucan's 2021 `Retired(address,uint256)` (plus the burn's Transfer).
    pub async fn retire_legacy(&self, amount: u128) -> Result<Hash32, RpcError> {
        self.signer
            .send(self.token().retire_legacy(U256::from(amount)))
            .await
    }

    pub async fn klima_retire(&self, call: &CarbonRetirementCall) -> Result<Hash32, RpcError> {
        let contract = MockKlimaRetirementContract::new(
            EthAddress::from_slice(&self.klima),
            self.client.clone(),
        );
        self.signer
            .send(contract.retire(
                call.carbon_bridge,
                call.retiring_entity.clone(),
                EthAddress::from_slice(&call.beneficiary),
                call.beneficiary_name.clone(),
                call.message.clone(),
                EthAddress::from_slice(&call.carbon_pool),
                EthAddress::from_slice(&call.carbon_token),
                U256::from(call.amount),
            ))
            .await
    }
}

/// anvil's development RPC: snapshots, reverts, mining on demand.
pub struct AnvilControl {
    provider: ethers::providers::Provider<ethers::providers::Http>,
}

impl AnvilControl {
    pub fn new(url: &str) -> Result<Self, RpcError> {
        Ok(Self {
            provider: super::provider(url)?,
        })
    }

    pub async fn snapshot(&self) -> Result<U256, RpcError> {
        self.provider
            .request("evm_snapshot", ())
            .await
            .map_err(classify)
    }

    pub async fn revert(&self, id: U256) -> Result<bool, RpcError> {
        self.provider
            .request("evm_revert", [id])
            .await
            .map_err(classify)
    }

    pub async fn mine(&self, blocks: u64) -> Result<(), RpcError> {
        let _: serde_json::Value = self
            .provider
            .request("anvil_mine", [U256::from(blocks)])
            .await
            .map_err(classify)?;
        Ok(())
    }

    pub async fn set_automine(&self, on: bool) -> Result<(), RpcError> {
        let _: serde_json::Value = self
            .provider
            .request("evm_setAutomine", [on])
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// Seal a block every `seconds` (0: back to one block per transaction).
    pub async fn set_interval_mining(&self, seconds: u64) -> Result<(), RpcError> {
        let _: serde_json::Value = self
            .provider
            .request("evm_setIntervalMining", [seconds])
            .await
            .map_err(classify)?;
        Ok(())
    }

    pub async fn block_number(&self) -> Result<u64, RpcError> {
        Ok(self
            .provider
            .get_block_number()
            .await
            .map_err(classify)?
            .as_u64())
    }
}
