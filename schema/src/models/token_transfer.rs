use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use super::provenance::indexed_event;
use crate::schema::token_transfers;

indexed_event! {
    /// An ERC-20 Transfer of a configured token (raw amount); its `contract` is the token.
    #[derive(Debug, Clone, Queryable, Selectable, Serialize)]
    #[diesel(table_name = token_transfers)]
    pub struct TokenTransfer {
        ..Provenance { #[diesel(column_name = token)] #[serde(rename = "token")] },
        pub from_address: Vec<u8>,
        pub to_address: Vec<u8>,
        pub amount: BigDecimal,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Insertable)]
    #[diesel(table_name = token_transfers, treat_none_as_default_value = false)]
    pub struct NewTokenTransfer {
        ..Provenance { #[diesel(column_name = token)] },
        pub from_address: Vec<u8>,
        pub to_address: Vec<u8>,
        pub amount: BigDecimal,
    }
}
