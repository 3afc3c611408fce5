//! `/waste/facilities/{code}`: a site's mass balance per period ([`load_facility`]): in − out
//! − stock change, what is left unexplained and whether that exceeds the tolerance.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use bigdecimal::ToPrimitive;
use serde::Serialize;

use citytrace_reads::waste::{load_facility, FacilityData, MassBalance, PeriodKind, WasteRules};

use super::charts::{self, BalanceColumn, BarChart};
use super::{kg, kind_key, period_kind, MAX_PERIODS};
use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::state::AppState;

#[derive(Serialize)]
pub struct BalanceRow {
    pub period: String,
    pub start: String,
    pub end: String,
    pub received_kg: String,
    pub treated_kg: String,
    pub sent_kg: String,
    pub residues_kg: String,
    pub stock_start_kg: String,
    pub stock_end_kg: String,
    pub stock_change_kg: String,
    pub unexplained_kg: String,
    pub unexplained_percent: Option<String>,
    pub exceeds_tolerance: bool,
    /// The consignments to and from the site around the period.
    pub consignments_href: String,
}

#[derive(Serialize)]
pub struct FacilityView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub gln: Option<String>,
    pub period: &'static str,
    pub tolerance_percent: String,
    pub periods: Vec<BalanceRow>,
    pub flagged_periods: usize,
    pub consignments_href: String,
    pub api_href: String,
    #[serde(skip)]
    pub chart: Option<BarChart>,
}

fn row(site_code: &str, b: &MassBalance) -> BalanceRow {
    BalanceRow {
        period: b.period.label(),
        start: b.period.start.to_string(),
        end: b.period.end.to_string(),
        received_kg: kg(&b.received_kg),
        treated_kg: kg(&b.treated_kg),
        sent_kg: kg(&b.sent_kg),
        residues_kg: kg(&b.residues_kg),
        stock_start_kg: kg(&b.stock_start_kg),
        stock_end_kg: kg(&b.stock_end_kg),
        stock_change_kg: kg(&b.stock_change_kg),
        unexplained_kg: kg(&b.unexplained_kg),
        unexplained_percent: b.unexplained_percent.as_ref().map(|p| p.to_plain_string()),
        exceeds_tolerance: b.exceeds_tolerance,
        consignments_href: format!(
            "/waste/consignments?facility={}&from={}&to={}",
            crate::listing::query::encode(site_code),
            b.period.start - chrono::Duration::days(1),
            b.period.end
        ),
    }
}

impl FacilityView {
    fn new(rules: &WasteRules, kind: PeriodKind, data: FacilityData) -> Self {
        let FacilityData { site, balances } = data;
        let periods: Vec<BalanceRow> = balances.iter().map(|b| row(&site.code, b)).collect();
        let chart = (!balances.is_empty()).then(|| {
            charts::balance_chart(
                "balance-chart",
                &format!("Mass balance of {} per period, kg", site.name),
                &balances
                    .iter()
                    .map(|b| BalanceColumn {
                        label: b.period.label(),
                        received: b.received_kg.to_f64().unwrap_or(0.0),
                        sent: b.sent_kg.to_f64().unwrap_or(0.0),
                        unexplained: b.unexplained_kg.to_f64().unwrap_or(0.0),
                        flagged: b.exceeds_tolerance,
                    })
                    .collect::<Vec<_>>(),
            )
        });
        Self {
            api_href: format!(
                "/api/v1/waste/facilities/{}?period={}",
                fmt::path_segment(&site.code),
                kind_key(kind)
            ),
            consignments_href: format!(
                "/waste/consignments?facility={}",
                crate::listing::query::encode(&site.code)
            ),
            flagged_periods: periods.iter().filter(|p| p.exceeds_tolerance).count(),
            code: site.code,
            name: site.name,
            kind: site.kind,
            gln: site.gln,
            period: kind_key(kind),
            tolerance_percent: rules.mass_balance_tolerance_percent.to_plain_string(),
            periods,
            chart,
        }
    }
}

/// The facility `code` as its page shows it; 404 when no site has that code or GLN.
async fn facility_view(
    state: &AppState,
    code: String,
    kind: PeriodKind,
) -> Result<FacilityView, AppError> {
    let methods = state.methods.clone();
    state
        .db(move |conn| {
            let rules = &methods.waste;
            let data = load_facility(conn, rules, &code, kind, MAX_PERIODS)?
                .ok_or_else(|| AppError::NotFound(format!("No site {code} is known.")))?;
            Ok(FacilityView::new(rules, kind, data))
        })
        .await
}

#[derive(Template)]
#[template(path = "waste/facility.html")]
pub struct FacilityPage {
    pub layout: Layout,
    pub f: FacilityView,
    pub period_links: Vec<(&'static str, String, bool)>,
    /// The R/D codes and mass bases in words.
    pub legend: Vec<(String, String)>,
}

/// `GET /waste/facilities/{code}?period=month|quarter|year`.
pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let kind = period_kind(&req, PeriodKind::Month)?;
    let f = facility_view(&state, path.into_inner(), kind).await?;
    let base = format!("/waste/facilities/{}", fmt::path_segment(&f.code));
    let period_links = ["month", "quarter", "year"]
        .into_iter()
        .map(|k| (k, format!("{base}?period={k}"), k == f.period))
        .collect();
    super::super::html(&FacilityPage {
        layout: Layout::new(&format!("Facility {}", f.name), "/waste"),
        f,
        period_links,
        legend: super::codes::legend(),
    })
}

/// `GET /api/v1/waste/facilities/{code}?period=…`.
pub async fn show_api(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let kind = period_kind(&req, PeriodKind::Month)?;
    let f = facility_view(&state, path.into_inner(), kind).await?;
    Ok(HttpResponse::Ok().json(f))
}
