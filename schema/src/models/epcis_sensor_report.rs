use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::epcis_sensor_reports;

/// One sensor report of an EPCIS event, with its sensor element's metadata.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = epcis_sensor_reports, treat_none_as_default_value = false)]
pub struct EpcisSensorReport {
    pub event_id: i64,
    /// The sensor element's position in sensorElementList, from 1.
    pub element: i32,
    /// The report's position in its element's sensorReport list, from 1.
    pub position: i32,
    pub report_type: Option<String>,
    pub device_id: Option<String>,
    pub device_metadata: Option<String>,
    pub raw_data: Option<String>,
    pub data_processing_method: Option<String>,
    pub biz_rules: Option<String>,
    pub report_time: Option<DateTime<Utc>>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub value: Option<BigDecimal>,
    pub min_value: Option<BigDecimal>,
    pub max_value: Option<BigDecimal>,
    pub mean_value: Option<BigDecimal>,
    pub sdev: Option<BigDecimal>,
    pub perc_rank: Option<BigDecimal>,
    pub perc_value: Option<BigDecimal>,
    pub uom: Option<String>,
    pub string_value: Option<String>,
    pub boolean_value: Option<bool>,
    pub hex_binary_value: Option<String>,
    pub uri_value: Option<String>,
    pub exception: Option<String>,
    pub component: Option<String>,
    pub chemical_substance: Option<String>,
    pub microorganism: Option<String>,
    pub coordinate_reference_system: Option<String>,
}

impl EpcisSensorReport {
    pub fn copy_in(conn: &mut PgConnection, rows: &[EpcisSensorReport]) -> QueryResult<usize> {
        diesel::copy_from(epcis_sensor_reports::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_events(
        conn: &mut PgConnection,
        event_ids: &[i64],
    ) -> QueryResult<Vec<EpcisSensorReport>> {
        epcis_sensor_reports::table
            .filter(epcis_sensor_reports::event_id.eq_any(event_ids))
            .order((
                epcis_sensor_reports::event_id,
                epcis_sensor_reports::element,
                epcis_sensor_reports::position,
            ))
            .select(EpcisSensorReport::as_select())
            .load(conn)
    }
}
