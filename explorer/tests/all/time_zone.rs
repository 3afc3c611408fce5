//! Times in the city's zone, the zone named once per page (issue 12): the helper on the days the
//! clocks change, hand-computed; a page's time on Amsterdam's clocks with the footer naming the
//! zone once; its JSON twin naming the zone in each time.

use chrono::{DateTime, TimeZone, Utc};

use actix_web::http::StatusCode;
use citytrace_explorer::{local_time, AppState, CityZone};
use citytrace_schema::models::{Block, Chain, ChainKind};
use citytrace_schema::testing::TestDatabase;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn amsterdam() -> CityZone {
    CityZone::parse("Europe/Amsterdam").unwrap()
}

#[test]
fn local_time_follows_the_clock_changes_of_the_citys_zone() {
    let zone = amsterdam();
    // Winter: UTC+1.
    assert_eq!(
        local_time(&utc(2026, 1, 15, 12, 0), &zone),
        "2026-01-15 13:00"
    );
    // Spring forward on 29 March 2026 at 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    assert_eq!(
        local_time(&utc(2026, 3, 29, 0, 30), &zone),
        "2026-03-29 01:30"
    );
    assert_eq!(
        local_time(&utc(2026, 3, 29, 1, 30), &zone),
        "2026-03-29 03:30"
    );
    // Summer: UTC+2.
    assert_eq!(
        local_time(&utc(2026, 7, 1, 22, 15), &zone),
        "2026-07-02 00:15"
    );
    // Fall back on 25 October 2026 at 01:00 UTC: 03:00 CEST becomes 02:00 CET, so 02:30
    // happens twice and says which.
    assert_eq!(
        local_time(&utc(2026, 10, 25, 0, 30), &zone),
        "2026-10-25 02:30 CEST"
    );
    assert_eq!(
        local_time(&utc(2026, 10, 25, 1, 30), &zone),
        "2026-10-25 02:30 CET"
    );
    assert_eq!(
        local_time(&utc(2026, 10, 25, 2, 30), &zone),
        "2026-10-25 03:30"
    );
    // UTC itself never repeats an hour.
    assert_eq!(
        local_time(&utc(2026, 10, 25, 1, 30), &CityZone::UTC),
        "2026-10-25 01:30"
    );
}

#[test]
fn a_zone_is_known_by_its_iana_name_only() {
    assert_eq!(amsterdam().name(), "Europe/Amsterdam");
    assert_eq!(CityZone::default(), CityZone::UTC);
    let error = CityZone::parse("Europe/Amsterdm").unwrap_err().to_string();
    assert!(
        error.contains("\"Europe/Amsterdm\"") && error.contains("Europe/Amsterdam"),
        "{error}"
    );
    assert!(CityZone::parse("CEST+2").is_err());
}

const CHAIN: i64 = 31337;

/// Block 7 of the city ledger, made at 01:30 UTC on the night the clocks go back.
fn seed_block(db: &TestDatabase) {
    let conn = &mut db.pool(1).get().unwrap();
    Chain::upsert(conn, CHAIN, "city ledger", ChainKind::Ledger).unwrap();
    Block::upsert_all(
        conn,
        &[Block {
            chain_id: CHAIN,
            number: 7,
            hash: vec![0x07; 32],
            parent_hash: vec![0x06; 32],
            timestamp: utc(2026, 10, 25, 1, 30),
        }],
    )
    .unwrap();
}

#[actix_web::test]
async fn a_page_shows_its_times_in_the_citys_zone_and_names_it_once() {
    let db = TestDatabase::new();
    seed_block(&db);
    let pool = db.pool(2);

    let app = app!(state: AppState::new(pool.clone()).with_zone(amsterdam()));
    let (status, body) = get!(app, "/ledger/chains/31337/blocks/7");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("2026-10-25 02:30 CET"), "{body}");
    assert_eq!(
        body.matches("Times in Europe/Amsterdam.").count(),
        1,
        "{body}"
    );
    assert!(!body.contains("UTC"), "a time still in UTC: {body}");
    let (_, json) = get!(app, "/api/v1/ledger/chains/31337/blocks/7");
    let v = crate::support::json(&json);
    assert_eq!(v["timestamp"], "2026-10-25 02:30 CET", "{json}");

    // Unset, the city's zone is UTC, named the same way.
    let app = app!(pool);
    let (_, body) = get!(app, "/ledger/chains/31337/blocks/7");
    assert!(body.contains("2026-10-25 01:30"), "{body}");
    assert_eq!(body.matches("Times in UTC.").count(), 1, "{body}");
    let (_, json) = get!(app, "/api/v1/ledger/chains/31337/blocks/7");
    assert_eq!(
        crate::support::json(&json)["timestamp"],
        "2026-10-25 01:30 UTC"
    );
}
