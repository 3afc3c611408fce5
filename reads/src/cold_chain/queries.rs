//! Loading readings and limits, and assessing shipments and lots.
//!
//! A shipment's series are the readings that name it; a lot's are the readings that name the
//! lot and those that name a shipment the lot travelled in. Each logger — (submitter,
//! device_id), the readings' natural key — is one series, assessed against each product's
//! limits; a product's verdict is its worst logger's, a shipment's its worst product's.

use bigdecimal::{BigDecimal, RoundingMode};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Nullable, Text};

use super::{assess_series, ColdChainLimits, ColdChainReport, ColdChainSettings, Reading, Verdict};
use citytrace_schema::models::{Lot, Product};
use citytrace_schema::schema::{lots, products, sensor_readings, shipment_lines};

/// Out-of-range shipments fetched per query while walking them.
const CANDIDATES_PER_QUERY: i64 = 200;

/// One logger's report.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceColdChain {
    pub submitter: String,
    pub device_id: String,
    pub report: ColdChainReport,
}

/// Every logger's readings against one product's limits.
#[derive(Debug, Clone)]
pub struct ProductColdChain {
    pub product: Product,
    /// In (submitter, device_id) order.
    pub devices: Vec<DeviceColdChain>,
    /// The worst logger's verdict; [`Verdict::NoData`] without loggers.
    pub verdict: Verdict,
    /// How long at least one of the loggers recorded nothing (the union of their gaps).
    pub unlogged: TimeDelta,
}

/// A shipment: each of its products (in product code order) with the shipment's loggers.
#[derive(Debug, Clone)]
pub struct ShipmentColdChain {
    pub shipment_code: String,
    pub products: Vec<ProductColdChain>,
    /// The worst product's verdict.
    pub verdict: Verdict,
    /// How long at least one logger judged against a range recorded nothing: the union of
    /// their gaps (two loggers silent at the same time count once).
    pub unlogged: TimeDelta,
    /// How many gaps the loggers judged against a range have, a gap shared by two of the
    /// shipment's products counted once.
    pub gap_count: usize,
}

/// A lot, against its product's limits.
#[derive(Debug, Clone)]
pub struct LotColdChain {
    pub lot: Lot,
    pub assessment: ProductColdChain,
}

/// One page of shipments in breach, in shipment code order.
#[derive(Debug, Clone)]
pub struct BreachPage {
    pub shipments: Vec<ShipmentColdChain>,
    /// Pass as `after` for the next page; `None` when there are no more. A full page always
    /// gives one, so the page after it may be empty.
    pub next_after: Option<String>,
}

/// The shipments that get a verdict, and how many of them are within budget, unverifiable
/// (a gap in the log) or in breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColdChainCompliance {
    /// Shipments with readings and at least one product with a temperature range.
    pub shipments_assessed: i64,
    pub within_budget: i64,
    pub unverifiable: i64,
    pub breach: i64,
}

impl ColdChainCompliance {
    /// Assessed shipments with every reading in range and no gap in the log.
    pub fn compliant(&self) -> i64 {
        self.shipments_assessed - self.within_budget - self.unverifiable - self.breach
    }

    /// Compliant or within budget, in % of the assessed shipments, rounded to 0.1 (halves
    /// away from zero); `None` when no shipment is assessed. Unverifiable shipments are not
    /// acceptable: nothing shows the goods were kept cold during their gaps.
    pub fn compliance_rate_pct(&self) -> Option<BigDecimal> {
        (self.shipments_assessed > 0).then(|| {
            let acceptable =
                BigDecimal::from(self.shipments_assessed - self.breach - self.unverifiable) * 100;
            let rate: BigDecimal = acceptable / BigDecimal::from(self.shipments_assessed);
            rate.with_scale_round(1, RoundingMode::HalfUp)
        })
    }
}

/// A reading with its logger, as loaded.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sensor_readings)]
struct LoggerReading {
    submitter: String,
    device_id: String,
    #[diesel(embed)]
    reading: Reading,
}

/// One logger's readings, in time order.
struct LoggerSeries {
    submitter: String,
    device_id: String,
    readings: Vec<Reading>,
}

/// The shipment's products and loggers assessed; `None` when no shipment has this code.
pub fn cold_chain_for_shipment(
    conn: &mut PgConnection,
    shipment_code: &str,
    settings: &ColdChainSettings,
) -> QueryResult<Option<ShipmentColdChain>> {
    let products: Vec<Product> = shipment_lines::table
        .inner_join(lots::table.inner_join(products::table))
        .filter(shipment_lines::shipment_code.eq(shipment_code))
        .select(Product::as_select())
        .distinct()
        .order(products::code)
        .load(conn)?;
    if products.is_empty() {
        return Ok(None);
    }
    let series = logger_series(
        sensor_readings::table
            .filter(sensor_readings::shipment_code.eq(shipment_code))
            .order((
                sensor_readings::submitter,
                sensor_readings::device_id,
                sensor_readings::recorded_at,
            ))
            .select(LoggerReading::as_select())
            .load(conn)?,
    );
    let products: Vec<ProductColdChain> = products
        .into_iter()
        .map(|product| assess_product(product, &series, settings))
        .collect();
    let (unlogged, gap_count) = unlogged_time(&products);
    Ok(Some(ShipmentColdChain {
        shipment_code: shipment_code.to_owned(),
        verdict: Verdict::worst(products.iter().map(|p| p.verdict)),
        unlogged,
        gap_count,
        products,
    }))
}

/// The lot's readings — its own and its shipments' — against its product's limits; `None`
/// when there is no such lot.
pub fn cold_chain_for_lot(
    conn: &mut PgConnection,
    lot_id: i64,
    settings: &ColdChainSettings,
) -> QueryResult<Option<LotColdChain>> {
    let Some(lot) = lots::table
        .find(lot_id)
        .select(Lot::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let product = Product::find(conn, lot.product_id)?;
    let shipments_of_lot = shipment_lines::table
        .filter(shipment_lines::lot_id.eq(lot_id))
        .select(shipment_lines::shipment_code.nullable());
    let series = logger_series(
        sensor_readings::table
            .filter(
                sensor_readings::lot_id
                    .eq(lot_id)
                    .or(sensor_readings::shipment_code.eq_any(shipments_of_lot)),
            )
            .order((
                sensor_readings::submitter,
                sensor_readings::device_id,
                sensor_readings::recorded_at,
            ))
            .select(LoggerReading::as_select())
            .load(conn)?,
    );
    Ok(Some(LotColdChain {
        lot,
        assessment: assess_product(product, &series, settings),
    }))
}

/// Shipments whose verdict is [`Verdict::Breach`], after the code `after` (`None`: from the
/// first), at most `limit` of them. Only shipments with a reading outside a range or a gap in
/// the log are assessed, one at a time.
pub fn shipments_in_breach(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
    after: Option<&str>,
    limit: usize,
) -> QueryResult<BreachPage> {
    let mut shipments = Vec::new();
    if limit == 0 {
        return Ok(BreachPage {
            shipments,
            next_after: None,
        });
    }
    let next_after = walk_out_of_range_shipments(conn, settings, after, |shipment| {
        if shipment.verdict == Verdict::Breach {
            shipments.push(shipment);
        }
        shipments.len() < limit
    })?;
    Ok(BreachPage {
        shipments,
        next_after,
    })
}

/// How many shipments with readings are compliant, within budget, unverifiable or in breach:
/// one count query, then each shipment with a reading outside a range or a gap in its log
/// assessed (the others are compliant by construction). Run it in a REPEATABLE READ transaction for figures from one
/// snapshot.
pub fn cold_chain_compliance(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
) -> QueryResult<ColdChainCompliance> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        shipments: i64,
    }
    let assessed: Count =
        diesel::sql_query(include_str!("shipments_assessed.sql")).get_result(conn)?;
    let mut compliance = ColdChainCompliance {
        shipments_assessed: assessed.shipments,
        within_budget: 0,
        unverifiable: 0,
        breach: 0,
    };
    walk_out_of_range_shipments(conn, settings, None, |shipment| {
        match shipment.verdict {
            Verdict::WithinBudget => compliance.within_budget += 1,
            Verdict::Unverifiable => compliance.unverifiable += 1,
            Verdict::Breach => compliance.breach += 1,
            Verdict::NoData | Verdict::NoRange | Verdict::Compliant => {}
        }
        true
    })?;
    Ok(compliance)
}

/// Assess, in code order after `after`, each shipment with a reading outside one of its
/// products' ranges or a gap in a logger's readings, handing each to `visit` until it returns
/// false. Returns the code of the
/// shipment it stopped at, `None` when it saw them all.
fn walk_out_of_range_shipments(
    conn: &mut PgConnection,
    settings: &ColdChainSettings,
    after: Option<&str>,
    mut visit: impl FnMut(ShipmentColdChain) -> bool,
) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Candidate {
        #[diesel(sql_type = Text)]
        shipment_code: String,
    }
    let default_interval = settings
        .default_logging_interval_minutes
        .and_then(|m| i32::try_from(m).ok());
    let mut cursor = after.unwrap_or_default().to_owned();
    loop {
        let candidates: Vec<Candidate> = diesel::sql_query(include_str!("shipments_to_assess.sql"))
            .bind::<Text, _>(&cursor)
            .bind::<BigInt, _>(CANDIDATES_PER_QUERY)
            .bind::<Nullable<Integer>, _>(default_interval)
            .bind::<Double, _>(settings.gap_tolerance_factor)
            .load(conn)?;
        for Candidate { shipment_code } in &candidates {
            if let Some(shipment) = cold_chain_for_shipment(conn, shipment_code, settings)? {
                if !visit(shipment) {
                    return Ok(Some(shipment_code.clone()));
                }
            }
        }
        match candidates.last() {
            Some(last) if candidates.len() as i64 == CANDIDATES_PER_QUERY => {
                cursor.clone_from(&last.shipment_code);
            }
            _ => return Ok(None),
        }
    }
}

/// The union of the gaps of the loggers judged against a product with a range, and how many
/// distinct gaps (logger, start, end) there are.
fn unlogged_time(products: &[ProductColdChain]) -> (TimeDelta, usize) {
    union_of_gaps(
        products
            .iter()
            .filter(|p| ColdChainLimits::of_product(&p.product).has_range())
            .flat_map(|p| &p.devices),
    )
}

/// The time covered by at least one of the loggers' gaps, and the number of distinct gaps.
fn union_of_gaps<'a>(devices: impl Iterator<Item = &'a DeviceColdChain>) -> (TimeDelta, usize) {
    let mut gaps: Vec<(DateTime<Utc>, DateTime<Utc>, &str, &str)> = devices
        .flat_map(|d| {
            d.report
                .gaps
                .iter()
                .map(|g| (g.from, g.to, d.submitter.as_str(), d.device_id.as_str()))
        })
        .collect();
    gaps.sort();
    gaps.dedup();
    let count = gaps.len();
    let mut total = TimeDelta::zero();
    let mut covered_until: Option<DateTime<Utc>> = None;
    for (from, to, _, _) in gaps {
        let start = covered_until.map_or(from, |c| c.max(from));
        if to > start {
            total += to - start;
        }
        covered_until = Some(covered_until.map_or(to, |c| c.max(to)));
    }
    (total, count)
}

/// Rows ordered by (submitter, device_id, recorded_at), cut into one series per logger.
fn logger_series(rows: Vec<LoggerReading>) -> Vec<LoggerSeries> {
    let mut series: Vec<LoggerSeries> = Vec::new();
    for row in rows {
        match series.last_mut() {
            Some(s) if s.submitter == row.submitter && s.device_id == row.device_id => {
                s.readings.push(row.reading);
            }
            _ => series.push(LoggerSeries {
                submitter: row.submitter,
                device_id: row.device_id,
                readings: vec![row.reading],
            }),
        }
    }
    series
}

fn assess_product(
    product: Product,
    series: &[LoggerSeries],
    settings: &ColdChainSettings,
) -> ProductColdChain {
    let limits = ColdChainLimits::of_product(&product);
    let devices: Vec<DeviceColdChain> = series
        .iter()
        .map(|s| DeviceColdChain {
            submitter: s.submitter.clone(),
            device_id: s.device_id.clone(),
            report: assess_series(&s.readings, &limits, settings),
        })
        .collect();
    ProductColdChain {
        verdict: Verdict::worst(devices.iter().map(|d| d.report.verdict)),
        unlogged: union_of_gaps(devices.iter()).0,
        product,
        devices,
    }
}
