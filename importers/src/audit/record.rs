//! Leaf records: a batch's leaves (and the line of each), kept by the audit once the batch's
//! stored rows gave exactly the root and row count the ledger anchored — so that a later
//! audit finding the rows changed can say which lines (`super::changes`).
//!
//! A record is written in one transaction on its own connection while the batch is read, and
//! committed only if the batch's rows gave the anchored root. It is never trusted as such: its
//! leaves must fold to the root the ledger holds before any line is named from it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use citytrace_schema::schema::{audit_leaf_chunks, audit_leaf_records};

use super::{AnchoredRoot, PageLeaves};
use crate::merkle::Hash;

/// A batch's record, as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafRecord {
    pub batch_id: i64,
    /// The anchored root and row count the leaves were proved against when recorded.
    pub root: Vec<u8>,
    pub rows: i64,
    pub recorded_at: DateTime<Utc>,
}

/// Every batch's record, by batch id.
pub fn records(conn: &mut PgConnection) -> QueryResult<HashMap<i64, LeafRecord>> {
    Ok(load(conn, None)?
        .into_iter()
        .map(|r| (r.batch_id, r))
        .collect())
}

/// The record of one batch, if it has one.
pub fn record_of(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Option<LeafRecord>> {
    Ok(load(conn, Some(batch_id))?.into_iter().next())
}

fn load(conn: &mut PgConnection, batch_id: Option<i64>) -> QueryResult<Vec<LeafRecord>> {
    let mut query = audit_leaf_records::table.into_boxed();
    if let Some(id) = batch_id {
        query = query.filter(audit_leaf_records::batch_id.eq(id));
    }
    let rows: Vec<(i64, Vec<u8>, i64, DateTime<Utc>)> = query
        .select((
            audit_leaf_records::batch_id,
            audit_leaf_records::merkle_root,
            audit_leaf_records::row_count,
            audit_leaf_records::recorded_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(batch_id, root, rows, recorded_at)| LeafRecord {
            batch_id,
            root,
            rows,
            recorded_at,
        })
        .collect())
}

/// Up to `count` chunks of a batch's record from chunk `from` on, decoded: (line, leaf) in
/// line order. Err: a chunk that is not whole lines and leaves (the record was altered).
pub fn read_chunks(
    conn: &mut PgConnection,
    batch_id: i64,
    from: i32,
    count: i64,
) -> QueryResult<Result<Vec<(i64, Hash)>, String>> {
    let chunks: Vec<(i32, Vec<u8>, Vec<u8>)> = audit_leaf_chunks::table
        .filter(audit_leaf_chunks::batch_id.eq(batch_id))
        .filter(audit_leaf_chunks::chunk.ge(from))
        .order(audit_leaf_chunks::chunk)
        .limit(count)
        .select((
            audit_leaf_chunks::chunk,
            audit_leaf_chunks::lines,
            audit_leaf_chunks::leaves,
        ))
        .load(conn)?;
    let mut entries = Vec::new();
    for (offset, (chunk, lines, leaves)) in chunks.into_iter().enumerate() {
        let expected = i64::from(from) + offset as i64;
        if i64::from(chunk) != expected {
            return Ok(Err(format!(
                "chunk {expected} of the record is missing (the next is {chunk})"
            )));
        }
        match decode_chunk(&lines, &leaves) {
            Some(decoded) => entries.extend(decoded),
            None => {
                return Ok(Err(format!(
                    "chunk {chunk} of the record holds {} bytes of lines and {} of leaves, not 4 and 32 a row",
                    lines.len(),
                    leaves.len()
                )))
            }
        }
    }
    Ok(Ok(entries))
}

/// A chunk's columns: each line as 4 bytes (big-endian, signed), each leaf as its 32 bytes.
fn encode_chunk(lines: &[i64], leaves: &[Hash]) -> (Vec<u8>, Vec<u8>) {
    let mut bytes = Vec::with_capacity(lines.len() * 4);
    for line in lines {
        // Stored lines are INT4: this never saturates for a line read from the database.
        let line = i32::try_from(*line).unwrap_or(if *line < 0 { i32::MIN } else { i32::MAX });
        bytes.extend_from_slice(&line.to_be_bytes());
    }
    (bytes, leaves.iter().flatten().copied().collect())
}

/// The chunk's (line, leaf) entries; None when its columns are not whole lines and leaves of
/// the same number.
fn decode_chunk(lines: &[u8], leaves: &[u8]) -> Option<Vec<(i64, Hash)>> {
    if !lines.len().is_multiple_of(4) || leaves.len() != lines.len() * 8 {
        return None;
    }
    lines
        .chunks_exact(4)
        .zip(leaves.chunks_exact(32))
        .map(|(line, leaf)| {
            let line = i32::from_be_bytes(line.try_into().ok()?);
            Some((i64::from(line), leaf.try_into().ok()?))
        })
        .collect()
}

/// A record being written: one open transaction on the recorder's connection.
pub struct LeafWriter {
    batch_id: i64,
    against: AnchoredRoot,
    chunk: i32,
}

impl LeafWriter {
    /// Begin the batch's record on `conn` (replacing any record it had: the caller records
    /// only batches whose record is missing or does not hold).
    pub fn start(
        conn: &mut PgConnection,
        batch_id: i64,
        against: AnchoredRoot,
    ) -> QueryResult<Self> {
        AnsiTransactionManager::begin_transaction(conn)?;
        let begun = (|| {
            diesel::delete(audit_leaf_records::table.find(batch_id)).execute(conn)?;
            diesel::insert_into(audit_leaf_records::table)
                .values((
                    audit_leaf_records::batch_id.eq(batch_id),
                    audit_leaf_records::merkle_root.eq(against.root.to_vec()),
                    audit_leaf_records::row_count.eq(i64::try_from(against.rows).unwrap_or(-1)),
                ))
                .execute(conn)
        })();
        if let Err(e) = begun {
            let _ = AnsiTransactionManager::rollback_transaction(conn);
            return Err(e);
        }
        Ok(Self {
            batch_id,
            against,
            chunk: 0,
        })
    }

    /// Add a page's leaves as the next chunk.
    pub fn push(&mut self, conn: &mut PgConnection, page: &PageLeaves) -> QueryResult<()> {
        let (lines, leaves) = encode_chunk(&page.lines, &page.leaves);
        let written = diesel::insert_into(audit_leaf_chunks::table)
            .values((
                audit_leaf_chunks::batch_id.eq(self.batch_id),
                audit_leaf_chunks::chunk.eq(self.chunk),
                audit_leaf_chunks::lines.eq(lines),
                audit_leaf_chunks::leaves.eq(leaves),
            ))
            .execute(conn);
        if let Err(e) = written {
            let _ = AnsiTransactionManager::rollback_transaction(conn);
            return Err(e);
        }
        self.chunk += 1;
        Ok(())
    }

    /// Commit the record when the batch's rows gave the root and row count it was to be
    /// recorded against (true), else roll it back (false).
    pub fn finish(self, conn: &mut PgConnection, root: Hash, rows: u64) -> QueryResult<bool> {
        if root == self.against.root && rows == self.against.rows {
            AnsiTransactionManager::commit_transaction(conn)?;
            Ok(true)
        } else {
            AnsiTransactionManager::rollback_transaction(conn)?;
            Ok(false)
        }
    }

    /// Give up the record (the audit of its batch failed).
    pub fn abandon(self, conn: &mut PgConnection) {
        let _ = AnsiTransactionManager::rollback_transaction(conn);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    use super::*;

    #[test]
    fn chunks_decode_to_what_was_encoded_and_anything_else_is_refused_without_panic() {
        let cases = citytrace_schema::testing::fuzz_cases(10_000);
        let mut runner = TestRunner::new(Config::with_cases(cases));
        let entries = proptest::collection::vec((any::<i32>(), any::<[u8; 32]>()), 0..40);
        runner
            .run(&entries, |entries| {
                let lines: Vec<i64> = entries.iter().map(|(l, _)| i64::from(*l)).collect();
                let leaves: Vec<Hash> = entries.iter().map(|(_, h)| *h).collect();
                let (l, h) = encode_chunk(&lines, &leaves);
                let decoded = decode_chunk(&l, &h).expect("a whole chunk");
                prop_assert_eq!(decoded, lines.into_iter().zip(leaves).collect::<Vec<_>>());
                Ok(())
            })
            .unwrap();
        let mut runner = TestRunner::new(Config::with_cases(cases));
        let bytes = (
            proptest::collection::vec(any::<u8>(), 0..48),
            proptest::collection::vec(any::<u8>(), 0..400),
        );
        runner
            .run(&bytes, |(lines, leaves)| {
                let whole = lines.len() % 4 == 0 && leaves.len() == lines.len() * 8;
                prop_assert_eq!(decode_chunk(&lines, &leaves).is_some(), whole);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_chunk_with_a_leaf_short_is_refused() {
        let (lines, mut leaves) = encode_chunk(&[2, 3], &[[1; 32], [2; 32]]);
        assert!(decode_chunk(&lines, &leaves).is_some());
        leaves.pop();
        assert_eq!(decode_chunk(&lines, &leaves), None);
    }
}
