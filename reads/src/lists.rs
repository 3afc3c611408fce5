//! Every list of the explorer, declared once ([`ListDef`]), and the engine that reads it: a
//! list is SQL — a `FROM` clause (usually a view), column expressions, filter predicates with
//! `?` placeholders bound as text (never formatted into the SQL), whitelisted sort keys and a
//! unique tie-break so pages and exports are stable. Rows come back as one JSON object each
//! (`json_build_object`), which the explorer's JSON outputs pass through untouched and its
//! HTML and CSV outputs read by key (`citytrace_explorer::listing`).
//!
//! - [`ListParams::parse`]: what a request asks (page, sort, filters), checked against the
//!   list before any SQL runs;
//! - [`ListQuery`]: the SQL for those parameters, with its bind values;
//! - [`PageOfRows::load`]: one page and the (capped) total; [`ListCursor::read`]: every row, a
//!   chunk at a time, for the exports.
//!
//! The registry: one file per area (`materials`, `ledger`, …). Add a list by declaring a
//! `ListDef` in its area's file and naming it in [`all`].

pub mod cold_chain;
mod definition;
pub mod emissions;
pub mod ledger;
pub mod materials;
mod params;
mod query;
pub mod waste;

pub use crate::error::ListError;
pub use definition::{ColumnKind, FilterKind, ListColumn, ListDef, ListFilter};
pub use params::{ListParams, MAX_PER_PAGE, PER_PAGE};
pub use query::{ListCursor, ListQuery, PageOfRows, COUNT_CAP};

/// Every list, in the order the API document shows them.
pub fn all() -> Vec<&'static ListDef> {
    vec![
        &materials::LOTS,
        &materials::BATCHES,
        &materials::DELIVERIES,
        &materials::PRODUCTS,
        &materials::SITES,
        &ledger::EVENTS,
        &ledger::BLOCKS,
        &ledger::ANCHORS,
        &ledger::REORGS,
        &cold_chain::SHIPMENTS,
        &cold_chain::LOTS,
        &waste::CONSIGNMENTS,
        &emissions::RETIREMENTS,
    ]
}

/// The list with this API name.
pub fn find(name: &str) -> Option<&'static ListDef> {
    all().into_iter().find(|d| d.name == name)
}
