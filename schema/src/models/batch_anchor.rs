use std::collections::HashMap;

use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Int8;
use serde::Serialize;

use super::import_batch::ImportBatch;
use super::provenance::indexed_event;
use crate::schema::{anchor_submissions, batch_anchors};

/// A ledger row's finality: `pending` can still be reorged away, `safe` is unlikely to be,
/// `final` cannot be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finality {
    Pending,
    Safe,
    Final,
}

impl Finality {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Safe => "safe",
            Self::Final => "final",
        }
    }
}

indexed_event! {
    /// A `BatchAnchored` event indexed from the ledger.
    #[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
    #[diesel(table_name = batch_anchors)]
    pub struct BatchAnchor {
        pub id: i64,
        ..Provenance,
        /// The event's uint64 batchId, whole (NUMERIC: ids beyond 2^63 − 1 name no import
        /// batch, but are stored as the ledger says them).
        pub batch_id: BigDecimal,
        pub merkle_root: Vec<u8>,
        /// The event's uint32 rowCount.
        pub row_count: i64,
        pub uri: String,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Insertable)]
    #[diesel(table_name = batch_anchors)]
    pub struct NewBatchAnchor {
        ..Provenance,
        /// The event's uint64 batchId, whole (NUMERIC: ids beyond 2^63 − 1 name no import
        /// batch, but are stored as the ledger says them).
        pub batch_id: BigDecimal,
        pub merkle_root: Vec<u8>,
        /// The event's uint32 rowCount.
        pub row_count: i64,
        pub uri: String,
    }
}

diesel::define_sql_function! {
    /// `"numeric"(bigint)` (quoted: unquoted, `numeric(…)` is the type's precision): an import
    /// batch id compared with an anchor's uint64 batch id.
    #[sql_name = "\"numeric\""]
    fn as_numeric(id: Int8) -> Numeric;
}

impl BatchAnchor {
    /// The import batch this anchor names, when its id can be one (at most 2^63 − 1).
    pub fn import_batch_id(&self) -> Option<i64> {
        self.batch_id.to_i64()
    }

    /// Insert, idempotent by the natural key (chain_id, block_hash, log_index): replaying a
    /// range writes nothing twice. Returns the rows actually inserted.
    pub fn insert_all(conn: &mut PgConnection, rows: &[NewBatchAnchor]) -> QueryResult<usize> {
        diesel::insert_into(batch_anchors::table)
            .values(rows)
            .on_conflict((
                batch_anchors::chain_id,
                batch_anchors::block_hash,
                batch_anchors::log_index,
            ))
            .do_nothing()
            .execute(conn)
    }

    /// For each batch, the indexed anchor carrying its id and its root (earliest block first
    /// when there are several).
    pub fn for_batches(
        conn: &mut PgConnection,
        batches: &[ImportBatch],
    ) -> QueryResult<Vec<BatchAnchor>> {
        let ids: Vec<BigDecimal> = batches.iter().map(|b| BigDecimal::from(b.id)).collect();
        let rows: Vec<BatchAnchor> = batch_anchors::table
            .filter(batch_anchors::batch_id.eq_any(&ids))
            .order((batch_anchors::block_number, batch_anchors::log_index))
            .select(BatchAnchor::as_select())
            .load(conn)?;
        let roots: HashMap<i64, &[u8]> = batches
            .iter()
            .map(|b| (b.id, b.merkle_root.as_slice()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        Ok(rows
            .into_iter()
            .filter(|a| {
                a.import_batch_id()
                    .and_then(|id| roots.get(&id))
                    .is_some_and(|root| *root == a.merkle_root.as_slice())
            })
            .filter(|a| seen.insert(a.batch_id.clone()))
            .collect())
    }

    /// Mark every anchor of `chain_id` at or below `block_number` with `finality`.
    pub fn advance_finality(
        conn: &mut PgConnection,
        chain_id: i64,
        block_number: i64,
        finality: Finality,
    ) -> QueryResult<usize> {
        diesel::update(
            batch_anchors::table
                .filter(batch_anchors::chain_id.eq(chain_id))
                .filter(batch_anchors::block_number.le(block_number))
                .filter(batch_anchors::finality.ne(finality.as_str())),
        )
        .set(batch_anchors::finality.eq(finality.as_str()))
        .execute(conn)
    }
}

/// What the anchorer has sent for a batch: the transaction to look for on the ledger.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = anchor_submissions)]
pub struct AnchorSubmission {
    pub batch_id: i64,
    pub chain_id: i64,
    pub tx_hash: Vec<u8>,
    pub nonce: i64,
    pub attempts: i32,
    pub submitted_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

impl AnchorSubmission {
    pub fn find(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Option<AnchorSubmission>> {
        anchor_submissions::table
            .find(batch_id)
            .select(AnchorSubmission::as_select())
            .first(conn)
            .optional()
    }

    /// Record a (re)submission: a new row, or the new tx hash with one more attempt.
    pub fn record(
        conn: &mut PgConnection,
        batch_id: i64,
        chain_id: i64,
        tx_hash: &[u8],
        nonce: i64,
    ) -> QueryResult<()> {
        let now = Utc::now();
        diesel::insert_into(anchor_submissions::table)
            .values(AnchorSubmission {
                batch_id,
                chain_id,
                tx_hash: tx_hash.to_vec(),
                nonce,
                attempts: 1,
                submitted_at: now,
                last_error: None,
            })
            .on_conflict(anchor_submissions::batch_id)
            .do_update()
            .set((
                anchor_submissions::tx_hash.eq(tx_hash),
                anchor_submissions::nonce.eq(nonce),
                anchor_submissions::attempts.eq(anchor_submissions::attempts + 1),
                anchor_submissions::submitted_at.eq(now),
                anchor_submissions::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn record_error(conn: &mut PgConnection, batch_id: i64, error: &str) -> QueryResult<usize> {
        diesel::update(anchor_submissions::table.find(batch_id))
            .set(anchor_submissions::last_error.eq(error))
            .execute(conn)
    }
}
