//! Links from a figure to its evidence: an imported row (batch + line, and its Merkle proof) or
//! a chain log (chain + transaction); and the pages of the sites and lots a figure names. Hashes shown Etherscan-style: short, full in the title.

use serde::Serialize;

/// A site's page.
pub fn site_href(code: &str) -> String {
    format!("/sites/{}", crate::fmt::path_segment(code))
}

/// A lot's page.
pub fn lot_href(code: &str) -> String {
    format!("/lots/{}", crate::fmt::path_segment(code))
}

/// The batch page, at the row's anchor.
pub fn batch_line_href(batch_id: i64, line: i32) -> String {
    format!("/batches/{batch_id}#line-{line}")
}

/// The row's proof as a page people read: the row, its leaf, the Merkle path to its batch's
/// root, where that root was anchored and how final it is, and the `citytrace verify` command.
pub fn proof_href(batch_id: i64, line: impl std::fmt::Display) -> String {
    format!("/batches/{batch_id}/rows/{line}/proof")
}

/// The row's proof file (JSON, `citytrace/proof/1`), for `citytrace verify` and for JSON twins.
pub fn proof_file_href(batch_id: i64, line: impl std::fmt::Display) -> String {
    format!("/api/v1/batches/{batch_id}/rows/{line}/proof")
}

/// The block page of a chain.
pub fn block_href(chain_id: i64, number: i64) -> String {
    format!("/ledger/chains/{chain_id}/blocks/{number}")
}

/// The transaction page of a chain.
pub fn tx_href(chain_id: i64, tx_hash: &[u8]) -> String {
    format!(
        "/ledger/chains/{chain_id}/tx/{}",
        citytrace_schema::hex0x(tx_hash)
    )
}

/// A hash or address: `0x1234…abcd` on pages, the full value in `title` and in JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(into = "String")]
pub struct Hash {
    pub full: String,
    pub short: String,
}

impl Hash {
    pub fn new(bytes: &[u8]) -> Self {
        Self {
            full: citytrace_schema::hex0x(bytes),
            short: crate::fmt::short_hash(bytes),
        }
    }
}

impl From<Hash> for String {
    fn from(h: Hash) -> String {
        h.full
    }
}

/// Where an imported row came from, as pages link it.
#[derive(Debug, Clone, Serialize)]
pub struct RowSource {
    pub batch_id: i64,
    pub line: i32,
    #[serde(skip)]
    pub href: String,
    /// The proof page.
    #[serde(skip)]
    pub proof: String,
    /// The proof file, which JSON twins link.
    #[serde(rename = "proof")]
    pub proof_file: String,
}

impl RowSource {
    pub fn new(batch_id: i64, line: i32) -> Self {
        Self {
            batch_id,
            line,
            href: batch_line_href(batch_id, line),
            proof: proof_href(batch_id, line),
            proof_file: proof_file_href(batch_id, line),
        }
    }
}
