//! The consignment page's read (`/waste/consignments/{id}` and its JSON twin): the custody
//! chain ([`custody_chain`]) with how far each transfer note's and receipt's batch can be
//! trusted, and the consignment's flags ([`consignment_flags`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use citytrace_schema::models::TrustState;

use super::{consignment_flags, custody_chain, ConsignmentFlags, CustodyStep, WasteRules};
use crate::trust::TrustOfBatches;

/// Everything the consignment page shows.
#[derive(Debug, Clone)]
pub struct ConsignmentData {
    /// The custody chain, by depth then by when each left.
    pub chain: Vec<TrustedStep>,
    /// Every check's figures as of `now`; `None` when the consignment has none to check.
    pub flags: Option<ConsignmentFlags>,
}

/// A step of the custody chain with the trust of its rows' batches.
#[derive(Debug, Clone)]
pub struct TrustedStep {
    pub step: CustodyStep,
    pub transfer_trust: TrustState,
    /// The receipt's, when there is one.
    pub receipt_trust: Option<TrustState>,
}

/// The consignment `id`'s custody chain and flags as of `now`; `None` when no consignment has
/// that id.
pub fn load_consignment(
    conn: &mut PgConnection,
    rules: &WasteRules,
    id: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<ConsignmentData>> {
    let steps = custody_chain(conn, id)?;
    if steps.is_empty() {
        return Ok(None);
    }
    let mut trust = TrustOfBatches::default();
    let chain = steps
        .into_iter()
        .map(|step| {
            let c = &step.consignment;
            let receipt_trust = c
                .receipt
                .as_ref()
                .map(|r| trust.of(conn, r.batch_id))
                .transpose()?;
            let transfer_trust = trust.of(conn, c.transfer.batch_id)?;
            Ok(TrustedStep {
                step,
                transfer_trust,
                receipt_trust,
            })
        })
        .collect::<QueryResult<Vec<_>>>()?;
    let flags = consignment_flags(conn, id, rules, now)?;
    Ok(Some(ConsignmentData { chain, flags }))
}
