use chrono::{DateTime, Utc};
use diesel::prelude::*;
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
}
