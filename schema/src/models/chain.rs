//! Chain state: the chains followed, their contracts, the recent canonical blocks (the reorg
//! window) and the checkpoints that say how far each stream has been written.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{blocks, chains, checkpoints, contracts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainKind {
    /// The city's Proof-of-Authority ledger.
    Ledger,
    /// A public EVM chain.
    Public,
}

impl ChainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ledger => "ledger",
            Self::Public => "public",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = chains, primary_key(chain_id))]
pub struct Chain {
    pub chain_id: i64,
    pub name: String,
    pub kind: String,
    pub head_number: Option<i64>,
    pub head_seen_at: Option<DateTime<Utc>>,
    pub finalized_number: Option<i64>,
    pub safe_number: Option<i64>,
    pub stalled_since: Option<DateTime<Utc>>,
    pub stall_reason: Option<String>,
}

impl Chain {
    /// Register a chain (or rename it); head and finality are left as they are.
    pub fn upsert(
        conn: &mut PgConnection,
        chain_id: i64,
        name: &str,
        kind: ChainKind,
    ) -> QueryResult<()> {
        diesel::insert_into(chains::table)
            .values((
                chains::chain_id.eq(chain_id),
                chains::name.eq(name),
                chains::kind.eq(kind.as_str()),
            ))
            .on_conflict(chains::chain_id)
            .do_update()
            .set((chains::name.eq(name), chains::kind.eq(kind.as_str())))
            .execute(conn)?;
        Ok(())
    }

    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Chain>> {
        chains::table
            .order(chains::chain_id)
            .select(Chain::as_select())
            .load(conn)
    }

    /// Record the head the node reports and the safe and finalized blocks derived from it.
    pub fn record_head(
        conn: &mut PgConnection,
        chain_id: i64,
        head: i64,
        safe: i64,
        finalized: i64,
    ) -> QueryResult<()> {
        diesel::update(chains::table.find(chain_id))
            .set((
                chains::head_number.eq(head),
                chains::head_seen_at.eq(Utc::now()),
                chains::safe_number.eq(safe),
                chains::finalized_number.eq(finalized),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Mark the chain stalled (with why) or, with None, healthy again. Call it on changes only:
    /// `stalled_since` is set to now.
    pub fn record_stall(
        conn: &mut PgConnection,
        chain_id: i64,
        reason: Option<&str>,
    ) -> QueryResult<()> {
        let since = reason.map(|_| Utc::now());
        diesel::update(chains::table.find(chain_id))
            .set((
                chains::stalled_since.eq(since),
                chains::stall_reason.eq(reason),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// A contract the indexer decodes.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = contracts)]
pub struct ContractRow {
    pub chain_id: i64,
    pub address: Vec<u8>,
    pub kind: String,
    pub name: String,
    pub start_block: i64,
}

impl ContractRow {
    pub fn upsert(conn: &mut PgConnection, row: &ContractRow) -> QueryResult<()> {
        diesel::insert_into(contracts::table)
            .values(row)
            .on_conflict((contracts::chain_id, contracts::address))
            .do_update()
            .set((
                contracts::kind.eq(&row.kind),
                contracts::name.eq(&row.name),
                contracts::start_block.eq(row.start_block),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn of_kind(conn: &mut PgConnection, kind: &str) -> QueryResult<Vec<ContractRow>> {
        contracts::table
            .filter(contracts::kind.eq(kind))
            .select(ContractRow::as_select())
            .load(conn)
    }
}

/// A canonical block the indexer has seen, kept for the reorg window.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = blocks)]
pub struct Block {
    pub chain_id: i64,
    pub number: i64,
    pub hash: Vec<u8>,
    pub parent_hash: Vec<u8>,
    pub timestamp: DateTime<Utc>,
}

impl Block {
    /// Remember blocks as canonical, replacing whatever was stored at the same heights.
    pub fn upsert_all(conn: &mut PgConnection, rows: &[Block]) -> QueryResult<usize> {
        use diesel::upsert::excluded;
        diesel::insert_into(blocks::table)
            .values(rows)
            .on_conflict((blocks::chain_id, blocks::number))
            .do_update()
            .set((
                blocks::hash.eq(excluded(blocks::hash)),
                blocks::parent_hash.eq(excluded(blocks::parent_hash)),
                blocks::timestamp.eq(excluded(blocks::timestamp)),
            ))
            .execute(conn)
    }

    pub fn find(conn: &mut PgConnection, chain_id: i64, number: i64) -> QueryResult<Option<Block>> {
        blocks::table
            .find((chain_id, number))
            .select(Block::as_select())
            .first(conn)
            .optional()
    }

    /// Forget blocks below `number` (outside the reorg window).
    pub fn prune_below(conn: &mut PgConnection, chain_id: i64, number: i64) -> QueryResult<usize> {
        diesel::delete(
            blocks::table
                .filter(blocks::chain_id.eq(chain_id))
                .filter(blocks::number.lt(number)),
        )
        .execute(conn)
    }

    /// Forget blocks above `number` (they were reorged away).
    pub fn delete_above(conn: &mut PgConnection, chain_id: i64, number: i64) -> QueryResult<usize> {
        diesel::delete(
            blocks::table
                .filter(blocks::chain_id.eq(chain_id))
                .filter(blocks::number.gt(number)),
        )
        .execute(conn)
    }
}

/// How far a stream of a chain has been written: the last block whose rows are all stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = checkpoints)]
pub struct Checkpoint {
    pub chain_id: i64,
    pub stream: String,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub updated_at: DateTime<Utc>,
}

impl Checkpoint {
    pub fn get(
        conn: &mut PgConnection,
        chain_id: i64,
        stream: &str,
    ) -> QueryResult<Option<Checkpoint>> {
        checkpoints::table
            .find((chain_id, stream))
            .select(Checkpoint::as_select())
            .first(conn)
            .optional()
    }

    /// Move the checkpoint; call it in the same transaction as the rows it covers.
    pub fn set(
        conn: &mut PgConnection,
        chain_id: i64,
        stream: &str,
        block_number: i64,
        block_hash: &[u8],
    ) -> QueryResult<()> {
        let now = Utc::now();
        diesel::insert_into(checkpoints::table)
            .values((
                checkpoints::chain_id.eq(chain_id),
                checkpoints::stream.eq(stream),
                checkpoints::block_number.eq(block_number),
                checkpoints::block_hash.eq(block_hash),
                checkpoints::updated_at.eq(now),
            ))
            .on_conflict((checkpoints::chain_id, checkpoints::stream))
            .do_update()
            .set((
                checkpoints::block_number.eq(block_number),
                checkpoints::block_hash.eq(block_hash),
                checkpoints::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }
}
