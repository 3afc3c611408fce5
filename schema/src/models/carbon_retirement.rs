use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::carbon_retirements;

/// Carbon credits retired on chain (Toucan TCO2 Retired, KlimaDAO CarbonRetired).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = carbon_retirements)]
pub struct CarbonRetirement {
    pub id: i64,
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub source: String,
    pub token: Vec<u8>,
    pub retiring_address: Vec<u8>,
    pub beneficiary: Vec<u8>,
    pub beneficiary_name: Option<String>,
    pub retiring_entity: Option<String>,
    pub message: Option<String>,
    pub amount: BigDecimal,
    pub tonnes: BigDecimal,
    pub finality: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = carbon_retirements, treat_none_as_default_value = false)]
pub struct NewCarbonRetirement {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub source: String,
    pub token: Vec<u8>,
    pub retiring_address: Vec<u8>,
    pub beneficiary: Vec<u8>,
    pub beneficiary_name: Option<String>,
    pub retiring_entity: Option<String>,
    pub message: Option<String>,
    pub amount: BigDecimal,
    pub tonnes: BigDecimal,
    pub finality: String,
}
