//! How many cases a property test runs (tests only): `fuzz_cases(default)` is the default
//! budget of a normal test run (at least 10,000 per parser of untrusted input), or the value of
//! the environment variable `CITYTRACE_FUZZ_CASES` when it is set to a whole number, for a
//! longer run on demand (`CITYTRACE_FUZZ_CASES=1000000 cargo test --workspace fuzz`).
//!
//! The same helper as `citytrace_schema::testing::fuzz_cases` (issue 10, engineer A); the
//! indexer's tests switch to that one when both branches are merged.

/// The environment variable that sets every property test's number of cases.
pub const FUZZ_CASES_ENV: &str = "CITYTRACE_FUZZ_CASES";

/// `CITYTRACE_FUZZ_CASES` when set to a positive whole number, else `default`.
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var(FUZZ_CASES_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}
