use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::batch_anchor::{as_numeric, BatchAnchor, Finality};
use crate::schema::{batch_anchors, import_batches};

/// One imported file, with the Merkle root of its canonical rows.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = import_batches)]
pub struct ImportBatch {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub sha256: Vec<u8>,
    pub submitter: String,
    pub row_count: i32,
    pub merkle_root: Vec<u8>,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = import_batches)]
pub struct NewImportBatch<'a> {
    pub kind: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a [u8],
    pub submitter: &'a str,
    pub row_count: i32,
    pub merkle_root: &'a [u8],
}

/// How far a row can be trusted: imported (the database says so), anchored (its batch's root
/// is on the ledger), final (and that ledger block can no longer change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TrustState {
    Imported,
    Anchored {
        chain_id: i64,
        block_number: i64,
        tx_hash: String,
        block_time: DateTime<Utc>,
    },
    Final {
        chain_id: i64,
        block_number: i64,
        tx_hash: String,
        block_time: DateTime<Utc>,
    },
}

impl TrustState {
    pub fn from_anchor(anchor: Option<&BatchAnchor>) -> Self {
        match anchor {
            None => Self::Imported,
            Some(a) => {
                let (chain_id, block_number, tx_hash, block_time) = (
                    a.chain_id,
                    a.block_number,
                    crate::hex0x(&a.tx_hash),
                    a.block_time,
                );
                if a.finality == Finality::Final.as_str() {
                    Self::Final {
                        chain_id,
                        block_number,
                        tx_hash,
                        block_time,
                    }
                } else {
                    Self::Anchored {
                        chain_id,
                        block_number,
                        tx_hash,
                        block_time,
                    }
                }
            }
        }
    }

    /// The short label shown on trust badges.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::Anchored { .. } => "anchored",
            Self::Final { .. } => "final",
        }
    }
}

impl ImportBatch {
    pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<ImportBatch> {
        import_batches::table
            .find(id)
            .select(ImportBatch::as_select())
            .first(conn)
    }

    /// The batch this submitter already imported from a file with this sha256, if any.
    pub fn find_by_file(
        conn: &mut PgConnection,
        submitter: &str,
        sha256: &[u8],
    ) -> QueryResult<Option<ImportBatch>> {
        import_batches::table
            .filter(import_batches::submitter.eq(submitter))
            .filter(import_batches::sha256.eq(sha256))
            .select(ImportBatch::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(conn: &mut PgConnection, new: &NewImportBatch<'_>) -> QueryResult<ImportBatch> {
        diesel::insert_into(import_batches::table)
            .values(new)
            .returning(ImportBatch::as_returning())
            .get_result(conn)
    }

    pub fn latest(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<ImportBatch>> {
        import_batches::table
            .order(import_batches::id.desc())
            .limit(limit)
            .select(ImportBatch::as_select())
            .load(conn)
    }

    /// The ledger anchor that carries this batch's id and root, if indexed.
    pub fn anchor(&self, conn: &mut PgConnection) -> QueryResult<Option<BatchAnchor>> {
        Ok(BatchAnchor::for_batches(conn, std::slice::from_ref(self))?
            .into_iter()
            .next())
    }

    pub fn trust(&self, conn: &mut PgConnection) -> QueryResult<TrustState> {
        Ok(TrustState::from_anchor(self.anchor(conn)?.as_ref()))
    }

    /// (batches imported, batches anchored) for the home page.
    pub fn counts(conn: &mut PgConnection) -> QueryResult<(i64, i64)> {
        let imported: i64 = import_batches::table.count().get_result(conn)?;
        let anchored: i64 = import_batches::table
            .filter(diesel::dsl::exists(
                batch_anchors::table
                    .filter(batch_anchors::batch_id.eq(as_numeric(import_batches::id)))
                    .filter(batch_anchors::merkle_root.eq(import_batches::merkle_root)),
            ))
            .count()
            .get_result(conn)?;
        Ok((imported, anchored))
    }

    /// Batches waiting to be anchored: no indexed anchor carries their id and root yet. Oldest
    /// first.
    pub fn awaiting_anchor(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<ImportBatch>> {
        import_batches::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                batch_anchors::table
                    .filter(batch_anchors::batch_id.eq(as_numeric(import_batches::id)))
                    .filter(batch_anchors::merkle_root.eq(import_batches::merkle_root)),
            )))
            .order(import_batches::id)
            .limit(limit)
            .select(ImportBatch::as_select())
            .load(conn)
    }
}
