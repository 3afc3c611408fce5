//! The waste area: city rates by EWC chapter and period, flagged consignments and the
//! consignments list; a consignment's custody chain and flags; a facility's mass balance —
//! each page with a JSON twin under `/api/v1/waste`. Every figure comes from
//! `citytrace_reads::waste` (docs/methods/waste.md).

mod charts;
mod codes;
mod consignment;
mod facility;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::Utc;
use serde::Serialize;

use citytrace_reads::waste::{
    load_waste_overview, ConsignmentFlags, FlaggedConsignment, Period, PeriodKind, TreatmentRates,
    TreatmentTotals, WasteOverview,
};

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::listing::{ListParams, ListView, PageOfRows};
use crate::routes::evidence::{SourceRow, Trust};
use crate::state::AppState;
use charts::{BarChart, ShareRow};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/waste", web::get().to(index))
        .route("/api/v1/waste", web::get().to(index_api))
        .route(
            "/waste/consignments/{id:.+}",
            web::get().to(consignment::show),
        )
        .route(
            "/api/v1/waste/consignments/{id:.+}",
            web::get().to(consignment::show_api),
        )
        .route("/waste/facilities/{code:.+}", web::get().to(facility::show))
        .route(
            "/api/v1/waste/facilities/{code:.+}",
            web::get().to(facility::show_api),
        );
}

/// Flagged consignments listed on the page.
const FLAGGED_SHOWN: usize = 100;

/// Periods shown at most (the latest ones).
pub(crate) const MAX_PERIODS: usize = 12;

fn period_kind(req: &HttpRequest, default: PeriodKind) -> Result<PeriodKind, AppError> {
    period_of(&crate::query::QueryParams::of(req)?, default)
}

/// `?period=month|quarter|year`, or `default`.
pub(crate) fn period_of(
    query: &crate::query::QueryParams,
    default: PeriodKind,
) -> Result<PeriodKind, AppError> {
    Ok(
        match query.one_of("period", &["month", "quarter", "year"])? {
            None => default,
            Some("month") => PeriodKind::Month,
            Some("quarter") => PeriodKind::Quarter,
            Some(_) => PeriodKind::Year,
        },
    )
}

fn kind_key(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
        PeriodKind::Year => "year",
    }
}

pub fn kg(v: &BigDecimal) -> String {
    v.normalized().to_plain_string()
}

fn pct(v: &Option<BigDecimal>) -> Option<String> {
    v.as_ref().map(|p| p.to_plain_string())
}

/// The List of Waste chapters (Commission Decision 2000/532/EC), shortened.
pub fn chapter_name(chapter: &str) -> &'static str {
    match chapter {
        "01" => "Mining and quarrying",
        "02" => "Agriculture and food",
        "03" => "Wood, paper and board processing",
        "04" => "Leather, fur and textiles",
        "05" => "Petroleum refining",
        "06" => "Inorganic chemicals",
        "07" => "Organic chemicals",
        "08" => "Coatings, adhesives and inks",
        "09" => "Photographic industry",
        "10" => "Thermal processes",
        "11" => "Metal treatment and coating",
        "12" => "Shaping of metals and plastics",
        "13" => "Oil wastes",
        "14" => "Solvents and refrigerants",
        "15" => "Packaging, absorbents, filters",
        "16" => "Not otherwise specified",
        "17" => "Construction and demolition",
        "18" => "Health care",
        "19" => "Waste and water treatment",
        "20" => "Municipal waste",
        _ => "Other",
    }
}

#[derive(Serialize)]
pub struct RatesRow {
    pub period: String,
    /// `all` or the two-digit chapter.
    pub chapter: String,
    pub chapter_name: &'static str,
    pub treated_kg: String,
    pub recycling_kg: String,
    pub energy_recovery_kg: String,
    pub incineration_kg: String,
    pub other_disposal_kg: String,
    pub landfill_kg: String,
    pub interim_kg: String,
    pub recycling_percent: Option<String>,
    pub energy_recovery_percent: Option<String>,
    pub incineration_percent: Option<String>,
    pub other_disposal_percent: Option<String>,
    pub landfill_percent: Option<String>,
    /// The consignments behind the row.
    pub consignments_href: String,
}

fn rates_row(
    period: &Period,
    chapter: &str,
    totals: &TreatmentTotals,
    rates: &TreatmentRates,
) -> RatesRow {
    let ewc = if chapter == "all" {
        String::new()
    } else {
        format!("ewc={chapter}&")
    };
    RatesRow {
        period: period.label(),
        chapter: chapter.to_string(),
        chapter_name: if chapter == "all" {
            "All waste"
        } else {
            chapter_name(chapter)
        },
        treated_kg: kg(&totals.treated_kg),
        recycling_kg: kg(&totals.recycling_kg),
        energy_recovery_kg: kg(&totals.energy_recovery_kg),
        incineration_kg: kg(&totals.incineration_kg),
        other_disposal_kg: kg(&totals.other_disposal_kg),
        landfill_kg: kg(&totals.landfill_kg),
        interim_kg: kg(&totals.interim_kg),
        recycling_percent: pct(&rates.recycling_percent),
        energy_recovery_percent: pct(&rates.energy_recovery_percent),
        incineration_percent: pct(&rates.incineration_percent),
        other_disposal_percent: pct(&rates.other_disposal_percent),
        landfill_percent: pct(&rates.landfill_percent),
        consignments_href: format!(
            "/waste/consignments?{ewc}status=accepted&from={}&to={}",
            // A day either side: the list filters by when the waste left, the rates by the
            // receipt's local date.
            period.start - chrono::Duration::days(1),
            period.end
        ),
    }
}

fn share(v: &Option<String>) -> f64 {
    v.as_deref()
        .and_then(|s| s.parse::<BigDecimal>().ok())
        .and_then(|d| d.to_f64())
        .unwrap_or(0.0)
}

fn rates_chart(rows: &[RatesRow]) -> BarChart {
    let share_rows: Vec<ShareRow> = rows
        .iter()
        .filter(|r| r.recycling_percent.is_some())
        .map(|r| ShareRow {
            label: if r.chapter == "all" {
                format!("{} · all", r.period)
            } else {
                format!("{} · ch. {}", r.period, r.chapter)
            },
            shares: vec![
                (share(&r.recycling_percent), "seg-recycling", "recycling"),
                (
                    share(&r.energy_recovery_percent),
                    "seg-energy",
                    "energy recovery",
                ),
                (
                    share(&r.incineration_percent),
                    "seg-incineration",
                    "incineration",
                ),
                (
                    share(&r.other_disposal_percent),
                    "seg-other",
                    "other disposal",
                ),
                (share(&r.landfill_percent), "seg-landfill", "landfill"),
            ],
        })
        .collect();
    charts::shares_chart(
        "rates-chart",
        "Treatment of the city's waste by EWC chapter and period, in % of the mass treated",
        &share_rows,
    )
}

#[derive(Serialize)]
pub struct FlagRow {
    pub consignment_id: String,
    pub href: String,
    /// Short descriptions of each flag with its figures.
    pub flags: Vec<String>,
    pub source: Option<SourceRow>,
    pub trust: Option<Trust>,
    /// Every check's figures, raised or not.
    #[serde(rename = "detail")]
    pub flags_detail: ConsignmentFlags,
}

/// The words of each raised flag, with its figures.
pub fn flag_texts(f: &ConsignmentFlags) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = f.mass.as_ref().filter(|m| m.exceeds_tolerance) {
        out.push(format!(
            "mass: declared {} kg ({}), received {} kg, difference {} kg ({} %)",
            kg(&m.declared_kg),
            m.mass_basis,
            kg(&m.received_kg),
            kg(&m.difference_kg),
            m.difference_percent.to_plain_string()
        ));
    }
    if let Some(o) = &f.operation_mismatch {
        out.push(format!(
            "operation: planned {}, performed {}{}",
            o.planned,
            o.performed,
            if o.recovery_to_disposal {
                " (recovery → disposal)"
            } else {
                ""
            }
        ));
    }
    if let Some(h) = &f.hazardous_in_non_hazardous_out {
        out.push(format!(
            "hazardous in, non-hazardous out at {}: {} ({}) left as {}",
            h.facility,
            h.incoming_consignment_id,
            consignment::ewc_display(&h.incoming_ewc_code, true),
            consignment::ewc_display(&h.outgoing_ewc_code, false)
        ));
    }
    if let Some(r) = &f.refused {
        out.push(format!("refused: {}", r.reason));
    }
    if let Some(p) = &f.parked {
        out.push(format!(
            "parked: {} kg under {} at {} for {} days",
            kg(&p.mass_kg),
            p.operation,
            p.facility,
            p.days_parked
        ));
    }
    out
}

impl FlagRow {
    fn new(f: FlaggedConsignment) -> Self {
        Self {
            trust: f.trust.as_ref().map(Trust::of),
            href: format!(
                "/waste/consignments/{}",
                crate::fmt::path_segment(&f.flags.consignment_id)
            ),
            consignment_id: f.flags.consignment_id.clone(),
            flags: flag_texts(&f.flags),
            source: f.source.map(|(batch, line)| SourceRow::new(batch, line)),
            flags_detail: f.flags,
        }
    }
}

struct Overview {
    kind: PeriodKind,
    rates: Vec<RatesRow>,
    flagged: Vec<FlagRow>,
}

impl Overview {
    fn new(kind: PeriodKind, o: WasteOverview) -> Self {
        let mut rates = Vec::new();
        for period in &o.rates {
            rates.push(rates_row(
                &period.period,
                "all",
                &period.totals,
                &period.rates,
            ));
            for c in &period.chapters {
                rates.push(rates_row(&period.period, &c.chapter, &c.totals, &c.rates));
            }
        }
        Self {
            kind,
            rates,
            flagged: o.flagged.into_iter().map(FlagRow::new).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "waste/index.html")]
pub struct WastePage {
    pub layout: Layout,
    pub period: &'static str,
    pub rates: Vec<RatesRow>,
    pub chart: BarChart,
    /// The first [`FLAGGED_SHOWN`] flagged consignments (the JSON twin has them all).
    pub flagged: Vec<FlagRow>,
    pub more_flagged: usize,
    pub consignments: ListView,
}

/// `GET /waste?period=year|quarter|month`.
async fn index(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let kind = period_kind(&req, PeriodKind::Year)?;
    let methods = state.methods.clone();
    let page = state
        .db(move |conn| {
            let o = load_waste_overview(conn, &methods.waste, kind, MAX_PERIODS, Utc::now())?;
            let o = Overview::new(kind, o);
            let def = &crate::lists::waste::CONSIGNMENTS;
            let params = ListParams::parse(def, &[])?;
            let rows = PageOfRows::load(conn, def, &params)?;
            Ok(WastePage {
                layout: Layout::new("Waste", "/waste"),
                period: kind_key(o.kind),
                chart: rates_chart(&o.rates),
                rates: o.rates,
                more_flagged: o.flagged.len().saturating_sub(FLAGGED_SHOWN),
                flagged: o.flagged.into_iter().take(FLAGGED_SHOWN).collect(),
                consignments: ListView::new(def, &params, &rows),
            })
        })
        .await?;
    super::html(&page)
}

#[derive(Serialize)]
struct IndexJson {
    period: &'static str,
    rates: Vec<RatesRow>,
    flagged: Vec<FlagRow>,
    consignments: &'static str,
}

/// `GET /api/v1/waste?period=…`.
async fn index_api(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let kind = period_kind(&req, PeriodKind::Year)?;
    let methods = state.methods.clone();
    let o = state
        .db(move |conn| {
            let o = load_waste_overview(conn, &methods.waste, kind, MAX_PERIODS, Utc::now())?;
            Ok(Overview::new(kind, o))
        })
        .await?;
    Ok(HttpResponse::Ok().json(IndexJson {
        period: kind_key(o.kind),
        rates: o.rates,
        flagged: o.flagged,
        consignments: "/api/v1/waste-consignments",
    }))
}
