//! The home page's reads: what it lists (the chains followed, the latest ledger events, batches
//! and lots, the counts) and the version of the data its headline figures are computed from
//! (`home/data_version.sql`: one cheap query per request, docs/explorer.md). The figures
//! themselves are the derived computations (`spending`, `carbon`, `waste`, `cold_chain`), read
//! together in one snapshot by [`headline::load_headline`].

pub mod headline;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Nullable, Text};

use citytrace_schema::models::{BatchAnchor, ImportBatch, Lot, Product, TrustState};

use crate::ledger::{load_chains, ChainStatus};

/// How many of the latest batches and lots the page lists.
const LATEST: i64 = 10;
/// How many of the latest ledger events.
const LATEST_EVENTS: i64 = 8;

/// Everything the home page lists (one bounded query per part).
#[derive(Debug, Clone)]
pub struct HomeData {
    pub chains: Vec<ChainStatus>,
    pub ledger_events: Vec<RecentEvent>,
    pub batches_imported: i64,
    pub batches_anchored: i64,
    pub lots: i64,
    /// The latest import batches with how far each can be trusted, newest first.
    pub latest_batches: Vec<(ImportBatch, TrustState)>,
    /// The latest lots with their product's name, newest first.
    pub latest_lots: Vec<(Lot, String)>,
}

/// A recent event on a followed chain.
#[derive(Debug, Clone, QueryableByName)]
pub struct RecentEvent {
    #[diesel(sql_type = BigInt)]
    pub chain_id: i64,
    #[diesel(sql_type = BigInt)]
    pub block_number: i64,
    #[diesel(sql_type = Bytea)]
    pub tx_hash: Vec<u8>,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub finality: Option<String>,
}

pub fn load_home(conn: &mut PgConnection) -> QueryResult<HomeData> {
    let chains = load_chains(conn, None)?;
    let ledger_events: Vec<RecentEvent> = diesel::sql_query(
        "SELECT chain_id, block_number, tx_hash, event, summary, finality \
           FROM chain_events ORDER BY block_number DESC, log_index DESC LIMIT $1",
    )
    .bind::<BigInt, _>(LATEST_EVENTS)
    .load(conn)?;
    let (batches_imported, batches_anchored) = ImportBatch::counts(conn)?;
    let lots = Lot::count(conn)?;
    let batches = ImportBatch::latest(conn, LATEST)?;
    let anchors = BatchAnchor::for_batches(conn, &batches)?;
    let latest_batches = batches
        .into_iter()
        .map(|b| {
            let trust = TrustState::from_anchor(anchors.iter().find(|a| a.batch_id == b.id));
            (b, trust)
        })
        .collect();
    let latest_lots = Lot::latest(conn, LATEST)?
        .into_iter()
        .map(|l| {
            let product = Product::find(conn, l.product_id)?.name;
            Ok((l, product))
        })
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(HomeData {
        chains,
        ledger_events,
        batches_imported,
        batches_anchored,
        lots,
        latest_batches,
        latest_lots,
    })
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The version of the data the headline figures are computed from: it changes when a table
/// they read grows or shrinks, and with the UTC date.
pub fn load_data_version(conn: &mut PgConnection) -> QueryResult<String> {
    let v: Version = diesel::sql_query(include_str!("home/data_version.sql")).get_result(conn)?;
    Ok(v.version)
}
