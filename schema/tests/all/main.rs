//! The schema crate against a real PostgreSQL: one integration-test binary
//! (`cargo test --workspace --test all`, in this crate's target `all`), a module per subject.
//! One module: `cargo test --workspace --test all -- models::`.

mod local_cluster;
mod models;
mod table_definitions;
