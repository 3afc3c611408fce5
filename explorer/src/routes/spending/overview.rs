//! `GET /spending` and `/api/v1/spending`: budget vs actual of one fiscal year (`?year=`,
//! default the latest year with budget lines) per department and per program / COFOG line,
//! with a chart, the flags, and the procurement red flags at a glance.

use std::collections::BTreeMap;

mod executed_vs_paid;
mod export;

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::{BigDecimal, Zero};
use chrono::Utc;

use citytrace_reads::spending::overview::{load_spending_overview, SpendingOverview};
use citytrace_reads::spending::{
    city_totals, BudgetScope, BudgetVsActual, CityTotals, RedFlagRule,
};

use super::bar_chart::{grouped_bars, Group, Series};
use super::evidence::{amount, approx, flag_figure};
use crate::error::AppError;
use crate::layout::Layout;
use crate::state::AppState;
pub use executed_vs_paid::ExecutedRow;

pub struct FlagView {
    pub id: &'static str,
    pub name: &'static str,
    pub figures: String,
}

pub struct BudgetRow {
    /// The department row's anchor (`department-<id>-<currency>`), linked from the executed vs
    /// paid table.
    pub anchor: String,
    pub department: String,
    pub department_href: String,
    pub is_department: bool,
    pub program: String,
    pub cofog: String,
    pub cofog_name: &'static str,
    pub currency: String,
    pub approved: String,
    pub adjusted: String,
    pub budget: String,
    pub committed: String,
    pub paid: String,
    pub paid_ledger: String,
    /// Department rows: "of which not attributable to a line: …" when some of its money
    /// cannot be put on one of its lines; empty otherwise.
    pub committed_note: String,
    pub paid_note: String,
    pub flags: Vec<FlagView>,
    /// (budget line id, its page).
    pub lines: Vec<(String, String)>,
}

pub struct CofogRow {
    pub cofog: String,
    pub name: &'static str,
    pub currency: String,
    pub budget: String,
    pub committed: String,
    pub paid: String,
}

pub struct RuleCount {
    pub id: &'static str,
    pub name: &'static str,
    pub count: usize,
    pub href: String,
}

pub struct FlaggedProcess {
    pub ocid: String,
    pub href: String,
    pub title: String,
    pub buyer: String,
    pub buyer_href: String,
    /// (key, in words).
    pub flags: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "spending/overview.html")]
pub struct SpendingPage {
    pub layout: Layout,
    pub year: Option<i32>,
    /// (year, selected).
    pub years: Vec<(i32, bool)>,
    /// Executed as reported vs paid as evidenced, per department, then the city.
    pub executed: Vec<ExecutedRow>,
    pub rows: Vec<BudgetRow>,
    pub cofog: Vec<CofogRow>,
    pub chart: String,
    pub processes_total: usize,
    pub rule_counts: Vec<RuleCount>,
    pub flagged: Vec<FlaggedProcess>,
    pub flagged_total: usize,
}

fn or_dash(v: &Option<BigDecimal>) -> String {
    v.as_ref().map(amount).unwrap_or_else(|| "–".into())
}

/// The overview of the year asked for (`citytrace_reads::spending::overview`).
async fn overview(state: &AppState, asked: Option<i32>) -> Result<SpendingOverview, AppError> {
    let methods = state.methods.clone();
    state
        .db(move |conn| {
            let settings = &methods.spending;
            Ok(load_spending_overview(conn, settings, asked, Utc::now())?)
        })
        .await
}

pub async fn page(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, AppError> {
    let asked = super::year_param(&query)?;
    let format = format_param(&query)?;
    let data = overview(&state, asked).await?;
    match format {
        "csv" => {
            let csv = export::overview_csv(
                &data.rows,
                |r| {
                    data.departments
                        .get(&r.department_id)
                        .map(|p| p.name.clone())
                        .unwrap_or_default()
                },
                &city_totals(&data.rows),
            );
            return Ok(export::csv_response(csv, data.year));
        }
        "json" => return Ok(super::json(&spending_json(data))),
        _ => {}
    }
    let buyers = super::party_links(&data.buyers);
    let departments = super::party_links(&data.departments);
    let mut rows = Vec::new();
    // Per COFOG division and currency: budget, committed, paid, and whether a line of it had
    // committed / paid money that is not attributable to a line.
    let mut cofog: BTreeMap<(String, String), ([BigDecimal; 3], [bool; 2])> = BTreeMap::new();
    let mut groups = Vec::new();
    let currencies: std::collections::BTreeSet<&str> =
        data.rows.iter().map(|r| r.currency.as_str()).collect();
    for r in &data.rows {
        let (is_department, program, code, lines) = match &r.scope {
            BudgetScope::Department => (true, String::new(), String::new(), Vec::new()),
            BudgetScope::Line {
                cofog: c,
                program,
                budget_line_ids,
            } => {
                let e = cofog
                    .entry((c.get(..2).unwrap_or(c).to_string(), r.currency.clone()))
                    .or_default();
                e.0[0] += r.budget.clone().unwrap_or_default();
                e.0[1] += &r.committed;
                e.0[2] += &r.paid;
                e.1[0] |= r.committed_not_attributable;
                e.1[1] |= r.paid_not_attributable;
                (
                    false,
                    program.clone().unwrap_or_default(),
                    c.clone(),
                    budget_line_ids
                        .iter()
                        .map(|id| (id.clone(), super::budget_line_href(r.fiscal_year, id)))
                        .collect(),
                )
            }
        };
        let department = departments
            .get(&r.department_id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| r.department.clone());
        if is_department {
            groups.push(Group {
                label: if currencies.len() > 1 {
                    format!("{department} ({})", r.currency)
                } else {
                    department.clone()
                },
                values: vec![
                    r.budget.as_ref().map(approx),
                    Some(approx(&r.committed)),
                    Some(approx(&r.paid)),
                ],
            });
        }
        rows.push(BudgetRow {
            anchor: format!("department-{}-{}", r.department_id, r.currency),
            department_href: super::party_href(&r.department),
            department,
            is_department,
            program,
            cofog_name: if code.is_empty() {
                ""
            } else {
                super::cofog_name(&code)
            },
            cofog: code,
            currency: r.currency.clone(),
            approved: or_dash(&r.approved),
            adjusted: or_dash(&r.adjusted),
            budget: or_dash(&r.budget),
            committed: on_line(&r.committed, r.committed_not_attributable),
            paid: on_line(&r.paid, r.paid_not_attributable),
            paid_ledger: amount(&r.paid_ledger),
            committed_note: not_attributable_note(is_department, &r.unallocated_committed),
            paid_note: not_attributable_note(is_department, &r.unallocated_paid),
            flags: r
                .flags
                .iter()
                .map(|f| FlagView {
                    id: f.kind.id(),
                    name: f.kind.name(),
                    figures: f
                        .figures
                        .iter()
                        .map(|x| format!("{}: {} ({})", x.name, flag_figure(x), x.source))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
                .collect(),
            lines,
        });
    }
    let chart = if groups.is_empty() {
        String::new()
    } else {
        grouped_bars(
            &format!(
                "Budget, committed and paid per department, fiscal year {}",
                data.year.unwrap_or_default()
            ),
            &[
                Series {
                    label: "Budget",
                    class: "bar-1",
                },
                Series {
                    label: "Committed",
                    class: "bar-2",
                },
                Series {
                    label: "Paid",
                    class: "bar-3",
                },
            ],
            &groups,
        )
    };
    let rule_counts = data
        .flagged
        .counts
        .iter()
        .map(|(rule, n)| RuleCount {
            id: rule.id(),
            name: rule.name(),
            count: *n,
            href: format!("/spending/procurement?flag={}", rule.id()),
        })
        .collect();
    let flagged = data
        .flagged
        .processes
        .iter()
        .map(|p| {
            let buyer = p.buyer_id.and_then(|id| buyers.get(&id));
            FlaggedProcess {
                href: super::contract_href(&p.ocid),
                ocid: p.ocid.clone(),
                title: p.title.clone().unwrap_or_default(),
                buyer: buyer.map(|b| b.name.clone()).unwrap_or_default(),
                buyer_href: buyer.map(|b| b.href.clone()).unwrap_or_default(),
                flags: p
                    .flags
                    .iter()
                    .map(|r: &RedFlagRule| (r.id(), r.name()))
                    .collect(),
            }
        })
        .collect();
    let page = SpendingPage {
        layout: Layout::new("Spending", "/spending"),
        year: data.year,
        years: data
            .years
            .iter()
            .map(|y| (*y, Some(*y) == data.year))
            .collect(),
        executed: executed_vs_paid::executed_rows(&data.rows, &departments),
        rows,
        cofog: cofog
            .into_iter()
            .map(|((c, currency), ([b, cm, p], [cm_na, p_na]))| CofogRow {
                name: super::cofog_name(&c),
                cofog: c.clone(),
                currency,
                budget: amount(&b),
                committed: on_line(&cm, cm_na),
                paid: on_line(&p, p_na),
            })
            .collect(),
        chart,
        processes_total: data.processes_total,
        rule_counts,
        flagged,
        flagged_total: data.flagged.total,
    };
    crate::routes::html(&page)
}

/// Money on a budget line: "not attributable to a line" when nothing was put on it while its
/// department has money that cannot be placed on one of its lines (never a bare 0.00).
fn on_line(value: &BigDecimal, not_attributable: bool) -> String {
    if not_attributable && value.is_zero() {
        NOT_ATTRIBUTABLE.to_string()
    } else {
        amount(value)
    }
}

/// A department row's share that is not attributable to one of its lines, as a note.
fn not_attributable_note(is_department: bool, unallocated: &BigDecimal) -> String {
    if is_department && !unallocated.is_zero() {
        format!("of which {} {NOT_ATTRIBUTABLE}", amount(unallocated))
    } else {
        String::new()
    }
}

const NOT_ATTRIBUTABLE: &str = "not attributable to a line";

#[derive(serde::Serialize)]
struct SpendingJson {
    fiscal_year: Option<i32>,
    fiscal_years: Vec<i32>,
    budget_vs_actual: Vec<BudgetVsActual>,
    /// The departments summed per currency: budget, executed as reported, committed, paid as
    /// evidenced and the gap between executed and paid.
    city_totals: Vec<CityTotals>,
    processes: usize,
    flagged_processes: usize,
    red_flag_counts: BTreeMap<&'static str, usize>,
}

/// `?format=`: the page (`html`, the default), `csv` (its tables) or `json` (its twin).
fn format_param(query: &crate::query::QueryParams) -> Result<&'static str, AppError> {
    match query
        .get("format")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "" | "html" => Ok("html"),
        "csv" => Ok("csv"),
        "json" => Ok("json"),
        other => Err(AppError::BadRequest(format!(
            "format must be html, csv or json, not {}",
            crate::query::quoted(other)
        ))),
    }
}

pub async fn api(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, crate::error::ApiError> {
    let asked = super::year_param(&query)?;
    let data = overview(&state, asked).await?;
    Ok(super::json(&spending_json(data)))
}

fn spending_json(data: SpendingOverview) -> SpendingJson {
    SpendingJson {
        fiscal_year: data.year,
        fiscal_years: data.years,
        city_totals: city_totals(&data.rows),
        budget_vs_actual: data.rows,
        processes: data.processes_total,
        flagged_processes: data.flagged.total,
        red_flag_counts: data
            .flagged
            .counts
            .iter()
            .map(|(r, n)| (r.id(), *n))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> BigDecimal {
        text.parse().unwrap()
    }

    /// The budget_lines city of the reads tests (docs/methods/spending.md): PW-LIGHT has nothing
    /// on it while 800 of its department's commitments are on no line.
    #[test]
    fn a_line_with_nothing_on_it_while_money_is_unplaced_says_so_instead_of_zero() {
        assert_eq!(on_line(&d("0"), true), "not attributable to a line");
        assert_eq!(on_line(&d("0"), false), "0.00");
        assert_eq!(on_line(&d("1000"), true), "1\u{2009}000.00");
        assert_eq!(
            not_attributable_note(true, &d("800")),
            "of which 800.00 not attributable to a line"
        );
        assert_eq!(not_attributable_note(true, &d("0")), "");
        assert_eq!(not_attributable_note(false, &d("800")), "");
    }
}
