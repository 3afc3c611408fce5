//! The importers' integration tests: one test binary (crates.io's pattern), a module per
//! format or concern, against a real PostgreSQL (`citytrace_schema::testing`).
//!
//! `cargo test --workspace --test all -- shipments::` runs one module.

// Tests cut the text they got back (HTML, CSV, logs) by byte offsets they found in it; a
// wrong offset fails the test. The lint stays on for every crate's non-test code.
#![allow(clippy::string_slice)]

mod audit;
mod budget;
mod emissions;
mod epcis;
mod format_docs;
mod integrity;
mod json_formats;
mod ocds;
mod production;
mod products;
mod sensor_readings;
mod shipments;
mod site_positions;
mod support;
mod waste_receipts;
mod waste_transfers;
