//! `GET /spending/contracts/{ocid}` and its JSON twin: one contracting process — its OCDS
//! timeline (tender → bids → awards → contracts → amendments → payments), its red flags with
//! the figures that raised them, its payments (OCDS transactions and CityTreasury payments on
//! the ledger), the shipments, lots and embodied carbon delivered under it, and the
//! data-quality notes its releases were published with (`quality`).

mod quality;

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use serde::Serialize;

use citytrace_reads::carbon::{contract_embodied_carbon, DeliveredCarbon};
use citytrace_reads::spending::{
    payments_of, process_red_flags, FlagSubject, Payment, PaymentSource, ProcessRedFlags,
    ProcessScope, RedFlagRules,
};
use citytrace_schema::models::{
    ProcurementAmendment, ProcurementAward, ProcurementBid, ProcurementContract, ProcurementParty,
    ProcurementProcess,
};

use super::evidence::{amount, date, tonnes, Evidence, Provenance, ProvenanceJson, TxLink};
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::state::AppState;
use quality::{QualityNotes, QualityNotesJson};

/// One step of the process.
pub struct Step {
    pub when: Option<DateTime<Utc>>,
    pub date: String,
    pub stage: &'static str,
    pub what: String,
    pub value: String,
    pub source: Option<Provenance>,
    pub tx: Option<TxLink>,
}

#[derive(Serialize)]
pub struct StepJson {
    pub date: Option<DateTime<Utc>>,
    pub stage: &'static str,
    pub what: String,
    pub value: String,
    pub source: Option<ProvenanceJson>,
    pub tx: Option<TxLink>,
}

pub struct FlagView {
    pub id: &'static str,
    pub name: &'static str,
    pub subject: String,
    /// (name, value, source).
    pub figures: Vec<(String, String, String)>,
}

pub struct PaymentView {
    pub date: String,
    pub contract: String,
    pub amount: String,
    pub currency: String,
    pub payee: String,
    pub kind: &'static str,
    pub reference: String,
    pub source: Option<Provenance>,
    pub tx: Option<TxLink>,
    pub finality: String,
}

pub struct DeliveryView {
    pub shipment: String,
    pub line_no: i32,
    pub lot: String,
    pub lot_href: String,
    pub product: String,
    pub quantity: String,
    pub from_site: String,
    pub to_site: String,
    pub to_site_href: String,
    pub supplier: String,
    pub supplier_href: String,
    pub carbon: String,
    pub carbon_missing: bool,
    pub source: Provenance,
}

pub struct PartyView {
    pub name: String,
    pub href: String,
    pub code: String,
    pub roles: String,
}

#[derive(Template)]
#[template(path = "spending/contract.html")]
pub struct ContractPage {
    pub layout: Layout,
    pub ocid: String,
    pub title: String,
    pub buyer: Option<super::PartyLink>,
    pub method: String,
    pub category: String,
    pub tender_value: String,
    pub tender_period: String,
    pub tenderers: String,
    pub source: Provenance,
    pub parties: Vec<PartyView>,
    pub steps: Vec<Step>,
    pub flags: Vec<FlagView>,
    pub payments: Vec<PaymentView>,
    pub deliveries: Vec<DeliveryView>,
    pub carbon_total: String,
    pub carbon_not_computable: usize,
    pub quality: QualityNotes,
    pub api_href: String,
}

struct Loaded {
    process: ProcurementProcess,
    buyer: Option<super::PartyLink>,
    parties: Vec<(String, ProcurementParty)>,
    steps: Vec<Step>,
    flags: Option<ProcessRedFlags>,
    payments: Vec<Payment>,
    payment_sources: Vec<Option<Provenance>>,
    carbon: DeliveredCarbon,
    delivery_sources: Vec<Provenance>,
    source: Provenance,
    quality: QualityNotes,
}

fn money(value: &Option<BigDecimal>, currency: &Option<String>) -> String {
    match value {
        Some(v) => format!("{} {}", amount(v), currency.as_deref().unwrap_or(""))
            .trim()
            .to_string(),
        None => "–".into(),
    }
}

fn step(
    when: Option<DateTime<Utc>>,
    stage: &'static str,
    what: String,
    value: String,
    source: Option<Provenance>,
    tx: Option<TxLink>,
) -> Step {
    Step {
        date: when.as_ref().map(date).unwrap_or_else(|| "undated".into()),
        when,
        stage,
        what,
        value,
        source,
        tx,
    }
}

fn load(
    conn: &mut diesel::PgConnection,
    rules: &RedFlagRules,
    ocid: String,
) -> Result<Loaded, AppError> {
    let process = ProcurementProcess::find(conn, &ocid)?
        .ok_or_else(|| AppError::NotFound(format!("No contracting process {ocid} is known.")))?;
    let mut ev = Evidence::default();
    let source = ev.row(conn, process.batch_id, process.line)?;
    let buyer = match process.buyer_id {
        Some(id) => super::party_links(conn, [id])?.remove(&id),
        None => None,
    };
    let parties = ProcurementParty::of_process(conn, &ocid)?;
    let mut steps = Vec::new();
    if process.tender_period_start.is_some()
        || process.tender_value.is_some()
        || process.procurement_method.is_some()
    {
        steps.push(step(
            process.tender_period_start,
            "tender",
            format!(
                "Tender{} opened ({}){}",
                process
                    .tender_id
                    .as_deref()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default(),
                process
                    .procurement_method
                    .as_deref()
                    .unwrap_or("method not given"),
                process
                    .tender_period_end
                    .as_ref()
                    .map(|e| format!(", bids until {}", date(e)))
                    .unwrap_or_default()
            ),
            money(&process.tender_value, &process.tender_currency),
            Some(ev.row(conn, process.batch_id, process.line)?),
            None,
        ));
    }
    for b in ProcurementBid::of_process(conn, &ocid)? {
        let who = b.tenderer_codes(conn)?.join(", ");
        steps.push(step(
            b.bid_date,
            "bid",
            format!(
                "Bid {} by {}{}",
                b.bid_id,
                if who.is_empty() {
                    "an unnamed tenderer"
                } else {
                    &who
                },
                b.status
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            money(&b.value, &b.currency),
            Some(ev.row(conn, b.batch_id, b.line)?),
            None,
        ));
    }
    for a in ProcurementAward::of_process(conn, &ocid)? {
        let who = a.supplier_codes(conn)?.join(", ");
        steps.push(step(
            a.award_date,
            "award",
            format!(
                "Award {} to {}{}",
                a.award_id,
                if who.is_empty() {
                    "no named supplier"
                } else {
                    &who
                },
                a.status
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            money(&a.value, &a.currency),
            Some(ev.row(conn, a.batch_id, a.line)?),
            None,
        ));
    }
    for c in ProcurementContract::of_process(conn, &ocid)? {
        steps.push(step(
            c.date_signed.or(c.period_start),
            "contract",
            format!(
                "Contract {}{}{}",
                c.contract_id,
                c.title
                    .as_deref()
                    .map(|t| format!(" “{t}”"))
                    .unwrap_or_default(),
                c.status
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            money(&c.value, &c.currency),
            Some(ev.row(conn, c.batch_id, c.line)?),
            None,
        ));
    }
    for a in ProcurementAmendment::of_process(conn, &ocid)? {
        let change = match (&a.value_before, &a.value_after) {
            (Some(b), Some(n)) => format!(
                "{} → {} {}",
                amount(b),
                amount(n),
                a.currency.as_deref().unwrap_or("")
            ),
            (None, Some(n)) => format!("→ {} {}", amount(n), a.currency.as_deref().unwrap_or("")),
            _ => "value unchanged or not given".into(),
        };
        steps.push(step(
            a.amendment_date,
            "amendment",
            format!(
                "Amendment of the {}{}{}",
                a.scope,
                if a.scope_id.is_empty() {
                    String::new()
                } else {
                    format!(" {}", a.scope_id)
                },
                a.description
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ),
            change.trim().to_string(),
            Some(ev.row(conn, a.batch_id, a.line)?),
            None,
        ));
    }
    // payments_of gives the OCDS transactions and the ledger's payments naming the process.
    let payments = payments_of(conn, &ProcessScope::Ocid(ocid.clone()))?;
    let mut payment_sources = Vec::new();
    for p in &payments {
        let (src, tx, what) = match &p.source {
            PaymentSource::OcdsTransaction {
                transaction_id,
                batch_id,
                line,
            } => (
                Some(ev.row(conn, *batch_id, *line)?),
                None,
                format!("Payment {transaction_id} (OCDS transaction)"),
            ),
            PaymentSource::Ledger {
                chain_id,
                tx_hash,
                payment_id,
                ..
            } => (
                None,
                Some(TxLink::new(*chain_id, tx_hash)),
                format!("Payment {} on the city ledger", short(payment_id)),
            ),
        };
        steps.push(step(
            p.paid_at,
            "payment",
            format!(
                "{what}{}{}",
                p.contract_id
                    .as_deref()
                    .map(|c| format!(" under contract {c}"))
                    .unwrap_or_default(),
                p.payee
                    .as_deref()
                    .map(|c| format!(" to {c}"))
                    .unwrap_or_default()
            ),
            money(&Some(p.amount.clone()), &p.currency),
            src.clone(),
            tx,
        ));
        payment_sources.push(src);
    }
    steps.sort_by(|a, b| match (a.when, b.when) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let flags = process_red_flags(conn, &ocid, rules)?;
    let carbon = contract_embodied_carbon(conn, &ocid)?;
    let delivery_sources = carbon
        .deliveries
        .iter()
        .map(|d| ev.row(conn, d.delivery.batch_id, d.delivery.line))
        .collect::<Result<Vec<_>, _>>()?;
    let quality = QualityNotes::load(conn, &mut ev, &ocid)?;
    Ok(Loaded {
        process,
        buyer,
        parties,
        steps,
        flags,
        payments,
        payment_sources,
        carbon,
        delivery_sources,
        source,
        quality,
    })
}

fn short(hex: &str) -> String {
    crate::fmt::short(hex, 10, 0)
}

fn subject(s: &FlagSubject) -> String {
    match s {
        FlagSubject::Process => "the process".into(),
        FlagSubject::Award(id) => format!("award {id}"),
        FlagSubject::Contract(id) => format!("contract {id}"),
    }
}

pub async fn page(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let ocid = path.into_inner();
    let methods = state.methods.clone();
    let d = state
        .db(move |conn| load(conn, &methods.spending.red_flags, ocid))
        .await?;
    let p = &d.process;
    let flags = d
        .flags
        .iter()
        .flat_map(|f| &f.flags)
        .map(|f| FlagView {
            id: f.rule.id(),
            name: f.rule.name(),
            subject: subject(&f.subject),
            figures: f
                .figures
                .iter()
                .map(|x| (x.name.clone(), x.value.clone(), x.source.clone()))
                .collect(),
        })
        .collect();
    let payments = d
        .payments
        .iter()
        .zip(d.payment_sources)
        .map(|(p, src)| {
            let (kind, reference, tx, finality) = match &p.source {
                PaymentSource::OcdsTransaction { transaction_id, .. } => (
                    "OCDS transaction",
                    transaction_id.clone(),
                    None,
                    String::new(),
                ),
                PaymentSource::Ledger {
                    payment_id,
                    chain_id,
                    tx_hash,
                    finality,
                    ..
                } => (
                    "ledger payment",
                    short(payment_id),
                    Some(TxLink::new(*chain_id, tx_hash)),
                    finality.clone(),
                ),
            };
            PaymentView {
                date: p
                    .paid_at
                    .as_ref()
                    .map(date)
                    .unwrap_or_else(|| "undated".into()),
                contract: p.contract_id.clone().unwrap_or_default(),
                amount: amount(&p.amount),
                currency: p.currency.clone().unwrap_or_default(),
                payee: p.payee.clone().unwrap_or_default(),
                kind,
                reference,
                source: src,
                tx,
                finality,
            }
        })
        .collect();
    let deliveries = d
        .carbon
        .deliveries
        .iter()
        .zip(d.delivery_sources)
        .map(|(c, source)| {
            let x = &c.delivery;
            let (carbon, missing) = match &c.carbon {
                Ok(e) => (
                    format!("{} kg", super::evidence::decimal(&e.kg_co2e, 1)),
                    false,
                ),
                Err(why) => (why.to_string(), true),
            };
            DeliveryView {
                shipment: x.shipment_code.clone(),
                line_no: x.line_no,
                lot_href: format!("/lots/{}", crate::fmt::path_segment(&x.lot_code)),
                lot: x.lot_code.clone(),
                product: x.product_name.clone(),
                quantity: format!("{} {}", x.quantity.normalized().to_plain_string(), x.unit),
                from_site: x.from_site.clone(),
                to_site_href: format!("/sites/{}", crate::fmt::path_segment(&x.to_site)),
                to_site: x.to_site.clone(),
                supplier_href: super::party_href(&x.submitter),
                supplier: x.submitter.clone(),
                carbon,
                carbon_missing: missing,
                source,
            }
        })
        .collect();
    let page = ContractPage {
        layout: Layout::new(&format!("Contract {}", p.ocid), "/spending"),
        api_href: format!(
            "/api/v1/spending/contracts/{}",
            crate::fmt::path_segment(&p.ocid)
        ),
        ocid: p.ocid.clone(),
        title: p.title.clone().unwrap_or_default(),
        buyer: d.buyer,
        method: [
            p.procurement_method.clone(),
            p.procurement_method_details.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" — "),
        category: p.main_procurement_category.clone().unwrap_or_default(),
        tender_value: money(&p.tender_value, &p.tender_currency),
        tender_period: match (&p.tender_period_start, &p.tender_period_end) {
            (Some(s), Some(e)) => format!("{} to {}", date(s), date(e)),
            (Some(s), None) => format!("from {}", date(s)),
            (None, Some(e)) => format!("until {}", date(e)),
            (None, None) => "not given".into(),
        },
        tenderers: p
            .number_of_tenderers
            .map(|n| n.to_string())
            .unwrap_or_else(|| "not given".into()),
        source: d.source,
        parties: d
            .parties
            .iter()
            .map(|(code, party)| PartyView {
                name: party.name.clone(),
                href: super::party_href(code),
                code: code.clone(),
                roles: party.roles.join(", "),
            })
            .collect(),
        steps: d.steps,
        flags,
        payments,
        deliveries,
        carbon_total: tonnes(&d.carbon.kg_co2e),
        carbon_not_computable: d.carbon.not_computable,
        quality: d.quality,
    };
    crate::routes::html(&page)
}

#[derive(Serialize)]
struct ContractJson {
    ocid: String,
    title: Option<String>,
    buyer: Option<super::PartyLink>,
    procurement_method: Option<String>,
    main_procurement_category: Option<String>,
    tender_value: Option<BigDecimal>,
    tender_currency: Option<String>,
    number_of_tenderers: Option<i32>,
    source: ProvenanceJson,
    timeline: Vec<StepJson>,
    red_flags: Option<ProcessRedFlags>,
    payments: Vec<Payment>,
    embodied_carbon: DeliveredCarbon,
    data_quality_notes: QualityNotesJson,
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ocid = path.into_inner();
    let methods = state.methods.clone();
    let d = state
        .db(move |conn| load(conn, &methods.spending.red_flags, ocid))
        .await?;
    let p = d.process;
    Ok(super::json(&ContractJson {
        ocid: p.ocid,
        title: p.title,
        buyer: d.buyer,
        procurement_method: p.procurement_method,
        main_procurement_category: p.main_procurement_category,
        tender_value: p.tender_value,
        tender_currency: p.tender_currency,
        number_of_tenderers: p.number_of_tenderers,
        source: d.source.json(),
        timeline: d
            .steps
            .into_iter()
            .map(|s| StepJson {
                date: s.when,
                stage: s.stage,
                what: s.what,
                value: s.value,
                source: s.source.as_ref().map(Provenance::json),
                tx: s.tx,
            })
            .collect(),
        red_flags: d.flags,
        payments: d.payments,
        embodied_carbon: d.carbon,
        data_quality_notes: d.quality.json(),
    }))
}
