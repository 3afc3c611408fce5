use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::procurement_transactions;

/// A payment made under a contract (an OCDS implementation transaction).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_transactions)]
pub struct ProcurementTransaction {
    pub ocid: String,
    pub contract_id: String,
    pub transaction_id: String,
    pub transaction_date: Option<DateTime<Utc>>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub payer_id: Option<i64>,
    pub payee_id: Option<i64>,
    pub source: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_transactions, treat_none_as_default_value = false)]
pub struct NewProcurementTransaction {
    pub ocid: String,
    pub contract_id: String,
    pub transaction_id: String,
    pub transaction_date: Option<DateTime<Utc>>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub payer_id: Option<i64>,
    pub payee_id: Option<i64>,
    pub source: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementTransaction {
    pub fn copy_in(
        conn: &mut PgConnection,
        rows: &[NewProcurementTransaction],
    ) -> QueryResult<usize> {
        diesel::copy_from(procurement_transactions::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_process(
        conn: &mut PgConnection,
        ocid: &str,
    ) -> QueryResult<Vec<ProcurementTransaction>> {
        procurement_transactions::table
            .filter(procurement_transactions::ocid.eq(ocid))
            .order((
                procurement_transactions::contract_id,
                procurement_transactions::transaction_id,
            ))
            .select(ProcurementTransaction::as_select())
            .load(conn)
    }
}
