//! The home page's headline figures, each from the derived computations over one bounded
//! period (the year asked for), read in one snapshot with the version of the data they come
//! from. Each figure is read in its own savepoint: one that fails is returned as its error and
//! leaves the others (and the snapshot) usable.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::load_data_version;
use crate::carbon::{
    delivered_embodied_carbon, retired_credits, CarbonSettings, DeliveryFilter, ReportingPeriod,
};
use crate::cold_chain::{cold_chain_compliance, ColdChainSettings};
use crate::spending::{budget_vs_actual, city_totals, BudgetFilter, BudgetRules, CityTotals};
use crate::waste::{city_rates, PeriodKind};
use crate::MethodSettings;

/// The city's budget of the fiscal year beside what its departments report as executed and
/// what published payments evidence, in the currency with the largest budget
/// ([`crate::spending::city_totals`]).
pub type SpendingHeadline = CityTotals;

/// The embodied carbon of the materials delivered in the year under a city department's
/// contract.
#[derive(Debug, Clone, PartialEq)]
pub struct CarbonHeadline {
    pub kg_co2e: BigDecimal,
    pub deliveries: usize,
    pub not_computable: usize,
}

/// The city's recycling rate over the year.
#[derive(Debug, Clone, PartialEq)]
pub struct RecyclingHeadline {
    pub recycling_percent: BigDecimal,
    pub treated_kg: BigDecimal,
}

/// The share of shipments within their range or budget.
#[derive(Debug, Clone, PartialEq)]
pub struct ColdChainHeadline {
    pub compliance_rate_pct: BigDecimal,
    pub shipments_assessed: i64,
    pub breach: i64,
}

/// Carbon credits retired in the year.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditsHeadline {
    /// Every retirement on the chains followed.
    pub tonnes: BigDecimal,
    /// Those counted for the city (its beneficiaries, `[methods.carbon]`).
    pub city_tonnes: BigDecimal,
    pub retirements: usize,
    pub counted: usize,
    /// Whether a beneficiary is configured as the city's.
    pub city_configured: bool,
}

/// Every headline figure of one year: `Ok(None)` when there is nothing behind it yet, `Err`
/// when it could not be read.
#[derive(Debug)]
pub struct Headline {
    /// The version of the data the figures come from (`load_data_version`).
    pub version: String,
    pub year: i32,
    pub spending: QueryResult<Option<SpendingHeadline>>,
    pub carbon: QueryResult<Option<CarbonHeadline>>,
    pub recycling: QueryResult<Option<RecyclingHeadline>>,
    pub cold_chain: QueryResult<Option<ColdChainHeadline>>,
    pub credits: QueryResult<Option<CreditsHeadline>>,
}

/// The headline figures of `year` (as of `now`) and the version of the data they come from,
/// in one read-only REPEATABLE READ snapshot; each figure in its own savepoint.
pub fn load_headline(
    conn: &mut PgConnection,
    methods: &MethodSettings,
    year: i32,
    now: DateTime<Utc>,
) -> QueryResult<Headline> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| {
            Ok(Headline {
                version: load_data_version(conn)?,
                year,
                spending: conn.transaction(|c| spending(c, &methods.spending.budget, year, now)),
                carbon: conn.transaction(|c| carbon(c, year)),
                recycling: conn.transaction(|c| recycling(c, year)),
                cold_chain: conn.transaction(|c| cold_chain(c, &methods.cold_chain)),
                credits: conn.transaction(|c| credits(c, &methods.carbon, year)),
            })
        })
}

fn spending(
    conn: &mut PgConnection,
    rules: &BudgetRules,
    year: i32,
    now: DateTime<Utc>,
) -> QueryResult<Option<SpendingHeadline>> {
    let rows = budget_vs_actual(
        conn,
        rules,
        &BudgetFilter {
            fiscal_year: Some(year),
            department_id: None,
        },
        now,
    )?;
    Ok(city_totals(&rows).into_iter().next())
}

fn carbon(conn: &mut PgConnection, year: i32) -> QueryResult<Option<CarbonHeadline>> {
    let Some(period) = ReportingPeriod::year(year) else {
        return Ok(None);
    };
    let delivered = delivered_embodied_carbon(conn, &DeliveryFilter::bought_by_the_city(period))?;
    if delivered.deliveries.is_empty() {
        return Ok(None);
    }
    Ok(Some(CarbonHeadline {
        kg_co2e: delivered.kg_co2e,
        deliveries: delivered.deliveries.len(),
        not_computable: delivered.not_computable,
    }))
}

fn recycling(conn: &mut PgConnection, year: i32) -> QueryResult<Option<RecyclingHeadline>> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(None);
    };
    let rates = city_rates(conn, PeriodKind::Year, first, last)?;
    Ok(rates.into_iter().next().and_then(|r| {
        r.rates
            .recycling_percent
            .map(|recycling_percent| RecyclingHeadline {
                recycling_percent,
                treated_kg: r.totals.treated_kg,
            })
    }))
}

fn cold_chain(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
) -> QueryResult<Option<ColdChainHeadline>> {
    let c = cold_chain_compliance(conn, settings)?;
    Ok(c.compliance_rate_pct()
        .map(|compliance_rate_pct| ColdChainHeadline {
            compliance_rate_pct,
            shipments_assessed: c.shipments_assessed,
            breach: c.breach,
        }))
}

fn credits(
    conn: &mut PgConnection,
    settings: &CarbonSettings,
    year: i32,
) -> QueryResult<Option<CreditsHeadline>> {
    let Some(period) = ReportingPeriod::year(year) else {
        return Ok(None);
    };
    let r = retired_credits(conn, period, settings)?;
    if r.retirements.is_empty() {
        return Ok(None);
    }
    Ok(Some(CreditsHeadline {
        retirements: r.retirements.len(),
        counted: r.retirements.iter().filter(|c| c.counted).count(),
        city_configured: !(settings.city_beneficiary_addresses.is_empty()
            && settings.city_beneficiary_names.is_empty()),
        tonnes: r.tonnes,
        city_tonnes: r.city_tonnes,
    }))
}
