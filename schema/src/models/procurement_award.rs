use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{parties, procurement_award_suppliers, procurement_awards};

/// An award of a contracting process.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_awards)]
pub struct ProcurementAward {
    pub ocid: String,
    pub award_id: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub award_date: Option<DateTime<Utc>>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_awards, treat_none_as_default_value = false)]
pub struct NewProcurementAward {
    pub ocid: String,
    pub award_id: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub award_date: Option<DateTime<Utc>>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

/// A supplier an award names.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_award_suppliers, treat_none_as_default_value = false)]
pub struct NewProcurementAwardSupplier {
    pub ocid: String,
    pub award_id: String,
    pub party_id: i64,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementAward {
    pub fn copy_in(
        conn: &mut PgConnection,
        awards: &[NewProcurementAward],
        suppliers: &[NewProcurementAwardSupplier],
    ) -> QueryResult<()> {
        diesel::copy_from(procurement_awards::table)
            .from_insertable(awards)
            .execute(conn)?;
        diesel::copy_from(procurement_award_suppliers::table)
            .from_insertable(suppliers)
            .execute(conn)?;
        Ok(())
    }

    pub fn of_process(conn: &mut PgConnection, ocid: &str) -> QueryResult<Vec<ProcurementAward>> {
        procurement_awards::table
            .filter(procurement_awards::ocid.eq(ocid))
            .order(procurement_awards::award_id)
            .select(ProcurementAward::as_select())
            .load(conn)
    }

    /// The party codes of this award's suppliers, sorted.
    pub fn supplier_codes(&self, conn: &mut PgConnection) -> QueryResult<Vec<String>> {
        procurement_award_suppliers::table
            .inner_join(parties::table)
            .filter(procurement_award_suppliers::ocid.eq(&self.ocid))
            .filter(procurement_award_suppliers::award_id.eq(&self.award_id))
            .order(parties::code)
            .select(parties::code)
            .load(conn)
    }
}
