//! Batch receipts: a Merkle tree over the canonical encodings of a batch's rows, as in
//! RFC 6962 / RFC 9162 (Certificate Transparency), with SHA-256:
//!
//! ```text
//! leaf(row)   = SHA-256(0x00 || canonical bytes of the row)
//! node(l, r)  = SHA-256(0x01 || l || r)
//! root(D[n])  = node(root(D[0..k]), root(D[k..n])), k = the largest power of two < n
//! ```
//!
//! The roots are computed incrementally in O(log n) memory, so any file size streams through.
//! An inclusion proof lists the sibling hashes from the leaf up, each with the side it sits on.
//! docs/verification.md states the same rules for anyone verifying without citytrace.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(canonical: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(canonical);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Computes the root of a growing list of leaves with a stack of perfect subtrees.
#[derive(Debug, Default, Clone)]
pub struct RootBuilder {
    /// (height, root) of perfect subtrees, heights strictly decreasing from bottom to top.
    stack: Vec<(u32, Hash)>,
    leaves: u64,
}

impl RootBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push_leaf(&mut self, leaf: Hash) {
        self.leaves += 1;
        let mut item = (0u32, leaf);
        while let Some(&(height, left)) = self.stack.last() {
            if height != item.0 {
                break;
            }
            self.stack.pop();
            item = (height + 1, node_hash(&left, &item.1));
        }
        self.stack.push(item);
    }

    pub fn len(&self) -> u64 {
        self.leaves
    }

    pub fn is_empty(&self) -> bool {
        self.leaves == 0
    }

    /// The root of all leaves pushed so far (None when there are none).
    pub fn root(&self) -> Option<Hash> {
        let mut iter = self.stack.iter().rev();
        let mut acc = iter.next()?.1;
        for (_, left) in iter {
            acc = node_hash(left, &acc);
        }
        Some(acc)
    }
}

/// Which side of the path a sibling hash sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStep {
    pub side: Side,
    #[serde(with = "hex_hash")]
    pub hash: Hash,
}

/// The root of `leaves` (None when empty).
pub fn root_of(leaves: &[Hash]) -> Option<Hash> {
    let mut b = RootBuilder::new();
    leaves.iter().for_each(|l| b.push_leaf(*l));
    b.root()
}

/// The inclusion proof of leaf `index` among `leaves`, from the leaf up to the root.
pub fn inclusion_path(leaves: &[Hash], index: usize) -> Option<Vec<PathStep>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    collect_path(leaves, index, &mut path);
    path.reverse();
    Some(path)
}

/// RFC 6962 PATH(m, D[n]), appended top-down (the caller reverses).
fn collect_path(leaves: &[Hash], m: usize, out: &mut Vec<PathStep>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = largest_power_of_two_below(n);
    let (left, right) = leaves.split_at(k);
    if m < k {
        out.push(PathStep {
            side: Side::Right,
            hash: root_of(right).unwrap_or_default(),
        });
        collect_path(left, m, out);
    } else {
        out.push(PathStep {
            side: Side::Left,
            hash: root_of(left).unwrap_or_default(),
        });
        collect_path(right, m - k, out);
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    debug_assert!(n > 1);
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// Fold a leaf hash up its path; the result must equal the batch root.
pub fn root_from_path(leaf: Hash, path: &[PathStep]) -> Hash {
    path.iter().fold(leaf, |acc, step| match step.side {
        Side::Left => node_hash(&step.hash, &acc),
        Side::Right => node_hash(&acc, &step.hash),
    })
}

/// Serde helper: a 32-byte hash as 0x-prefixed hex.
pub mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(hash)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let digits = text.strip_prefix("0x").unwrap_or(&text);
        let bytes = hex::decode(digits).map_err(serde::de::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("expected 32 bytes of hex"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("row {i}").as_bytes()))
            .collect()
    }

    /// The recursive definition, written out plainly, to check the incremental builder.
    fn reference_root(d: &[Hash]) -> Hash {
        if d.len() == 1 {
            return d[0];
        }
        let k = largest_power_of_two_below(d.len());
        node_hash(&reference_root(&d[..k]), &reference_root(&d[k..]))
    }

    #[test]
    fn hashes_are_domain_separated_sha256() {
        // SHA-256 of the single byte 0x00 (an empty leaf), a well-known constant.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        assert_ne!(leaf_hash(b"x"), Sha256::digest(b"x").as_slice());
    }

    #[test]
    fn incremental_root_matches_the_recursive_definition_for_every_size_up_to_70() {
        for n in 1..=70 {
            let d = leaves(n);
            assert_eq!(root_of(&d), Some(reference_root(&d)), "n = {n}");
        }
        assert_eq!(root_of(&[]), None);
    }

    #[test]
    fn three_leaves_hash_as_rfc6962_says() {
        let d = leaves(3);
        let expected = node_hash(&node_hash(&d[0], &d[1]), &d[2]);
        assert_eq!(root_of(&d), Some(expected));
    }

    #[test]
    fn every_inclusion_path_leads_to_the_root_and_a_changed_leaf_does_not() {
        for n in [1usize, 2, 3, 5, 8, 13, 33] {
            let d = leaves(n);
            let root = root_of(&d).unwrap();
            for (i, leaf) in d.iter().enumerate() {
                let path = inclusion_path(&d, i).unwrap();
                assert_eq!(root_from_path(*leaf, &path), root, "n = {n}, i = {i}");
                assert_ne!(root_from_path(leaf_hash(b"tampered"), &path), root);
            }
            assert!(inclusion_path(&d, n).is_none());
        }
    }

    #[test]
    fn path_steps_serialise_as_side_and_hex() {
        let step = PathStep {
            side: Side::Left,
            hash: [0xab; 32],
        };
        let json = serde_json::to_string(&step).unwrap();
        assert_eq!(
            json,
            format!("{{\"side\":\"left\",\"hash\":\"0x{}\"}}", "ab".repeat(32))
        );
        assert_eq!(serde_json::from_str::<PathStep>(&json).unwrap(), step);
    }
}
