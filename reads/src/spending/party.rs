//! A party's read (`/parties/{code}` and its JSON twin): the contracting processes it bought
//! in or supplied to with their red flags, the payments by it or to it, the shipments it
//! delivered with their embodied carbon, the emissions it reported, and how far the batches of
//! the rows shown can be trusted.

mod totals;

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;

use citytrace_schema::models::{EmissionReport, Party, TrustState};
use citytrace_schema::schema::{
    emission_reports, procurement_award_suppliers, procurement_processes,
};

use super::red_flags::{page_of_flagged_processes, process_red_flags, ProcessWalk};
use super::{payments_of, Payment, PaymentSource, ProcessScope, RedFlagRule, RedFlagRules};
use crate::carbon::{supplier_embodied_carbon, DeliveredCarbon};
use crate::trust::batch_trust;

pub use totals::BuyerTotals;

/// A party's part in a contracting process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyRole {
    Buyer,
    Supplier,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Buyer => "buyer",
            PartyRole::Supplier => "supplier",
        }
    }
}

/// A process the party bought in or supplied to, with the red flags it raises.
#[derive(Debug, Clone)]
pub struct PartyProcess {
    pub ocid: String,
    pub title: Option<String>,
    pub role: PartyRole,
    pub flags: Vec<RedFlagRule>,
}

/// Everything the party's page shows.
#[derive(Debug, Clone)]
pub struct PartyData {
    pub party: Party,
    /// The processes it bought in, then those it supplied to, latest first (at most `shown`
    /// of each).
    pub processes: Vec<PartyProcess>,
    /// Payments by it (as a buyer) or to it (as a supplier), latest first.
    pub payments: Vec<Payment>,
    pub carbon: DeliveredCarbon,
    /// The emissions it reported, latest period first.
    pub emissions: Vec<EmissionReport>,
    /// How far the batches of the first `shown` payments, deliveries and emissions can be
    /// trusted.
    pub trust: HashMap<i64, TrustState>,
    /// As a supplier: awarded and paid so far per buyer and currency (empty: it supplied
    /// nothing).
    pub supplied: Vec<BuyerTotals>,
}

type ProcessTitles = Vec<(String, Option<String>)>;

/// The processes `party_id` bought in and those it supplied to (once each), latest first.
fn processes_of(
    conn: &mut PgConnection,
    party_id: i64,
) -> QueryResult<(ProcessTitles, ProcessTitles)> {
    let bought = procurement_processes::table
        .filter(procurement_processes::buyer_id.eq(party_id))
        .order(procurement_processes::last_release_date.desc())
        .select((procurement_processes::ocid, procurement_processes::title))
        .load(conn)?;
    let mut supplied: ProcessTitles = procurement_award_suppliers::table
        .inner_join(
            procurement_processes::table
                .on(procurement_processes::ocid.eq(procurement_award_suppliers::ocid)),
        )
        .filter(procurement_award_suppliers::party_id.eq(party_id))
        .order(procurement_processes::last_release_date.desc())
        .select((procurement_processes::ocid, procurement_processes::title))
        .load(conn)?;
    // A party awarded twice in one process is one process.
    let mut seen = BTreeSet::new();
    supplied.retain(|(ocid, _)| seen.insert(ocid.clone()));
    Ok((bought, supplied))
}

/// The first `shown` processes of each role with their flags. The buyer's processes are
/// evaluated together (one pass over its awards); a supplier's one by one (each with its own
/// buyer's awards).
fn flagged_processes(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    party_id: i64,
    (bought, supplied): (&ProcessTitles, &ProcessTitles),
    shown: usize,
) -> QueryResult<Vec<PartyProcess>> {
    let mut buyer_flags: HashMap<String, Vec<RedFlagRule>> = HashMap::new();
    if !bought.is_empty() {
        let walk = ProcessWalk {
            buyer_id: Some(party_id),
            ..Default::default()
        };
        for p in page_of_flagged_processes(conn, rules, &walk, 0, shown)?.processes {
            buyer_flags.insert(p.ocid, p.flags);
        }
    }
    let mut processes = Vec::new();
    for (role, list) in [(PartyRole::Buyer, bought), (PartyRole::Supplier, supplied)] {
        for (ocid, title) in list.iter().take(shown) {
            let flags = match buyer_flags.get(ocid) {
                Some(flags) if role == PartyRole::Buyer => flags.clone(),
                _ => process_red_flags(conn, ocid, rules)?
                    .map(|f| f.rules())
                    .unwrap_or_default(),
            };
            processes.push(PartyProcess {
                ocid: ocid.clone(),
                title: title.clone(),
                role,
                flags,
            });
        }
    }
    Ok(processes)
}

/// Payments by a buyer: all under its processes; to a supplier: those naming it as payee
/// under the processes it supplied. Latest first.
fn payments_by_or_to(
    conn: &mut PgConnection,
    party: &Party,
    supplied: &ProcessTitles,
) -> QueryResult<Vec<Payment>> {
    let mut payments = payments_of(conn, &ProcessScope::Buyer(party.id))?;
    let supplier_ocids: Vec<String> = supplied.iter().map(|(o, _)| o.clone()).collect();
    if !supplier_ocids.is_empty() {
        let own: BTreeSet<(String, String)> = payments
            .iter()
            .map(|p| (p.ocid.clone(), format!("{:?}", p.source)))
            .collect();
        for p in payments_of(conn, &ProcessScope::Ocids(supplier_ocids))? {
            if paid_to(&p, party) && !own.contains(&(p.ocid.clone(), format!("{:?}", p.source))) {
                payments.push(p);
            }
        }
    }
    payments.sort_by_key(|p| std::cmp::Reverse(p.paid_at));
    Ok(payments)
}

/// The party with code `code` and everything its page shows (at most `shown` rows per
/// section carry their batch's trust); `None` when no party has that code.
pub fn load_party(
    conn: &mut PgConnection,
    code: &str,
    rules: &RedFlagRules,
    shown: usize,
) -> QueryResult<Option<PartyData>> {
    let Some(party) = Party::find_by_code(conn, code)? else {
        return Ok(None);
    };
    let (bought, supplied) = processes_of(conn, party.id)?;
    let processes = flagged_processes(conn, rules, party.id, (&bought, &supplied), shown)?;
    let payments = payments_by_or_to(conn, &party, &supplied)?;
    let supplied_ocids: BTreeSet<&String> = supplied.iter().map(|(o, _)| o).collect();
    let paid_to_it: Vec<&Payment> = payments
        .iter()
        .filter(|p| supplied_ocids.contains(&p.ocid) && paid_to(p, &party))
        .collect();
    let supplied_totals = if supplied.is_empty() {
        Vec::new()
    } else {
        totals::supplier_totals(conn, party.id, &paid_to_it)?
    };
    let carbon = supplier_embodied_carbon(conn, &party.code, None)?;
    let emissions: Vec<EmissionReport> = emission_reports::table
        .filter(emission_reports::party_id.eq(party.id))
        .order((
            emission_reports::period_start.desc(),
            emission_reports::scope,
        ))
        .select(EmissionReport::as_select())
        .load(conn)?;
    let transactions = payments.iter().take(shown).filter_map(|p| match &p.source {
        PaymentSource::OcdsTransaction { batch_id, .. } => Some(*batch_id),
        PaymentSource::Ledger { .. } => None,
    });
    let deliveries = carbon
        .deliveries
        .iter()
        .take(shown)
        .map(|d| d.delivery.batch_id);
    let reports = emissions.iter().take(shown).map(|e| e.batch_id);
    let batches: Vec<i64> = transactions.chain(deliveries).chain(reports).collect();
    let trust = batch_trust(conn, batches)?;
    Ok(Some(PartyData {
        party,
        processes,
        payments,
        carbon,
        emissions,
        trust,
        supplied: supplied_totals,
    }))
}

/// Whether the payment names the party as its payee (by code or name).
fn paid_to(p: &Payment, party: &Party) -> bool {
    p.payee
        .as_deref()
        .is_some_and(|payee| payee == party.code || payee == party.name)
}
