//! What the explorer's tests share with its unit tests (feature `testing`, on for the tests).

/// How many cases each property test runs: `default`, or `CITYTRACE_FUZZ_CASES` when set (a
/// longer run on demand: `CITYTRACE_FUZZ_CASES=1000000 cargo test --workspace …`).
///
/// The same helper as `citytrace_schema::testing::fuzz_cases` (issue 10), kept here until that
/// one is in this branch; the lead replaces this one with it when the branches are merged.
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var("CITYTRACE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}
