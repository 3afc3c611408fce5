//! `GET /parties/{code}` and its JSON twin: a supplier, department or other party — the
//! contracting processes it bought in or supplied to, the payments to it (or by it), the
//! shipments it delivered with their embodied carbon, the emissions it reported, and the red
//! flags of its processes.

use std::collections::{BTreeSet, HashMap};

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Serialize;

use citytrace_reads::carbon::{supplier_embodied_carbon, DeliveredCarbon};
use citytrace_reads::spending::{
    page_of_flagged_processes, payments_of, process_red_flags, Payment, PaymentSource,
    ProcessScope, ProcessWalk, RedFlagRules,
};
use citytrace_schema::models::{EmissionReport, Party};
use citytrace_schema::schema::{
    emission_reports, procurement_award_suppliers, procurement_processes,
};

use super::evidence::{
    amount, date, decimal, tonnes, Evidence, Provenance, ProvenanceJson, TxLink,
};
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::state::AppState;

/// At most this many rows per section of the page (the JSON twin says how many there are).
const SHOWN: usize = 100;

#[derive(Serialize)]
pub struct ProcessRef {
    pub ocid: String,
    pub title: Option<String>,
    /// `buyer` or `supplier`.
    pub role: &'static str,
    pub href: String,
    pub flags: Vec<&'static str>,
}

pub struct PaymentView {
    pub date: String,
    pub ocid: String,
    pub href: String,
    pub amount: String,
    pub currency: String,
    pub kind: &'static str,
    pub source: Option<Provenance>,
    pub tx: Option<TxLink>,
}

pub struct ShipmentView {
    pub shipment: String,
    pub line_no: i32,
    pub lot: String,
    pub lot_href: String,
    pub quantity: String,
    pub to_site: String,
    pub contract: String,
    pub contract_href: String,
    pub carbon: String,
    pub source: Provenance,
}

pub struct EmissionView {
    pub period: String,
    pub scope: i16,
    pub category: String,
    pub activity: String,
    pub kg: String,
    pub method: String,
    pub source: Provenance,
}

#[derive(Template)]
#[template(path = "parties/show.html")]
pub struct PartyPage {
    pub layout: Layout,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub gln: String,
    pub processes: Vec<ProcessRef>,
    pub payments: Vec<PaymentView>,
    pub shipments: Vec<ShipmentView>,
    pub shipments_total: usize,
    pub carbon_total: String,
    pub carbon_not_computable: usize,
    pub emissions: Vec<EmissionView>,
    pub flagged: usize,
    pub api_href: String,
}

struct Loaded {
    party: Party,
    processes: Vec<ProcessRef>,
    payments: Vec<Payment>,
    payment_sources: Vec<Option<Provenance>>,
    carbon: DeliveredCarbon,
    delivery_sources: Vec<Provenance>,
    emissions: Vec<EmissionReport>,
    emission_sources: Vec<Provenance>,
}

fn load(conn: &mut PgConnection, rules: &RedFlagRules, code: String) -> Result<Loaded, AppError> {
    let party = Party::find_by_code(conn, &code)?
        .ok_or_else(|| AppError::NotFound(format!("No party {code} is known.")))?;
    let bought: Vec<(String, Option<String>)> = procurement_processes::table
        .filter(procurement_processes::buyer_id.eq(party.id))
        .order(procurement_processes::last_release_date.desc())
        .select((procurement_processes::ocid, procurement_processes::title))
        .load(conn)?;
    let mut supplied: Vec<(String, Option<String>)> = procurement_award_suppliers::table
        .inner_join(
            procurement_processes::table
                .on(procurement_processes::ocid.eq(procurement_award_suppliers::ocid)),
        )
        .filter(procurement_award_suppliers::party_id.eq(party.id))
        .order(procurement_processes::last_release_date.desc())
        .select((procurement_processes::ocid, procurement_processes::title))
        .load(conn)?;
    // A party awarded twice in one process is one process.
    let mut seen = BTreeSet::new();
    supplied.retain(|(ocid, _)| seen.insert(ocid.clone()));
    // The buyer's processes are evaluated together (one pass over its awards); a supplier's
    // one by one (each with its own buyer's awards).
    let mut buyer_flags: HashMap<String, Vec<&'static str>> = HashMap::new();
    if !bought.is_empty() {
        let walk = ProcessWalk {
            buyer_id: Some(party.id),
            ..Default::default()
        };
        let page = page_of_flagged_processes(conn, rules, &walk, 0, SHOWN)?;
        for p in page.processes {
            buyer_flags.insert(p.ocid, p.flags.iter().map(|r| r.id()).collect());
        }
    }
    let mut processes = Vec::new();
    for (role, list) in [("buyer", &bought), ("supplier", &supplied)] {
        for (ocid, title) in list.iter().take(SHOWN) {
            let flags = match buyer_flags.get(ocid) {
                Some(flags) if role == "buyer" => flags.clone(),
                _ => process_red_flags(conn, ocid, rules)?
                    .map(|f| f.rules().into_iter().map(|r| r.id()).collect())
                    .unwrap_or_default(),
            };
            processes.push(ProcessRef {
                href: super::contract_href(ocid),
                ocid: ocid.clone(),
                title: title.clone(),
                role,
                flags,
            });
        }
    }
    // Payments by a buyer: all under its processes; to a supplier: those naming it as payee
    // under the processes it supplied.
    let mut payments = payments_of(conn, &ProcessScope::Buyer(party.id))?;
    let supplier_ocids: Vec<String> = supplied.iter().map(|(o, _)| o.clone()).collect();
    if !supplier_ocids.is_empty() {
        let own: BTreeSet<(String, String)> = payments
            .iter()
            .map(|p| (p.ocid.clone(), format!("{:?}", p.source)))
            .collect();
        for p in payments_of(conn, &ProcessScope::Ocids(supplier_ocids))? {
            let to_them = p
                .payee
                .as_deref()
                .is_some_and(|payee| payee == party.code || payee == party.name);
            if to_them && !own.contains(&(p.ocid.clone(), format!("{:?}", p.source))) {
                payments.push(p);
            }
        }
    }
    payments.sort_by_key(|p| std::cmp::Reverse(p.paid_at));
    let mut ev = Evidence::default();
    let payment_sources = payments
        .iter()
        .take(SHOWN)
        .map(|p| match &p.source {
            PaymentSource::OcdsTransaction { batch_id, line, .. } => {
                ev.row(conn, *batch_id, *line).map(Some)
            }
            PaymentSource::Ledger { .. } => Ok(None),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let carbon = supplier_embodied_carbon(conn, &party.code, None)?;
    let delivery_sources = carbon
        .deliveries
        .iter()
        .take(SHOWN)
        .map(|d| ev.row(conn, d.delivery.batch_id, d.delivery.line))
        .collect::<Result<Vec<_>, _>>()?;
    let emissions: Vec<EmissionReport> = emission_reports::table
        .filter(emission_reports::party_id.eq(party.id))
        .order((
            emission_reports::period_start.desc(),
            emission_reports::scope,
        ))
        .select(EmissionReport::as_select())
        .load(conn)?;
    let emission_sources = emissions
        .iter()
        .take(SHOWN)
        .map(|e| ev.row(conn, e.batch_id, e.line))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Loaded {
        party,
        processes,
        payments,
        payment_sources,
        carbon,
        delivery_sources,
        emissions,
        emission_sources,
    })
}

pub async fn page(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let methods = state.methods.clone();
    let d = state
        .db(move |conn| load(conn, &methods.spending.red_flags, code))
        .await?;
    let flagged = d.processes.iter().filter(|p| !p.flags.is_empty()).count();
    let payments = d
        .payments
        .iter()
        .zip(d.payment_sources)
        .map(|(p, source)| PaymentView {
            date: p
                .paid_at
                .as_ref()
                .map(date)
                .unwrap_or_else(|| "undated".into()),
            href: super::contract_href(&p.ocid),
            ocid: p.ocid.clone(),
            amount: amount(&p.amount),
            currency: p.currency.clone().unwrap_or_default(),
            kind: if p.is_ledger() {
                "ledger payment"
            } else {
                "OCDS transaction"
            },
            tx: match &p.source {
                PaymentSource::Ledger {
                    chain_id, tx_hash, ..
                } => Some(TxLink::new(*chain_id, tx_hash)),
                PaymentSource::OcdsTransaction { .. } => None,
            },
            source,
        })
        .collect();
    let shipments = d
        .carbon
        .deliveries
        .iter()
        .zip(d.delivery_sources)
        .map(|(c, source)| {
            let x = &c.delivery;
            ShipmentView {
                shipment: x.shipment_code.clone(),
                line_no: x.line_no,
                lot_href: format!("/lots/{}", crate::fmt::path_segment(&x.lot_code)),
                lot: x.lot_code.clone(),
                quantity: format!("{} {}", x.quantity.normalized().to_plain_string(), x.unit),
                to_site: x.to_site.clone(),
                contract_href: x
                    .contract_ocid
                    .as_deref()
                    .map(super::contract_href)
                    .unwrap_or_default(),
                contract: x.contract_ocid.clone().unwrap_or_default(),
                carbon: match &c.carbon {
                    Ok(e) => format!("{} kg", decimal(&e.kg_co2e, 1)),
                    Err(why) => format!("not computable: {why}"),
                },
                source,
            }
        })
        .collect();
    let emissions = d
        .emissions
        .iter()
        .zip(d.emission_sources)
        .map(|(e, source)| EmissionView {
            period: format!("{} – {}", e.period_start, e.period_end),
            scope: e.scope,
            category: e.category.clone().unwrap_or_default(),
            activity: e.activity.clone().unwrap_or_default(),
            kg: decimal(&e.kg_co2e, 1),
            method: e.method.clone(),
            source,
        })
        .collect();
    let p = d.party;
    let page = PartyPage {
        layout: Layout::new(&p.name, ""),
        api_href: format!("/api/v1/parties/{}", crate::fmt::path_segment(&p.code)),
        code: p.code,
        name: p.name,
        kind: p.kind,
        gln: p.gln.unwrap_or_default(),
        processes: d.processes,
        payments,
        shipments_total: d.carbon.deliveries.len(),
        shipments,
        carbon_total: tonnes(&d.carbon.kg_co2e),
        carbon_not_computable: d.carbon.not_computable,
        emissions,
        flagged,
    };
    crate::routes::html(&page)
}

#[derive(Serialize)]
struct EmissionJson {
    scope: i16,
    category: Option<String>,
    activity: Option<String>,
    period_start: chrono::NaiveDate,
    period_end: chrono::NaiveDate,
    kg_co2e: bigdecimal::BigDecimal,
    method: String,
    source_document: String,
    source: ProvenanceJson,
}

#[derive(Serialize)]
struct PartyJson {
    code: String,
    name: String,
    kind: String,
    gln: Option<String>,
    processes: Vec<ProcessRef>,
    payments: Vec<Payment>,
    delivered_embodied_carbon: DeliveredCarbon,
    emissions_reported: Vec<EmissionJson>,
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let methods = state.methods.clone();
    let d = state
        .db(move |conn| load(conn, &methods.spending.red_flags, code))
        .await?;
    Ok(super::json(&PartyJson {
        code: d.party.code,
        name: d.party.name,
        kind: d.party.kind,
        gln: d.party.gln,
        processes: d.processes,
        payments: d.payments,
        delivered_embodied_carbon: d.carbon,
        emissions_reported: d
            .emissions
            .into_iter()
            .zip(d.emission_sources)
            .map(|(e, s)| EmissionJson {
                scope: e.scope,
                category: e.category,
                activity: e.activity,
                period_start: e.period_start,
                period_end: e.period_end,
                kg_co2e: e.kg_co2e,
                method: e.method,
                source_document: e.source_document,
                source: s.json(),
            })
            .collect(),
    }))
}
