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

/// Where a batch's root was anchored, as links: the block and the transaction pages ("anchored
/// in block 124 (tx 0xeca6…)", each a link); `None` while it is only imported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnchorLink {
    pub chain_id: i64,
    pub block_number: i64,
    pub tx_hash: String,
    #[serde(rename = "final")]
    pub is_final: bool,
    #[serde(skip)]
    pub block_href: String,
    #[serde(skip)]
    pub tx_short: String,
    #[serde(skip)]
    pub tx_href: String,
}

impl AnchorLink {
    pub fn of(state: &TrustState) -> Option<Self> {
        let (chain_id, block_number, tx_hash, is_final) = match state {
            TrustState::Imported => return None,
            TrustState::Anchored {
                chain_id,
                block_number,
                tx_hash,
                ..
            } => (*chain_id, *block_number, tx_hash, false),
            TrustState::Final {
                chain_id,
                block_number,
                tx_hash,
                ..
            } => (*chain_id, *block_number, tx_hash, true),
        };
        Some(Self {
            chain_id,
            block_number,
            block_href: format!("/ledger/chains/{chain_id}/blocks/{block_number}"),
            tx_short: short(tx_hash),
            tx_href: format!(
                "/ledger/chains/{chain_id}/tx/{}",
                crate::fmt::path_segment(tx_hash)
            ),
            tx_hash: tx_hash.clone(),
            is_final,
        })
    }
}
