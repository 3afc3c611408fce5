//! The home page's headline figures, each from the derived computations
//! (`citytrace_reads`, docs/methods/*.md) over one bounded period (this year), each
//! linking to its area. A figure with nothing behind it says "no data yet"; one that fails is
//! logged and shown as unavailable, without taking the page down. They are computed once per
//! change of the data, not per request ([`HeadlineCache`]).

mod cache;

pub use cache::{HeadlineCache, HeadlineFigures};

use bigdecimal::{BigDecimal, RoundingMode};
use chrono::{Datelike, NaiveDate, Utc};
use diesel::{Connection, PgConnection};
use serde::Serialize;

use citytrace_reads::carbon::{
    delivered_embodied_carbon, retired_credits, CarbonSettings, DeliveryFilter, ReportingPeriod,
};
use citytrace_reads::cold_chain::{cold_chain_compliance, ColdChainSettings};
use citytrace_reads::spending::{budget_vs_actual, BudgetFilter, BudgetRules, BudgetScope};
use citytrace_reads::waste::{city_rates, PeriodKind};
use citytrace_reads::MethodSettings;

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub key: &'static str,
    pub label: String,
    /// The figure; `None`: no data yet (or unavailable, see `detail`).
    pub value: Option<String>,
    pub detail: String,
    pub href: &'static str,
}

fn round(d: &BigDecimal, places: i64) -> String {
    d.with_scale_round(places, RoundingMode::HalfUp)
        .normalized()
        .to_plain_string()
}

/// The figure, and whether it could be computed.
fn figure(
    key: &'static str,
    label: String,
    href: &'static str,
    result: diesel::QueryResult<Option<(String, String)>>,
    empty: &str,
) -> (Figure, bool) {
    let ok = result.is_ok();
    let (value, detail) = match result {
        Ok(Some((v, d))) => (Some(v), d),
        Ok(None) => (None, empty.to_string()),
        Err(e) => {
            tracing::warn!(figure = key, error = %e, "home figure failed");
            (None, "not available right now".to_string())
        }
    };
    (
        Figure {
            key,
            label,
            value,
            detail,
            href,
        },
        ok,
    )
}

/// Paid this fiscal year against the departments' budgets, in the currency with the largest
/// budget.
fn spending(
    conn: &mut PgConnection,
    rules: &BudgetRules,
    year: i32,
) -> diesel::QueryResult<Option<(String, String)>> {
    let rows = budget_vs_actual(
        conn,
        rules,
        &BudgetFilter {
            fiscal_year: Some(year),
            department_id: None,
        },
        Utc::now(),
    )?;
    let mut by_currency: Vec<(String, BigDecimal, BigDecimal)> = Vec::new();
    for r in rows.iter().filter(|r| r.scope == BudgetScope::Department) {
        let i = match by_currency.iter().position(|(c, _, _)| *c == r.currency) {
            Some(i) => i,
            None => {
                by_currency.push((r.currency.clone(), BigDecimal::from(0), BigDecimal::from(0)));
                by_currency.len() - 1
            }
        };
        if let Some(b) = &r.budget {
            by_currency[i].1 += b;
        }
        by_currency[i].2 += &r.paid;
    }
    by_currency.sort_by(|a, b| b.1.cmp(&a.1));
    let Some((currency, budget, paid)) = by_currency.into_iter().next() else {
        return Ok(None);
    };
    let share = if budget > 0 {
        format!(
            " ({} %)",
            round(&(&paid * BigDecimal::from(100) / &budget), 1)
        )
    } else {
        String::new()
    };
    Ok(Some((
        format!("{} {currency}", crate::fmt::decimal(&paid, 0)),
        format!(
            "paid of {} {currency} budgeted{share}",
            crate::fmt::decimal(&budget, 0)
        ),
    )))
}

/// Embodied carbon of the materials delivered this year under a city department's contract.
fn carbon(conn: &mut PgConnection, year: i32) -> diesel::QueryResult<Option<(String, String)>> {
    let Some(period) = ReportingPeriod::year(year) else {
        return Ok(None);
    };
    let delivered = delivered_embodied_carbon(
        conn,
        &DeliveryFilter {
            with_buyer_only: true,
            period: Some(period),
            ..Default::default()
        },
    )?;
    if delivered.deliveries.is_empty() {
        return Ok(None);
    }
    let tonnes = &delivered.kg_co2e / BigDecimal::from(1000);
    let left_out = if delivered.not_computable > 0 {
        format!(", {} not computable", delivered.not_computable)
    } else {
        String::new()
    };
    Ok(Some((
        format!("{} t CO2e", round(&tonnes, 1)),
        format!(
            "embodied in {} to city contracts{left_out}",
            match delivered.deliveries.len() {
                1 => "1 delivery".to_string(),
                n => format!("{} deliveries", crate::fmt::count(n as i64)),
            }
        ),
    )))
}

fn recycling(conn: &mut PgConnection, year: i32) -> diesel::QueryResult<Option<(String, String)>> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(None);
    };
    let rates = city_rates(conn, PeriodKind::Year, first, last)?;
    Ok(rates.first().and_then(|r| {
        r.rates.recycling_percent.as_ref().map(|p| {
            (
                format!("{} %", round(p, 1)),
                format!(
                    "of {} t of waste treated",
                    round(&(&r.totals.treated_kg / BigDecimal::from(1000)), 1)
                ),
            )
        })
    }))
}

fn cold_chain(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
) -> diesel::QueryResult<Option<(String, String)>> {
    let c = cold_chain_compliance(conn, settings)?;
    Ok(c.compliance_rate_pct().map(|rate| {
        (
            format!("{} %", round(&rate, 1)),
            format!(
                "of {} shipments within their range or budget; {} in breach",
                c.shipments_assessed, c.breach
            ),
        )
    }))
}

/// Credits retired this year: the city's (those counted in its net position) when a beneficiary
/// is configured as the city's (`[methods.carbon]`), otherwise every retirement on the chains
/// followed, saying so.
fn credits(
    conn: &mut PgConnection,
    settings: &CarbonSettings,
    year: i32,
) -> diesel::QueryResult<Option<(String, String)>> {
    let Some(period) = ReportingPeriod::year(year) else {
        return Ok(None);
    };
    let r = retired_credits(conn, period, settings)?;
    if r.retirements.is_empty() {
        return Ok(None);
    }
    let city_configured = !(settings.city_beneficiary_addresses.is_empty()
        && settings.city_beneficiary_names.is_empty());
    if !city_configured {
        return Ok(Some((
            format!("{} t CO2e", round(&r.tonnes, 3)),
            format!("in {} retirements on chain", r.retirements.len()),
        )));
    }
    let counted = r.retirements.iter().filter(|c| c.counted).count();
    Ok(Some((
        format!("{} t CO2e", round(&r.city_tonnes, 3)),
        format!(
            "for the city, in {counted} of {} retirements on chain ({} t in all)",
            r.retirements.len(),
            round(&r.tonnes, 3)
        ),
    )))
}

/// Every headline figure, and whether all could be computed. Each runs in its own savepoint,
/// so one that fails leaves the others (and the caller's transaction) usable.
pub fn headline(conn: &mut PgConnection, methods: &MethodSettings) -> (Vec<Figure>, bool) {
    let year = Utc::now().year();
    let figures = vec![
        figure(
            "spending",
            format!("Spent in {year}"),
            "/spending",
            conn.transaction(|c| spending(c, &methods.spending.budget, year)),
            "no budget or payments yet",
        ),
        figure(
            "embodied_carbon",
            format!("Embodied carbon in city projects, {year}"),
            "/emissions",
            conn.transaction(|c| carbon(c, year)),
            "no deliveries under city contracts yet",
        ),
        figure(
            "recycling_rate",
            format!("Waste recycled, {year}"),
            "/waste",
            conn.transaction(|c| recycling(c, year)),
            "no waste treated yet",
        ),
        figure(
            "cold_chain_compliance",
            "Cold-chain compliance".into(),
            "/cold-chain",
            conn.transaction(|c| cold_chain(c, &methods.cold_chain)),
            "no shipments with readings yet",
        ),
        figure(
            "credits_retired",
            format!("Carbon credits retired, {year}"),
            "/emissions",
            conn.transaction(|c| credits(c, &methods.carbon, year)),
            "no retirements yet",
        ),
    ];
    let complete = figures.iter().all(|(_, ok)| *ok);
    (figures.into_iter().map(|(f, _)| f).collect(), complete)
}
