//! The trust badge every imported row carries: imported, anchored (its batch root is on the
//! ledger) or final (and that block cannot change).

use citytrace_schema::models::TrustState;

#[derive(Debug, Clone)]
pub struct TrustBadge {
    pub label: &'static str,
    /// CSS class: trust-imported, trust-anchored, trust-final.
    pub class: &'static str,
    /// "anchored in block 12 (tx 0x1234…abcd)", or why it is not anchored yet.
    pub text: String,
    pub tx_hash: Option<String>,
}

impl TrustBadge {
    pub fn new(state: &TrustState) -> Self {
        match state {
            TrustState::Imported => Self {
                label: "imported",
                class: "trust-imported",
                text: "imported, waiting to be anchored on the ledger".into(),
                tx_hash: None,
            },
            TrustState::Anchored {
                block_number,
                tx_hash,
                ..
            } => Self {
                label: "anchored",
                class: "trust-anchored",
                text: format!("anchored in block {block_number} (tx {})", short(tx_hash)),
                tx_hash: Some(tx_hash.clone()),
            },
            TrustState::Final {
                block_number,
                tx_hash,
                ..
            } => Self {
                label: "final",
                class: "trust-final",
                text: format!(
                    "anchored in block {block_number} (tx {}), final",
                    short(tx_hash)
                ),
                tx_hash: Some(tx_hash.clone()),
            },
        }
    }
}

fn short(hash: &str) -> String {
    crate::fmt::short(hash, 8, 4)
}
