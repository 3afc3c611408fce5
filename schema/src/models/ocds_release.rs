use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use serde::Serialize;

use crate::schema::ocds_releases;

/// An OCDS release or record as imported: its identity, and its content reduced to what
/// citytrace keeps (docs/formats/ocds.md). Immutable once written.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = ocds_releases)]
pub struct OcdsRelease {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    /// `release` (of a release package, or a bare release) or `record` (its compiled release).
    pub kind: String,
    pub ocid: String,
    pub release_id: String,
    pub release_date: DateTime<Utc>,
    pub tags: Vec<String>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ocds_releases, treat_none_as_default_value = false)]
pub struct NewOcdsRelease {
    pub batch_id: i64,
    pub line: i32,
    pub kind: String,
    pub ocid: String,
    pub release_id: String,
    pub release_date: DateTime<Utc>,
    pub tags: Vec<String>,
    pub data: serde_json::Value,
}

impl OcdsRelease {
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewOcdsRelease]) -> QueryResult<usize> {
        diesel::copy_from(ocds_releases::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The releases of a batch, in line order.
    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<OcdsRelease>> {
        ocds_releases::table
            .filter(ocds_releases::batch_id.eq(batch_id))
            .order(ocds_releases::line)
            .select(OcdsRelease::as_select())
            .load(conn)
    }

    /// Every stored release and record of these contracting processes, oldest import first.
    pub fn of_processes(conn: &mut PgConnection, ocids: &[&str]) -> QueryResult<Vec<OcdsRelease>> {
        ocds_releases::table
            .filter(ocds_releases::ocid.eq_any(ocids))
            .order((ocds_releases::batch_id, ocds_releases::line))
            .select(OcdsRelease::as_select())
            .load(conn)
    }

    /// The next `limit` contracting processes of a batch after `after`, in ocid order.
    pub fn ocids_of_batch(
        conn: &mut PgConnection,
        batch_id: i64,
        after: &str,
        limit: i64,
    ) -> QueryResult<Vec<String>> {
        ocds_releases::table
            .filter(ocds_releases::batch_id.eq(batch_id))
            .filter(ocds_releases::ocid.gt(after))
            .select(ocds_releases::ocid)
            .distinct()
            .order(ocds_releases::ocid)
            .limit(limit)
            .load(conn)
    }

    /// Rows of lines `first..=last` of a batch whose identity (kind, ocid, id) appears at an
    /// earlier line of the same batch with other content: each with that earlier line.
    pub fn changed_in_batch(
        conn: &mut PgConnection,
        batch_id: i64,
        first: i32,
        last: i32,
    ) -> QueryResult<Vec<ChangedRelease>> {
        diesel::sql_query(include_str!("ocds_release/changed_in_batch.sql"))
            .bind::<BigInt, _>(batch_id)
            .bind::<Integer, _>(first)
            .bind::<Integer, _>(last)
            .load(conn)
    }
}

/// A release appearing twice in one file with different content (see
/// [`OcdsRelease::changed_in_batch`]).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ChangedRelease {
    #[diesel(sql_type = Integer)]
    pub line: i32,
    #[diesel(sql_type = Integer)]
    pub first_line: i32,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub ocid: String,
    #[diesel(sql_type = Text)]
    pub release_id: String,
}
