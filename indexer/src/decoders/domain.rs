//! The domain rows of the built-in kinds' events, from their decoded parameters.

use std::str::FromStr;

use bigdecimal::num_bigint::BigInt;
use bigdecimal::BigDecimal;
use chrono::DateTime;
use serde_json::Value;

use citytrace_schema::models::{
    NewBatchAnchor, NewCarbonRetirement, NewTokenTransfer, NewTreasuryAllocation,
    NewTreasuryPayment, Provenance,
};
use citytrace_schema::with_provenance;

use super::{storable, DomainRow, TraceRow};
use crate::evm::DecodedLog;

/// The domain row a decoded event of a built-in kind becomes (None: it has no domain table and
/// is stored in ledger_events). Err: a value does not fit the row (a uint64 time past what a
/// timestamp holds, …).
pub(super) fn domain_row(
    kind: &str,
    e: &DecodedLog,
    at: &Provenance,
) -> Result<Option<DomainRow>, String> {
    let p = Params(e);
    let row = match (kind, e.signature.as_str()) {
        ("batch_anchor", "BatchAnchored(bytes32,uint64,uint32,string)") => {
            DomainRow::Anchor(with_provenance!(
                at.clone(),
                NewBatchAnchor {
                    // A uint64 (a topic may carry any 32 bytes: more is an invalid encoding).
                    batch_id: p.int::<u64>("batchId")?.into(),
                    merkle_root: p.bytes("root", 32)?,
                    row_count: p.int::<u32>("rowCount")?.into(),
                    uri: p.text("uri")?,
                }
            ))
        }
        (
            "trace_registry",
            "TraceEventRecorded(bytes32,address,string,string,string,string,string,uint64)",
        ) => {
            let seconds: u64 = p.int("eventTime")?;
            DomainRow::Trace(TraceRow {
                provenance: at.clone(),
                event_type: p.text("eventType")?,
                biz_step: p.text("bizStep")?,
                disposition: p.text("disposition")?,
                epc: p.text("epc")?,
                biz_location: p.text("bizLocation")?,
                event_time: i64::try_from(seconds)
                    .ok()
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .ok_or_else(|| {
                        format!("eventTime = {seconds} s is past the latest time a timestamp holds (year 262142)")
                    })?,
            })
        }
        (
            "city_treasury",
            "BudgetAllocated(bytes32,uint16,string,string,string,uint256,string)",
        ) => DomainRow::Allocation(with_provenance!(
            at.clone(),
            NewTreasuryAllocation {
                allocation_id: p.bytes("allocationId", 32)?,
                fiscal_year: p.int("fiscalYear")?,
                department: p.text("department")?,
                program: p.text("program")?,
                cofog: p.text("cofog")?,
                amount_minor: p.uint("amount")?,
                currency: p.text("currency")?,
            }
        )),
        ("city_treasury", "PaymentMade(bytes32,address,string,string,uint256,string,string)") => {
            DomainRow::Payment(payment(&p, at, None)?)
        }
        (
            "city_treasury",
            "PaymentMadeOnBudgetLine(bytes32,address,string,string,uint256,string,string,string)",
        ) => DomainRow::Payment(payment(&p, at, Some(p.text("budgetLineId")?))?),
        ("erc20" | "toucan_tco2", "Transfer(address,address,uint256)") => {
            DomainRow::Transfer(with_provenance!(
                at.clone(),
                NewTokenTransfer {
                    from_address: p.bytes("from", 20)?,
                    to_address: p.bytes("to", 20)?,
                    amount: p.uint("value")?,
                }
            ))
        }
        ("toucan_tco2", "Retired(address,uint256,uint256)" | "Retired(address,uint256)") => {
            let sender = p.bytes("sender", 20)?;
            let amount = p.uint("amount")?;
            DomainRow::Retirement(with_provenance!(
                at.clone(),
                NewCarbonRetirement {
                    // A TCO2 token retires itself.
                    token: at.contract.clone(),
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
                }
            ))
        }
        (
            "klima_retirement",
            "CarbonRetired(uint8,address,string,address,string,string,address,address,uint256)",
        ) => {
            let amount = p.uint("retiredAmount")?;
            DomainRow::Retirement(with_provenance!(
                at.clone(),
                NewCarbonRetirement {
                    source: "klima".into(),
                    token: p.bytes("carbonToken", 20)?,
                    retiring_address: p.bytes("retiringAddress", 20)?,
                    beneficiary: p.bytes("beneficiaryAddress", 20)?,
                    beneficiary_name: Some(p.text("beneficiaryString")?),
                    retiring_entity: Some(p.text("retiringEntityString")?),
                    message: Some(p.text("retirementMessage")?),
                    tonnes: tonnes(&amount),
                    amount,
                }
            ))
        }
        _ => return Ok(None),
    };
    Ok(Some(row))
}

/// A CityTreasury payment: `PaymentMade` (no budget line) or `PaymentMadeOnBudgetLine`.
fn payment(
    p: &Params<'_>,
    at: &Provenance,
    budget_line_id: Option<String>,
) -> Result<NewTreasuryPayment, String> {
    Ok(with_provenance!(
        at.clone(),
        NewTreasuryPayment {
            payment_id: p.bytes("paymentId", 32)?,
            payee: p.bytes("payee", 20)?,
            payee_name: p.text("payeeName")?,
            department: p.text("department")?,
            amount_minor: p.uint("amount")?,
            currency: p.text("currency")?,
            contract_ref: p.text("contractRef")?,
            budget_line_id,
        }
    ))
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
            .map_err(|_| format!("{name} is not an integer: {}", storable::shown(&text)))
    }

    fn int<T: FromStr>(&self, name: &str) -> Result<T, String> {
        let text = self.text(name)?;
        text.parse().map_err(|_| {
            format!(
                "{name} = {} does not fit a {}",
                storable::shown(&text),
                std::any::type_name::<T>()
            )
        })
    }
}
