use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::party::Party;
use crate::schema::{api_tokens, parties, upload_sessions};

/// A party's API token for the upload page and API. Only the token's sha256 is stored: the
/// token itself is shown once, when it is created.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub party_id: i64,
    #[serde(skip)]
    pub token_hash: Vec<u8>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub party_id: i64,
    pub token_hash: &'a [u8],
    pub label: &'a str,
}

impl ApiToken {
    pub fn insert(conn: &mut PgConnection, new: &NewApiToken<'_>) -> QueryResult<ApiToken> {
        diesel::insert_into(api_tokens::table)
            .values(new)
            .returning(ApiToken::as_returning())
            .get_result(conn)
    }

    /// The unrevoked token with this hash and its party.
    pub fn find_active(
        conn: &mut PgConnection,
        token_hash: &[u8],
    ) -> QueryResult<Option<(ApiToken, Party)>> {
        api_tokens::table
            .inner_join(parties::table)
            .filter(api_tokens::token_hash.eq(token_hash))
            .filter(api_tokens::revoked_at.is_null())
            .select((ApiToken::as_select(), Party::as_select()))
            .first(conn)
            .optional()
    }

    /// Record that the token was just used (signing in, an API call).
    pub fn touch(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(diesel::dsl::now))
            .execute(conn)?;
        Ok(())
    }

    /// Every token (of one party, when given), newest first, with its party.
    pub fn list(
        conn: &mut PgConnection,
        party_id: Option<i64>,
    ) -> QueryResult<Vec<(ApiToken, Party)>> {
        let mut query = api_tokens::table
            .inner_join(parties::table)
            .select((ApiToken::as_select(), Party::as_select()))
            .order(api_tokens::id.desc())
            .into_boxed();
        if let Some(party_id) = party_id {
            query = query.filter(api_tokens::party_id.eq(party_id));
        }
        query.load(conn)
    }

    pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Option<(ApiToken, Party)>> {
        api_tokens::table
            .inner_join(parties::table)
            .filter(api_tokens::id.eq(id))
            .select((ApiToken::as_select(), Party::as_select()))
            .first(conn)
            .optional()
    }

    /// Revoke the token (if it is not already) and end the sessions signed in with it.
    /// Returns the number of sessions ended.
    pub fn revoke(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
        diesel::update(api_tokens::table.find(id))
            .filter(api_tokens::revoked_at.is_null())
            .set(api_tokens::revoked_at.eq(diesel::dsl::now))
            .execute(conn)?;
        diesel::delete(upload_sessions::table.filter(upload_sessions::token_id.eq(id)))
            .execute(conn)
    }
}
