//! The schema crate against a real PostgreSQL: one integration-test binary
//! (`cargo test --workspace --test all`, in this crate's target `all`), a module per subject.
//! One module: `cargo test --workspace --test all -- models::`.

// Tests cut the text they got back (HTML, CSV, logs) by byte offsets they found in it; a
// wrong offset fails the test. The lint stays on for every crate's non-test code.
#![allow(clippy::string_slice)]

mod local_cluster;
mod models;
mod table_definitions;
