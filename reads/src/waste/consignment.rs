//! The consignment page's read (`/waste/consignments/{id}` and its JSON twin): the custody
//! chain ([`custody_chain`]) with how far each transfer note's and receipt's batch can be
//! trusted, and the consignment's flags ([`consignment_flags`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use citytrace_schema::models::TrustState;
use citytrace_schema::schema::{production_inputs, production_runs};

use super::{consignment_flags, custody_chain, ConsignmentFlags, CustodyStep, WasteRules};
use crate::trust::TrustOfBatches;

/// Everything the consignment page shows.
#[derive(Debug, Clone)]
pub struct ConsignmentData {
    /// The custody chain, by depth then by when each left.
    pub chain: Vec<TrustedStep>,
    /// Every check's figures as of `now`; `None` when the consignment has none to check.
    pub flags: Option<ConsignmentFlags>,
    /// What the consignment became: the lots of production runs that took it as an input lot
    /// (the recycling yard names the consignment id as the input lot), in lot code order.
    pub became: Vec<MadeFrom>,
    /// The names of the sites the chain names (producers' sites, facilities), by code.
    pub site_names: HashMap<String, String>,
}

/// A lot made from the consignment.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct MadeFrom {
    pub lot_code: String,
    pub product: String,
    pub production_code: String,
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
    let became = production_inputs::table
        .inner_join(production_runs::table)
        .filter(production_inputs::input_lot_code.eq(id))
        .select((
            production_runs::output_lot_code,
            production_runs::output_product,
            production_runs::production_code,
        ))
        .distinct()
        .order(production_runs::output_lot_code)
        .load::<MadeFrom>(conn)?;
    let codes: Vec<&str> = chain
        .iter()
        .flat_map(|s| {
            let t = &s.step.consignment.transfer;
            [t.from_site.as_str(), t.to_site.as_str()]
        })
        .collect();
    let site_names = crate::cold_chain::site_names(conn, &codes)?;
    Ok(Some(ConsignmentData {
        chain,
        flags,
        became,
        site_names,
    }))
}
