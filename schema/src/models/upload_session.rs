use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::party::Party;
use crate::schema::{api_tokens, parties, upload_sessions};

/// A browser signed in to the upload page with an API token. The session cookie holds a
/// random id; only its sha256 is stored. Each session has its own CSRF token.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = upload_sessions)]
pub struct UploadSession {
    pub id: i64,
    pub session_hash: Vec<u8>,
    pub token_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = upload_sessions)]
pub struct NewUploadSession<'a> {
    pub session_hash: &'a [u8],
    pub token_id: i64,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
}

impl UploadSession {
    pub fn insert(
        conn: &mut PgConnection,
        new: &NewUploadSession<'_>,
    ) -> QueryResult<UploadSession> {
        diesel::insert_into(upload_sessions::table)
            .values(new)
            .returning(UploadSession::as_returning())
            .get_result(conn)
    }

    /// The unexpired session with this hash whose token is not revoked, and its party.
    pub fn find_active(
        conn: &mut PgConnection,
        session_hash: &[u8],
    ) -> QueryResult<Option<(UploadSession, Party)>> {
        upload_sessions::table
            .inner_join(api_tokens::table.inner_join(parties::table))
            .filter(upload_sessions::session_hash.eq(session_hash))
            .filter(upload_sessions::expires_at.gt(diesel::dsl::now))
            .filter(api_tokens::revoked_at.is_null())
            .select((UploadSession::as_select(), Party::as_select()))
            .first(conn)
            .optional()
    }

    /// Sign out: forget the session.
    pub fn delete(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
        diesel::delete(upload_sessions::table.find(id)).execute(conn)?;
        Ok(())
    }

    /// Forget sessions that have expired; the number removed.
    pub fn delete_expired(conn: &mut PgConnection) -> QueryResult<usize> {
        diesel::delete(
            upload_sessions::table.filter(upload_sessions::expires_at.le(diesel::dsl::now)),
        )
        .execute(conn)
    }
}
