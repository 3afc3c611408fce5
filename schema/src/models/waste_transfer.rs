use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::waste_transfers;

/// A waste consignment leaving its producer: the transfer note.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = waste_transfers)]
pub struct WasteTransfer {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub consignment_id: String,
    /// European List of Waste code, six digits without spaces; `hazardous` is its asterisk.
    pub ewc_code: String,
    pub hazardous: bool,
    pub description: Option<String>,
    pub mass_kg: BigDecimal,
    /// `REAL` (weighed) or `ESTIMATED`.
    pub mass_basis: String,
    pub producer: String,
    pub producer_id: i64,
    pub from_site: String,
    pub from_site_id: i64,
    pub carrier: String,
    pub carrier_id: i64,
    pub carrier_licence: String,
    pub to_site: String,
    pub to_site_id: i64,
    pub transferred_at: DateTime<Utc>,
    pub transferred_offset: String,
    /// The R/D operation planned at the receiving facility.
    pub planned_operation: String,
    pub previous_consignment_id: Option<String>,
}

/// For binary COPY: every column given explicitly.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = waste_transfers, treat_none_as_default_value = false)]
pub struct NewWasteTransfer {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub consignment_id: String,
    pub ewc_code: String,
    pub hazardous: bool,
    pub description: Option<String>,
    pub mass_kg: BigDecimal,
    pub mass_basis: String,
    pub producer: String,
    pub producer_id: i64,
    pub from_site: String,
    pub from_site_id: i64,
    pub carrier: String,
    pub carrier_id: i64,
    pub carrier_licence: String,
    pub to_site: String,
    pub to_site_id: i64,
    pub transferred_at: DateTime<Utc>,
    pub transferred_offset: String,
    pub planned_operation: String,
    pub previous_consignment_id: Option<String>,
}

impl WasteTransfer {
    /// Binary COPY of `rows` into waste_transfers.
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewWasteTransfer]) -> QueryResult<usize> {
        diesel::copy_from(waste_transfers::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The stored consignments with these ids.
    pub fn by_consignments(
        conn: &mut PgConnection,
        ids: &[&str],
    ) -> QueryResult<Vec<WasteTransfer>> {
        waste_transfers::table
            .filter(waste_transfers::consignment_id.eq_any(ids))
            .select(WasteTransfer::as_select())
            .load(conn)
    }

    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<WasteTransfer>> {
        waste_transfers::table
            .filter(waste_transfers::batch_id.eq(batch_id))
            .order(waste_transfers::line)
            .select(WasteTransfer::as_select())
            .load(conn)
    }
}
