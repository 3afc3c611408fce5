use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::sites;

/// A place: quarry, plant, warehouse, construction site, transfer station, facility.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub gln: Option<String>,
    pub party_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sites)]
pub struct NewSite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub gln: Option<&'a str>,
    pub party_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Site {
    pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Site> {
        sites::table.find(id).select(Site::as_select()).first(conn)
    }

    pub fn find_by_code(conn: &mut PgConnection, code: &str) -> QueryResult<Option<Site>> {
        sites::table
            .filter(sites::code.eq(code))
            .select(Site::as_select())
            .first(conn)
            .optional()
    }

    /// Insert the sites not registered yet (by code); existing ones are left as they are.
    pub fn ensure_all(conn: &mut PgConnection, new: &[NewSite<'_>]) -> QueryResult<usize> {
        diesel::insert_into(sites::table)
            .values(new)
            .on_conflict(sites::code)
            .do_nothing()
            .execute(conn)
    }

    /// Give the sites with these ids that have no position yet the position beside their id
    /// (WGS 84 decimal degrees); a site already placed keeps its position. How many sites
    /// were placed.
    pub fn place_unplaced(
        conn: &mut PgConnection,
        ids: &[i64],
        latitudes: &[f64],
        longitudes: &[f64],
    ) -> QueryResult<usize> {
        use diesel::sql_types::{Array, BigInt, Double};
        diesel::sql_query(
            "UPDATE sites SET latitude = p.latitude, longitude = p.longitude \
             FROM unnest($1::int8[], $2::float8[], $3::float8[]) AS p(id, latitude, longitude) \
             WHERE sites.id = p.id AND sites.latitude IS NULL AND sites.longitude IS NULL",
        )
        .bind::<Array<BigInt>, _>(ids)
        .bind::<Array<Double>, _>(latitudes)
        .bind::<Array<Double>, _>(longitudes)
        .execute(conn)
    }

    /// Ids of the sites with these codes (codes not registered are absent from the map).
    pub fn ids_by_code(
        conn: &mut PgConnection,
        codes: &[&str],
    ) -> QueryResult<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sites::table
            .filter(sites::code.eq_any(codes))
            .select((sites::code, sites::id))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    /// Resolve site references as the operational formats name them — a site code, or a GLN
    /// registered as some site's `gln` — registering the ones not known yet (code and name the
    /// reference, a 13-digit reference also its GLN, of `kind`). Each reference's id.
    pub fn resolve_or_register(
        conn: &mut PgConnection,
        references: &[&str],
        kind: &str,
    ) -> QueryResult<HashMap<String, i64>> {
        let mut ids = Self::resolve(conn, references)?;
        let new: Vec<NewSite> = references
            .iter()
            .filter(|r| !ids.contains_key(**r))
            .map(|r| NewSite {
                code: r,
                name: r,
                kind,
                gln: (r.len() == 13 && r.bytes().all(|b| b.is_ascii_digit())).then_some(*r),
                party_id: None,
                latitude: None,
                longitude: None,
            })
            .collect();
        if !new.is_empty() {
            Self::ensure_all(conn, &new)?;
            ids = Self::resolve(conn, references)?;
        }
        Ok(ids)
    }

    /// Ids of the sites these references name: by code first, else by GLN (the oldest site
    /// with it).
    fn resolve(conn: &mut PgConnection, references: &[&str]) -> QueryResult<HashMap<String, i64>> {
        let rows: Vec<(String, Option<String>, i64)> = sites::table
            .filter(
                sites::code
                    .eq_any(references)
                    .or(sites::gln.eq_any(references)),
            )
            .order(sites::id)
            .select((sites::code, sites::gln, sites::id))
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
