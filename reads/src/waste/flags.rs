//! Per consignment flags: declared vs received mass, planned vs performed operation,
//! hazardous in → non-hazardous out, refusals, and waste parked in an interim operation.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::operation::{is_interim, Operation};
use super::{exceeds_percent, percent_of, Consignment, WasteRules};

/// What citytrace finds worth a look in one consignment, as of a given instant. Each field is
/// `None` when its check has nothing to say (or no data yet: no receipt, no mass).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsignmentFlags {
    pub consignment_id: String,
    /// The transfer note's row (`waste_transfers.id`) and the receipt's, if recorded by then.
    pub transfer_id: i64,
    pub receipt_id: Option<i64>,
    /// Declared vs received mass; computed whenever the facility recorded a mass, flagged
    /// only when `exceeds_tolerance`.
    pub mass: Option<MassDifference>,
    pub operation_mismatch: Option<OperationMismatch>,
    pub hazardous_in_non_hazardous_out: Option<HazardousInNonHazardousOut>,
    pub refused: Option<Refusal>,
    pub parked: Option<ParkedWaste>,
}

impl ConsignmentFlags {
    /// Whether any check raised a flag.
    pub fn is_flagged(&self) -> bool {
        self.mass.as_ref().is_some_and(|m| m.exceeds_tolerance)
            || self.operation_mismatch.is_some()
            || self.hazardous_in_non_hazardous_out.is_some()
            || self.refused.is_some()
            || self.parked.is_some()
    }
}

/// The mass on the transfer note against the mass on the facility's weighbridge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MassDifference {
    pub declared_kg: BigDecimal,
    /// `REAL` (weighed) or `ESTIMATED`, as declared.
    pub mass_basis: String,
    pub received_kg: BigDecimal,
    /// received − declared: negative when less arrived than was declared.
    pub difference_kg: BigDecimal,
    /// The difference as a percentage of the declared mass, rounded half-up to 2 decimals.
    pub difference_percent: BigDecimal,
    /// |difference| is more than the tolerance (exact comparison: a difference of exactly the
    /// tolerance is within it).
    pub exceeds_tolerance: bool,
}

/// The facility performed another operation than the one planned on the transfer note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationMismatch {
    pub planned: String,
    pub performed: String,
    /// Planned as recovery (R), performed as disposal (D): a step down the waste hierarchy.
    pub recovery_to_disposal: bool,
}

/// A consignment declared non-hazardous that moves on waste which arrived at its facility as
/// hazardous (its previous consignment).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardousInNonHazardousOut {
    pub incoming_consignment_id: String,
    pub incoming_ewc_code: String,
    pub outgoing_ewc_code: String,
    /// The facility where the code changed: the incoming consignment's destination, this
    /// consignment's origin.
    pub facility_site_id: i64,
    pub facility: String,
    /// The operation the facility recorded for the incoming waste, if it did.
    pub incoming_operation: Option<String>,
}

/// The facility refused the consignment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub reason: String,
    pub refused_at: DateTime<Utc>,
    pub weighed_kg: Option<BigDecimal>,
}

/// Waste accepted under an interim operation that has not moved on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParkedWaste {
    pub facility_site_id: i64,
    pub facility: String,
    pub operation: String,
    pub mass_kg: BigDecimal,
    pub received_at: DateTime<Utc>,
    /// Whole days from the receipt to the as-of instant.
    pub days_parked: i64,
}

/// The flags of `consignment` as of `as_of`, given its previous consignment (if any) and the
/// consignments that moved it on. Receipts and onward movements after `as_of` are not seen.
pub fn flag_consignment(
    consignment: &Consignment,
    previous: Option<&Consignment>,
    onward: &[&Consignment],
    rules: &WasteRules,
    as_of: DateTime<Utc>,
) -> ConsignmentFlags {
    let transfer = &consignment.transfer;
    let receipt = consignment.receipt_as_of(as_of);
    let mass = receipt
        .and_then(|r| r.mass_received_kg.as_ref())
        .map(|received| {
            let difference = received - &transfer.mass_kg;
            MassDifference {
                declared_kg: transfer.mass_kg.clone(),
                mass_basis: transfer.mass_basis.clone(),
                received_kg: received.clone(),
                difference_percent: percent_of(&difference, &transfer.mass_kg).unwrap_or_default(),
                exceeds_tolerance: exceeds_percent(
                    &difference,
                    &transfer.mass_kg,
                    &rules.mass_tolerance_percent,
                ),
                difference_kg: difference,
            }
        });
    let accepted = receipt.filter(|r| r.status == "accepted");
    let performed = accepted.and_then(|r| r.operation.as_deref());
    let operation_mismatch = performed
        .filter(|performed| *performed != transfer.planned_operation)
        .map(|performed| OperationMismatch {
            planned: transfer.planned_operation.clone(),
            performed: performed.to_string(),
            recovery_to_disposal: matches!(
                (
                    Operation::parse(&transfer.planned_operation),
                    Operation::parse(performed)
                ),
                (Some(Operation::Recovery(_)), Some(Operation::Disposal(_)))
            ),
        });
    let hazardous_in_non_hazardous_out = previous
        .filter(|previous| previous.transfer.hazardous && !transfer.hazardous)
        .map(|previous| HazardousInNonHazardousOut {
            incoming_consignment_id: previous.transfer.consignment_id.clone(),
            incoming_ewc_code: previous.transfer.ewc_code.clone(),
            outgoing_ewc_code: transfer.ewc_code.clone(),
            facility_site_id: transfer.from_site_id,
            facility: transfer.from_site.clone(),
            incoming_operation: previous
                .receipt_as_of(as_of)
                .and_then(|r| r.operation.clone()),
        });
    let refused = receipt.filter(|r| r.status == "refused").map(|r| Refusal {
        reason: r.refusal_reason.clone().unwrap_or_default(),
        refused_at: r.received_at,
        weighed_kg: r.mass_received_kg.clone(),
    });
    let moved_on = onward.iter().any(|o| o.transfer.transferred_at <= as_of);
    let parked = accepted
        .filter(|_| !moved_on)
        .and_then(|r| Some((r, r.operation.as_deref()?, r.mass_received_kg.as_ref()?)))
        .filter(|(_, operation, _)| is_interim(operation))
        .filter(|(r, _, _)| {
            as_of - r.received_at > Duration::days(i64::from(rules.parked_after_days))
        })
        .map(|(r, operation, mass)| ParkedWaste {
            facility_site_id: transfer.to_site_id,
            facility: transfer.to_site.clone(),
            operation: operation.to_string(),
            mass_kg: mass.clone(),
            received_at: r.received_at,
            days_parked: (as_of - r.received_at).num_days(),
        });
    ConsignmentFlags {
        consignment_id: transfer.consignment_id.clone(),
        transfer_id: transfer.id,
        receipt_id: receipt.map(|r| r.id),
        mass,
        operation_mismatch,
        hazardous_in_non_hazardous_out,
        refused,
        parked,
    }
}

/// The flags of every consignment in `consignments` that left at or before `as_of`, in the
/// order given; previous and onward consignments are looked up among `consignments`.
pub fn flag_consignments(
    consignments: &[Consignment],
    rules: &WasteRules,
    as_of: DateTime<Utc>,
) -> Vec<ConsignmentFlags> {
    let by_id: HashMap<&str, &Consignment> = consignments
        .iter()
        .map(|c| (c.consignment_id(), c))
        .collect();
    let mut onward: HashMap<&str, Vec<&Consignment>> = HashMap::new();
    for c in consignments {
        if let Some(previous) = c.transfer.previous_consignment_id.as_deref() {
            onward.entry(previous).or_default().push(c);
        }
    }
    consignments
        .iter()
        .filter(|c| c.transfer.transferred_at <= as_of)
        .map(|c| {
            let previous = c
                .transfer
                .previous_consignment_id
                .as_deref()
                .and_then(|p| by_id.get(p).copied());
            let onward = onward
                .get(c.consignment_id())
                .map(Vec::as_slice)
                .unwrap_or_default();
            flag_consignment(c, previous, onward, rules, as_of)
        })
        .collect()
}

/// The flags of one consignment as of `as_of`; `None` if it is unknown or left after `as_of`.
pub fn consignment_flags(
    conn: &mut PgConnection,
    consignment_id: &str,
    rules: &WasteRules,
    as_of: DateTime<Utc>,
) -> QueryResult<Option<ConsignmentFlags>> {
    let Some(consignment) = Consignment::by_ids(conn, &[consignment_id])?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    if consignment.transfer.transferred_at > as_of {
        return Ok(None);
    }
    let previous = match consignment.transfer.previous_consignment_id.as_deref() {
        Some(id) => Consignment::by_ids(conn, &[id])?.into_iter().next(),
        None => None,
    };
    let onward = Consignment::onward_of(conn, consignment_id)?;
    let onward: Vec<&Consignment> = onward.iter().collect();
    Ok(Some(flag_consignment(
        &consignment,
        previous.as_ref(),
        &onward,
        rules,
        as_of,
    )))
}

/// Every consignment that left at or before `as_of` and has a flag, in the order they left.
pub fn flagged_consignments(
    conn: &mut PgConnection,
    rules: &WasteRules,
    as_of: DateTime<Utc>,
) -> QueryResult<Vec<ConsignmentFlags>> {
    let consignments = Consignment::transferred_by(conn, as_of)?;
    Ok(flag_consignments(&consignments, rules, as_of)
        .into_iter()
        .filter(ConsignmentFlags::is_flagged)
        .collect())
}

#[cfg(test)]
mod tests;
