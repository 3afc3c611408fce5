//! `GET /spending/budget/{year}/{line}` and its JSON twin: the money trail from one budget
//! line — the contracts committed on it, their payments, their suppliers, and what was
//! delivered under them (`follow_the_money`, docs/methods/spending.md).

use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_reads::spending::budget_line::{load_budget_line, BudgetLineData};
use citytrace_reads::spending::{BudgetLink, Payment, PaymentSource};

use super::evidence::{amount, date, Provenance, TxLink};
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::state::AppState;
use export::Export;

mod export;

pub struct PaymentView {
    pub date: String,
    pub amount: String,
    pub currency: String,
    pub payee: String,
    pub kind: &'static str,
    pub source: Option<Provenance>,
    pub tx: Option<TxLink>,
}

/// One imported row of the budget line (a phase's amount).
pub struct PhaseRow {
    pub phase: String,
    pub amount: String,
    pub description: String,
    pub submitter: String,
    pub source: Provenance,
}

pub struct SupplierView {
    pub name: String,
    pub code: String,
    pub href: String,
}

pub struct ContractView {
    pub contract_id: String,
    pub title: String,
    pub status: String,
    pub value: String,
    pub committed_at: String,
    pub paid: String,
    pub suppliers: Vec<SupplierView>,
    pub payments: Vec<PaymentView>,
}

pub struct LotView {
    pub code: String,
    pub href: String,
    pub product: String,
    pub delivered: String,
    pub origin: String,
}

pub struct ProcessView {
    pub ocid: String,
    pub href: String,
    pub title: String,
    pub link: String,
    pub contracts: Vec<ContractView>,
    pub shipments: usize,
    pub lots: Vec<LotView>,
    pub truncated: bool,
}

#[derive(Template)]
#[template(path = "spending/budget_line.html")]
pub struct BudgetLinePage {
    pub layout: Layout,
    pub year: i32,
    pub line_id: String,
    pub department: String,
    pub department_href: String,
    pub program: String,
    pub cofog: String,
    pub cofog_name: &'static str,
    pub currency: String,
    pub approved: String,
    pub adjusted: String,
    pub executed: String,
    pub phases: Vec<PhaseRow>,
    pub processes: Vec<ProcessView>,
    pub processes_truncated: bool,
    pub api_href: String,
}

/// Per process, per contract, per payment: the OCDS transaction row (ledger payments: none).
type PaymentSources = Vec<Vec<Vec<Option<Provenance>>>>;

/// The line's imported rows (every phase, every submitter), in file order.
fn phase_rows(data: &BudgetLineData) -> Result<Vec<PhaseRow>, AppError> {
    data.phases
        .iter()
        .map(|r| {
            Ok(PhaseRow {
                source: Provenance::known(&data.trust, r.batch_id, r.line)?,
                phase: r.phase.clone(),
                amount: format!("{} {}", amount(&r.amount), r.currency),
                description: r.description.clone().unwrap_or_default(),
                submitter: r.submitter.clone(),
            })
        })
        .collect()
}

/// The OCDS transaction row of each payment of the trail (ledger payments: none).
fn payment_sources(data: &BudgetLineData) -> Result<PaymentSources, AppError> {
    let source = |pay: &Payment| match &pay.source {
        PaymentSource::OcdsTransaction { batch_id, line, .. } => {
            Provenance::known(&data.trust, *batch_id, *line).map(Some)
        }
        PaymentSource::Ledger { .. } => Ok(None),
    };
    data.trail
        .processes
        .iter()
        .map(|p| {
            p.contracts
                .iter()
                .map(|c| c.payments.iter().map(source).collect())
                .collect()
        })
        .collect()
}

/// Budget line `line` of fiscal year `year` (`citytrace_reads::spending::budget_line`).
async fn budget_line(
    state: &AppState,
    year: i32,
    line: String,
) -> Result<BudgetLineData, AppError> {
    let methods = state.methods.clone();
    let asked = line.clone();
    state
        .db(move |conn| Ok(load_budget_line(conn, &methods.spending, year, &asked)?))
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "No expenditure budget line {line} in fiscal year {year}."
            ))
        })
}

/// `{year}` must be a year: anything else names no budget line (404, as HTML or JSON).
fn year_and_line((year, line): (String, String)) -> Result<(i32, String), AppError> {
    match year.parse::<i32>() {
        Ok(y) => Ok((y, line)),
        Err(_) => Err(AppError::NotFound(format!(
            "No budget line {line} in fiscal year {year:?}: the year is not a number."
        ))),
    }
}

fn or_dash(v: &Option<bigdecimal::BigDecimal>) -> String {
    v.as_ref().map(amount).unwrap_or_else(|| "–".into())
}

pub async fn page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, AppError> {
    let export = export::wanted(&query)?;
    let (year, line) = year_and_line(path.into_inner())?;
    let data = budget_line(&state, year, line).await?;
    match export {
        Export::Csv => return Ok(export::csv(&data.trail)),
        Export::Json => return Ok(super::json(&data.trail)),
        Export::Page => {}
    }
    let phases = phase_rows(&data)?;
    let sources = payment_sources(&data)?;
    let trail = &data.trail;
    let b = &trail.budget_line;
    let processes = trail
        .processes
        .iter()
        .zip(sources)
        .map(|(p, sources)| ProcessView {
            href: super::contract_href(&p.ocid),
            ocid: p.ocid.clone(),
            title: p.title.clone().unwrap_or_default(),
            link: match p.link {
                BudgetLink::Planned => "on this line (the process is planned on it: planning.budget)".into(),
                BudgetLink::PlannedOnSeveral { classifications } => format!(
                    "not attributable to a line: the process is planned on lines of {classifications} classifications"
                ),
                BudgetLink::Line => "on this line (the department's only budget line that year)".into(),
                BudgetLink::DepartmentYear { classifications } => format!(
                    "not attributable to a line: nothing links it to one, and the department has {classifications} budget lines"
                ),
            },
            contracts: p
                .contracts
                .iter()
                .zip(sources)
                .map(|(c, sources)| ContractView {
                    contract_id: c.contract_id.clone(),
                    title: c.title.clone().unwrap_or_default(),
                    status: c.status.clone().unwrap_or_default(),
                    value: format!("{} {}", or_dash(&c.value), c.currency.as_deref().unwrap_or("")),
                    committed_at: c.committed_at.as_ref().map(date).unwrap_or_else(|| "undated".into()),
                    paid: format!("{} {}", amount(&c.paid), c.currency.as_deref().unwrap_or("")),
                    suppliers: c
                        .suppliers
                        .iter()
                        .map(|s| SupplierView { name: s.name.clone(), code: s.code.clone(), href: super::party_href(&s.code) })
                        .collect(),
                    payments: c
                        .payments
                        .iter()
                        .zip(sources)
                        .map(|(pay, source)| PaymentView {
                            date: pay.paid_at.as_ref().map(date).unwrap_or_else(|| "undated".into()),
                            amount: amount(&pay.amount),
                            currency: pay.currency.clone().unwrap_or_default(),
                            payee: pay.payee.clone().unwrap_or_default(),
                            kind: if pay.is_ledger() { "ledger payment" } else { "OCDS transaction" },
                            tx: match &pay.source {
                                PaymentSource::Ledger { chain_id, tx_hash, .. } => Some(TxLink::new(*chain_id, tx_hash)),
                                PaymentSource::OcdsTransaction { .. } => None,
                            },
                            source,
                        })
                        .collect(),
                })
                .collect(),
            shipments: p.shipments.len(),
            lots: p
                .lots
                .iter()
                .map(|l| LotView {
                    href: crate::routes::provenance::lot_href(&l.code),
                    code: l.code.clone(),
                    product: l.product.clone(),
                    delivered: l
                        .delivered
                        .iter()
                        .map(|(q, u)| format!("{} {u}", q.normalized().to_plain_string()))
                        .collect::<Vec<_>>()
                        .join(" + "),
                    origin: l.origin_site.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
                })
                .collect(),
            truncated: p.lots_truncated || p.shipment_lines_truncated,
        })
        .collect();
    let page = BudgetLinePage {
        layout: Layout::new(
            &format!("Budget line {} ({})", b.budget_line_id, b.fiscal_year),
            "/spending",
        ),
        year: b.fiscal_year,
        api_href: format!(
            "/api/v1/spending/budget/{}/{}",
            b.fiscal_year,
            crate::fmt::path_segment(&b.budget_line_id)
        ),
        line_id: b.budget_line_id.clone(),
        department_href: super::party_href(&b.department),
        department: b.department.clone(),
        program: b.program.clone().unwrap_or_default(),
        cofog_name: super::cofog_name(&b.cofog),
        cofog: b.cofog.clone(),
        currency: b.currency.clone(),
        approved: or_dash(&b.approved),
        adjusted: or_dash(&b.adjusted),
        executed: or_dash(&b.executed_reported),
        phases,
        processes,
        processes_truncated: trail.processes_truncated,
    };
    crate::routes::html(&page)
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (year, line) = year_and_line(path.into_inner())?;
    let data = budget_line(&state, year, line).await?;
    Ok(super::json(&data.trail))
}
