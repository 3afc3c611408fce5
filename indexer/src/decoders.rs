//! Built-in decoders: which ABI each contract kind has, and which domain rows its events become.
//!
//! Every log of a configured contract whose topic0 is an event of its ABI is stored once: events
//! of the built-in kinds that have a domain table become domain rows, every other event
//! (configured ABIs, the city contracts' role changes) a [`NewLedgerEvent`] with its named
//! params as JSON — together, the raw ledger view: BatchAnchored → batch anchors,
//! TraceEventRecorded → supply-chain events, BudgetAllocated, PaymentMade and
//! PaymentMadeOnBudgetLine (a payment naming its budget line) → the treasury, ERC-20 Transfer →
//! token transfers, Toucan `Retired` (both signatures) and KlimaDAO `CarbonRetired` →
//! carbon-credit retirements.
//!
//! A log that cannot be stored as what it is — it does not decode with the ABI, or a decoded
//! value breaks a rule of its table ([`storable`]) — becomes a [`QuarantinedLog`] instead: kept
//! raw with its problem, never dropped (docs/indexing.md, "Quarantine").

mod domain;
#[cfg(test)]
mod fuzz;
pub mod storable;

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Utc};

use citytrace_schema::models::{
    NewBatchAnchor, NewCarbonRetirement, NewLedgerEvent, NewTokenTransfer, NewTreasuryAllocation,
    NewTreasuryPayment, Provenance, QuarantineReason, QuarantinedLog,
};
use citytrace_schema::with_provenance;

use crate::config::ContractConfig;
use crate::error::IndexerError;
use crate::evm::{AbiDecoder, DecodedLog};
use crate::source::{Address, RawLog};

pub use domain::tonnes;

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

/// What one log of a configured contract becomes.
#[derive(Debug, Clone)]
pub enum LogOutcome {
    /// Its topic0 is not an event kept for this contract (not in the ABI, or left out by the
    /// contract's `events`): nothing is stored.
    NotKept,
    /// Decoded into the rows it is stored as.
    Decoded(Box<LogRows>),
    /// Kept raw with its problem.
    Quarantined(Box<QuarantinedLog>),
}

/// What a log's rows record beside the log itself: its chain, its block's time, and how final
/// its block is.
#[derive(Debug, Clone, Copy)]
pub struct LogContext<'a> {
    pub chain_id: i64,
    pub block_time: DateTime<Utc>,
    pub finality: &'a str,
}

impl LogContext<'_> {
    /// Where and when `log` was logged: the provenance every row of it records, whichever
    /// table the row goes to.
    pub fn provenance(&self, log: &RawLog) -> Provenance {
        Provenance {
            chain_id: self.chain_id,
            block_number: log.block_number as i64,
            block_hash: log.block_hash.to_vec(),
            block_time: self.block_time,
            tx_hash: log.tx_hash.to_vec(),
            log_index: log.log_index as i32,
            contract: log.address.to_vec(),
            finality: self.finality.to_string(),
        }
    }
}

/// Why a log is quarantined: the problem, and what the ABI made of it when it decoded.
struct Refusal {
    reason: QuarantineReason,
    problem: String,
    decoded: Option<DecodedLog>,
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

    /// What `log` (of this contract) becomes: its rows, or a quarantined log — never an error,
    /// never a panic (a panic of the ABI decoder on hostile data is caught and quarantines the
    /// log).
    pub fn decode(&self, log: &RawLog, at: LogContext<'_>) -> LogOutcome {
        let decoded =
            catch_unwind(AssertUnwindSafe(|| self.abi.decode(log))).unwrap_or_else(|panic| {
                Err(format!(
                    "the ABI decoder failed on it ({})",
                    panic_message(panic.as_ref())
                ))
            });
        let decoded = match decoded {
            Ok(Some(decoded)) => decoded,
            Ok(None) => return LogOutcome::NotKept,
            Err(problem) => {
                return LogOutcome::Quarantined(Box::new(quarantine(
                    log,
                    at,
                    Refusal {
                        reason: QuarantineReason::Undecodable,
                        problem,
                        decoded: None,
                    },
                )))
            }
        };
        match self.rows(log, at, &decoded) {
            Ok(rows) => LogOutcome::Decoded(Box::new(rows)),
            Err(problem) => LogOutcome::Quarantined(Box::new(quarantine(
                log,
                at,
                Refusal {
                    reason: QuarantineReason::Invalid,
                    problem,
                    decoded: Some(decoded),
                },
            ))),
        }
    }

    /// The rows a decoded log is stored as, checked against the rules of their table.
    fn rows(
        &self,
        log: &RawLog,
        at: LogContext<'_>,
        decoded: &DecodedLog,
    ) -> Result<LogRows, String> {
        let provenance = at.provenance(log);
        let domain = domain::domain_row(&self.kind, decoded, &provenance)?;
        let event = with_provenance!(
            provenance,
            NewLedgerEvent {
                event_name: decoded.name.clone(),
                signature: decoded.signature.clone(),
                params: decoded.params_json(),
            }
        );
        match &domain {
            Some(row) => storable::domain_row(row)?,
            None => storable::ledger_event(&event)?,
        }
        Ok(LogRows { event, domain })
    }

    /// `log` as quarantined because the database refused the row it decoded to, with the
    /// database's `problem` (the write-time fallback, `follow::write`).
    pub fn refused(&self, log: &RawLog, at: LogContext<'_>, problem: String) -> QuarantinedLog {
        let decoded = catch_unwind(AssertUnwindSafe(|| self.abi.decode(log)))
            .ok()
            .and_then(|d| d.ok().flatten());
        quarantine(
            log,
            at,
            Refusal {
                reason: QuarantineReason::Refused,
                problem,
                decoded,
            },
        )
    }
}

/// The quarantine row of `log`. Its problem and decoded parameters are made storable (a NUL
/// character in the problem is written `\0`; parameters holding one are left out).
fn quarantine(log: &RawLog, at: LogContext<'_>, refusal: Refusal) -> QuarantinedLog {
    let (event_name, signature, params) = match refusal.decoded {
        Some(d) => {
            let params = Some(d.params_json()).filter(storable::json_is_storable);
            (
                Some(d.name).filter(|n| !n.contains('\0')),
                Some(d.signature).filter(|s| !s.contains('\0')),
                params,
            )
        }
        None => (None, None, None),
    };
    with_provenance!(
        at.provenance(log),
        QuarantinedLog {
            topics: log.topics.iter().map(|t| t.to_vec()).collect(),
            data: log.data.clone(),
            event_name,
            signature,
            params,
            reason: refusal.reason.as_str().to_string(),
            problem: refusal.problem.replace('\0', "\\0"),
        }
    )
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
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
/// `supply_events` records its provenance without the block time and contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    pub provenance: Provenance,
    pub event_type: String,
    pub biz_step: String,
    pub disposition: String,
    pub epc: String,
    pub biz_location: String,
    pub event_time: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use bigdecimal::BigDecimal;

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

    /// A block-7 log at index 3 of transaction 0x0202…, from contract 0x5f5f…, in a block of
    /// 2026-03-01T12:00:00Z that is `safe` on chain 10: the provenance its rows record.
    fn provenance_of_the_sample() -> Provenance {
        Provenance {
            chain_id: 10,
            block_number: 7,
            block_hash: vec![1; 32],
            block_time: DateTime::from_timestamp(1_772_366_400, 0).unwrap(),
            tx_hash: vec![2; 32],
            log_index: 3,
            contract: vec![0x5f; 20],
            finality: "safe".into(),
        }
    }

    fn sample_log(topics: Vec<[u8; 32]>, data: Vec<u8>) -> RawLog {
        RawLog {
            address: [0x5f; 20],
            topics,
            data,
            block_number: 7,
            block_hash: [1; 32],
            tx_hash: [2; 32],
            log_index: 3,
        }
    }

    const AT: LogContext<'static> = LogContext {
        chain_id: 10,
        block_time: DateTime::<Utc>::from_timestamp_nanos(1_772_366_400_000_000_000),
        finality: "safe",
    };

    #[test]
    fn every_row_of_a_log_records_its_provenance() {
        let decoder = ContractDecoder::load(&ContractConfig::new(
            10,
            "erc20",
            "0x5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
            0,
        ))
        .unwrap();
        let mut transfer: [u8; 32] = [0; 32];
        hex::decode_to_slice(DOMAIN_TOPICS[0].1, &mut transfer).unwrap();
        let (mut from, mut to, mut amount) = ([0u8; 32], [0u8; 32], vec![0u8; 32]);
        from[31] = 0xaa;
        to[31] = 0xbb;
        amount[31] = 25;
        let log = sample_log(vec![transfer, from, to], amount);
        let expected = provenance_of_the_sample();
        assert_eq!(AT.provenance(&log), expected);

        let LogOutcome::Decoded(rows) = decoder.decode(&log, AT) else {
            panic!("a Transfer decodes");
        };
        let event = &rows.event;
        assert_eq!(event.provenance(), expected, "the ledger event");
        assert_eq!(event.event_name, "Transfer");
        let Some(DomainRow::Transfer(t)) = &rows.domain else {
            panic!("a Transfer of an erc20 contract is a token transfer");
        };
        assert_eq!(
            t.provenance(),
            expected,
            "the token transfer (its token is the contract)"
        );
        assert_eq!(
            (t.from_address[19], t.to_address[19], t.amount.clone()),
            (0xaa, 0xbb, BigDecimal::from(25))
        );

        // A log that does not decode is quarantined with the same provenance.
        let LogOutcome::Quarantined(q) = decoder.decode(&sample_log(vec![transfer], vec![]), AT)
        else {
            panic!("a Transfer without its topics is quarantined");
        };
        assert_eq!(q.provenance(), expected, "the quarantined log");
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
