//! The emissions area: `GET /emissions` (`?year=`, default the latest year with reports or
//! retirements) and `/api/v1/emissions` — emissions by scope, party and quarter, the embodied
//! carbon of procurement per contract and supplier, the carbon credits retired, and the city's
//! net position. Every figure comes from `citytrace_reads::carbon`
//! (docs/methods/carbon.md); this file only shows it.

mod view;

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use diesel::prelude::*;
use serde::Serialize;

use citytrace_reads::carbon::{
    city_net_position, delivered_embodied_carbon, scope3_purchases, CarbonSettings,
    DeliveredCarbon, DeliveryFilter, DepartmentPurchases, NetPosition, ReportingPeriod,
};

use crate::error::{ApiError, AppError};
use crate::routes::spending::evidence::{Evidence, Provenance};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/emissions", web::get().to(page))
        .route("/api/v1/emissions", web::get().to(api));
}

/// Everything the page and its twin show for one year.
pub struct Loaded {
    pub year: i32,
    pub years: Vec<i32>,
    pub settings: CarbonSettings,
    /// The year's net position: its emissions summary and retired credits inside.
    pub year_position: NetPosition,
    pub quarters: Vec<NetPosition>,
    /// Each year with data: (year, net position).
    pub history: Vec<NetPosition>,
    pub procurement: DeliveredCarbon,
    /// Scope 3 categories 1 and 2 of each department's procurement in the year.
    pub scope3: Vec<DepartmentPurchases>,
    /// Provenance of each emission report named on the page, by (batch, line).
    pub sources: HashMap<(i64, i32), Provenance>,
}

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

#[derive(QueryableByName)]
struct YearRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    y: i32,
}

fn load(
    conn: &mut PgConnection,
    settings: &CarbonSettings,
    asked: Option<i32>,
) -> Result<Loaded, AppError> {
    let years = years_with_data(conn)?;
    let year = asked
        .or_else(|| years.first().copied())
        .unwrap_or_else(|| chrono::Utc::now().year());
    let period = ReportingPeriod::year(year).ok_or_else(|| {
        AppError::BadRequest(format!("{year} is not a year citytrace can report on"))
    })?;
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
    let procurement = delivered_embodied_carbon(
        conn,
        &DeliveryFilter {
            with_buyer_only: true,
            period: Some(period),
            ..Default::default()
        },
    )?;
    let scope3 = scope3_purchases(conn, period, settings)?;
    let mut ev = Evidence::default();
    let mut sources = HashMap::new();
    let reports = year_position
        .emissions
        .figures
        .iter()
        .flat_map(|f| f.reports.iter())
        .chain(year_position.emissions.set_aside.iter().map(|s| &s.report));
    for r in reports {
        if let std::collections::hash_map::Entry::Vacant(e) = sources.entry((r.batch_id, r.line)) {
            e.insert(ev.row(conn, r.batch_id, r.line)?);
        }
    }
    Ok(Loaded {
        year,
        years,
        settings: settings.clone(),
        year_position,
        quarters,
        history,
        procurement,
        scope3,
        sources,
    })
}

async fn page(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, AppError> {
    let asked = crate::routes::spending::year_param(&query)?;
    let methods = state.methods.clone();
    let data = state
        .db(move |conn| load(conn, &methods.carbon, asked))
        .await?;
    crate::routes::html(&view::EmissionsPage::new(data))
}

#[derive(Serialize)]
struct EmissionsJson<'a> {
    year: i32,
    years: &'a [i32],
    method: &'static str,
    scope2_method: &'static str,
    net_position_scopes: &'a [i16],
    net_position: &'a NetPosition,
    quarters: &'a [NetPosition],
    years_history: &'a [NetPosition],
    embodied_carbon_of_procurement: &'a DeliveredCarbon,
    scope3_purchases: &'a [DepartmentPurchases],
}

async fn api(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, ApiError> {
    let asked = crate::routes::spending::year_param(&query)?;
    let methods = state.methods.clone();
    let data = state
        .db(move |conn| load(conn, &methods.carbon, asked))
        .await?;
    Ok(HttpResponse::Ok().json(EmissionsJson {
        year: data.year,
        years: &data.years,
        method: view::NET_METHOD,
        scope2_method: data.settings.scope2_method.as_str(),
        net_position_scopes: &data.settings.net_position_scopes,
        net_position: &data.year_position,
        quarters: &data.quarters,
        years_history: &data.history,
        embodied_carbon_of_procurement: &data.procurement,
        scope3_purchases: &data.scope3,
    }))
}
