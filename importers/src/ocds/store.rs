//! Loading OCDS rows: each chunk's releases and records as received (records of linked
//! releases compiled from the stored releases they link), checked against the rows of the
//! file written before them; then, at the end of the file, the state of every contracting
//! process the file touches, rebuilt from all of that process's stored releases.

use std::collections::{BTreeSet, HashMap};

use diesel::pg::PgConnection;
use diesel::QueryResult;

use citytrace_schema::models::{
    ImportBatch, NewOcdsRelease, NewParty, NewProcurementAmendment, NewProcurementAward,
    NewProcurementAwardSupplier, NewProcurementBid, NewProcurementBidTenderer,
    NewProcurementBudgetLink, NewProcurementContract, NewProcurementParty, NewProcurementProcess,
    NewProcurementTransaction, OcdsRelease, ProcurementAmendment, ProcurementAward, ProcurementBid,
    ProcurementBudgetLink, ProcurementContract, ProcurementParty, ProcurementProcess,
    ProcurementTransaction,
};

use super::document::OcdsItem;
use super::json::field;
use super::linked::resolve_linked;
use super::state::{self, ProcessState, StoredRelease};
use super::ReleaseKind;
use crate::error::RowError;
use crate::merkle::RootBuilder;

/// Rows per statement for multi-row inserts and `= ANY` lists.
const CHUNK: usize = 5_000;

/// Contracting processes rebuilt together at the end of a file.
const PROCESSES_PER_PAGE: i64 = 500;

/// Roles that make an organisation a city department rather than a supplier, when it is
/// registered in `parties` for the first time.
const BUYER_ROLES: &[&str] = &["buyer", "procuringEntity", "payer", "funder"];
const SUPPLIER_ROLES: &[&str] = &["supplier", "tenderer", "payee"];

/// Write a chunk's rows under `batch` (in the caller's transaction) as received, and push
/// their leaves. A release that appears earlier in the file under the same identity (kind,
/// ocid, id) with other content is a problem: a published release never changes.
pub(crate) fn load_chunk(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    items: Vec<OcdsItem>,
    errors: &mut Vec<RowError>,
    root: &mut RootBuilder,
) -> QueryResult<usize> {
    let rows = resolve_linked(conn, items, errors)?;
    let receipts: Vec<NewOcdsRelease> = rows
        .iter()
        .map(|(r, _)| NewOcdsRelease {
            batch_id: batch.id,
            line: i32::try_from(r.line).unwrap_or(i32::MAX),
            kind: r.kind.as_str().into(),
            ocid: r.ocid.clone(),
            release_id: r.release_id.clone(),
            release_date: r.date,
            tags: r.tags.clone(),
            data: r.data.clone(),
        })
        .collect();
    for chunk in receipts.chunks(CHUNK) {
        OcdsRelease::copy_in(conn, chunk)?;
    }
    if let (Some(first), Some(last)) = (receipts.first(), receipts.last()) {
        let paths: HashMap<i32, &str> = rows
            .iter()
            .zip(&receipts)
            .map(|((row, _), receipt)| (receipt.line, row.path.as_str()))
            .collect();
        for changed in OcdsRelease::changed_in_batch(conn, batch.id, first.line, last.line)? {
            let path = paths.get(&changed.line).copied().unwrap_or_default();
            errors.push(RowError::new(
                changed.line as u64,
                Some(&field(path, "id")),
                Some(&changed.release_id),
                format!(
                    "{} {} of {} appears at line {} with other content; a published release never changes, give this one a new id",
                    changed.kind, changed.release_id, changed.ocid, changed.first_line
                ),
            ));
        }
    }
    for (_, leaf) in &rows {
        root.push_leaf(*leaf);
    }
    Ok(rows.len())
}

/// Rebuild the state of every contracting process batch `batch_id` touches, a page of
/// processes at a time in ocid order. A release imported again under the same identity
/// (kind, ocid, id) counts once in the process state, as its latest import.
pub(crate) fn rebuild_processes(conn: &mut PgConnection, batch_id: i64) -> QueryResult<()> {
    let mut after = String::new();
    loop {
        let ocids = OcdsRelease::ocids_of_batch(conn, batch_id, &after, PROCESSES_PER_PAGE)?;
        let Some(last) = ocids.last() else {
            return Ok(());
        };
        after = last.clone();
        let ocids: Vec<&str> = ocids.iter().map(String::as_str).collect();
        rebuild(conn, &ocids)?;
    }
}

/// Rebuild these processes from all their stored releases.
fn rebuild(conn: &mut PgConnection, ocids: &[&str]) -> QueryResult<()> {
    let stored = OcdsRelease::of_processes(conn, ocids)?;
    let mut by_process: HashMap<&str, Vec<StoredRelease<'_>>> = HashMap::new();
    for s in &stored {
        let (Some(kind), Some(data)) = (ReleaseKind::parse(&s.kind), s.data.as_object()) else {
            continue;
        };
        by_process.entry(&s.ocid).or_default().push(StoredRelease {
            kind,
            release_id: &s.release_id,
            date: s.release_date,
            batch_id: s.batch_id,
            line: s.line,
            data,
        });
    }
    let mut processes = Vec::with_capacity(ocids.len());
    for ocid in ocids {
        let Some(releases) = by_process.get_mut(ocid) else {
            continue;
        };
        state::merge_order(releases);
        processes.extend(state::derive(ocid, releases));
    }
    let party_ids = register_organisations(conn, &processes)?;
    ProcurementProcess::delete_all(conn, ocids)?;
    write_state(conn, &processes, &party_ids)
}

/// Register every organisation the processes name in `parties`; their ids by code.
fn register_organisations(
    conn: &mut PgConnection,
    processes: &[ProcessState],
) -> QueryResult<HashMap<String, i64>> {
    let mut first: Vec<(&str, &str, &'static str)> = Vec::new();
    let mut seen = BTreeSet::new();
    for org in processes.iter().flat_map(|p| &p.organisations) {
        if !seen.insert(org.code.as_str()) {
            continue;
        }
        let has = |roles: &[&str]| roles.iter().any(|r| org.roles.contains(*r));
        let kind = if has(BUYER_ROLES) {
            "department"
        } else if has(SUPPLIER_ROLES) {
            "supplier"
        } else {
            "other"
        };
        first.push((&org.code, &org.name, kind));
    }
    let mut ids = HashMap::with_capacity(first.len());
    for chunk in first.chunks(CHUNK) {
        let new: Vec<NewParty<'_>> = chunk
            .iter()
            .map(|(code, name, kind)| NewParty {
                code,
                name,
                kind,
                gln: None,
            })
            .collect();
        ids.extend(ProcurementParty::register_organisations(conn, &new)?);
    }
    Ok(ids)
}

fn write_state(
    conn: &mut PgConnection,
    processes: &[ProcessState],
    party_ids: &HashMap<String, i64>,
) -> QueryResult<()> {
    let id = |code: &Option<String>| code.as_ref().and_then(|c| party_ids.get(c)).copied();
    let mut rows = StateRows::default();
    for p in processes {
        let (batch_id, line) = p.provenance;
        rows.processes.push(NewProcurementProcess {
            ocid: p.ocid.clone(),
            tender_id: p.tender_id.clone(),
            title: p.title.clone(),
            buyer_id: id(&p.buyer),
            procuring_entity_id: id(&p.procuring_entity),
            procurement_method: p.procurement_method.clone(),
            procurement_method_details: p.procurement_method_details.clone(),
            main_procurement_category: p.main_procurement_category.clone(),
            tender_status: p.tender_status.clone(),
            tender_value: p.tender_value.amount.clone(),
            tender_currency: p.tender_value.currency.clone(),
            tender_period_start: p.tender_period_start,
            tender_period_end: p.tender_period_end,
            number_of_tenderers: p.number_of_tenderers,
            budget_amount: p.budget.amount.clone(),
            budget_currency: p.budget.currency.clone(),
            release_count: p.release_count,
            last_release_date: p.last_release_date,
            batch_id,
            line,
        });
        for b in &p.budget_links {
            rows.budget_links.push(NewProcurementBudgetLink {
                ocid: p.ocid.clone(),
                budget_line_id: b.budget_line_id.clone(),
                source: b.source.as_str().into(),
                amount: b.amount.amount.clone(),
                currency: b.amount.currency.clone(),
                period_start: b.period_start,
                period_end: b.period_end,
                source_party: b.source_party.clone(),
                batch_id,
                line,
            });
        }
        for org in &p.organisations {
            let Some(&party_id) = party_ids.get(&org.code) else {
                continue;
            };
            rows.parties.push(NewProcurementParty {
                ocid: p.ocid.clone(),
                party_id,
                ocds_id: org.ocds_id.clone(),
                name: org.name.clone(),
                roles: org.roles.iter().cloned().collect(),
                batch_id,
                line,
            });
        }
        for a in &p.awards {
            let (batch_id, line) = a.provenance;
            rows.awards.push(NewProcurementAward {
                ocid: p.ocid.clone(),
                award_id: a.id.clone(),
                title: a.title.clone(),
                status: a.status.clone(),
                award_date: a.date,
                value: a.value.amount.clone(),
                currency: a.value.currency.clone(),
                batch_id,
                line,
            });
            for code in &a.suppliers {
                let Some(&party_id) = party_ids.get(code) else {
                    continue;
                };
                rows.suppliers.push(NewProcurementAwardSupplier {
                    ocid: p.ocid.clone(),
                    award_id: a.id.clone(),
                    party_id,
                    batch_id,
                    line,
                });
            }
        }
        for c in &p.contracts {
            let (batch_id, line) = c.provenance;
            rows.contracts.push(NewProcurementContract {
                ocid: p.ocid.clone(),
                contract_id: c.id.clone(),
                award_id: c.award_id.clone(),
                title: c.title.clone(),
                status: c.status.clone(),
                value: c.value.amount.clone(),
                currency: c.value.currency.clone(),
                date_signed: c.date_signed,
                period_start: c.period_start,
                period_end: c.period_end,
                batch_id,
                line,
            });
        }
        for a in &p.amendments {
            rows.amendments.push(NewProcurementAmendment {
                ocid: p.ocid.clone(),
                scope: a.scope.into(),
                scope_id: a.scope_id.clone(),
                position: a.position,
                amendment_id: a.id.clone(),
                amendment_date: a.date,
                description: a.description.clone(),
                amends_release_id: a.amends_release_id.clone(),
                release_id: a.release_id.clone(),
                value_before: a.value_before.clone(),
                value_after: a.value_after.clone(),
                currency: a.currency.clone(),
                batch_id,
                line,
            });
        }
        for t in &p.transactions {
            let (batch_id, line) = t.provenance;
            rows.transactions.push(NewProcurementTransaction {
                ocid: p.ocid.clone(),
                contract_id: t.contract_id.clone(),
                transaction_id: t.id.clone(),
                transaction_date: t.date,
                value: t.value.amount.clone(),
                currency: t.value.currency.clone(),
                payer_id: id(&t.payer),
                payee_id: id(&t.payee),
                source: t.source.clone(),
                batch_id,
                line,
            });
        }
        for b in &p.bids {
            let (batch_id, line) = b.provenance;
            rows.bids.push(NewProcurementBid {
                ocid: p.ocid.clone(),
                bid_id: b.id.clone(),
                bid_date: b.date,
                status: b.status.clone(),
                value: b.value.amount.clone(),
                currency: b.value.currency.clone(),
                batch_id,
                line,
            });
            for code in &b.tenderers {
                let Some(&party_id) = party_ids.get(code) else {
                    continue;
                };
                rows.bid_tenderers.push(NewProcurementBidTenderer {
                    ocid: p.ocid.clone(),
                    bid_id: b.id.clone(),
                    party_id,
                    batch_id,
                    line,
                });
            }
        }
    }
    ProcurementProcess::copy_in(conn, &rows.processes)?;
    ProcurementParty::copy_in(conn, &rows.parties)?;
    ProcurementBudgetLink::copy_in(conn, &rows.budget_links)?;
    ProcurementAward::copy_in(conn, &rows.awards, &rows.suppliers)?;
    ProcurementContract::copy_in(conn, &rows.contracts)?;
    ProcurementAmendment::copy_in(conn, &rows.amendments)?;
    ProcurementTransaction::copy_in(conn, &rows.transactions)?;
    ProcurementBid::copy_in(conn, &rows.bids, &rows.bid_tenderers)?;
    Ok(())
}

#[derive(Default)]
struct StateRows {
    processes: Vec<NewProcurementProcess>,
    parties: Vec<NewProcurementParty>,
    budget_links: Vec<NewProcurementBudgetLink>,
    awards: Vec<NewProcurementAward>,
    suppliers: Vec<NewProcurementAwardSupplier>,
    contracts: Vec<NewProcurementContract>,
    amendments: Vec<NewProcurementAmendment>,
    transactions: Vec<NewProcurementTransaction>,
    bids: Vec<NewProcurementBid>,
    bid_tenderers: Vec<NewProcurementBidTenderer>,
}
