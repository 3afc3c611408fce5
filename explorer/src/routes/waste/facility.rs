//! `/waste/facilities/{code}`: a site's mass balance per period
//! ([`facility_mass_balances`]): in − out − stock change, what is left unexplained and
//! whether that exceeds the tolerance.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use bigdecimal::ToPrimitive;
use chrono::{DateTime, Utc};
use diesel::dsl::{max, min};
use diesel::prelude::*;
use serde::Serialize;

use citytrace_reads::waste::{facility_mass_balances, MassBalance, PeriodKind, WasteRules};
use citytrace_schema::models::Site;
use citytrace_schema::schema::{sites, waste_receipts, waste_transfers};

use super::charts::{self, BalanceColumn, BarChart};
use super::{kg, kind_key, period_kind, recent_start};
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

fn load(
    conn: &mut PgConnection,
    rules: &WasteRules,
    code: &str,
    kind: PeriodKind,
) -> Result<FacilityView, AppError> {
    let site = match Site::find_by_code(conn, code)? {
        Some(site) => site,
        None => sites::table
            .filter(sites::gln.eq(code))
            .select(Site::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::NotFound(format!("No site {code} is known.")))?,
    };
    let at_site = waste_transfers::to_site_id
        .eq(site.id)
        .or(waste_transfers::from_site_id.eq(site.id));
    let (first, last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = waste_transfers::table
        .filter(at_site)
        .select((
            min(waste_transfers::transferred_at),
            max(waste_transfers::transferred_at),
        ))
        .first(conn)?;
    let last_receipt: Option<DateTime<Utc>> = waste_receipts::table
        .inner_join(waste_transfers::table)
        .filter(waste_transfers::to_site_id.eq(site.id))
        .select(max(waste_receipts::received_at))
        .first(conn)?;
    let balances = match (first, last.max(last_receipt)) {
        (Some(first), Some(last)) => {
            // A day either side: the local date decides which period a movement is in.
            let (first, last) = (
                first.date_naive() - chrono::Duration::days(1),
                last.date_naive() + chrono::Duration::days(1),
            );
            let first = recent_start(kind, first, last);
            facility_mass_balances(conn, site.id, kind, first, last, rules)?
        }
        _ => Vec::new(),
    };
    // Leading and trailing periods without any figure are only the day of slack above.
    let zero = |b: &MassBalance| {
        [
            &b.received_kg,
            &b.sent_kg,
            &b.stock_start_kg,
            &b.stock_end_kg,
            &b.unexplained_kg,
        ]
        .iter()
        .all(|v| v.to_f64() == Some(0.0))
    };
    let start = balances
        .iter()
        .position(|b| !zero(b))
        .unwrap_or(balances.len());
    let end = balances
        .iter()
        .rposition(|b| !zero(b))
        .map_or(start, |i| i + 1);
    let balances = &balances[start..end.max(start)];
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
    Ok(FacilityView {
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
    })
}

#[derive(Template)]
#[template(path = "waste/facility.html")]
pub struct FacilityPage {
    pub layout: Layout,
    pub f: FacilityView,
    pub period_links: Vec<(&'static str, String, bool)>,
}

/// `GET /waste/facilities/{code}?period=month|quarter|year`.
pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let kind = period_kind(&req, PeriodKind::Month)?;
    let code = path.into_inner();
    let methods = state.methods.clone();
    let f = state
        .db(move |conn| load(conn, &methods.waste, &code, kind))
        .await?;
    let base = format!("/waste/facilities/{}", fmt::path_segment(&f.code));
    let period_links = ["month", "quarter", "year"]
        .into_iter()
        .map(|k| (k, format!("{base}?period={k}"), k == f.period))
        .collect();
    super::super::html(&FacilityPage {
        layout: Layout::new(&format!("Facility {}", f.name), "/waste"),
        f,
        period_links,
    })
}

/// `GET /api/v1/waste/facilities/{code}?period=…`.
pub async fn show_api(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let kind = period_kind(&req, PeriodKind::Month)?;
    let code = path.into_inner();
    let methods = state.methods.clone();
    let f = state
        .db(move |conn| load(conn, &methods.waste, &code, kind))
        .await?;
    Ok(HttpResponse::Ok().json(f))
}
