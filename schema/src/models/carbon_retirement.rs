use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use super::provenance::indexed_event;
use crate::schema::carbon_retirements;

indexed_event! {
    /// Carbon credits retired on chain (Toucan TCO2 Retired, KlimaDAO CarbonRetired).
    #[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
    #[diesel(table_name = carbon_retirements)]
    pub struct CarbonRetirement {
        pub id: i64,
        ..Provenance,
        pub source: String,
        pub token: Vec<u8>,
        pub retiring_address: Vec<u8>,
        pub beneficiary: Vec<u8>,
        pub beneficiary_name: Option<String>,
        pub retiring_entity: Option<String>,
        pub message: Option<String>,
        pub amount: BigDecimal,
        pub tonnes: BigDecimal,
    }
}

indexed_event! {
    #[derive(Debug, Clone, Insertable)]
    #[diesel(table_name = carbon_retirements, treat_none_as_default_value = false)]
    pub struct NewCarbonRetirement {
        ..Provenance,
        pub source: String,
        pub token: Vec<u8>,
        pub retiring_address: Vec<u8>,
        pub beneficiary: Vec<u8>,
        pub beneficiary_name: Option<String>,
        pub retiring_entity: Option<String>,
        pub message: Option<String>,
        pub amount: BigDecimal,
        pub tonnes: BigDecimal,
    }
}
