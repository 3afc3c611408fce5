use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{parties, procurement_bid_tenderers, procurement_bids};

/// A bid submitted in a contracting process (OCDS bid extension).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_bids)]
pub struct ProcurementBid {
    pub ocid: String,
    pub bid_id: String,
    pub bid_date: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_bids, treat_none_as_default_value = false)]
pub struct NewProcurementBid {
    pub ocid: String,
    pub bid_id: String,
    pub bid_date: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    pub batch_id: i64,
    pub line: i32,
}

/// A tenderer a bid names.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_bid_tenderers, treat_none_as_default_value = false)]
pub struct NewProcurementBidTenderer {
    pub ocid: String,
    pub bid_id: String,
    pub party_id: i64,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementBid {
    pub fn copy_in(
        conn: &mut PgConnection,
        bids: &[NewProcurementBid],
        tenderers: &[NewProcurementBidTenderer],
    ) -> QueryResult<()> {
        diesel::copy_from(procurement_bids::table)
            .from_insertable(bids)
            .execute(conn)?;
        diesel::copy_from(procurement_bid_tenderers::table)
            .from_insertable(tenderers)
            .execute(conn)?;
        Ok(())
    }

    pub fn of_process(conn: &mut PgConnection, ocid: &str) -> QueryResult<Vec<ProcurementBid>> {
        procurement_bids::table
            .filter(procurement_bids::ocid.eq(ocid))
            .order(procurement_bids::bid_id)
            .select(ProcurementBid::as_select())
            .load(conn)
    }

    /// The party codes of this bid's tenderers, sorted.
    pub fn tenderer_codes(&self, conn: &mut PgConnection) -> QueryResult<Vec<String>> {
        procurement_bid_tenderers::table
            .inner_join(parties::table)
            .filter(procurement_bid_tenderers::ocid.eq(&self.ocid))
            .filter(procurement_bid_tenderers::bid_id.eq(&self.bid_id))
            .order(parties::code)
            .select(parties::code)
            .load(conn)
    }
}
