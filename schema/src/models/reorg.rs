use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::reorgs;

/// A reorganisation the indexer saw and undid.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = reorgs)]
pub struct Reorg {
    pub id: i64,
    pub chain_id: i64,
    pub detected_at: DateTime<Utc>,
    /// Blocks dropped: the old checkpoint height minus the common ancestor's.
    pub depth: i64,
    pub ancestor_number: i64,
    pub ancestor_hash: Option<Vec<u8>>,
    pub old_number: i64,
    pub old_hash: Vec<u8>,
    /// The node's block at the old height after the reorg (None when the chain got shorter).
    pub new_hash: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reorgs)]
pub struct NewReorg {
    pub chain_id: i64,
    pub depth: i64,
    pub ancestor_number: i64,
    pub ancestor_hash: Option<Vec<u8>>,
    pub old_number: i64,
    pub old_hash: Vec<u8>,
    pub new_hash: Option<Vec<u8>>,
}

impl Reorg {
    pub fn record(conn: &mut PgConnection, new: &NewReorg) -> QueryResult<()> {
        diesel::insert_into(reorgs::table)
            .values(new)
            .execute(conn)?;
        Ok(())
    }

    pub fn of_chain(conn: &mut PgConnection, chain_id: i64) -> QueryResult<Vec<Reorg>> {
        reorgs::table
            .filter(reorgs::chain_id.eq(chain_id))
            .order(reorgs::id)
            .select(Reorg::as_select())
            .load(conn)
    }

    pub fn latest(conn: &mut PgConnection, chain_id: i64) -> QueryResult<Option<Reorg>> {
        reorgs::table
            .filter(reorgs::chain_id.eq(chain_id))
            .order(reorgs::id.desc())
            .select(Reorg::as_select())
            .first(conn)
            .optional()
    }
}
