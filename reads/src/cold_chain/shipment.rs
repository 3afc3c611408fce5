//! The shipment page's read (`/cold-chain/shipments/{code}` and its JSON twin): the shipment
//! assessed ([`cold_chain_for_shipment`], every figure), each logger's readings for drawing,
//! and the shipment's lines (what travelled) with how far each line's batch can be trusted.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use citytrace_schema::models::TrustState;
use citytrace_schema::schema::{lots, products, sensor_readings, shipment_lines};

use super::{
    cold_chain_for_shipment, shipment_route, site_names, ColdChainSettings, ShipmentColdChain,
    ShipmentRoute,
};
use crate::trust::TrustOfBatches;

/// A logger: (submitter, device id), the readings' natural key.
pub type Logger = (String, String);

/// Everything the shipment page shows.
#[derive(Debug, Clone)]
pub struct ShipmentData {
    pub cold_chain: ShipmentColdChain,
    /// Each logger's readings, for drawing only (the figures are in `cold_chain`).
    pub readings: HashMap<Logger, LoggerReadings>,
    /// The shipment's lines in line order, with their batch's trust.
    pub lines: Vec<(CarriedLine, TrustState)>,
    /// Where it went and under which contract (from its first line).
    pub route: Option<ShipmentRoute>,
    /// The names of the sites its lines name, by code.
    pub site_names: HashMap<String, String>,
}

/// One logger's readings in time order.
#[derive(Debug, Clone, Default)]
pub struct LoggerReadings {
    /// The offset the logger wrote its first reading with (`+02:00`); `None` without readings.
    pub offset: Option<String>,
    pub readings: Vec<(DateTime<Utc>, BigDecimal)>,
}

/// A shipment line with its lot's product.
#[derive(Debug, Clone, Queryable)]
pub struct CarriedLine {
    pub batch_id: i64,
    pub line: i32,
    pub line_no: i32,
    pub lot_code: String,
    pub product_code: String,
    pub product_name: String,
    pub quantity: BigDecimal,
    pub unit: String,
    pub from_site: String,
    pub to_site: String,
    pub shipped_at: DateTime<Utc>,
    pub shipped_offset: String,
}

/// The shipment `code` assessed, with its loggers' readings and its lines; `None` when no
/// shipment has the code.
pub fn load_shipment(
    conn: &mut PgConnection,
    code: &str,
    settings: &ColdChainSettings,
) -> QueryResult<Option<ShipmentData>> {
    let Some(cold_chain) = cold_chain_for_shipment(conn, code, settings)? else {
        return Ok(None);
    };
    let mut readings: HashMap<Logger, LoggerReadings> = HashMap::new();
    for device in cold_chain.products.iter().flat_map(|p| &p.devices) {
        let logger = (device.submitter.clone(), device.device_id.clone());
        if let Entry::Vacant(slot) = readings.entry(logger) {
            let series = readings_of(conn, code, &device.submitter, &device.device_id)?;
            slot.insert(series);
        }
    }
    let lines = lines_of(conn, code)?;
    let codes: Vec<&str> = lines
        .iter()
        .flat_map(|(l, _)| [l.from_site.as_str(), l.to_site.as_str()])
        .collect();
    let site_names = site_names(conn, &codes)?;
    Ok(Some(ShipmentData {
        route: shipment_route(conn, code)?,
        site_names,
        cold_chain,
        readings,
        lines,
    }))
}

fn readings_of(
    conn: &mut PgConnection,
    code: &str,
    submitter: &str,
    device: &str,
) -> QueryResult<LoggerReadings> {
    let rows: Vec<(DateTime<Utc>, BigDecimal, String)> = sensor_readings::table
        .filter(sensor_readings::shipment_code.eq(code))
        .filter(sensor_readings::submitter.eq(submitter))
        .filter(sensor_readings::device_id.eq(device))
        .order(sensor_readings::recorded_at)
        .select((
            sensor_readings::recorded_at,
            sensor_readings::temperature_c,
            sensor_readings::recorded_offset,
        ))
        .load(conn)?;
    Ok(LoggerReadings {
        offset: rows.first().map(|r| r.2.clone()),
        readings: rows.into_iter().map(|(t, c, _)| (t, c)).collect(),
    })
}

fn lines_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<(CarriedLine, TrustState)>> {
    let rows: Vec<CarriedLine> = shipment_lines::table
        .inner_join(lots::table.inner_join(products::table))
        .filter(shipment_lines::shipment_code.eq(code))
        .order((shipment_lines::line_no, shipment_lines::batch_id))
        .select((
            shipment_lines::batch_id,
            shipment_lines::line,
            shipment_lines::line_no,
            shipment_lines::lot_code,
            products::code,
            products::name,
            shipment_lines::quantity,
            shipment_lines::unit,
            shipment_lines::from_site,
            shipment_lines::to_site,
            shipment_lines::shipped_at,
            shipment_lines::shipped_offset,
        ))
        .load(conn)?;
    let mut trust = TrustOfBatches::default();
    rows.into_iter()
        .map(|line| {
            let t = trust.of(conn, line.batch_id)?;
            Ok((line, t))
        })
        .collect()
}
