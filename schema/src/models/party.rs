use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::parties;

/// A department, supplier, carrier, recycler or lab.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = parties)]
pub struct Party {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub gln: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = parties)]
pub struct NewParty<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub gln: Option<&'a str>,
}

impl Party {
    pub fn find_by_code(conn: &mut PgConnection, code: &str) -> QueryResult<Option<Party>> {
        parties::table
            .filter(parties::code.eq(code))
            .select(Party::as_select())
            .first(conn)
            .optional()
    }

    pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Party> {
        parties::table
            .find(id)
            .select(Party::as_select())
            .first(conn)
    }

    /// Insert unless a party with this code exists; returns the party either way.
    pub fn ensure(conn: &mut PgConnection, new: &NewParty<'_>) -> QueryResult<Party> {
        diesel::insert_into(parties::table)
            .values(new)
            .on_conflict(parties::code)
            .do_nothing()
            .execute(conn)?;
        parties::table
            .filter(parties::code.eq(new.code))
            .select(Party::as_select())
            .first(conn)
    }
}
