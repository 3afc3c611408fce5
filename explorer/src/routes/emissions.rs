//! The emissions area: `GET /emissions` (`?year=`, default the latest year with reports or
//! retirements; `&format=csv`: its periods table) and `/api/v1/emissions` — emissions by
//! scope, party and quarter (a period without reports is "not reported", never 0), the embodied
//! carbon of procurement per contract and supplier, the carbon credits retired, and the city's
//! net position. Every figure comes from `citytrace_reads::carbon`
//! (docs/methods/carbon.md); this file only shows it.

mod periods_csv;
mod view;

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Serialize;

use citytrace_reads::carbon::{CarbonSettings, DeliveredCarbon, DepartmentPurchases, NetPosition};
use citytrace_reads::emissions::load_emissions;

use crate::error::{ApiError, AppError};
use crate::routes::spending::evidence::Provenance;
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

/// The emissions of the year asked for (`citytrace_reads::emissions`), with the provenance of
/// the emission reports they name.
async fn load(state: &AppState, asked: Option<i32>) -> Result<Loaded, AppError> {
    let methods = state.methods.clone();
    let this_year = chrono::Utc::now().year();
    let data = state
        .db(move |conn| Ok(load_emissions(conn, &methods.carbon, asked, this_year)?))
        .await?;
    let year = data.year;
    let f = data.figures.ok_or_else(|| {
        AppError::BadRequest(format!("{year} is not a year citytrace can report on"))
    })?;
    let mut sources = HashMap::new();
    let reports = f
        .year_position
        .emissions
        .figures
        .iter()
        .flat_map(|f| f.reports.iter())
        .chain(
            f.year_position
                .emissions
                .set_aside
                .iter()
                .map(|s| &s.report),
        );
    for r in reports {
        if let std::collections::hash_map::Entry::Vacant(e) = sources.entry((r.batch_id, r.line)) {
            e.insert(Provenance::known(&f.trust, r.batch_id, r.line)?);
        }
    }
    Ok(Loaded {
        year,
        years: data.years,
        settings: state.methods.carbon.clone(),
        year_position: f.year_position,
        quarters: f.quarters,
        history: f.history,
        procurement: f.procurement,
        scope3: f.scope3,
        sources,
    })
}

async fn page(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, AppError> {
    let asked = crate::routes::spending::year_param(&query)?;
    let csv = match query.get("format").map(str::to_ascii_lowercase).as_deref() {
        None | Some("html") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "format must be html or csv (the JSON is /api/v1/emissions), not {}.",
                crate::query::quoted(other)
            )))
        }
    };
    let data = load(&state, asked).await?;
    if csv {
        return Ok(periods_csv::periods_csv(
            data.year,
            &data.quarters,
            &data.history,
        ));
    }
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
    let data = load(&state, asked).await?;
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
