//! CityTreasury events on the city ledger: budget allocations and payments.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{treasury_allocations, treasury_payments};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = treasury_allocations)]
pub struct TreasuryAllocation {
    pub id: i64,
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub allocation_id: Vec<u8>,
    pub fiscal_year: i32,
    pub department: String,
    pub program: String,
    pub cofog: String,
    pub amount_minor: BigDecimal,
    pub currency: String,
    pub finality: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = treasury_allocations, treat_none_as_default_value = false)]
pub struct NewTreasuryAllocation {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub allocation_id: Vec<u8>,
    pub fiscal_year: i32,
    pub department: String,
    pub program: String,
    pub cofog: String,
    pub amount_minor: BigDecimal,
    pub currency: String,
    pub finality: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = treasury_payments)]
pub struct TreasuryPayment {
    pub id: i64,
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub payment_id: Vec<u8>,
    pub payee: Vec<u8>,
    pub payee_name: String,
    pub department: String,
    pub amount_minor: BigDecimal,
    pub currency: String,
    pub contract_ref: String,
    pub finality: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = treasury_payments, treat_none_as_default_value = false)]
pub struct NewTreasuryPayment {
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_time: DateTime<Utc>,
    pub tx_hash: Vec<u8>,
    pub log_index: i32,
    pub contract: Vec<u8>,
    pub payment_id: Vec<u8>,
    pub payee: Vec<u8>,
    pub payee_name: String,
    pub department: String,
    pub amount_minor: BigDecimal,
    pub currency: String,
    pub contract_ref: String,
    pub finality: String,
}
