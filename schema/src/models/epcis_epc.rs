use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::epcis_epcs;

/// An identifier an EPCIS event names: an EPC (kind `instance`) or a quantity element (kind
/// `class`), in its role (`epc`, `parent`, `child`, `input`, `output`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = epcis_epcs)]
pub struct EpcisEpc {
    pub event_id: i64,
    pub role: String,
    pub kind: String,
    pub position: i32,
    pub epc: String,
    pub quantity: Option<BigDecimal>,
    pub uom: Option<String>,
    pub lot_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = epcis_epcs, treat_none_as_default_value = false)]
pub struct NewEpcisEpc {
    pub event_id: i64,
    pub role: String,
    pub kind: String,
    pub position: i32,
    pub epc: String,
    pub quantity: Option<BigDecimal>,
    pub uom: Option<String>,
    pub lot_id: Option<i64>,
}

impl EpcisEpc {
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewEpcisEpc]) -> QueryResult<usize> {
        diesel::copy_from(epcis_epcs::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The identifiers of these events, by event, role, kind and position.
    pub fn of_events(conn: &mut PgConnection, event_ids: &[i64]) -> QueryResult<Vec<EpcisEpc>> {
        epcis_epcs::table
            .filter(epcis_epcs::event_id.eq_any(event_ids))
            .order((
                epcis_epcs::event_id,
                epcis_epcs::role,
                epcis_epcs::kind,
                epcis_epcs::position,
            ))
            .select(EpcisEpc::as_select())
            .load(conn)
    }
}
