//! One shipment's cold chain as pages and JSON show it: built from
//! [`load_shipment`](citytrace_reads::cold_chain::load_shipment)'s data — the shipment
//! assessed (every figure), its lines (what travelled) and, for drawing only, each logger's
//! readings.

use std::collections::HashMap;

use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::Serialize;

use citytrace_reads::cold_chain::{
    BreachReason, CarriedLine, ColdChainReport, Direction, LoggerReadings, ProductColdChain,
    ShipmentData, Verdict,
};
use citytrace_schema::models::TrustState;

use super::chart::{self, ChartInput, Span, TemperatureChart};
use super::names::{site_href, zoned_time, RouteView};
use crate::fmt;
use crate::routes::evidence::{
    duration, local_rfc3339, local_time, minutes, parse_offset, SourceRow, Trust,
};

/// A verdict with its words and badge class.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictView {
    pub key: &'static str,
    /// In words; an unverifiable one says for how long: "unverifiable during 50 min".
    pub label: String,
    #[serde(skip)]
    pub class: &'static str,
}

impl VerdictView {
    /// `unlogged`: the time no reading vouches for (named when the verdict is unverifiable).
    pub fn new(verdict: Verdict, unlogged: TimeDelta) -> Self {
        let (key, label) = match verdict {
            Verdict::NoData => ("no_data", "no data".to_string()),
            Verdict::NoRange => ("no_range", "no range".to_string()),
            Verdict::Compliant => ("compliant", "compliant".to_string()),
            Verdict::WithinBudget => ("within_budget", "within budget".to_string()),
            Verdict::Unverifiable => (
                "unverifiable",
                format!("unverifiable during {}", duration(unlogged)),
            ),
            Verdict::Breach => ("breach", "breach".to_string()),
        };
        Self {
            key,
            label,
            class: match verdict {
                Verdict::Compliant => "verdict verdict-ok",
                Verdict::WithinBudget => "verdict verdict-budget",
                Verdict::Unverifiable => "verdict verdict-unverifiable",
                Verdict::Breach => "verdict verdict-breach",
                Verdict::NoData | Verdict::NoRange => "verdict verdict-none",
            },
        }
    }
}

pub fn reason_text(reason: BreachReason) -> &'static str {
    match reason {
        BreachReason::CumulativeOverBudget => "cumulative time out of range over budget",
        BreachReason::SingleOverBudget => "a single excursion over budget",
        BreachReason::NoBudget => "an excursion where the product allows none",
    }
}

pub fn direction_text(direction: Direction) -> &'static str {
    match direction {
        Direction::Above => "above",
        Direction::Below => "below",
    }
}

fn decimal(d: &BigDecimal) -> String {
    d.normalized().to_plain_string()
}

#[derive(Serialize)]
pub struct ExcursionView {
    pub direction: &'static str,
    pub start: String,
    pub end: String,
    pub start_at: String,
    pub end_at: String,
    pub duration: String,
    pub duration_minutes: f64,
    pub peak_temp_c: String,
    pub peak_at: String,
    pub reading_count: usize,
    pub open_at_end: bool,
    pub first_reading: SourceRow,
    pub end_reading: SourceRow,
}

#[derive(Serialize)]
pub struct GapView {
    pub from: String,
    pub to: String,
    pub from_at: String,
    pub to_at: String,
    pub length: String,
    pub length_minutes: f64,
    pub counted_as_excursion: bool,
    pub from_reading: SourceRow,
    pub to_reading: SourceRow,
}

#[derive(Serialize)]
pub struct DeviceView {
    pub submitter: String,
    pub device_id: String,
    pub verdict: VerdictView,
    pub breach_reasons: Vec<&'static str>,
    pub reading_count: usize,
    /// The offset the logger wrote its times with; every time shown is in it.
    pub offset: String,
    pub first_reading: Option<String>,
    pub last_reading: Option<String>,
    pub min_temp_c: Option<String>,
    pub max_temp_c: Option<String>,
    pub mean_temp_c: Option<String>,
    pub mean_kinetic_temp_c: Option<String>,
    pub time_out_of_range: String,
    pub time_out_of_range_minutes: f64,
    pub longest_excursion: String,
    pub longest_excursion_minutes: f64,
    pub expected_interval_minutes: Option<f64>,
    /// The sum of the gaps: minutes no reading vouches for.
    pub unlogged_minutes: f64,
    pub excursions: Vec<ExcursionView>,
    pub gaps: Vec<GapView>,
    #[serde(skip)]
    pub chart: Option<TemperatureChart>,
}

#[derive(Serialize)]
pub struct ProductView {
    pub code: String,
    pub name: String,
    pub gtin: Option<String>,
    pub href: String,
    pub min_temp_c: Option<String>,
    pub max_temp_c: Option<String>,
    pub range: String,
    pub max_excursion_minutes: Option<i32>,
    pub max_single_excursion_minutes: Option<i32>,
    pub logging_interval_minutes: Option<i32>,
    pub budget: String,
    pub verdict: VerdictView,
    pub devices: Vec<DeviceView>,
}

#[derive(Serialize)]
pub struct LineView {
    pub line_no: i32,
    pub lot_code: String,
    pub lot_href: String,
    pub product_code: String,
    pub product_name: String,
    pub quantity: String,
    /// The UN/CEFACT code as imported (`H87`).
    pub unit: String,
    /// As people write it: `400 pieces`.
    pub quantity_text: String,
    pub from_site: String,
    pub from_site_name: String,
    pub from_href: String,
    pub to_site: String,
    pub to_site_name: String,
    pub to_href: String,
    pub shipped_at: String,
    pub source: SourceRow,
    pub trust: Trust,
}

#[derive(Serialize)]
pub struct ShipmentView {
    pub shipment_code: String,
    pub api_href: String,
    pub verdict: VerdictView,
    /// Where it went and under which contract, by name.
    pub route: Option<RouteView>,
    /// How long at least one logger recorded nothing (the union of the gaps).
    pub unlogged_minutes: f64,
    pub gap_count: usize,
    pub products: Vec<ProductView>,
    pub lines: Vec<LineView>,
}

/// One logger's readings, for drawing.
struct Drawn {
    offset: FixedOffset,
    readings: Vec<(DateTime<Utc>, f64)>,
}

impl Drawn {
    fn new(logger: Option<&LoggerReadings>) -> Self {
        let offset = logger.and_then(|l| l.offset.as_deref()).unwrap_or("+00:00");
        Self {
            offset: parse_offset(offset),
            readings: logger
                .map(|l| {
                    l.readings
                        .iter()
                        .filter_map(|(t, c)| Some((*t, c.to_f64()?)))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

impl ShipmentView {
    /// The shipment assessed, with its lines and charts.
    pub fn new(data: ShipmentData) -> Self {
        let shipment = &data.cold_chain;
        let mut products = Vec::new();
        let mut charts = 0;
        for product in &shipment.products {
            let mut devices = Vec::new();
            for device in &product.devices {
                let logger = (device.submitter.clone(), device.device_id.clone());
                let drawn = Drawn::new(data.readings.get(&logger));
                charts += 1;
                devices.push(device_view(
                    format!("chart-{charts}"),
                    product,
                    &device.submitter,
                    &device.device_id,
                    &device.report,
                    &drawn,
                ));
            }
            products.push(product_view(product, devices));
        }
        Self {
            api_href: format!(
                "/api/v1/cold-chain/shipments/{}",
                fmt::path_segment(&shipment.shipment_code)
            ),
            shipment_code: shipment.shipment_code.clone(),
            verdict: VerdictView::new(shipment.verdict, shipment.unlogged),
            route: data.route.as_ref().map(RouteView::new),
            unlogged_minutes: minutes(shipment.unlogged),
            gap_count: shipment.gap_count,
            products,
            lines: data
                .lines
                .into_iter()
                .map(|l| line_view(l, &data.site_names))
                .collect(),
        }
    }
}

fn device_view(
    chart_id: String,
    product: &ProductColdChain,
    submitter: &str,
    device_id: &str,
    report: &ColdChainReport,
    drawn: &Drawn,
) -> DeviceView {
    let offset = drawn.offset;
    let local = |t: DateTime<Utc>| local_time(t, &offset);
    let excursions: Vec<ExcursionView> = report
        .excursions
        .iter()
        .map(|e| ExcursionView {
            direction: direction_text(e.direction),
            start: local(e.start),
            end: local(e.end),
            start_at: local_rfc3339(e.start, &offset),
            end_at: local_rfc3339(e.end, &offset),
            duration: duration(e.duration),
            duration_minutes: minutes(e.duration),
            peak_temp_c: decimal(&e.peak_temp_c),
            peak_at: local(e.peak_at),
            reading_count: e.reading_count,
            open_at_end: e.open_at_end,
            first_reading: SourceRow::new(e.first_reading.batch_id, e.first_reading.line),
            end_reading: SourceRow::new(e.end_reading.batch_id, e.end_reading.line),
        })
        .collect();
    let gaps: Vec<GapView> = report
        .gaps
        .iter()
        .map(|g| GapView {
            from: local(g.from),
            to: local(g.to),
            from_at: local_rfc3339(g.from, &offset),
            to_at: local_rfc3339(g.to, &offset),
            length: duration(g.length),
            length_minutes: minutes(g.length),
            counted_as_excursion: g.counted_as_excursion,
            from_reading: SourceRow::new(g.from_reading.batch_id, g.from_reading.line),
            to_reading: SourceRow::new(g.to_reading.batch_id, g.to_reading.line),
        })
        .collect();
    let p = &product.product;
    let chart = chart::draw(ChartInput {
        id: chart_id,
        title: format!(
            "Temperature of logger {device_id} against {} ({})",
            p.name,
            range_text(p.min_temp_c.as_ref(), p.max_temp_c.as_ref())
        ),
        readings: &drawn.readings,
        min_c: p.min_temp_c.as_ref().and_then(|v| v.to_f64()),
        max_c: p.max_temp_c.as_ref().and_then(|v| v.to_f64()),
        excursions: report
            .excursions
            .iter()
            .zip(&excursions)
            .map(|(e, v)| Span {
                from: e.start,
                to: e.end,
                direction: Some(e.direction),
                title: format!(
                    "Excursion {} the range from {} to {} ({}), peak {} °C",
                    v.direction, v.start, v.end, v.duration, v.peak_temp_c
                ),
            })
            .collect(),
        gaps: report
            .gaps
            .iter()
            .zip(&gaps)
            .map(|(g, v)| Span {
                from: g.from,
                to: g.to,
                direction: None,
                title: format!("No reading from {} to {} ({})", v.from, v.to, v.length),
            })
            .collect(),
        offset,
    });
    let summary = report.summary.as_ref();
    DeviceView {
        submitter: submitter.to_string(),
        device_id: device_id.to_string(),
        verdict: VerdictView::new(report.verdict, report.unlogged),
        breach_reasons: report
            .breach_reasons
            .iter()
            .map(|r| reason_text(*r))
            .collect(),
        reading_count: report.reading_count,
        offset: chart
            .as_ref()
            .map(|c| c.time_zone.clone())
            .unwrap_or_default(),
        first_reading: summary.map(|s| local(s.first_reading)),
        last_reading: summary.map(|s| local(s.last_reading)),
        min_temp_c: summary.map(|s| decimal(&s.min_temp_c)),
        max_temp_c: summary.map(|s| decimal(&s.max_temp_c)),
        mean_temp_c: summary.map(|s| s.mean_temp_c.to_plain_string()),
        mean_kinetic_temp_c: summary
            .and_then(|s| s.mean_kinetic_temp_c.as_ref())
            .map(|t| t.to_plain_string()),
        time_out_of_range: duration(report.time_out_of_range),
        time_out_of_range_minutes: minutes(report.time_out_of_range),
        longest_excursion: duration(report.longest_excursion),
        longest_excursion_minutes: minutes(report.longest_excursion),
        expected_interval_minutes: report.expected_interval.map(minutes),
        unlogged_minutes: minutes(report.unlogged),
        excursions,
        gaps,
        chart,
    }
}

pub fn range_text(min: Option<&BigDecimal>, max: Option<&BigDecimal>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{} to {} °C", decimal(a), decimal(b)),
        (None, Some(b)) => format!("at most {} °C", decimal(b)),
        (Some(a), None) => format!("at least {} °C", decimal(a)),
        (None, None) => "no range".into(),
    }
}

fn product_view(product: &ProductColdChain, devices: Vec<DeviceView>) -> ProductView {
    let p = &product.product;
    let budget = match (p.max_excursion_minutes, p.max_single_excursion_minutes) {
        _ if p.min_temp_c.is_none() && p.max_temp_c.is_none() => "no range, so no budget".into(),
        (None, None) => "no excursion allowed".to_string(),
        (Some(total), None) => format!("{total} min out of range in all"),
        (None, Some(single)) => format!("{single} min at once"),
        (Some(total), Some(single)) => {
            format!("{total} min out of range in all, {single} min at once")
        }
    };
    ProductView {
        code: p.code.clone(),
        name: p.name.clone(),
        gtin: p.gtin.clone(),
        href: format!("/products/{}", fmt::path_segment(&p.code)),
        min_temp_c: p.min_temp_c.as_ref().map(decimal),
        max_temp_c: p.max_temp_c.as_ref().map(decimal),
        range: range_text(p.min_temp_c.as_ref(), p.max_temp_c.as_ref()),
        max_excursion_minutes: p.max_excursion_minutes,
        max_single_excursion_minutes: p.max_single_excursion_minutes,
        logging_interval_minutes: p.logging_interval_minutes,
        budget,
        verdict: VerdictView::new(product.verdict, product.unlogged),
        devices,
    }
}

fn line_view(
    (line, trust): (CarriedLine, TrustState),
    names: &HashMap<String, String>,
) -> LineView {
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    LineView {
        line_no: line.line_no,
        lot_href: crate::routes::provenance::lot_href(&line.lot_code),
        lot_code: line.lot_code,
        product_code: line.product_code,
        product_name: line.product_name,
        quantity: decimal(&line.quantity),
        quantity_text: fmt::quantity(&line.quantity, &line.unit),
        unit: line.unit,
        from_site_name: name(&line.from_site),
        from_href: site_href(&line.from_site),
        from_site: line.from_site,
        to_site_name: name(&line.to_site),
        to_href: site_href(&line.to_site),
        to_site: line.to_site,
        shipped_at: zoned_time(line.shipped_at, &line.shipped_offset),
        source: SourceRow::new(line.batch_id, line.line),
        trust: Trust::of(&trust),
    }
}
