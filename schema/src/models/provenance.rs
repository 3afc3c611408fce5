//! Where and when an indexed event was logged: the eight columns every table of events indexed
//! from a chain has, declared once for the models (`indexed_event!`) and filled once by the
//! indexer's decoders ([`with_provenance!`](crate::with_provenance)).

use chrono::{DateTime, Utc};

/// Where and when an indexed event was logged — the chain, the block (number, hash, time), the
/// transaction, the log's index in its block, the contract that emitted it, and how final its
/// block is. `(chain_id, block_hash, log_index)` is the log's natural key.
///
/// Every table of indexed events has these eight columns: `token_transfers` (where `contract`
/// is the column `token`), `ledger_events`, `batch_anchors`, `treasury_allocations`,
/// `treasury_payments`, `carbon_retirements` and `quarantined_logs`. `supply_events` holds six
/// of them, nullable (its imported events have none), without the block time and contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    /// `pending`, `safe` or `final` ([`Finality`](super::Finality)).
    pub finality: String,
}

/// Declares the model of an indexed event: `..Provenance,` among its fields stands for the eight
/// [`Provenance`] fields, one per column, read back whole by the model's `provenance()`.
/// Attributes in braces after it go to the `contract` field
/// (`..Provenance { #[diesel(column_name = token)] },`).
///
/// The models keep one field per column rather than a `#[diesel(embed)]` [`Provenance`]: the
/// indexer writes them with binary COPY, and diesel's COPY takes only flat rows (an embedded
/// insertable nests its columns); reads and writes outside the indexer keep their field names.
macro_rules! indexed_event {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $($(#[$before_attr:meta])* pub $before:ident: $before_ty:ty,)*
            ..Provenance $({ $(#[$contract_attr:meta])* })?,
            $($(#[$after_attr:meta])* pub $after:ident: $after_ty:ty,)*
        }
    ) => {
        $(#[$attr])*
        pub struct $name {
            $($(#[$before_attr])* pub $before: $before_ty,)*
            pub chain_id: i64,
            pub block_number: i64,
            pub block_hash: Vec<u8>,
            pub block_time: ::chrono::DateTime<::chrono::Utc>,
            pub tx_hash: Vec<u8>,
            pub log_index: i32,
            $($(#[$contract_attr])*)?
            pub contract: Vec<u8>,
            pub finality: String,
            $($(#[$after_attr])* pub $after: $after_ty,)*
        }

        impl $name {
            /// Where and when the event was logged.
            pub fn provenance(&self) -> $crate::models::Provenance {
                $crate::models::Provenance {
                    chain_id: self.chain_id,
                    block_number: self.block_number,
                    block_hash: self.block_hash.clone(),
                    block_time: self.block_time,
                    tx_hash: self.tx_hash.clone(),
                    log_index: self.log_index,
                    contract: self.contract.clone(),
                    finality: self.finality.clone(),
                }
            }
        }
    };
}
pub(crate) use indexed_event;

/// The row of an indexed event: its [`Provenance`] spread over the row's eight provenance
/// fields, then the row's own fields as in a struct expression:
/// `with_provenance!(provenance, NewTokenTransfer { from_address, to_address, amount })`.
/// The compiler still checks that every field of the row is given exactly once.
#[macro_export]
macro_rules! with_provenance {
    ($provenance:expr, $row:path { $($fields:tt)* }) => {{
        let provenance: $crate::models::Provenance = $provenance;
        $row {
            chain_id: provenance.chain_id,
            block_number: provenance.block_number,
            block_hash: provenance.block_hash,
            block_time: provenance.block_time,
            tx_hash: provenance.tx_hash,
            log_index: provenance.log_index,
            contract: provenance.contract,
            finality: provenance.finality,
            $($fields)*
        }
    }};
}
