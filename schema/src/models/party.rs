use std::collections::HashMap;

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

    /// Resolve party references as the operational formats name them — a party code, or a
    /// GLN registered as some party's `gln` — registering the ones not known yet (code and
    /// name the reference, a 13-digit reference also its GLN, of `kind`). Each reference's id.
    pub fn resolve_or_register(
        conn: &mut PgConnection,
        references: &[&str],
        kind: &str,
    ) -> QueryResult<HashMap<String, i64>> {
        let mut ids = Self::resolve(conn, references)?;
        let new: Vec<NewParty> = references
            .iter()
            .filter(|r| !ids.contains_key(**r))
            .map(|r| NewParty {
                code: r,
                name: r,
                kind,
                gln: gln_like(r).then_some(*r),
            })
            .collect();
        if !new.is_empty() {
            diesel::insert_into(parties::table)
                .values(&new)
                .on_conflict_do_nothing()
                .execute(conn)?;
            ids = Self::resolve(conn, references)?;
        }
        Ok(ids)
    }

    /// Ids of the parties these references name: by code first, else by GLN.
    fn resolve(conn: &mut PgConnection, references: &[&str]) -> QueryResult<HashMap<String, i64>> {
        let rows: Vec<(String, Option<String>, i64)> = parties::table
            .filter(
                parties::code
                    .eq_any(references)
                    .or(parties::gln.eq_any(references)),
            )
            .order(parties::id)
            .select((parties::code, parties::gln, parties::id))
            .load(conn)?;
        let mut ids = HashMap::with_capacity(references.len());
        for (_, gln, id) in &rows {
            if let Some(gln) = gln {
                ids.entry(gln.clone()).or_insert(*id);
            }
        }
        for (code, _, id) in rows {
            ids.insert(code, id);
        }
        Ok(ids)
    }
}

/// Thirteen digits: a GLN (its check digit is verified by the importers).
fn gln_like(text: &str) -> bool {
    text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit())
}
