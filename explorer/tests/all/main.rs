//! The explorer's integration tests: one test binary (crates.io's pattern), a module per
//! resource or concern, each request through the app `citytrace serve` builds, on a test
//! database filled through the real importers.
//!
//! `cargo test --workspace --test all -- spending::` runs one module. The support modules come
//! first: their macros (`app!`, `get!`, `upload_app!`) are in scope in the modules after them.

// Tests cut the text they got back (HTML, CSV, logs) by byte offsets they found in it; a
// wrong offset fails the test. The lint stays on for every crate's non-test code.
#![allow(clippy::string_slice)]

#[macro_use]
mod support;
#[macro_use]
mod upload_support;
mod spending_city;

mod api;
mod cold_chain;
mod cold_chain_names;
mod contract_quality;
mod contrast;
mod database_errors;
mod emissions;
mod home;
mod import;
mod import_api;
mod import_formats;
mod import_sessions;
mod integrity;
mod ledger;
mod ledger_undecoded;
mod lists;
mod map;
mod materials;
mod materials_vs_cold_chain;
mod meilisearch;
mod method_settings;
mod names_in_lists;
mod page_exports;
mod proof;
mod routes;
mod search;
mod spending;
mod streamed_lists;
mod time_zone;
mod trace_graph;
mod waste;
mod waste_names;
