//! The parties as `citytrace party list` shows them: who they are, the roles the city's
//! procurement files give them, and how many API tokens they hold.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text};

/// A party with its procurement roles and its tokens counted.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct PartyListing {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// supplier, department, carrier, recycler, lab or other.
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub gln: Option<String>,
    /// The OCDS roles (buyer, supplier, tenderer, payer, …) the party has in any process,
    /// sorted, once each.
    #[diesel(sql_type = Array<Text>)]
    pub roles: Vec<String>,
    #[diesel(sql_type = BigInt)]
    pub active_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub revoked_tokens: i64,
}

/// Every party, by code.
pub fn list_parties(conn: &mut PgConnection) -> QueryResult<Vec<PartyListing>> {
    diesel::sql_query(include_str!("parties/list.sql")).load(conn)
}
