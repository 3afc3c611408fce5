//! The proof file (`citytrace/proof/1`): a row's inclusion proof and where its batch's root was
//! anchored — everything `citytrace verify` needs to check one row against the ledger alone,
//! with no access to citytrace's database. The explorer serves it
//! (`/api/v1/batches/{id}/rows/{line}/proof`); docs/verification.md describes it for anyone
//! verifying with other tools.
//!
//! The two offline steps live here: the row's text hashes to the leaf ([`AnchoredProof::check_leaf`]),
//! and the path leads from the leaf to the root ([`AnchoredProof::check_path`]). Asking the
//! ledger is the indexer's part (`citytrace_indexer::verify`).

use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use citytrace_schema::models::BatchAnchor;
use citytrace_schema::schema::batch_anchors;

use super::{row_proof, RowProof};
use crate::merkle::{self, Hash, Side};

/// The `format` every proof file carries.
pub const FORMAT: &str = "citytrace/proof/1";

/// One row of one batch, with its Merkle path and its batch's anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchoredProof {
    /// Always [`FORMAT`].
    pub format: String,
    /// batch_id, line, canonical, leaf, index, leaf_count, path, root.
    #[serde(flatten)]
    pub row: RowProof,
    /// Where the batch's root was anchored; null while the batch is not anchored.
    pub anchor: Option<AnchorRef>,
}

/// The `BatchAnchored` event that anchored a batch: which chain, contract and transaction to
/// ask the ledger about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorRef {
    pub chain_id: u64,
    /// The BatchAnchor contract that emitted the event.
    #[serde(with = "hex_address")]
    pub contract: [u8; 20],
    #[serde(with = "merkle::hex_hash")]
    pub tx_hash: Hash,
    pub block_number: u64,
    #[serde(with = "merkle::hex_hash")]
    pub block_hash: Hash,
    /// The event's position among the block's logs.
    pub log_index: u64,
}

impl AnchoredProof {
    /// Read a proof file; anything but a `citytrace/proof/1` proof is refused with the reason.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(format!(
                    "a proof in format {other:?}; this citytrace reads {FORMAT:?}"
                ))
            }
            None => return Err(format!("not a citytrace proof (no \"format\": {FORMAT:?})")),
        }
        serde_json::from_value(value).map_err(|e| format!("not a valid {FORMAT} proof: {e}"))
    }

    /// The root the path leads to from the proof's leaf.
    pub fn path_root(&self) -> Hash {
        merkle::root_from_path(self.row.leaf, &self.row.path)
    }

    /// Step one: the row's canonical text hashes to the proof's leaf, and is the row the proof
    /// says it is (its `line`). Ok: what was checked; Err: why it fails.
    pub fn check_leaf(&self) -> Result<String, String> {
        let row = &self.row;
        let computed = merkle::leaf_hash(row.canonical.as_bytes());
        if computed != row.leaf {
            return Err(format!(
                "the row's canonical text hashes to {}, not to the proof's leaf {}: the row is not the one that was hashed",
                hex0x(&computed),
                hex0x(&row.leaf)
            ));
        }
        let line = serde_json::from_str::<serde_json::Value>(&row.canonical)
            .ok()
            .and_then(|v| v.get("line").and_then(|l| l.as_u64()));
        match line {
            Some(l) if l == row.line => Ok(format!(
                "SHA-256(0x00 ‖ row text) = {}, the proof's leaf; the text is line {l}",
                hex0x(&computed)
            )),
            Some(l) => Err(format!(
                "the row's canonical text is line {l}, but the proof is for line {}",
                row.line
            )),
            None => Err("the row's canonical text is not a JSON object with a line".into()),
        }
    }

    /// Step two: the path has the shape of leaf `index` of a tree of `leaf_count` leaves, and
    /// folds from the leaf to the proof's root.
    pub fn check_path(&self) -> Result<String, String> {
        let row = &self.row;
        if row.index >= row.leaf_count {
            return Err(format!(
                "leaf index {} is outside a tree of {} leaves",
                row.index, row.leaf_count
            ));
        }
        let sides = path_sides(row.index, row.leaf_count);
        if sides.len() != row.path.len() {
            return Err(format!(
                "leaf {} of {} needs {} sibling hashes, the proof has {}",
                row.index + 1,
                row.leaf_count,
                sides.len(),
                row.path.len()
            ));
        }
        if let Some(step) = sides.iter().zip(&row.path).position(|(s, p)| *s != p.side) {
            return Err(format!(
                "sibling {} is on the {}, but for leaf {} of {} it sits on the {}",
                step + 1,
                side_name(row.path[step].side),
                row.index + 1,
                row.leaf_count,
                side_name(sides[step])
            ));
        }
        let reached = self.path_root();
        if reached != row.root {
            return Err(format!(
                "the path leads from the leaf to {}, not to the proof's root {}",
                hex0x(&reached),
                hex0x(&row.root)
            ));
        }
        Ok(format!(
            "the path ({} sibling hash{}) leads from leaf {} of {} to the root {}",
            row.path.len(),
            if row.path.len() == 1 { "" } else { "es" },
            row.index + 1,
            row.leaf_count,
            hex0x(&reached)
        ))
    }
}

/// The proof of the row at `line` of `batch_id` as the database holds it: the path over the
/// stored rows, the root recomputed from them (the stored root is not trusted: it equals this
/// one unless the database was altered), and the indexed `BatchAnchored` event for the batch
/// id — the one carrying that root when there are several, else the earliest.
///
/// `Err(NotFound)` when there is no such batch, `Ok(None)` when the batch has no such row.
pub fn anchored_proof(
    conn: &mut PgConnection,
    batch_id: i64,
    line: u64,
) -> QueryResult<Option<AnchoredProof>> {
    let Some(mut row) = row_proof(conn, batch_id, line)? else {
        return Ok(None);
    };
    row.root = merkle::root_from_path(row.leaf, &row.path);
    let anchors: Vec<BatchAnchor> = batch_anchors::table
        .filter(batch_anchors::batch_id.eq(bigdecimal::BigDecimal::from(batch_id)))
        .order((batch_anchors::block_number, batch_anchors::log_index))
        .select(BatchAnchor::as_select())
        .load(conn)?;
    let anchor = anchors
        .iter()
        .find(|a| a.merkle_root.as_slice() == row.root)
        .or(anchors.first())
        .and_then(anchor_ref);
    Ok(Some(AnchoredProof {
        format: FORMAT.into(),
        row,
        anchor,
    }))
}

fn anchor_ref(a: &BatchAnchor) -> Option<AnchorRef> {
    Some(AnchorRef {
        chain_id: u64::try_from(a.chain_id).ok()?,
        contract: a.contract.as_slice().try_into().ok()?,
        tx_hash: a.tx_hash.as_slice().try_into().ok()?,
        block_number: u64::try_from(a.block_number).ok()?,
        block_hash: a.block_hash.as_slice().try_into().ok()?,
        log_index: u64::try_from(a.log_index).ok()?,
    })
}

/// The sides of the siblings on the path of leaf `index` in a tree of `size` leaves, from the
/// leaf up (RFC 6962 PATH(m, D[n])): a proof's path must have exactly this shape.
pub fn path_sides(index: u64, size: u64) -> Vec<Side> {
    let (mut m, mut n) = (index, size);
    let mut top_down = Vec::new();
    while n > 1 {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        if m < k {
            top_down.push(Side::Right);
            n = k;
        } else {
            top_down.push(Side::Left);
            m -= k;
            n -= k;
        }
    }
    top_down.reverse();
    top_down
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Left => "left",
        Side::Right => "right",
    }
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Serde helper: a 20-byte address as 0x-prefixed hex.
mod hex_address {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(address: &[u8; 20], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::hex0x(address))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 20], D::Error> {
        let text = String::deserialize(d)?;
        citytrace_schema::parse_hex(&text, 20)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| serde::de::Error::custom("expected a 20-byte 0x address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{inclusion_path, leaf_hash, root_of};

    fn proof(rows: &[&str], index: usize) -> AnchoredProof {
        let leaves: Vec<Hash> = rows.iter().map(|r| leaf_hash(r.as_bytes())).collect();
        AnchoredProof {
            format: FORMAT.into(),
            row: RowProof {
                batch_id: 7,
                line: index as u64 + 2,
                canonical: rows[index].into(),
                leaf: leaves[index],
                index: index as u64,
                leaf_count: leaves.len() as u64,
                path: inclusion_path(&leaves, index).unwrap(),
                root: root_of(&leaves).unwrap(),
            },
            anchor: Some(AnchorRef {
                chain_id: 31337,
                contract: [0x5f; 20],
                tx_hash: [0xab; 32],
                block_number: 12,
                block_hash: [0xbb; 32],
                log_index: 0,
            }),
        }
    }

    const ROWS: [&str; 3] = [r#"{"line":2}"#, r#"{"line":3}"#, r#"{"line":4}"#];

    #[test]
    fn path_shapes_match_the_inclusion_paths_for_every_size_up_to_40() {
        for n in 1..=40usize {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[i as u8])).collect();
            for i in 0..n {
                let sides: Vec<Side> = inclusion_path(&leaves, i)
                    .unwrap()
                    .iter()
                    .map(|s| s.side)
                    .collect();
                assert_eq!(path_sides(i as u64, n as u64), sides, "n = {n}, i = {i}");
            }
        }
    }

    #[test]
    fn an_honest_proof_passes_both_offline_steps_and_round_trips_through_json() {
        let p = proof(&ROWS, 1);
        assert_eq!(
            p.check_leaf().unwrap(),
            format!(
                "SHA-256(0x00 ‖ row text) = {}, the proof's leaf; the text is line 3",
                hex0x(&p.row.leaf)
            )
        );
        assert_eq!(
            p.check_path().unwrap(),
            format!(
                "the path (2 sibling hashes) leads from leaf 2 of 3 to the root {}",
                hex0x(&p.row.root)
            )
        );
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.starts_with(r#"{"format":"citytrace/proof/1","batch_id":7,"line":3,"#));
        assert!(json.contains(&format!(r#""contract":"0x{}""#, "5f".repeat(20))));
        assert_eq!(AnchoredProof::from_json(&json).unwrap(), p);
    }

    #[test]
    fn a_changed_row_fails_the_leaf_step() {
        let mut p = proof(&ROWS, 0);
        p.row.canonical = r#"{"line":2,"x":1}"#.into();
        let err = p.check_leaf().unwrap_err();
        assert_eq!(
            err,
            format!(
                "the row's canonical text hashes to {}, not to the proof's leaf {}: the row is not the one that was hashed",
                hex0x(&leaf_hash(br#"{"line":2,"x":1}"#)),
                hex0x(&p.row.leaf)
            )
        );
        assert!(p.check_path().is_ok(), "the path still holds");
    }

    #[test]
    fn a_proof_for_another_line_fails_the_leaf_step() {
        let mut p = proof(&ROWS, 0);
        p.row.line = 3;
        assert_eq!(
            p.check_leaf().unwrap_err(),
            "the row's canonical text is line 2, but the proof is for line 3"
        );
    }

    #[test]
    fn a_changed_sibling_hash_or_side_or_root_fails_the_path_step() {
        let mut p = proof(&ROWS, 0);
        p.row.path[0].hash[0] ^= 1;
        assert!(p
            .check_path()
            .unwrap_err()
            .starts_with("the path leads from the leaf to 0x"));

        let mut p = proof(&ROWS, 2);
        p.row.path[0].side = Side::Right;
        assert_eq!(
            p.check_path().unwrap_err(),
            "sibling 1 is on the right, but for leaf 3 of 3 it sits on the left"
        );

        let mut p = proof(&ROWS, 2);
        p.row.leaf_count = 4;
        assert_eq!(
            p.check_path().unwrap_err(),
            "leaf 3 of 4 needs 2 sibling hashes, the proof has 1"
        );

        let mut p = proof(&ROWS, 1);
        p.row.root = [0x11; 32];
        assert_eq!(
            p.check_path().unwrap_err(),
            format!(
                "the path leads from the leaf to {}, not to the proof's root 0x{}",
                hex0x(&p.path_root()),
                "11".repeat(32)
            )
        );
    }

    #[test]
    fn other_formats_are_refused_with_the_reason() {
        assert_eq!(
            AnchoredProof::from_json(r#"{"format":"citytrace/proof/2"}"#).unwrap_err(),
            "a proof in format \"citytrace/proof/2\"; this citytrace reads \"citytrace/proof/1\""
        );
        assert_eq!(
            AnchoredProof::from_json(r#"{"batch_id":1}"#).unwrap_err(),
            "not a citytrace proof (no \"format\": \"citytrace/proof/1\")"
        );
        assert!(AnchoredProof::from_json("{")
            .unwrap_err()
            .starts_with("not JSON: "));
    }
}
