//! Row proofs: a row's canonical encoding, its leaf, and the path from the leaf to its
//! batch's Merkle root, rebuilt from the stored rows (docs/verification.md).

use std::ops::ControlFlow;

use diesel::pg::PgConnection;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use citytrace_schema::models::ImportBatch;

use crate::merkle::{self, Hash, PathStep};

pub mod anchored;
pub mod stored;

/// Everything needed to check one row against its batch root, offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProof {
    pub batch_id: i64,
    pub line: u64,
    /// The row's canonical encoding (UTF-8 JSON), exactly as hashed.
    pub canonical: String,
    #[serde(with = "merkle::hex_hash")]
    pub leaf: Hash,
    /// Position of the row among the batch's rows (in line order), and their number.
    pub index: u64,
    pub leaf_count: u64,
    pub path: Vec<PathStep>,
    #[serde(with = "merkle::hex_hash")]
    pub root: Hash,
}

impl RowProof {
    /// Recompute leaf and root from the canonical row: true when the proof holds together.
    pub fn is_consistent(&self) -> bool {
        merkle::leaf_hash(self.canonical.as_bytes()) == self.leaf
            && merkle::root_from_path(self.leaf, &self.path) == self.root
    }
}

/// Rows read per query when a batch is read back.
pub const PAGE_ROWS: i64 = 20_000;

/// The canonical encodings of a batch's stored rows, in line order (none for a kind this
/// citytrace does not know).
pub fn canonical_rows(
    conn: &mut PgConnection,
    batch: &ImportBatch,
) -> QueryResult<Vec<(u64, Vec<u8>)>> {
    let mut rows = Vec::new();
    let Some(format) = stored::format_of(&batch.kind) else {
        return Ok(rows);
    };
    stored::for_each_page(conn, format, batch.id, PAGE_ROWS, |page| {
        rows.extend((0..page.len()).map(|i| (page.line(i) as u64, page.canonical(i))));
        ControlFlow::Continue(())
    })?;
    Ok(rows)
}

/// The proof for the row at `line` of `batch_id`, or None when there is no such row. The
/// batch is read a page at a time; memory holds its leaves (32 bytes a row), not its rows.
pub fn row_proof(
    conn: &mut PgConnection,
    batch_id: i64,
    line: u64,
) -> QueryResult<Option<RowProof>> {
    let batch = ImportBatch::find(conn, batch_id)?;
    let Some(format) = stored::format_of(&batch.kind) else {
        return Ok(None);
    };
    let mut leaves: Vec<Hash> = Vec::with_capacity(usize::try_from(batch.row_count).unwrap_or(0));
    let mut found: Option<(usize, Vec<u8>)> = None;
    stored::for_each_page(conn, format, batch.id, PAGE_ROWS, |page| {
        for i in 0..page.len() {
            let canonical = page.canonical(i);
            leaves.push(merkle::leaf_hash(&canonical));
            if found.is_none() && page.line(i) as u64 == line {
                found = Some((leaves.len() - 1, canonical));
            }
        }
        ControlFlow::Continue(())
    })?;
    let Some((index, canonical)) = found else {
        return Ok(None);
    };
    let root: Hash = batch.merkle_root.as_slice().try_into().unwrap_or_default();
    Ok(merkle::inclusion_path(&leaves, index).map(|path| RowProof {
        batch_id,
        line,
        canonical: String::from_utf8_lossy(&canonical).into_owned(),
        leaf: leaves[index],
        index: index as u64,
        leaf_count: leaves.len() as u64,
        path,
        root,
    }))
}
