use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{supply_event_lots, supply_events};

/// A supply-chain event in EPCIS 2.0 terms, imported or indexed.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = supply_events)]
pub struct SupplyEvent {
    pub id: i64,
    pub event_type: String,
    pub action: Option<String>,
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub event_time: DateTime<Utc>,
    pub event_tz_offset: String,
    pub biz_location_id: Option<i64>,
    pub source_site_id: Option<i64>,
    pub destination_site_id: Option<i64>,
    pub shipment_code: Option<String>,
    pub batch_id: Option<i64>,
    pub line: Option<i32>,
    pub chain_id: Option<i64>,
    pub block_number: Option<i64>,
    pub block_hash: Option<Vec<u8>>,
    pub tx_hash: Option<Vec<u8>>,
    pub log_index: Option<i32>,
    pub finality: Option<String>,
}

/// An imported event (provenance: batch and line). Ids are taken from the sequence up front
/// ([`SupplyEvent::reserve_ids`]) so events and their lot links go in by COPY.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supply_events, treat_none_as_default_value = false)]
pub struct NewSupplyEvent {
    pub id: i64,
    pub event_type: String,
    pub action: Option<String>,
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub event_time: DateTime<Utc>,
    pub event_tz_offset: String,
    pub biz_location_id: Option<i64>,
    pub source_site_id: Option<i64>,
    pub destination_site_id: Option<i64>,
    pub shipment_code: Option<String>,
    pub batch_id: Option<i64>,
    pub line: Option<i32>,
}

/// A supply-chain event indexed from a ledger (TraceRegistry), with chain provenance.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supply_events, treat_none_as_default_value = false)]
pub struct NewLedgerSupplyEvent {
    pub event_type: String,
    pub action: Option<String>,
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub event_time: DateTime<Utc>,
    pub event_tz_offset: String,
    pub biz_location_id: Option<i64>,
    pub chain_id: Option<i64>,
    pub block_number: Option<i64>,
    pub block_hash: Option<Vec<u8>>,
    pub tx_hash: Option<Vec<u8>>,
    pub log_index: Option<i32>,
    pub finality: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supply_event_lots, treat_none_as_default_value = false)]
pub struct NewSupplyEventLot {
    pub event_id: i64,
    pub lot_id: i64,
    pub role: String,
    pub quantity: Option<BigDecimal>,
    pub unit: Option<String>,
}

impl SupplyEvent {
    /// Take `n` ids from the events sequence (in ascending order).
    pub fn reserve_ids(conn: &mut PgConnection, n: i64) -> QueryResult<Vec<i64>> {
        let rows: Vec<ReservedId> = diesel::sql_query(
            "SELECT nextval('supply_events_id_seq') AS id FROM generate_series(1, $1) ORDER BY 1",
        )
        .bind::<diesel::sql_types::BigInt, _>(n)
        .load(conn)?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    pub fn copy_in(
        conn: &mut PgConnection,
        events: &[NewSupplyEvent],
        links: &[NewSupplyEventLot],
    ) -> QueryResult<()> {
        diesel::copy_from(supply_events::table)
            .from_insertable(events)
            .execute(conn)?;
        diesel::copy_from(supply_event_lots::table)
            .from_insertable(links)
            .execute(conn)?;
        Ok(())
    }

    /// Events naming a lot, in time order.
    pub fn for_lot(conn: &mut PgConnection, lot_id: i64) -> QueryResult<Vec<SupplyEvent>> {
        supply_events::table
            .inner_join(supply_event_lots::table)
            .filter(supply_event_lots::lot_id.eq(lot_id))
            .order((supply_events::event_time, supply_events::id))
            .select(SupplyEvent::as_select())
            .distinct()
            .load(conn)
    }
}

#[derive(QueryableByName)]
struct ReservedId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// One entry of a lot's timeline (the `lot_events` view): stored events (EPCIS imports, the
/// ledger) and the shipping/receiving events derived from shipment lines.
#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct LotEvent {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub lot_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub event_type: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub action: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub biz_step: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub disposition: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub event_time: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub event_tz_offset: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub biz_location_id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub role: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Numeric>)]
    pub quantity: Option<BigDecimal>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub unit: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub batch_id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    pub line: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub chain_id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub block_number: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bytea>)]
    pub tx_hash: Option<Vec<u8>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    pub log_index: Option<i32>,
}

impl LotEvent {
    /// A lot's timeline, oldest first.
    pub fn for_lot(conn: &mut PgConnection, lot_id: i64) -> QueryResult<Vec<LotEvent>> {
        diesel::sql_query(
            "SELECT * FROM lot_events WHERE lot_id = $1 ORDER BY event_time, biz_step",
        )
        .bind::<diesel::sql_types::BigInt, _>(lot_id)
        .load(conn)
    }
}
