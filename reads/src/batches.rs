//! Import batches as the pages show them: how far the batches a page names can be trusted
//! (each read once), for the provenance beside every figure.

use std::collections::HashMap;

use diesel::prelude::*;

use citytrace_schema::models::{ImportBatch, TrustState};

/// The trust of each of these batches, by id, each batch read once (a batch that does not
/// exist is `NotFound`).
pub fn batch_trust(
    conn: &mut PgConnection,
    ids: impl IntoIterator<Item = i64>,
) -> QueryResult<HashMap<i64, TrustState>> {
    let mut trust = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = trust.entry(id) {
            e.insert(ImportBatch::find(conn, id)?.trust(conn)?);
        }
    }
    Ok(trust)
}
