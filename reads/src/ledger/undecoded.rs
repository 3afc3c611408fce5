//! The logs not decoded (`/ledger/undecoded` and its JSON twin): the quarantined logs, newest
//! first, a page at a time, of one chain or of all.

use diesel::prelude::*;

use citytrace_schema::models::QuarantinedLog;

/// Where a page starts: after the log (block number, log index, chain id).
pub type UndecodedPosition = (i64, i32, i64);

/// A page of logs not decoded.
#[derive(Debug, Clone)]
pub struct UndecodedLogs {
    /// Newest first.
    pub logs: Vec<QuarantinedLog>,
    /// Where the next page starts, when there is one.
    pub next: Option<UndecodedPosition>,
    /// Logs not decoded (of the chain asked for, else of every chain).
    pub total: i64,
}

/// Up to `limit` logs not decoded of `chain` (every chain when `None`) after `before`.
pub fn load_undecoded(
    conn: &mut PgConnection,
    chain: Option<i64>,
    before: Option<UndecodedPosition>,
    limit: usize,
) -> QueryResult<UndecodedLogs> {
    let page = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut logs = QuarantinedLog::page(conn, chain, before, page.saturating_add(1))?;
    let more = logs.len() > limit;
    logs.truncate(limit);
    let next = logs
        .last()
        .filter(|_| more)
        .map(|q| (q.block_number, q.log_index, q.chain_id));
    Ok(UndecodedLogs {
        logs,
        next,
        total: QuarantinedLog::count(conn, chain)?,
    })
}
