//! The ledger pages' reads: the chains followed with how far each is indexed, one chain with
//! the contracts decoded on it ([`load_chain`]), the events citytrace decoded from one
//! transaction or one block (`ledger/tx_events.sql`; [`load_transaction`], [`load_block`]),
//! and the logs it could not decode ([`load_undecoded`]).

mod undecoded;

pub use undecoded::{load_undecoded, UndecodedLogs, UndecodedPosition};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Integer, Nullable, Text, Timestamptz};

use citytrace_schema::models::{Block, Chain, ContractRow, Reorg};
use citytrace_schema::schema::{checkpoints, contracts};

/// A chain followed, how far it is indexed, and its last reorg.
#[derive(Debug, Clone)]
pub struct ChainStatus {
    pub chain: Chain,
    /// The highest block of its checkpoints.
    pub indexed: Option<i64>,
    pub last_reorg: Option<Reorg>,
}

/// Every chain followed, or only the one with id `only`.
pub fn load_chains(conn: &mut PgConnection, only: Option<i64>) -> QueryResult<Vec<ChainStatus>> {
    let checkpoints: Vec<(i64, i64)> = checkpoints::table
        .select((checkpoints::chain_id, checkpoints::block_number))
        .load(conn)?;
    let chains: Vec<Chain> = Chain::all(conn)?
        .into_iter()
        .filter(|c| only.is_none_or(|id| id == c.chain_id))
        .collect();
    let mut statuses = Vec::with_capacity(chains.len());
    for chain in chains {
        let last_reorg = Reorg::latest(conn, chain.chain_id)?;
        let indexed = checkpoints
            .iter()
            .filter(|(id, _)| *id == chain.chain_id)
            .map(|(_, n)| *n)
            .max();
        statuses.push(ChainStatus {
            chain,
            indexed,
            last_reorg,
        });
    }
    Ok(statuses)
}

/// Which events: those of one transaction (its hash) or of one block (its number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSelector {
    Tx(Vec<u8>),
    Block(i64),
}

/// One decoded event of the chain, as stored.
#[derive(Debug, Clone, QueryableByName)]
pub struct DecodedEvent {
    #[diesel(sql_type = Integer)]
    pub log_index: i32,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    /// The domain page of what the event is about (a batch, …).
    #[diesel(sql_type = Nullable<Text>)]
    pub href: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub finality: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub block_number: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub block_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bytea)]
    pub block_hash: Vec<u8>,
    #[diesel(sql_type = Bytea)]
    pub tx_hash: Vec<u8>,
    #[diesel(sql_type = Nullable<Bytea>)]
    pub contract: Option<Vec<u8>>,
    /// The decoded parameters as a JSON object (byte strings as PostgreSQL writes them, `\x…`).
    #[diesel(sql_type = Nullable<Text>)]
    pub params: Option<String>,
}

/// The decoded events of chain `chain` that `selector` names, in log order.
pub fn load_decoded_events(
    conn: &mut PgConnection,
    chain: i64,
    selector: EventSelector,
) -> QueryResult<Vec<DecodedEvent>> {
    let (tx, block) = match selector {
        EventSelector::Tx(hash) => (Some(hash), None),
        EventSelector::Block(n) => (None, Some(n)),
    };
    diesel::sql_query(include_str!("ledger/tx_events.sql"))
        .bind::<BigInt, _>(chain)
        .bind::<Nullable<Bytea>, _>(tx)
        .bind::<Nullable<BigInt>, _>(block)
        .load(conn)
}

/// A batch anchored by a transaction: the `BatchAnchored` event's batch id (a uint64, kept in
/// range by the column's CHECK), row count, Merkle root and finality.
#[derive(Debug, Clone, PartialEq)]
pub struct TxAnchor {
    pub batch_id: BigDecimal,
    pub row_count: i64,
    pub merkle_root: Vec<u8>,
    pub finality: String,
}

/// One transaction of a followed chain: the chain (`None` when it is not followed), the events
/// citytrace decoded from the transaction (none when it indexed none) and the batches it
/// anchored.
#[derive(Debug, Clone)]
pub struct TransactionData {
    pub chain: Option<ChainStatus>,
    pub events: Vec<DecodedEvent>,
    pub anchors: Vec<TxAnchor>,
}

pub fn load_transaction(
    conn: &mut PgConnection,
    chain: i64,
    tx_hash: &[u8],
) -> QueryResult<TransactionData> {
    use citytrace_schema::schema::batch_anchors as a;
    let Some(status) = load_chains(conn, Some(chain))?.into_iter().next() else {
        return Ok(TransactionData {
            chain: None,
            events: Vec::new(),
            anchors: Vec::new(),
        });
    };
    let events = load_decoded_events(conn, chain, EventSelector::Tx(tx_hash.to_vec()))?;
    let anchors: Vec<(BigDecimal, i64, Vec<u8>, String)> = a::table
        .filter(a::chain_id.eq(chain))
        .filter(a::tx_hash.eq(tx_hash))
        .order(a::log_index)
        .select((a::batch_id, a::row_count, a::merkle_root, a::finality))
        .load(conn)?;
    Ok(TransactionData {
        chain: Some(status),
        events,
        anchors: anchors
            .into_iter()
            .map(|(batch_id, row_count, merkle_root, finality)| TxAnchor {
                batch_id,
                row_count,
                merkle_root,
                finality,
            })
            .collect(),
    })
}

/// One chain followed and the contracts citytrace decodes on it.
#[derive(Debug, Clone)]
pub struct ChainData {
    pub status: ChainStatus,
    /// By name.
    pub contracts: Vec<ContractRow>,
}

/// The chain `chain` with its contracts; `None` when it is not followed.
pub fn load_chain(conn: &mut PgConnection, chain: i64) -> QueryResult<Option<ChainData>> {
    let Some(status) = load_chains(conn, Some(chain))?.into_iter().next() else {
        return Ok(None);
    };
    let contracts: Vec<ContractRow> = contracts::table
        .filter(contracts::chain_id.eq(chain))
        .order(contracts::name)
        .select(ContractRow::as_select())
        .load(conn)?;
    Ok(Some(ChainData { status, contracts }))
}

/// One block of a followed chain: the chain (`None` when it is not followed), the block's row
/// (kept while the block is in the indexer's reorg window) and the events citytrace decoded
/// from it.
#[derive(Debug, Clone)]
pub struct BlockData {
    pub chain: Option<ChainStatus>,
    pub block: Option<Block>,
    pub events: Vec<DecodedEvent>,
}

pub fn load_block(conn: &mut PgConnection, chain: i64, number: i64) -> QueryResult<BlockData> {
    let Some(status) = load_chains(conn, Some(chain))?.into_iter().next() else {
        return Ok(BlockData {
            chain: None,
            block: None,
            events: Vec::new(),
        });
    };
    let block = Block::find(conn, chain, number)?;
    let events = load_decoded_events(conn, chain, EventSelector::Block(number))?;
    Ok(BlockData {
        chain: Some(status),
        block,
        events,
    })
}
