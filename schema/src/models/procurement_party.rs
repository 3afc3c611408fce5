use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use super::NewParty;
use crate::schema::{parties, procurement_parties};

/// An organisation named by a contracting process, with its roles in it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = procurement_parties)]
pub struct ProcurementParty {
    pub ocid: String,
    pub party_id: i64,
    pub ocds_id: Option<String>,
    pub name: String,
    pub roles: Vec<String>,
    pub batch_id: i64,
    pub line: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_parties, treat_none_as_default_value = false)]
pub struct NewProcurementParty {
    pub ocid: String,
    pub party_id: i64,
    pub ocds_id: Option<String>,
    pub name: String,
    pub roles: Vec<String>,
    pub batch_id: i64,
    pub line: i32,
}

impl ProcurementParty {
    /// Register the organisations not known yet (by code; existing ones are left as they are)
    /// and return the ids of all of them by code.
    pub fn register_organisations(
        conn: &mut PgConnection,
        new: &[NewParty<'_>],
    ) -> QueryResult<HashMap<String, i64>> {
        diesel::insert_into(parties::table)
            .values(new)
            .on_conflict(parties::code)
            .do_nothing()
            .execute(conn)?;
        let codes: Vec<&str> = new.iter().map(|p| p.code).collect();
        let rows: Vec<(String, i64)> = parties::table
            .filter(parties::code.eq_any(&codes))
            .select((parties::code, parties::id))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    pub fn copy_in(conn: &mut PgConnection, rows: &[NewProcurementParty]) -> QueryResult<usize> {
        diesel::copy_from(procurement_parties::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The parties of a process, with their codes in `parties`, by code.
    pub fn of_process(
        conn: &mut PgConnection,
        ocid: &str,
    ) -> QueryResult<Vec<(String, ProcurementParty)>> {
        procurement_parties::table
            .inner_join(parties::table)
            .filter(procurement_parties::ocid.eq(ocid))
            .order(parties::code)
            .select((parties::code, ProcurementParty::as_select()))
            .load(conn)
    }
}
