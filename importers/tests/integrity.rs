//! Issue 10, "Integrity first", for the CSV import path and the importers' public boundary:
//! panics and lost connections in every format, characters PostgreSQL refuses, line endings,
//! and property tests (fuzzing) of every parser of the CSV formats — the pure ones without a
//! database, and a batched check per format that rejected files leave the database as it was.
//! One test binary; the parts live in `integrity/`.
//!
//! The fuzz budget is `citytrace_schema::testing::fuzz_cases` (`CITYTRACE_FUZZ_CASES`).

#[path = "integrity/characters.rs"]
mod characters;
#[path = "integrity/connection.rs"]
mod connection;
#[path = "integrity/examples.rs"]
mod examples;
#[path = "integrity/fuzz.rs"]
mod fuzz;
#[path = "integrity/fuzz_codes.rs"]
mod fuzz_codes;
#[path = "integrity/fuzz_csv.rs"]
mod fuzz_csv;
#[path = "integrity/fuzz_db.rs"]
mod fuzz_db;
#[path = "integrity/fuzz_rows.rs"]
mod fuzz_rows;
#[path = "integrity/fuzz_values.rs"]
mod fuzz_values;
#[path = "integrity/panics.rs"]
mod panics;
