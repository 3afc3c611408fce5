use diesel::prelude::*;
use serde::Serialize;

use super::provenance::indexed_event;
use crate::schema::ledger_events;

indexed_event! {
    /// Any decoded event of a configured contract: the raw ledger view.
    #[derive(Debug, Clone, Queryable, Selectable, Serialize)]
    #[diesel(table_name = ledger_events)]
    pub struct LedgerEvent {
        ..Provenance,
        pub event_name: String,
        pub signature: String,
        pub params: serde_json::Value,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Insertable)]
    #[diesel(table_name = ledger_events, treat_none_as_default_value = false)]
    pub struct NewLedgerEvent {
        ..Provenance,
        pub event_name: String,
        pub signature: String,
        pub params: serde_json::Value,
    }
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
