//! Built-in decoders: which ABI each contract kind has, and which domain rows its events become.
//!
//! Every decoded event is stored once: events of the built-in kinds that have a domain table
//! become domain rows, every other event (configured ABIs, the city contracts' role changes) a
//! [`NewLedgerEvent`] with its named params as JSON — together, the raw ledger view: BatchAnchored → batch anchors, TraceEventRecorded →
//! supply-chain events, BudgetAllocated/PaymentMade → the treasury, ERC-20 Transfer → token
//! transfers, Toucan `Retired` (both signatures) and KlimaDAO `CarbonRetired` → carbon-credit
//! retirements.

use std::str::FromStr;

use bigdecimal::num_bigint::BigInt;
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use serde_json::Value;

use citytrace_schema::models::{
    NewBatchAnchor, NewCarbonRetirement, NewLedgerEvent, NewTokenTransfer, NewTreasuryAllocation,
    NewTreasuryPayment,
};

use crate::config::ContractConfig;
use crate::error::IndexerError;
use crate::evm::{AbiDecoder, DecodedLog};
use crate::source::{Address, RawLog};

/// The ABI of a built-in kind (event definitions).
pub fn builtin_abi(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "batch_anchor" => include_str!("../../contracts/build/BatchAnchor.abi.json"),
        "trace_registry" => include_str!("../../contracts/build/TraceRegistry.abi.json"),
        "city_treasury" => include_str!("../../contracts/build/CityTreasury.abi.json"),
        "erc20" => include_str!("../../contracts/abi/erc20.json"),
        "toucan_tco2" => include_str!("../../contracts/abi/toucan_tco2.json"),
        "klima_retirement" => include_str!("../../contracts/abi/klima_retirement.json"),
        _ => return None,
    })
}

/// One configured contract, ready to decode its logs.
#[derive(Debug, Clone)]
pub struct ContractDecoder {
    pub address: Address,
    pub kind: String,
    abi: AbiDecoder,
}

impl ContractDecoder {
    pub fn load(config: &ContractConfig) -> Result<Self, IndexerError> {
        let address = config.address_bytes()?;
        let fail = |m: String| IndexerError::Config(format!("contract {}: {m}", config.address));
        let json = match (builtin_abi(&config.kind), &config.abi) {
            (Some(json), _) => json.to_string(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| fail(format!("could not read the ABI {}: {e}", path.display())))?,
            (None, None) => return Err(fail(format!("no ABI for kind {:?}", config.kind))),
        };
        let abi = AbiDecoder::from_json(&json, config.events.as_deref()).map_err(fail)?;
        Ok(Self {
            address,
            kind: config.kind.clone(),
            abi,
        })
    }

    pub fn events(&self) -> Vec<(String, [u8; 32])> {
        self.abi.events()
    }

    /// Decode a log of this contract into the rows it becomes. Ok(None): not an event kept.
    pub fn rows(
        &self,
        log: &RawLog,
        block_time: DateTime<Utc>,
        chain_id: i64,
        finality: &str,
    ) -> Result<Option<LogRows>, String> {
        let Some(decoded) = self.abi.decode(log)? else {
            return Ok(None);
        };
        let at = Provenance {
            chain_id,
            log,
            block_time,
            finality,
        };
        let domain = domain_row(&self.kind, &decoded, &at)?;
        let event = NewLedgerEvent {
            chain_id,
            block_number: log.block_number as i64,
            block_hash: log.block_hash.to_vec(),
            block_time,
            tx_hash: log.tx_hash.to_vec(),
            log_index: log.log_index as i32,
            contract: log.address.to_vec(),
            event_name: decoded.name.clone(),
            signature: decoded.signature.clone(),
            params: decoded.params_json(),
            finality: finality.to_string(),
        };
        Ok(Some(LogRows { event, domain }))
    }
}

/// What one log becomes.
#[derive(Debug, Clone)]
pub struct LogRows {
    pub event: NewLedgerEvent,
    pub domain: Option<DomainRow>,
}

#[derive(Debug, Clone)]
pub enum DomainRow {
    Anchor(NewBatchAnchor),
    Trace(TraceRow),
    Allocation(NewTreasuryAllocation),
    Payment(NewTreasuryPayment),
    Transfer(NewTokenTransfer),
    Retirement(NewCarbonRetirement),
}

/// A TraceRegistry event; the writer resolves its location and lot against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub finality: String,
    pub event_type: String,
    pub biz_step: String,
    pub disposition: String,
    pub epc: String,
    pub biz_location: String,
    pub event_time: DateTime<Utc>,
}

struct Provenance<'a> {
    chain_id: i64,
    log: &'a RawLog,
    block_time: DateTime<Utc>,
    finality: &'a str,
}

fn domain_row(
    kind: &str,
    e: &DecodedLog,
    at: &Provenance<'_>,
) -> Result<Option<DomainRow>, String> {
    let p = Params(e);
    let (chain_id, log, block_time, finality) =
        (at.chain_id, at.log, at.block_time, at.finality.to_string());
    let (block_number, block_hash, tx_hash, log_index, contract) = (
        log.block_number as i64,
        log.block_hash.to_vec(),
        log.tx_hash.to_vec(),
        log.log_index as i32,
        log.address.to_vec(),
    );
    let row = match (kind, e.signature.as_str()) {
        ("batch_anchor", "BatchAnchored(bytes32,uint64,uint32,string)") => {
            DomainRow::Anchor(NewBatchAnchor {
                chain_id,
                block_number,
                block_hash,
                block_time,
                tx_hash,
                log_index,
                contract,
                finality,
                batch_id: p.int("batchId")?,
                merkle_root: p.bytes("root", 32)?,
                row_count: p.int("rowCount")?,
                uri: p.text("uri")?,
            })
        }
        (
            "trace_registry",
            "TraceEventRecorded(bytes32,address,string,string,string,string,string,uint64)",
        ) => {
            let seconds: i64 = p.int("eventTime")?;
            DomainRow::Trace(TraceRow {
                chain_id,
                block_number,
                block_hash,
                tx_hash,
                log_index,
                finality,
                event_type: p.text("eventType")?,
                biz_step: p.text("bizStep")?,
                disposition: p.text("disposition")?,
                epc: p.text("epc")?,
                biz_location: p.text("bizLocation")?,
                event_time: DateTime::from_timestamp(seconds, 0).ok_or("eventTime out of range")?,
            })
        }
        (
            "city_treasury",
            "BudgetAllocated(bytes32,uint16,string,string,string,uint256,string)",
        ) => DomainRow::Allocation(NewTreasuryAllocation {
            chain_id,
            block_number,
            block_hash,
            block_time,
            tx_hash,
            log_index,
            contract,
            finality,
            allocation_id: p.bytes("allocationId", 32)?,
            fiscal_year: p.int("fiscalYear")?,
            department: p.text("department")?,
            program: p.text("program")?,
            cofog: p.text("cofog")?,
            amount_minor: p.uint("amount")?,
            currency: p.text("currency")?,
        }),
        ("city_treasury", "PaymentMade(bytes32,address,string,string,uint256,string,string)") => {
            DomainRow::Payment(NewTreasuryPayment {
                chain_id,
                block_number,
                block_hash,
                block_time,
                tx_hash,
                log_index,
                contract,
                finality,
                payment_id: p.bytes("paymentId", 32)?,
                payee: p.bytes("payee", 20)?,
                payee_name: p.text("payeeName")?,
                department: p.text("department")?,
                amount_minor: p.uint("amount")?,
                currency: p.text("currency")?,
                contract_ref: p.text("contractRef")?,
            })
        }
        ("erc20" | "toucan_tco2", "Transfer(address,address,uint256)") => {
            DomainRow::Transfer(NewTokenTransfer {
                chain_id,
                block_number,
                block_hash,
                block_time,
                tx_hash,
                log_index,
                token: contract,
                from_address: p.bytes("from", 20)?,
                to_address: p.bytes("to", 20)?,
                amount: p.uint("value")?,
                finality,
            })
        }
        ("toucan_tco2", "Retired(address,uint256,uint256)" | "Retired(address,uint256)") => {
            let sender = p.bytes("sender", 20)?;
            let amount = p.uint("amount")?;
            DomainRow::Retirement(NewCarbonRetirement {
                chain_id,
                block_number,
                block_hash,
                block_time,
                tx_hash,
                log_index,
                token: contract.clone(),
                contract,
                source: if e.params.len() == 3 {
                    "toucan_tco2"
                } else {
                    "toucan_tco2_2021"
                }
                .into(),
                retiring_address: sender.clone(),
                beneficiary: sender,
                beneficiary_name: None,
                retiring_entity: None,
                message: None,
                tonnes: tonnes(&amount),
                amount,
                finality,
            })
        }
        (
            "klima_retirement",
            "CarbonRetired(uint8,address,string,address,string,string,address,address,uint256)",
        ) => {
            let amount = p.uint("retiredAmount")?;
            DomainRow::Retirement(NewCarbonRetirement {
                chain_id,
                block_number,
                block_hash,
                block_time,
                tx_hash,
                log_index,
                contract,
                source: "klima".into(),
                token: p.bytes("carbonToken", 20)?,
                retiring_address: p.bytes("retiringAddress", 20)?,
                beneficiary: p.bytes("beneficiaryAddress", 20)?,
                beneficiary_name: Some(p.text("beneficiaryString")?),
                retiring_entity: Some(p.text("retiringEntityString")?),
                message: Some(p.text("retirementMessage")?),
                tonnes: tonnes(&amount),
                amount,
                finality,
            })
        }
        _ => return Ok(None),
    };
    Ok(Some(row))
}

/// Token amounts with 18 decimals, in tonnes of CO2e (1e18 = 1 t).
pub fn tonnes(amount: &BigDecimal) -> BigDecimal {
    let (digits, scale) = amount.as_bigint_and_exponent();
    BigDecimal::new(digits, scale + 18).normalized()
}

/// Typed access to decoded params.
struct Params<'a>(&'a DecodedLog);

impl Params<'_> {
    fn value(&self, name: &str) -> Result<&Value, String> {
        self.0
            .get(name)
            .ok_or_else(|| format!("{} has no parameter {name}", self.0.signature))
    }

    fn text(&self, name: &str) -> Result<String, String> {
        self.value(name)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{name} is not text"))
    }

    fn bytes(&self, name: &str, len: usize) -> Result<Vec<u8>, String> {
        citytrace_schema::parse_hex(&self.text(name)?, len)
            .ok_or_else(|| format!("{name} is not {len} bytes"))
    }

    fn uint(&self, name: &str) -> Result<BigDecimal, String> {
        let text = self.text(name)?;
        BigInt::from_str(&text)
            .map(BigDecimal::from)
            .map_err(|_| format!("{name} is not an integer: {text}"))
    }

    fn int<T: FromStr>(&self, name: &str) -> Result<T, String> {
        let text = self.text(name)?;
        text.parse()
            .map_err(|_| format!("{name} = {text} is out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// topic0 values from ../shared/reference/DOMAIN.md §4.
    const DOMAIN_TOPICS: &[(&str, &str)] = &[
        (
            "Transfer(address,address,uint256)",
            "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
        ),
        (
            "Retired(address,uint256,uint256)",
            "b3775f672e1adf43bf7834b692675bfee4db72f83e42da8cff694ca295a89eca",
        ),
        (
            "Retired(address,uint256)",
            "8dc4b87efb3c82876c566fb305749c81faf4459424134a0470fee3f604048de7",
        ),
        (
            "CarbonRetired(uint8,address,string,address,string,string,address,address,uint256)",
            "29112ec35330de3327417fa74cdca00fe736122bc72fddfe9e33f9e7ae80c7f7",
        ),
    ];

    #[test]
    fn carbon_credit_abis_have_the_reference_topic0_values() {
        let mut found = Vec::new();
        for kind in ["erc20", "toucan_tco2", "klima_retirement"] {
            let decoder = AbiDecoder::from_json(builtin_abi(kind).unwrap(), None).unwrap();
            found.extend(
                decoder
                    .events()
                    .into_iter()
                    .map(|(sig, topic)| (sig, hex::encode(topic))),
            );
        }
        for (signature, topic) in DOMAIN_TOPICS {
            assert!(
                found.contains(&(signature.to_string(), topic.to_string())),
                "{signature} should hash to {topic}: {found:?}"
            );
        }
    }

    #[test]
    fn every_builtin_kind_has_an_abi() {
        for kind in crate::config::BUILTIN_KINDS {
            let decoder = AbiDecoder::from_json(builtin_abi(kind).unwrap(), None).unwrap();
            assert!(!decoder.events().is_empty(), "{kind}");
        }
        assert!(builtin_abi("abi").is_none());
    }

    #[test]
    fn an_event_filter_must_name_real_events() {
        let json = builtin_abi("city_treasury").unwrap();
        let only = AbiDecoder::from_json(json, Some(&["PaymentMade".to_string()])).unwrap();
        assert_eq!(only.events().len(), 1);
        let err = AbiDecoder::from_json(json, Some(&["Paid".to_string()])).unwrap_err();
        assert!(err.starts_with("the ABI has no event \"Paid\""), "{err}");
    }

    #[test]
    fn token_amounts_convert_to_tonnes() {
        assert_eq!(
            tonnes(&BigDecimal::from(2_500_000_000_000_000_000u128)).to_string(),
            "2.5"
        );
        assert_eq!(
            tonnes(&BigDecimal::from(1u8)).to_plain_string(),
            "0.000000000000000001"
        );
    }
}
