use diesel::prelude::*;
use serde::Serialize;

use crate::schema::epcis_source_destinations;

/// A source or destination of an EPCIS event (owning party, possessing party, location).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = epcis_source_destinations)]
pub struct EpcisSourceDestination {
    pub event_id: i64,
    /// `source` or `destination`.
    pub direction: String,
    pub position: i32,
    #[diesel(column_name = type_)]
    pub kind: Option<String>,
    pub value: String,
    pub site_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = epcis_source_destinations, treat_none_as_default_value = false)]
pub struct NewEpcisSourceDestination {
    pub event_id: i64,
    pub direction: String,
    pub position: i32,
    #[diesel(column_name = type_)]
    pub kind: Option<String>,
    pub value: String,
    pub site_id: Option<i64>,
}

impl EpcisSourceDestination {
    pub fn copy_in(
        conn: &mut PgConnection,
        rows: &[NewEpcisSourceDestination],
    ) -> QueryResult<usize> {
        diesel::copy_from(epcis_source_destinations::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_events(
        conn: &mut PgConnection,
        event_ids: &[i64],
    ) -> QueryResult<Vec<EpcisSourceDestination>> {
        epcis_source_destinations::table
            .filter(epcis_source_destinations::event_id.eq_any(event_ids))
            .order((
                epcis_source_destinations::event_id,
                epcis_source_destinations::direction,
                epcis_source_destinations::position,
            ))
            .select(EpcisSourceDestination::as_select())
            .load(conn)
    }
}
