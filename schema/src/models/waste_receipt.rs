use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::waste_receipts;

/// The receiving facility's record of a consignment: accepted (mass received, operation
/// performed) or refused (with the reason).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = waste_receipts)]
pub struct WasteReceipt {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub consignment_id: String,
    pub transfer_id: i64,
    /// `accepted` or `refused`.
    pub status: String,
    pub mass_received_kg: Option<BigDecimal>,
    /// The R/D operation performed (accepted consignments).
    pub operation: Option<String>,
    pub refusal_reason: Option<String>,
    pub received_at: DateTime<Utc>,
    pub received_offset: String,
}

/// For binary COPY: every column given explicitly.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = waste_receipts, treat_none_as_default_value = false)]
pub struct NewWasteReceipt {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub consignment_id: String,
    pub transfer_id: i64,
    pub status: String,
    pub mass_received_kg: Option<BigDecimal>,
    pub operation: Option<String>,
    pub refusal_reason: Option<String>,
    pub received_at: DateTime<Utc>,
    pub received_offset: String,
}

impl WasteReceipt {
    /// Binary COPY of `rows` into waste_receipts.
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewWasteReceipt]) -> QueryResult<usize> {
        diesel::copy_from(waste_receipts::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The stored receipts of these consignments.
    pub fn by_consignments(
        conn: &mut PgConnection,
        ids: &[&str],
    ) -> QueryResult<Vec<WasteReceipt>> {
        waste_receipts::table
            .filter(waste_receipts::consignment_id.eq_any(ids))
            .select(WasteReceipt::as_select())
            .load(conn)
    }

    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<WasteReceipt>> {
        waste_receipts::table
            .filter(waste_receipts::batch_id.eq(batch_id))
            .order(waste_receipts::line)
            .select(WasteReceipt::as_select())
            .load(conn)
    }
}
