//! The indexer against a real anvil and a real PostgreSQL: one integration-test binary
//! (`cargo test --workspace --test all`, in this crate's target `all`), a module per subject.
//! One module: `cargo test --workspace --test all -- reorgs::`.
//!
//! The tests run as threads of one process: each starts its own anvil node (and fault proxy)
//! on ports of its own and gets its own database; none sets an environment variable.

// Tests cut the text they got back (HTML, CSV, logs) by byte offsets they found in it; a
// wrong offset fails the test. The lint stays on for every crate's non-test code.
#![allow(clippy::string_slice)]

mod anchoring;
mod backfill;
mod faults;
mod finality;
mod quarantine;
mod reorgs;
mod treasury;

// Shared by the modules above.
mod support;
