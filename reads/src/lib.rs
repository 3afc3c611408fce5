//! citytrace's read model: every read the explorer and the CLI make, over the tables of
//! `citytrace-schema` (which it alone depends on).
//!
//! - Derived intelligence, what the stored rows mean (docs/methods.md): each computation is a
//!   plain function over loaded rows (exact arithmetic, tested with hand-computed values) with
//!   a query that loads its inputs, or a SQL view; thresholds the standards leave open are
//!   parameters with documented defaults ([`MethodSettings`]).
//! - The pages' loaders, one module per area: `load_X(conn, params) -> QueryResult<XData>`,
//!   plain data for the explorer to map to its views; long SQL in sibling `.sql` files.
//! - The lists ([`lists`]): each declared once as SQL, read a page at a time or streamed whole.
//!
//! Error policy: reads take `&mut PgConnection` (the caller owns the transaction) and return
//! `diesel::QueryResult`; reading the settings file returns [`SettingsError`], and a list's
//! reads [`lists::ListError`] (a request the list cannot take, told from the database's
//! failures).

pub mod batches;
pub mod carbon;
pub mod cold_chain;
pub mod emissions;
pub mod error;
pub mod home;
pub mod ledger;
pub mod lists;
pub mod lots;
pub mod map;
pub mod materials;
pub mod parties;
pub mod proofs;
pub mod search;
mod settings;
pub mod spending;
pub mod trust;
pub mod waste;

pub use error::SettingsError;
pub use settings::{MethodSettings, SpendingSettings};
