//! The `citytrace` binary and the whole system, end to end: one integration-test binary
//! (`cargo test --workspace --test all`), a module per subject. One module:
//! `cargo test --workspace --test all -- verify::`; one test: its full name, e.g.
//! `cargo test --workspace --test all -- cli::help_lists_every_command_and_teaches_the_import`.
//!
//! The tests run as threads of this one process, so none changes what the others share: no
//! test sets an environment variable or the current directory (a child process gets its own
//! environment, as `support::citytrace` does); each makes its own database, anvil node, ports
//! and temporary folders. Shared on purpose: the test PostgreSQL cluster, one per run
//! (`citytrace_schema::testing`), and the browser tests' rustls crypto provider, installed once.
//! The tests that stop and start PostgreSQL (`indexer_resilience`) start a private cluster of
//! their own.

// Tests cut the text they got back (HTML, CSV, logs) by byte offsets they found in it; a
// wrong offset fails the test. The lint stays on for every crate's non-test code.
#![allow(clippy::string_slice)]

mod audit;
mod browser;
mod browser_cold_chain;
mod browser_inspector;
mod browser_materials;
mod browser_spending;
mod browser_upload;
mod cli;
mod contracts;
mod demo_city;
mod import_crash;
mod indexer_cli;
mod indexer_crash;
mod indexer_resilience;
mod slice;
mod uploads;
mod verify;
mod verify_anchoring;
mod verify_log;

// Shared by the modules above.
mod large_imports;
mod support;
mod verifying;
