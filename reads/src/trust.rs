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
        let state = ImportBatch::find(conn, batch_id)?.trust(conn)?;
        self.0.insert(batch_id, state.clone());
        Ok(state)
    }
}
