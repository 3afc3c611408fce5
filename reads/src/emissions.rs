//! The emissions page's read (`/emissions` and its JSON twin): for one year, the city's net
//! position and its quarters, every year's net position, the embodied carbon of procurement,
//! each department's Scope 3 purchases, and how far the batches of the emission reports it
//! names can be trusted. The figures are the carbon computations (`crate::carbon`,
//! docs/methods/carbon.md).

use std::collections::HashMap;

use diesel::prelude::*;

use citytrace_schema::models::TrustState;

use crate::carbon::{
    city_net_position, delivered_embodied_carbon, scope3_purchases, CarbonSettings,
    DeliveredCarbon, DeliveryFilter, DepartmentPurchases, NetPosition, ReportingPeriod,
};
use crate::trust::batch_trust;

/// The emissions page's year and, when it can be reported on, its figures.
#[derive(Debug, Clone)]
pub struct EmissionsData {
    /// The year asked for, else the latest with reports or retirements, else `this_year`.
    pub year: i32,
    /// The years with emission reports or credit retirements, latest first.
    pub years: Vec<i32>,
    /// `None` when `year` is not one a reporting period can cover.
    pub figures: Option<EmissionsFigures>,
}

/// Everything the page shows for one year.
#[derive(Debug, Clone)]
pub struct EmissionsFigures {
    /// The year's net position: its emissions summary and retired credits inside.
    pub year_position: NetPosition,
    pub quarters: Vec<NetPosition>,
    /// The net position of each year with data, earliest first.
    pub history: Vec<NetPosition>,
    pub procurement: DeliveredCarbon,
    /// Scope 3 categories 1 and 2 of each department's procurement in the year.
    pub scope3: Vec<DepartmentPurchases>,
    /// How far the batches of the year's emission reports (counted or set aside) can be
    /// trusted.
    pub trust: HashMap<i64, TrustState>,
}

#[derive(QueryableByName)]
struct YearRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    y: i32,
}

/// The years with emission reports (by the end of their period) or credit retirements,
/// latest first.
fn years_with_data(conn: &mut PgConnection) -> QueryResult<Vec<i32>> {
    let mut years: Vec<i32> = diesel::sql_query(
        "SELECT DISTINCT y FROM (SELECT extract(year FROM period_end)::int AS y FROM emission_reports \
         UNION SELECT extract(year FROM block_time AT TIME ZONE 'UTC')::int FROM carbon_retirements) t",
    )
    .load::<YearRow>(conn)?
    .into_iter()
    .map(|r| r.y)
    .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok(years)
}

/// The emissions of year `asked` (default: the latest year with data, else `this_year`).
pub fn load_emissions(
    conn: &mut PgConnection,
    settings: &CarbonSettings,
    asked: Option<i32>,
    this_year: i32,
) -> QueryResult<EmissionsData> {
    let years = years_with_data(conn)?;
    let year = asked
        .or_else(|| years.first().copied())
        .unwrap_or(this_year);
    let figures = match ReportingPeriod::year(year) {
        Some(period) => Some(figures(conn, settings, (year, period), &years)?),
        None => None,
    };
    Ok(EmissionsData {
        year,
        years,
        figures,
    })
}

fn figures(
    conn: &mut PgConnection,
    settings: &CarbonSettings,
    (year, period): (i32, ReportingPeriod),
    years: &[i32],
) -> QueryResult<EmissionsFigures> {
    let year_position = city_net_position(conn, period, settings)?;
    let quarters = ReportingPeriod::quarters(year)
        .into_iter()
        .map(|q| city_net_position(conn, q, settings))
        .collect::<Result<Vec<_>, _>>()?;
    let mut history = Vec::new();
    for y in years.iter().rev() {
        if let Some(p) = ReportingPeriod::year(*y) {
            history.push(city_net_position(conn, p, settings)?);
        }
    }
    let procurement = delivered_embodied_carbon(conn, &DeliveryFilter::bought_by_the_city(period))?;
    let scope3 = scope3_purchases(conn, period, settings)?;
    let reports = year_position
        .emissions
        .figures
        .iter()
        .flat_map(|f| f.reports.iter())
        .chain(year_position.emissions.set_aside.iter().map(|s| &s.report));
    let batches: Vec<i64> = reports.map(|r| r.batch_id).collect();
    let trust = batch_trust(conn, batches)?;
    Ok(EmissionsFigures {
        year_position,
        quarters,
        history,
        procurement,
        scope3,
        trust,
    })
}
