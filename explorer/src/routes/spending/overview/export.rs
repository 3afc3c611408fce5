//! `/spending?format=csv|json`: the overview's tables as data. CSV: one record per department
//! and per program / COFOG line (the budget vs actual table), then the city's totals per
//! currency, every amount exact in its currency (an empty cell: the figure is not reported,
//! which is not 0); JSON: the page's JSON twin (`/api/v1/spending`).

use actix_web::HttpResponse;
use bigdecimal::BigDecimal;

use citytrace_reads::spending::{BudgetScope, BudgetVsActual, CityTotals};

use crate::listing::csv_line;

pub const CSV_HEADER: [&str; 22] = [
    "fiscal_year",
    "scope",
    "department",
    "department_name",
    "program",
    "cofog",
    "cofog_name",
    "budget_line_ids",
    "currency",
    "approved",
    "adjusted",
    "budget",
    "executed_reported",
    "committed",
    "paid",
    "paid_ocds",
    "paid_ocds_evidenced_on_ledger",
    "paid_ledger",
    "executed_minus_paid",
    "not_attributable_to_a_line",
    "flags",
    "flag_names",
];

fn exact(v: &BigDecimal) -> (String, bool) {
    (v.normalized().to_plain_string(), true)
}

fn optional(v: Option<&BigDecimal>) -> (String, bool) {
    v.map_or((String::new(), false), exact)
}

fn text(t: impl Into<String>) -> (String, bool) {
    (t.into(), false)
}

/// One budget vs actual row; `name`: the department's name.
fn row_cells(r: &BudgetVsActual, name: &str) -> Vec<(String, bool)> {
    let (scope, program, cofog, lines) = match &r.scope {
        BudgetScope::Department => ("department", String::new(), String::new(), String::new()),
        BudgetScope::Line {
            cofog,
            program,
            budget_line_ids,
        } => (
            "line",
            program.clone().unwrap_or_default(),
            cofog.clone(),
            budget_line_ids.join(" "),
        ),
    };
    let not_attributable = match (r.committed_not_attributable, r.paid_not_attributable) {
        (true, true) => "committed paid",
        (true, false) => "committed",
        (false, true) => "paid",
        (false, false) => "",
    };
    let cofog_name = if cofog.is_empty() {
        ""
    } else {
        super::super::cofog_name(&cofog)
    };
    vec![
        (r.fiscal_year.to_string(), true),
        text(scope),
        text(r.department.clone()),
        text(name),
        text(program),
        text(cofog),
        text(cofog_name),
        text(lines),
        text(r.currency.clone()),
        optional(r.approved.as_ref()),
        optional(r.adjusted.as_ref()),
        optional(r.budget.as_ref()),
        optional(r.executed_reported.as_ref()),
        exact(&r.committed),
        exact(&r.paid),
        exact(&r.paid_ocds),
        exact(&r.paid_ocds_evidenced_on_ledger),
        exact(&r.paid_ledger),
        optional(r.executed_not_evidenced.as_ref()),
        text(not_attributable),
        text(
            r.flags
                .iter()
                .map(|f| f.kind.id())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        text(
            r.flags
                .iter()
                .map(|f| f.kind.name())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

fn city_cells(t: &CityTotals) -> Vec<(String, bool)> {
    vec![
        (t.fiscal_year.to_string(), true),
        text("city"),
        text(""),
        text("The city"),
        text(""),
        text(""),
        text(""),
        text(""),
        text(t.currency.clone()),
        optional(t.approved.as_ref()),
        optional(t.adjusted.as_ref()),
        optional(t.budget.as_ref()),
        optional(t.executed_reported.as_ref()),
        exact(&t.committed),
        exact(&t.paid),
        exact(&t.paid_ocds),
        exact(&t.paid_ocds_evidenced_on_ledger),
        exact(&t.paid_ledger),
        optional(t.executed_not_evidenced.as_ref()),
        text(""),
        text(""),
        text(""),
    ]
}

/// The CSV of the overview: its rows (with each department's name from `name_of`), then the
/// city's totals.
pub fn overview_csv(
    rows: &[BudgetVsActual],
    name_of: impl Fn(&BudgetVsActual) -> String,
    city: &[CityTotals],
) -> String {
    let mut out = csv_line(CSV_HEADER.iter().map(|h| text(*h)));
    for r in rows {
        out.push_str(&csv_line(row_cells(r, &name_of(r)).into_iter()));
    }
    for t in city {
        out.push_str(&csv_line(city_cells(t).into_iter()));
    }
    out
}

/// The CSV as a download named for its year.
pub fn csv_response(csv: String, year: Option<i32>) -> HttpResponse {
    let name = match year {
        Some(y) => format!("spending-{y}.csv"),
        None => "spending.csv".to_string(),
    };
    crate::listing::csv_download(&name, csv)
}
