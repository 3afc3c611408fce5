use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{epcis_events, supply_events};

use super::SupplyEvent;

/// What an imported EPCIS event holds beyond its `supply_events` row: its identifiers (the
/// eventID it was captured with and its CBV 2.0 hash id), where it was read, ILMD, user
/// extensions, and its error declaration if it is one.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = epcis_events)]
pub struct EpcisEvent {
    pub event_id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub event_uri: Option<String>,
    pub event_hash: String,
    pub record_time: Option<DateTime<Utc>>,
    pub read_point: Option<String>,
    pub read_point_site_id: Option<i64>,
    pub biz_location: Option<String>,
    pub transformation_id: Option<String>,
    pub persistent_disposition_set: Vec<String>,
    pub persistent_disposition_unset: Vec<String>,
    pub ilmd: Option<serde_json::Value>,
    pub extensions: Option<serde_json::Value>,
    pub error_declared_at: Option<DateTime<Utc>>,
    pub error_reason: Option<String>,
    pub corrective_event_ids: Vec<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = epcis_events, treat_none_as_default_value = false)]
pub struct NewEpcisEvent {
    pub event_id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub event_uri: Option<String>,
    pub event_hash: String,
    pub record_time: Option<DateTime<Utc>>,
    pub read_point: Option<String>,
    pub read_point_site_id: Option<i64>,
    pub biz_location: Option<String>,
    pub transformation_id: Option<String>,
    pub persistent_disposition_set: Vec<String>,
    pub persistent_disposition_unset: Vec<String>,
    pub ilmd: Option<serde_json::Value>,
    pub extensions: Option<serde_json::Value>,
    pub error_declared_at: Option<DateTime<Utc>>,
    pub error_reason: Option<String>,
    pub corrective_event_ids: Vec<String>,
}

/// An event already stored under a hash id: where it came from, and whether it is an error
/// declaration.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StoredEventHash {
    pub event_hash: String,
    pub declares_error: bool,
    pub batch_id: i64,
    pub line: i32,
}

/// Why an event is considered declared in error: the declaration that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorMark {
    pub declared_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub corrective_event_ids: Vec<String>,
    /// The supply event that carries the declaration.
    pub declared_by: i64,
}

impl EpcisEvent {
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewEpcisEvent]) -> QueryResult<usize> {
        diesel::copy_from(epcis_events::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The events of a batch with their supply-event rows, in line order.
    pub fn of_batch(
        conn: &mut PgConnection,
        batch_id: i64,
    ) -> QueryResult<Vec<(SupplyEvent, EpcisEvent)>> {
        epcis_events::table
            .inner_join(supply_events::table)
            .filter(epcis_events::batch_id.eq(batch_id))
            .order(epcis_events::line)
            .select((SupplyEvent::as_select(), EpcisEvent::as_select()))
            .load(conn)
    }

    /// Stored events with any of these hash ids.
    pub fn with_hashes(
        conn: &mut PgConnection,
        hashes: &[&str],
    ) -> QueryResult<Vec<StoredEventHash>> {
        epcis_events::table
            .filter(epcis_events::event_hash.eq_any(hashes))
            .order((epcis_events::batch_id, epcis_events::line))
            .select((
                epcis_events::event_hash,
                epcis_events::error_declared_at.is_not_null(),
                epcis_events::batch_id,
                epcis_events::line,
            ))
            .load(conn)
    }

    /// The error declaration that applies to this event, if any: the event's own, or that of
    /// another event with the same hash id or the same eventID (EPCIS 2.0 §7.4.1.4: a
    /// declaration repeats the erroneous event with an errorDeclaration added).
    pub fn error_mark(&self, conn: &mut PgConnection) -> QueryResult<Option<ErrorMark>> {
        let mut query = epcis_events::table
            .filter(epcis_events::error_declared_at.is_not_null())
            .into_boxed();
        query = match &self.event_uri {
            Some(uri) => query.filter(
                epcis_events::event_hash
                    .eq(&self.event_hash)
                    .or(epcis_events::event_uri.eq(uri)),
            ),
            None => query.filter(epcis_events::event_hash.eq(&self.event_hash)),
        };
        let found: Option<EpcisEvent> = query
            .order((epcis_events::batch_id, epcis_events::line))
            .select(EpcisEvent::as_select())
            .first(conn)
            .optional()?;
        Ok(found.and_then(|d| {
            d.error_declared_at.map(|declared_at| ErrorMark {
                declared_at,
                reason: d.error_reason.clone(),
                corrective_event_ids: d.corrective_event_ids.clone(),
                declared_by: d.event_id,
            })
        }))
    }
}
