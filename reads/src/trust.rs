//! How far the batch of an imported row can be trusted (imported, anchored, final), looked up
//! once per batch while a page's rows are loaded.

use std::collections::HashMap;

use diesel::prelude::*;

use citytrace_schema::models::{ImportBatch, TrustState};

/// The trust of the batches met so far, by batch id.
#[derive(Debug, Default)]
pub struct TrustOfBatches(HashMap<i64, TrustState>);

impl TrustOfBatches {
    /// The trust of batch `batch_id`, read from the database the first time it is asked for.
    pub fn of(&mut self, conn: &mut PgConnection, batch_id: i64) -> QueryResult<TrustState> {
        if let Some(t) = self.0.get(&batch_id) {
            return Ok(t.clone());
        }
        let state = trust_of(conn, batch_id)?;
        self.0.insert(batch_id, state.clone());
        Ok(state)
    }
}

/// The trust of each of these batches, by id, each batch read once (a batch that does not
/// exist is `NotFound`).
pub fn batch_trust(
    conn: &mut PgConnection,
    ids: impl IntoIterator<Item = i64>,
) -> QueryResult<HashMap<i64, TrustState>> {
    let mut trust = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = trust.entry(id) {
            e.insert(trust_of(conn, id)?);
        }
    }
    Ok(trust)
}

/// The trust of one batch (a batch that does not exist is `NotFound`).
fn trust_of(conn: &mut PgConnection, batch_id: i64) -> QueryResult<TrustState> {
    ImportBatch::find(conn, batch_id)?.trust(conn)
}
