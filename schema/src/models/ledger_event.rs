use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::ledger_events;

/// Any decoded event of a configured contract: the raw ledger view.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ledger_events)]
pub struct LedgerEvent {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub event_name: String,
    pub signature: String,
    pub params: serde_json::Value,
    pub finality: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ledger_events, treat_none_as_default_value = false)]
pub struct NewLedgerEvent {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub event_name: String,
    pub signature: String,
    pub params: serde_json::Value,
    pub finality: String,
}

impl LedgerEvent {
    /// Events of a chain in block order.
    pub fn of_chain(
        conn: &mut PgConnection,
        chain_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<LedgerEvent>> {
        ledger_events::table
            .filter(ledger_events::chain_id.eq(chain_id))
            .order((ledger_events::block_number, ledger_events::log_index))
            .limit(limit)
            .select(LedgerEvent::as_select())
            .load(conn)
    }
}
