use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{lots, products};

/// A physical lot, batch or serialised item.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = lots)]
pub struct Lot {
    pub id: i64,
    pub code: String,
    pub product_id: i64,
    pub supplier_id: Option<i64>,
    pub origin_site_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = lots)]
pub struct NewLot<'a> {
    pub code: &'a str,
    pub product_id: i64,
    pub supplier_id: Option<i64>,
    pub origin_site_id: Option<i64>,
}

impl Lot {
    pub fn find_by_code(conn: &mut PgConnection, code: &str) -> QueryResult<Option<Lot>> {
        lots::table
            .filter(lots::code.eq(code))
            .select(Lot::as_select())
            .first(conn)
            .optional()
    }

    pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
        lots::table.count().get_result(conn)
    }

    /// Insert the lots not registered yet (by code).
    /// In parts of 10,000 lots: 4 bind parameters each stay under PostgreSQL's 65,535.
    pub fn ensure_all(conn: &mut PgConnection, new: &[NewLot<'_>]) -> QueryResult<usize> {
        let mut inserted = 0;
        for part in new.chunks(10_000) {
            inserted += diesel::insert_into(lots::table)
                .values(part)
                .on_conflict(lots::code)
                .do_nothing()
                .execute(conn)?;
        }
        Ok(inserted)
    }

    /// Register lots that are new (code, product id, origin site id) and return, for every
    /// code given, the lot id and its registered product's code — one statement, whatever the
    /// number of lots (arrays, not one bind parameter per value).
    pub fn register_all(
        conn: &mut PgConnection,
        codes: &[&str],
        product_ids: &[i64],
        origin_site_ids: &[Option<i64>],
    ) -> QueryResult<HashMap<String, (i64, String)>> {
        use diesel::sql_types::{Array, BigInt, Nullable, Text};
        #[derive(QueryableByName)]
        struct Registered {
            #[diesel(sql_type = Text)]
            code: String,
            #[diesel(sql_type = BigInt)]
            id: i64,
            #[diesel(sql_type = Text)]
            product: String,
        }
        // The statement's snapshot does not see the rows its own INSERT adds: new lots come
        // from RETURNING, existing ones from the table.
        let rows: Vec<Registered> = diesel::sql_query(
            "WITH input AS ( \
                 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS i(code, product_id, origin_site_id)), \
             added AS ( \
                 INSERT INTO lots (code, product_id, origin_site_id) \
                 SELECT code, product_id, origin_site_id FROM input \
                 ON CONFLICT (code) DO NOTHING RETURNING id, code, product_id) \
             SELECT a.code, a.id, p.code AS product FROM added a JOIN products p ON p.id = a.product_id \
             UNION ALL \
             SELECT l.code, l.id, p.code FROM input i JOIN lots l ON l.code = i.code JOIN products p ON p.id = l.product_id",
        )
        .bind::<Array<Text>, _>(codes)
        .bind::<Array<BigInt>, _>(product_ids)
        .bind::<Array<Nullable<BigInt>>, _>(origin_site_ids)
        .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.code, (r.id, r.product)))
            .collect())
    }

    /// For each registered code: the lot id and its product's code.
    pub fn ids_and_products_by_code(
        conn: &mut PgConnection,
        codes: &[&str],
    ) -> QueryResult<HashMap<String, (i64, String)>> {
        let rows: Vec<(String, i64, String)> = lots::table
            .inner_join(products::table)
            .filter(lots::code.eq_any(codes))
            .select((lots::code, lots::id, products::code))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(code, id, product)| (code, (id, product)))
            .collect())
    }

    /// The most recently registered lots, newest first.
    pub fn latest(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<Lot>> {
        lots::table
            .order(lots::id.desc())
            .limit(limit)
            .select(Lot::as_select())
            .load(conn)
    }

    /// Lots whose code contains `text` (case-insensitive), for the search box.
    pub fn search(conn: &mut PgConnection, text: &str, limit: i64) -> QueryResult<Vec<Lot>> {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        lots::table
            .filter(lots::code.ilike(pattern))
            .order(lots::code)
            .limit(limit)
            .select(Lot::as_select())
            .load(conn)
    }
}
