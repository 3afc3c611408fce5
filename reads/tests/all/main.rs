//! citytrace-reads' integration tests: one binary (crates.io's pattern), a module per area.
//! Each test gets its own PostgreSQL database (`citytrace_schema::testing::TestDatabase`),
//! filled through the real importers, and checks the reads against figures worked out by hand.
//!
//!     cargo test --workspace --test all -- carbon::      # one area

mod carbon;
mod carbon_emissions;
mod cold_chain;
mod cold_chain_gaps;
mod spending;
mod support;
mod waste;
mod waste_balance;
