//! `GET /spending/budget/{year}/{line}` and its JSON twin: the money trail from one budget
//! line — the contracts committed on it, their payments, their suppliers, and what was
//! delivered under them (`follow_the_money`, docs/methods/spending.md).

use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_reads::spending::{follow_the_money, BudgetLink, MoneyTrail, PaymentSource};
use citytrace_reads::SpendingSettings;

use diesel::prelude::*;

use citytrace_schema::models::BudgetLine;
use citytrace_schema::schema::budget_lines;

use super::evidence::{amount, date, Evidence, Provenance, TxLink};
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::state::AppState;

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

/// The imported rows of the line (every phase, every submitter), in file order.
fn phase_rows(
    conn: &mut diesel::PgConnection,
    year: i32,
    line: &str,
    ev: &mut Evidence,
) -> Result<Vec<PhaseRow>, AppError> {
    let rows: Vec<BudgetLine> = budget_lines::table
        .filter(budget_lines::fiscal_year.eq(year))
        .filter(budget_lines::budget_line_id.eq(line))
        .order((budget_lines::batch_id, budget_lines::line))
        .select(BudgetLine::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(PhaseRow {
                source: ev.row(conn, r.batch_id, r.line)?,
                phase: r.phase,
                amount: format!("{} {}", amount(&r.amount), r.currency),
                description: r.description.unwrap_or_default(),
                submitter: r.submitter,
            })
        })
        .collect()
}

fn load(
    conn: &mut diesel::PgConnection,
    settings: &SpendingSettings,
    year: i32,
    line: String,
) -> Result<(MoneyTrail, PaymentSources, Vec<PhaseRow>), AppError> {
    let trail = follow_the_money(
        conn,
        year,
        &line,
        &settings.budget,
        &settings.follow_the_money,
    )?
    .ok_or_else(|| {
        AppError::NotFound(format!(
            "No expenditure budget line {line} in fiscal year {year}."
        ))
    })?;
    let mut ev = Evidence::default();
    let phases = phase_rows(conn, year, &line, &mut ev)?;
    let mut sources = Vec::new();
    for p in &trail.processes {
        let mut per_contract = Vec::new();
        for c in &p.contracts {
            let mut per_payment = Vec::new();
            for pay in &c.payments {
                per_payment.push(match &pay.source {
                    PaymentSource::OcdsTransaction { batch_id, line, .. } => {
                        Some(ev.row(conn, *batch_id, *line)?)
                    }
                    PaymentSource::Ledger { .. } => None,
                });
            }
            per_contract.push(per_payment);
        }
        sources.push(per_contract);
    }
    Ok((trail, sources, phases))
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
) -> Result<HttpResponse, AppError> {
    let (year, line) = year_and_line(path.into_inner())?;
    let methods = state.methods.clone();
    let (trail, sources, phases) = state
        .db(move |conn| load(conn, &methods.spending, year, line))
        .await?;
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
                    href: format!("/lots/{}", crate::fmt::path_segment(&l.code)),
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
    let methods = state.methods.clone();
    let (trail, _, _) = state
        .db(move |conn| load(conn, &methods.spending, year, line))
        .await?;
    Ok(super::json(&trail))
}
