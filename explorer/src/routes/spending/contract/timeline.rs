//! The contracting process's timeline: tender → bids → awards → contracts → amendments →
//! payments, in date order, each step with the row it comes from.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use serde::Serialize;

use citytrace_reads::spending::process_page::ProcessPageData;
use citytrace_reads::spending::{Payment, PaymentSource};
use citytrace_schema::models::{ProcurementAmendment, ProcurementProcess};

use super::super::evidence::{amount, date, Provenance, ProvenanceJson, TxLink};
use crate::error::AppError;

/// A party a step names: by name, its code in the title, linked to its page.
#[derive(Serialize, Clone)]
pub struct NamedParty {
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub href: String,
}

/// The parties with these codes, by name (the name the process's releases give them, else the
/// code).
pub fn named(codes: &[String], d: &ProcessPageData) -> Vec<NamedParty> {
    codes
        .iter()
        .map(|code| NamedParty {
            name: d
                .parties
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, p)| p.name.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| code.clone()),
            href: super::super::party_href(code),
            code: code.clone(),
        })
        .collect()
}

/// One step of the process: `what`, then the parties it names (`who`), then `after`.
pub struct Step {
    pub when: Option<DateTime<Utc>>,
    pub date: String,
    pub stage: &'static str,
    pub what: String,
    pub who: Vec<NamedParty>,
    pub after: String,
    pub value: String,
    pub source: Option<Provenance>,
    pub tx: Option<TxLink>,
}

#[derive(Serialize)]
pub struct StepJson {
    pub date: Option<DateTime<Utc>>,
    pub stage: &'static str,
    pub what: String,
    pub parties: Vec<NamedParty>,
    pub value: String,
    pub source: Option<ProvenanceJson>,
    pub tx: Option<TxLink>,
}

/// The steps of the process in date order (undated last), and the provenance of each payment's
/// row (OCDS transactions only), in the read's order of payments.
pub fn steps(
    d: &ProcessPageData,
    src: &dyn Fn(i64, i32) -> Result<Provenance, AppError>,
) -> Result<(Vec<Step>, Vec<Option<Provenance>>), AppError> {
    let mut steps = Vec::new();
    if let Some(tender) = tender_step(&d.process, src)? {
        steps.push(tender);
    }
    for (b, tenderers) in &d.bids {
        let mut bid = step(
            b.bid_date,
            "bid",
            format!("Bid {} by", b.bid_id),
            money(&b.value, &b.currency),
            Some(src(b.batch_id, b.line)?),
            None,
        );
        naming(
            &mut bid,
            named(tenderers, d),
            "an unnamed tenderer",
            &b.status,
        );
        steps.push(bid);
    }
    for (a, suppliers) in &d.awards {
        let mut award = step(
            a.award_date,
            "award",
            format!("Award {} to", a.award_id),
            money(&a.value, &a.currency),
            Some(src(a.batch_id, a.line)?),
            None,
        );
        naming(
            &mut award,
            named(suppliers, d),
            "no named supplier",
            &a.status,
        );
        steps.push(award);
    }
    for c in &d.contracts {
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
            Some(src(c.batch_id, c.line)?),
            None,
        ));
    }
    for a in &d.amendments {
        steps.push(amendment_step(a, src(a.batch_id, a.line)?));
    }
    let mut payment_sources = Vec::new();
    for p in &d.payments {
        let (step, source) = payment_step(p, &src)?;
        steps.push(step);
        payment_sources.push(source);
    }
    steps.sort_by(|a, b| match (a.when, b.when) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Ok((steps, payment_sources))
}

/// A step naming `who` (or saying `nobody`), then its status.
fn naming(step: &mut Step, who: Vec<NamedParty>, nobody: &str, status: &Option<String>) {
    if who.is_empty() {
        step.what = format!("{} {nobody}", step.what);
    }
    step.who = who;
    step.after = status
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
}

fn tender_step(
    process: &ProcurementProcess,
    src: &dyn Fn(i64, i32) -> Result<Provenance, AppError>,
) -> Result<Option<Step>, AppError> {
    if process.tender_period_start.is_some()
        || process.tender_value.is_some()
        || process.procurement_method.is_some()
    {
        return Ok(Some(step(
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
            Some(src(process.batch_id, process.line)?),
            None,
        )));
    }
    Ok(None)
}

pub fn money(value: &Option<BigDecimal>, currency: &Option<String>) -> String {
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
        who: Vec::new(),
        after: String::new(),
        value,
        source,
        tx,
    }
}

impl Step {
    /// The step in words, the parties by name: "Award a1 to Alpha Works (active)".
    pub fn sentence(&self) -> String {
        let who: Vec<&str> = self.who.iter().map(|p| p.name.as_str()).collect();
        if who.is_empty() {
            format!("{}{}", self.what, self.after)
        } else {
            format!("{} {}{}", self.what, who.join(", "), self.after)
        }
    }
}

fn amendment_step(a: &ProcurementAmendment, source: Provenance) -> Step {
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
    step(
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
        Some(source),
        None,
    )
}

/// A payment's step of the timeline, and the provenance of its row (OCDS transactions only).
fn payment_step(
    p: &Payment,
    src: &dyn Fn(i64, i32) -> Result<Provenance, AppError>,
) -> Result<(Step, Option<Provenance>), AppError> {
    let (source, tx, what) = match &p.source {
        PaymentSource::OcdsTransaction {
            transaction_id,
            batch_id,
            line,
        } => match &p.evidence {
            Some(e) => (
                Some(src(*batch_id, *line)?),
                Some(TxLink::new(e.chain_id, &e.tx_hash)),
                format!("Payment {transaction_id} (OCDS transaction, evidenced on the ledger)"),
            ),
            None => (
                Some(src(*batch_id, *line)?),
                None,
                format!("Payment {transaction_id} (OCDS transaction)"),
            ),
        },
        PaymentSource::Ledger {
            chain_id,
            tx_hash,
            payment_id,
            ..
        } => (
            None,
            Some(TxLink::new(*chain_id, tx_hash)),
            format!(
                "Payment {} on the city ledger (no OCDS counterpart)",
                super::short(payment_id)
            ),
        ),
    };
    let step = step(
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
        source.clone(),
        tx,
    );
    Ok((step, source))
}
