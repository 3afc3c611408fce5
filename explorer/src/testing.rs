//! What the explorer's tests share with its unit tests (feature `testing`, on for the tests).

/// How many cases each property test runs: `default`, or `CITYTRACE_FUZZ_CASES` when set (a
/// longer run on demand: `CITYTRACE_FUZZ_CASES=1000000 cargo test --workspace …`). The one
/// reader of that variable for the whole workspace.
pub use citytrace_schema::testing::fuzz_cases;
