//! The registry of lists: every list the explorer serves (page, API, exports), one file per
//! area. Add a list by declaring a `ListDef` in its area's file and naming it in [`all`].

pub(crate) mod cold_chain;
pub(crate) mod emissions;
pub(crate) mod ledger;
pub(crate) mod materials;
pub(crate) mod waste;

use crate::listing::ListDef;

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
        &waste::CONSIGNMENTS,
        &emissions::RETIREMENTS,
    ]
}

/// The list with this API name.
pub fn find(name: &str) -> Option<&'static ListDef> {
    all().into_iter().find(|d| d.name == name)
}
