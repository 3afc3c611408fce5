//! `GET /parties/{code}` and its JSON twin: a supplier, department or other party — the
//! contracting processes it bought in or supplied to, the payments to it (or by it), the
//! shipments it delivered with their embodied carbon, the emissions it reported, and the red
//! flags of its processes.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Serialize;

use citytrace_reads::carbon::DeliveredCarbon;
use citytrace_reads::spending::party::load_party;
use citytrace_reads::spending::{Payment, PaymentSource};
use citytrace_schema::models::{EmissionReport, Party};

use super::evidence::{amount, date, decimal, tonnes, Provenance, ProvenanceJson, TxLink};
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
    /// The same flags in words.
    pub flag_names: Vec<&'static str>,
}

/// What one buyer awarded the party (as a supplier) and paid it, in one currency.
#[derive(Serialize)]
pub struct SuppliedView {
    pub buyer: Option<super::PartyLink>,
    pub currency: String,
    pub awarded: bigdecimal::BigDecimal,
    pub paid: bigdecimal::BigDecimal,
}

impl SuppliedView {
    pub fn awarded_text(&self) -> String {
        crate::fmt::money(Some(&self.awarded), Some(&self.currency))
    }

    pub fn paid_text(&self) -> String {
        crate::fmt::money(Some(&self.paid), Some(&self.currency))
    }
}

/// The supplied totals per currency: (awarded, paid), as text.
fn supplied_totals(rows: &[SuppliedView]) -> Vec<(String, String)> {
    let mut by_currency: std::collections::BTreeMap<
        &str,
        (bigdecimal::BigDecimal, bigdecimal::BigDecimal),
    > = std::collections::BTreeMap::new();
    for r in rows {
        let t = by_currency.entry(&r.currency).or_default();
        t.0 += &r.awarded;
        t.1 += &r.paid;
    }
    by_currency
        .into_iter()
        .map(|(c, (a, p))| {
            (
                crate::fmt::money(Some(&a), Some(c)),
                crate::fmt::money(Some(&p), Some(c)),
            )
        })
        .collect()
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
    /// As a supplier: per buyer and currency, and the totals per currency (awarded, paid).
    pub supplied: Vec<SuppliedView>,
    pub supplied_totals: Vec<(String, String)>,
    pub api_href: String,
    pub csv_href: String,
}

/// The party with its processes linked and the rows shown with their provenance.
struct Loaded {
    party: Party,
    processes: Vec<ProcessRef>,
    payments: Vec<Payment>,
    payment_sources: Vec<Option<Provenance>>,
    carbon: DeliveredCarbon,
    delivery_sources: Vec<Provenance>,
    emissions: Vec<EmissionReport>,
    emission_sources: Vec<Provenance>,
    supplied: Vec<SuppliedView>,
}

/// The party with code `code` (`citytrace_reads::spending::party`).
async fn load(state: &AppState, code: String) -> Result<Loaded, AppError> {
    let methods = state.methods.clone();
    let asked = code.clone();
    let d = state
        .db(move |conn| {
            Ok(load_party(
                conn,
                &asked,
                &methods.spending.red_flags,
                SHOWN,
            )?)
        })
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No party {code} is known.")))?;
    let payment_sources = d
        .payments
        .iter()
        .take(SHOWN)
        .map(|p| match &p.source {
            PaymentSource::OcdsTransaction { batch_id, line, .. } => {
                Provenance::known(&d.trust, *batch_id, *line).map(Some)
            }
            PaymentSource::Ledger { .. } => Ok(None),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let delivery_sources = d
        .carbon
        .deliveries
        .iter()
        .take(SHOWN)
        .map(|c| Provenance::known(&d.trust, c.delivery.batch_id, c.delivery.line))
        .collect::<Result<Vec<_>, _>>()?;
    let emission_sources = d
        .emissions
        .iter()
        .take(SHOWN)
        .map(|e| Provenance::known(&d.trust, e.batch_id, e.line))
        .collect::<Result<Vec<_>, _>>()?;
    let processes = d
        .processes
        .into_iter()
        .map(|p| ProcessRef {
            href: super::contract_href(&p.ocid),
            ocid: p.ocid,
            title: p.title,
            role: p.role.as_str(),
            flags: p.flags.iter().map(|r| r.id()).collect(),
            flag_names: p.flags.iter().map(|r| r.name()).collect(),
        })
        .collect();
    let supplied = d
        .supplied
        .into_iter()
        .map(|t| SuppliedView {
            buyer: t.buyer.map(|b| super::PartyLink {
                id: b.id,
                href: super::party_href(&b.code),
                code: b.code,
                name: b.name,
            }),
            currency: t.currency,
            awarded: t.awarded,
            paid: t.paid,
        })
        .collect();
    Ok(Loaded {
        party: d.party,
        processes,
        payments: d.payments,
        payment_sources,
        carbon: d.carbon,
        delivery_sources,
        emissions: d.emissions,
        emission_sources,
        supplied,
    })
}

const CSV_HEADER: [&str; 6] = ["ocid", "title", "role", "flags", "flag_names", "href"];

/// `?format=csv`: the party's contracting processes (the page's contracts table) as CSV.
fn contracts_csv(code: &str, processes: &[ProcessRef]) -> HttpResponse {
    let text = |t: &str| (t.to_string(), false);
    let mut csv = crate::listing::csv_line(CSV_HEADER.iter().map(|h| text(h)));
    for p in processes {
        csv.push_str(&crate::listing::csv_line(
            [
                text(&p.ocid),
                text(p.title.as_deref().unwrap_or_default()),
                text(p.role),
                text(&p.flags.join(" ")),
                text(&p.flag_names.join("; ")),
                text(&p.href),
            ]
            .into_iter(),
        ));
    }
    crate::listing::csv_download(&format!("contracts-{code}.csv"), csv)
}

/// `?format=`: the page (`html`, default), or its contracts as `csv`.
fn wants_csv(query: &crate::query::QueryParams) -> Result<bool, AppError> {
    match query
        .get("format")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "" | "html" => Ok(false),
        "csv" => Ok(true),
        other => Err(AppError::BadRequest(format!(
            "format must be html or csv (the JSON twin is /api/v1/parties/…), not {}",
            crate::query::quoted(other)
        ))),
    }
}

pub async fn page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, AppError> {
    let csv = wants_csv(&query)?;
    let d = load(&state, path.into_inner()).await?;
    if csv {
        return Ok(contracts_csv(&d.party.code, &d.processes));
    }
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
                lot_href: crate::routes::provenance::lot_href(&x.lot_code),
                lot: x.lot_code.clone(),
                quantity: crate::fmt::quantity(&x.quantity, &x.unit),
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
        csv_href: format!("/parties/{}?format=csv", crate::fmt::path_segment(&p.code)),
        supplied_totals: supplied_totals(&d.supplied),
        supplied: d.supplied,
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
    /// As a supplier: awarded and paid so far per buyer and currency.
    supplied: Vec<SuppliedView>,
    payments: Vec<Payment>,
    delivered_embodied_carbon: DeliveredCarbon,
    emissions_reported: Vec<EmissionJson>,
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let d = load(&state, path.into_inner()).await?;
    Ok(super::json(&PartyJson {
        code: d.party.code,
        name: d.party.name,
        kind: d.party.kind,
        gln: d.party.gln,
        processes: d.processes,
        supplied: d.supplied,
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
