use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::token_transfers;

/// An ERC-20 Transfer of a configured token (raw amount).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = token_transfers)]
pub struct TokenTransfer {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub token: Vec<u8>,
    pub from_address: Vec<u8>,
    pub to_address: Vec<u8>,
    pub amount: BigDecimal,
    pub finality: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = token_transfers, treat_none_as_default_value = false)]
pub struct NewTokenTransfer {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub token: Vec<u8>,
    pub from_address: Vec<u8>,
    pub to_address: Vec<u8>,
    pub amount: BigDecimal,
    pub finality: String,
}
