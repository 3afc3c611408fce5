//! The contracting process page's read (`/spending/contracts/{ocid}` and its JSON twin): the
//! process with its buyer and parties, bids, awards, contracts and amendments, its payments
//! (OCDS transactions and the ledger's), its red flags, the carbon delivered under it, the
//! data-quality notes its releases were published with, and how far every batch it names can
//! be trusted.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use diesel::prelude::*;

use citytrace_schema::models::{
    DataQualityNote, ProcurementAmendment, ProcurementAward, ProcurementBid, ProcurementContract,
    ProcurementParty, ProcurementProcess, TrustState,
};

use super::payments::{payments_of, Payment, PaymentSource, ProcessScope};
use super::processes::{load_party_names, PartyName};
use super::red_flags::{process_red_flags, ProcessRedFlags, RedFlagRules};
use crate::carbon::{contract_embodied_carbon, DeliveredCarbon};
use crate::trust::batch_trust;

/// Everything the page shows about one contracting process.
#[derive(Debug, Clone)]
pub struct ProcessPageData {
    pub process: ProcurementProcess,
    pub buyer: Option<PartyName>,
    /// (party code, its roles in the process), by code.
    pub parties: Vec<(String, ProcurementParty)>,
    /// Each bid with its tenderers' codes.
    pub bids: Vec<(ProcurementBid, Vec<String>)>,
    /// Each award with its suppliers' codes.
    pub awards: Vec<(ProcurementAward, Vec<String>)>,
    pub contracts: Vec<ProcurementContract>,
    pub amendments: Vec<ProcurementAmendment>,
    /// The OCDS transactions (each with the ledger payment that evidences it, if one does) and
    /// the ledger payments naming the process with no OCDS counterpart.
    pub payments: Vec<Payment>,
    pub flags: Option<ProcessRedFlags>,
    pub carbon: DeliveredCarbon,
    /// The first data-quality notes (at most the number asked for) and how many there are.
    pub quality_notes: Vec<DataQualityNote>,
    pub quality_total: i64,
    /// How far each import batch the rows above come from can be trusted, by batch id.
    pub trust: HashMap<i64, TrustState>,
}

/// The process `ocid` with everything its page shows (at most `notes` data-quality notes);
/// `None` when no process has that ocid.
pub fn load_process_page(
    conn: &mut PgConnection,
    ocid: &str,
    rules: &RedFlagRules,
    notes: i64,
) -> QueryResult<Option<ProcessPageData>> {
    let Some(process) = ProcurementProcess::find(conn, ocid)? else {
        return Ok(None);
    };
    let buyer = match process.buyer_id {
        Some(id) => load_party_names(conn, [id])?.remove(&id),
        None => None,
    };
    let parties = ProcurementParty::of_process(conn, ocid)?;
    let mut bids = Vec::new();
    for bid in ProcurementBid::of_process(conn, ocid)? {
        let tenderers = bid.tenderer_codes(conn)?;
        bids.push((bid, tenderers));
    }
    let mut awards = Vec::new();
    for award in ProcurementAward::of_process(conn, ocid)? {
        let suppliers = award.supplier_codes(conn)?;
        awards.push((award, suppliers));
    }
    let contracts = ProcurementContract::of_process(conn, ocid)?;
    let amendments = ProcurementAmendment::of_process(conn, ocid)?;
    let payments = payments_of(conn, &ProcessScope::Ocid(ocid.to_string()))?;
    let flags = process_red_flags(conn, ocid, rules)?;
    let carbon = contract_embodied_carbon(conn, ocid)?;
    let (quality_notes, quality_total) = DataQualityNote::of_process(conn, ocid, notes)?;
    let mut data = ProcessPageData {
        process,
        buyer,
        parties,
        bids,
        awards,
        contracts,
        amendments,
        payments,
        flags,
        carbon,
        quality_notes,
        quality_total,
        trust: HashMap::new(),
    };
    data.trust = batch_trust(conn, batches_named(&data))?;
    Ok(Some(data))
}

impl ProcessPageData {
    /// What the process's payments add up to per currency: each payment once (an OCDS
    /// transaction with the ledger payment that evidences it counts once).
    pub fn paid(&self) -> BTreeMap<String, BigDecimal> {
        let mut paid: BTreeMap<String, BigDecimal> = BTreeMap::new();
        for p in &self.payments {
            if let Some(currency) = &p.currency {
                *paid.entry(currency.clone()).or_default() += &p.amount;
            }
        }
        paid
    }

    /// The values of the contracts that commit money (not `cancelled` or `pending`), per
    /// currency.
    pub fn contracted(&self) -> BTreeMap<String, BigDecimal> {
        let mut values: BTreeMap<String, BigDecimal> = BTreeMap::new();
        for c in &self.contracts {
            let commits = !matches!(c.status.as_deref(), Some("cancelled" | "pending"));
            if let (true, Some(value), Some(currency)) = (commits, &c.value, &c.currency) {
                *values.entry(currency.clone()).or_default() += value;
            }
        }
        values
    }
}

/// Every import batch a row of the page comes from.
fn batches_named(d: &ProcessPageData) -> Vec<i64> {
    let mut ids = vec![d.process.batch_id];
    ids.extend(d.bids.iter().map(|(b, _)| b.batch_id));
    ids.extend(d.awards.iter().map(|(a, _)| a.batch_id));
    ids.extend(d.contracts.iter().map(|c| c.batch_id));
    ids.extend(d.amendments.iter().map(|a| a.batch_id));
    ids.extend(d.payments.iter().filter_map(|p| match &p.source {
        PaymentSource::OcdsTransaction { batch_id, .. } => Some(*batch_id),
        PaymentSource::Ledger { .. } => None,
    }));
    ids.extend(d.carbon.deliveries.iter().map(|c| c.delivery.batch_id));
    ids.extend(d.quality_notes.iter().map(|n| n.batch_id));
    ids.sort_unstable();
    ids.dedup();
    ids
}
