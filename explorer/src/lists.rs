//! The registry of lists the explorer serves (page, API, exports): declared with the reads,
//! in `citytrace_reads::lists` (one file per area); named here for the routes, the API
//! document and the pages that show a list's first rows.

pub use citytrace_reads::lists::{all, cold_chain, emissions, find, ledger, materials, waste};
