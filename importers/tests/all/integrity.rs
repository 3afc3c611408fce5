//! Issue 10, "Integrity first", for the CSV import path and the importers' public boundary:
//! panics and lost connections in every format, characters PostgreSQL refuses, line endings,
//! and property tests (fuzzing) of every parser of the CSV formats — the pure ones without a
//! database, and a batched check per format that rejected files leave the database as it was.
//! The parts live in `integrity/`.
//!
//! The fuzz budget is `citytrace_schema::testing::fuzz_cases` (`CITYTRACE_FUZZ_CASES`).

mod characters;
mod connection;
mod examples;
mod fuzz;
mod fuzz_codes;
mod fuzz_csv;
mod fuzz_db;
mod fuzz_rows;
mod fuzz_values;
mod panics;
