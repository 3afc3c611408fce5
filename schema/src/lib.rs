//! citytrace's database: migrations, diesel tables, one model file per entity with its
//! queries, the connection pool and the embedded local PostgreSQL.
//!
//! Error policy: model functions take `&mut PgConnection` (the caller owns the transaction)
//! and return `diesel::QueryResult`; opening the database returns [`DbError`]; the local
//! cluster returns [`LocalPgError`].

pub mod database;
pub mod error;
pub mod local_pg;
pub mod models;
pub mod schema;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use database::{open_pool, DatabaseLocation, PgPool, PooledPg, DEFAULT_DATABASE};
pub use diesel;
pub use error::{DbError, LocalPgError};

/// `0x`-prefixed lowercase hex of a hash or address, as block explorers print them.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Parse `0x`-prefixed (or bare) hex into bytes of exactly `len` bytes.
pub fn parse_hex(text: &str, len: usize) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let bytes = hex::decode(digits).ok()?;
    (bytes.len() == len).then_some(bytes)
}
