//! `GET /spending/contracts/{ocid}` and its JSON twin: one contracting process — its OCDS
//! timeline (tender → bids → awards → contracts → amendments → payments), its red flags with
//! the figures that raised them, its payments (OCDS transactions and CityTreasury payments on
//! the ledger), the shipments, lots and embodied carbon delivered under it, and the
//! data-quality notes its releases were published with (`quality`); read by
//! `citytrace_reads::spending::process_page`, shown here.

mod quality;
mod timeline;

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::BigDecimal;
use serde::Serialize;

use citytrace_reads::carbon::DeliveredCarbon;
use citytrace_reads::spending::process_page::{load_process_page, ProcessPageData};
use citytrace_reads::spending::{
    FlagSubject, Payment, PaymentSource, ProcessRedFlags, RedFlagRules,
};
use citytrace_schema::models::{ProcurementParty, ProcurementProcess};

use super::evidence::{amount, date, flag_figure, tonnes, Provenance, ProvenanceJson, TxLink};
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::state::AppState;
use quality::{QualityNotes, QualityNotesJson};
use timeline::{money, Step, StepJson};

pub struct FlagView {
    pub id: &'static str,
    pub name: &'static str,
    pub subject: String,
    /// (name, value, source).
    pub figures: Vec<(String, String, String)>,
}

pub struct PaymentView {
    /// "evidenced on the ledger" (an OCDS transaction with its ledger payment), "no OCDS
    /// counterpart" (a ledger payment of its own), else empty.
    pub ledger_note: &'static str,
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
    /// The supplier by name (as the process's releases name it, else its code).
    pub supplier: String,
    pub supplier_code: String,
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
    pub winners: Vec<timeline::NamedParty>,
    pub method: String,
    pub category: String,
    pub tender_value: String,
    pub tender_period: String,
    pub tenderers: String,
    /// Per currency of the contracts: (paid, contracts' value, currency).
    pub paid_of: Vec<(String, String, String)>,
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
    winners: Vec<timeline::NamedParty>,
    paid: BTreeMap<String, BigDecimal>,
    contracted: BTreeMap<String, BigDecimal>,
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

fn load(
    conn: &mut diesel::PgConnection,
    rules: &RedFlagRules,
    ocid: String,
) -> Result<Loaded, AppError> {
    let data = load_process_page(conn, &ocid, rules, quality::SHOWN)?
        .ok_or_else(|| AppError::NotFound(format!("No contracting process {ocid} is known.")))?;
    loaded(data)
}

/// The page's parts from what the read found: the timeline in date order, each row with its
/// provenance.
fn loaded(d: ProcessPageData) -> Result<Loaded, AppError> {
    let (paid, contracted) = (d.paid(), d.contracted());
    let trust = &d.trust;
    let src = |batch_id: i64, line: i32| Provenance::known(trust, batch_id, line);
    let (steps, payment_sources) = timeline::steps(&d, &src)?;
    let winners = winners(&d);
    let process = d.process;
    let source = src(process.batch_id, process.line)?;
    let delivery_sources = d
        .carbon
        .deliveries
        .iter()
        .map(|c| src(c.delivery.batch_id, c.delivery.line))
        .collect::<Result<Vec<_>, _>>()?;
    let quality = QualityNotes::new(d.quality_total, d.quality_notes, trust)?;
    Ok(Loaded {
        process,
        winners,
        paid,
        contracted,
        buyer: d.buyer.map(|b| super::PartyLink {
            id: b.id,
            href: super::party_href(&b.code),
            code: b.code,
            name: b.name,
        }),
        parties: d.parties,
        steps,
        flags: d.flags,
        payments: d.payments,
        payment_sources,
        carbon: d.carbon,
        delivery_sources,
        source,
        quality,
    })
}

/// Who won: the suppliers of the awards that award something (not pending, cancelled or
/// unsuccessful), by name, each once.
fn winners(d: &ProcessPageData) -> Vec<timeline::NamedParty> {
    let mut codes: Vec<String> = Vec::new();
    for (award, suppliers) in &d.awards {
        let status = award.status.as_deref().unwrap_or("active");
        if ["pending", "cancelled", "unsuccessful"].contains(&status) {
            continue;
        }
        for code in suppliers {
            if !codes.contains(code) {
                codes.push(code.clone());
            }
        }
    }
    timeline::named(&codes, d)
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

fn payment_view(p: &Payment, src: Option<Provenance>) -> PaymentView {
    let (kind, reference, tx, finality, ledger_note) = match &p.source {
        PaymentSource::OcdsTransaction { transaction_id, .. } => match &p.evidence {
            Some(e) => (
                "OCDS transaction",
                transaction_id.clone(),
                Some(TxLink::new(e.chain_id, &e.tx_hash)),
                e.finality.clone(),
                "evidenced on the ledger",
            ),
            None => (
                "OCDS transaction",
                transaction_id.clone(),
                None,
                String::new(),
                "",
            ),
        },
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
            "no OCDS counterpart",
        ),
    };
    PaymentView {
        ledger_note,
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
                .map(|x| (x.name.clone(), flag_figure(x), x.source.clone()))
                .collect(),
        })
        .collect();
    let payments = d
        .payments
        .iter()
        .zip(d.payment_sources)
        .map(|(p, src)| payment_view(p, src))
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
                lot_href: crate::routes::provenance::lot_href(&x.lot_code),
                lot: x.lot_code.clone(),
                product: x.product_name.clone(),
                quantity: crate::fmt::quantity(&x.quantity, &x.unit),
                from_site: x.from_site.clone(),
                to_site_href: crate::routes::provenance::site_href(&x.to_site),
                to_site: x.to_site.clone(),
                supplier_href: super::party_href(&x.submitter),
                supplier_code: x.submitter.clone(),
                supplier: d
                    .parties
                    .iter()
                    .find(|(code, _)| *code == x.submitter)
                    .map(|(_, p)| p.name.clone())
                    .unwrap_or_else(|| x.submitter.clone()),
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
        winners: d.winners,
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
        paid_of: d
            .contracted
            .iter()
            .map(|(currency, value)| {
                let paid = d.paid.get(currency).cloned().unwrap_or_default();
                (amount(&paid), amount(value), currency.clone())
            })
            .collect(),
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

fn plain_amounts(amounts: &BTreeMap<String, BigDecimal>) -> BTreeMap<String, String> {
    amounts
        .iter()
        .map(|(currency, a)| (currency.clone(), citytrace_reads::spending::money::plain(a)))
        .collect()
}

#[derive(Serialize)]
struct ContractJson {
    ocid: String,
    title: Option<String>,
    buyer: Option<super::PartyLink>,
    /// Who won: the suppliers of its awards, by name.
    won_by: Vec<timeline::NamedParty>,
    procurement_method: Option<String>,
    main_procurement_category: Option<String>,
    tender_value: Option<BigDecimal>,
    tender_currency: Option<String>,
    number_of_tenderers: Option<i32>,
    source: ProvenanceJson,
    timeline: Vec<StepJson>,
    red_flags: Option<ProcessRedFlags>,
    payments: Vec<Payment>,
    /// Per currency: the payments (each once) and the values of the contracts that commit
    /// money, exact, without trailing zeros.
    paid: BTreeMap<String, String>,
    contracted: BTreeMap<String, String>,
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
        won_by: d.winners,
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
                what: s.sentence(),
                parties: s.who.clone(),
                date: s.when,
                stage: s.stage,
                value: s.value,
                source: s.source.as_ref().map(Provenance::json),
                tx: s.tx,
            })
            .collect(),
        red_flags: d.flags,
        payments: d.payments,
        paid: plain_amounts(&d.paid),
        contracted: plain_amounts(&d.contracted),
        embodied_carbon: d.carbon,
        data_quality_notes: d.quality.json(),
    }))
}
