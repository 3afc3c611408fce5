//! CityTreasury events on the city ledger: budget allocations and payments.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use super::provenance::indexed_event;
use crate::schema::{treasury_allocations, treasury_payments};

indexed_event! {
    #[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
    #[diesel(table_name = treasury_allocations)]
    pub struct TreasuryAllocation {
        pub id: i64,
        ..Provenance,
        pub allocation_id: Vec<u8>,
        pub fiscal_year: i32,
        pub department: String,
        pub program: String,
        pub cofog: String,
        pub amount_minor: BigDecimal,
        pub currency: String,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Insertable)]
    #[diesel(table_name = treasury_allocations, treat_none_as_default_value = false)]
    pub struct NewTreasuryAllocation {
        ..Provenance,
        pub allocation_id: Vec<u8>,
        pub fiscal_year: i32,
        pub department: String,
        pub program: String,
        pub cofog: String,
        pub amount_minor: BigDecimal,
        pub currency: String,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
    #[diesel(table_name = treasury_payments)]
    pub struct TreasuryPayment {
        pub id: i64,
        ..Provenance,
        pub payment_id: Vec<u8>,
        pub payee: Vec<u8>,
        pub payee_name: String,
        pub department: String,
        pub amount_minor: BigDecimal,
        pub currency: String,
        pub contract_ref: String,
        /// The budget line paid from (`PaymentMadeOnBudgetLine`); None for `PaymentMade`.
        pub budget_line_id: Option<String>,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Insertable)]
    #[diesel(table_name = treasury_payments, treat_none_as_default_value = false)]
    pub struct NewTreasuryPayment {
        ..Provenance,
        pub payment_id: Vec<u8>,
        pub payee: Vec<u8>,
        pub payee_name: String,
        pub department: String,
        pub amount_minor: BigDecimal,
        pub currency: String,
        pub contract_ref: String,
        /// The budget line paid from (`PaymentMadeOnBudgetLine`); None for `PaymentMade`.
        pub budget_line_id: Option<String>,
    }
}
