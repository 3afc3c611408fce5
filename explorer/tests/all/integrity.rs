//! Issue 10, the explorer's part: no panic, NUL character, malformed query or protocol slip
//! gets a broken answer. Every request goes through the app `citytrace serve` builds
//! (`citytrace_explorer::app`), its middleware included; the server-level guards are tested
//! over real TCP connections. Property tests read their case count from
//! `CITYTRACE_FUZZ_CASES` (`citytrace_schema::testing::fuzz_cases`).

mod fuzz;
mod fuzz_routes;
mod fuzz_uploads;
mod malformed;
mod panics;
mod protocol;
mod route_table;
mod server;
mod upload_jobs;

/// `SELECT count(*) AS n …`.
#[derive(diesel::QueryableByName)]
pub struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}
