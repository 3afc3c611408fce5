//! Waste computations (docs/methods/waste.md) against a real PostgreSQL, on transfers and
//! receipts imported through the real importers: custody chains and per consignment flags.
//! Mass balances and rates: waste_balance.rs.

use chrono::{DateTime, Utc};
use citytrace_reads::waste::{
    consignment_flags, custody_chain, flagged_consignments, HazardousInNonHazardousOut,
    MassDifference, OperationMismatch, ParkedWaste, Refusal, WasteRules,
};

use crate::support::waste::{city, dec, Fixture};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Demolition waste to a transfer station, where it is split: most goes on to a sorting yard
/// and then its residue to landfill (a chain of three transfers), some to a metal yard.
const CHAIN: &str = "\
WTN-A,17 09 04,Mixed demolition waste,10000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,STATION,2026-03-02T08:00:00+01:00,R13,
WTN-B,17 09 04,Mixed demolition waste,8000,REAL,STATION-CO,STATION,HAUL-CO,CBDU112233,SORT-YARD,2026-03-20T08:00:00+01:00,R5,WTN-A
WTN-D,17 04 05,Iron and steel,1900,REAL,STATION-CO,STATION,HAUL-CO,CBDU112233,METAL-YARD,2026-03-10T08:00:00+01:00,R4,WTN-A
WTN-C,19 12 12,Sorting residues,2500,ESTIMATED,SORT-CO,SORT-YARD,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-04-15T08:00:00+02:00,D1,WTN-B
WTN-X,20 03 01,Mixed municipal waste,700,REAL,DEPT-PARKS,PARK-DEPOT,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-03-05T08:00:00+01:00,D1,
";
const CHAIN_RECEIPTS: &str = "\
WTN-A,accepted,9950,R13,,2026-03-02T09:00:00+01:00
WTN-B,accepted,8040,R5,,2026-03-20T10:00:00+01:00
WTN-D,accepted,1900,R4,,2026-03-10T09:00:00+01:00
WTN-C,accepted,2460,D1,,2026-04-15T09:30:00+02:00
";

#[test]
fn custody_chain_of_three_transfers_walks_back_to_the_producer_and_forward_through_splits() {
    let mut f = Fixture::new();
    f.transfers(CHAIN);
    f.receipts(CHAIN_RECEIPTS);
    let conn = &mut f.db.conn();

    let summary = |id: &str| -> Vec<(i32, String)> {
        custody_chain(&mut f.db.conn(), id)
            .unwrap()
            .into_iter()
            .map(|s| (s.depth, s.consignment.transfer.consignment_id))
            .collect()
    };
    let step = |depth: i32, id: &str| (depth, id.to_string());
    // From the middle: back to the producer's consignment, on to the landfill; the metal (a
    // sibling split off at the station) is not this waste.
    assert_eq!(
        summary("WTN-B"),
        [step(-1, "WTN-A"), step(0, "WTN-B"), step(1, "WTN-C")]
    );
    // From the producer: both onward movements at depth 1 in the order they left (the metal on
    // 10 March, the rest on 20 March), then the residue.
    assert_eq!(
        summary("WTN-A"),
        [
            step(0, "WTN-A"),
            step(1, "WTN-D"),
            step(1, "WTN-B"),
            step(2, "WTN-C")
        ]
    );
    // From the end: the whole way back.
    assert_eq!(
        summary("WTN-C"),
        [step(-2, "WTN-A"), step(-1, "WTN-B"), step(0, "WTN-C")]
    );
    // A consignment with no links is a chain of one; an unknown one has none.
    assert_eq!(summary("WTN-X"), [step(0, "WTN-X")]);
    assert!(summary("WTN-UNKNOWN").is_empty());

    // Each step carries its parties, sites, codes and masses, declared and received.
    let chain = custody_chain(conn, "WTN-B").unwrap();
    let station = f.site_id("STATION");
    let sort_yard = f.site_id("SORT-YARD");
    let rows: Vec<_> = chain
        .iter()
        .map(|s| {
            let t = &s.consignment.transfer;
            let r = s.consignment.receipt.as_ref().unwrap();
            (
                t.from_site.as_str(),
                t.carrier.as_str(),
                t.to_site.as_str(),
                t.ewc_code.as_str(),
                t.mass_kg.clone(),
                t.planned_operation.as_str(),
                r.mass_received_kg.clone().unwrap(),
                r.operation.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "SITE-NORTH",
                "HAUL-CO",
                "STATION",
                "170904",
                dec("10000"),
                "R13",
                dec("9950"),
                "R13"
            ),
            (
                "STATION",
                "HAUL-CO",
                "SORT-YARD",
                "170904",
                dec("8000"),
                "R5",
                dec("8040"),
                "R5"
            ),
            (
                "SORT-YARD",
                "HAUL-CO",
                "LANDFILL-EAST",
                "191212",
                dec("2500"),
                "D1",
                dec("2460"),
                "D1"
            ),
        ]
    );
    assert_eq!(
        (
            chain[1].consignment.transfer.from_site_id,
            chain[1].consignment.transfer.to_site_id
        ),
        (station, sort_yard)
    );
    assert_eq!(chain[2].consignment.transfer.mass_basis, "ESTIMATED");
}

#[test]
fn imported_consignments_are_flagged_as_of_the_end_of_the_year() {
    let f = city();
    let conn = &mut f.db.conn();
    let rules = WasteRules::default();
    let flags = flagged_consignments(conn, &rules, at("2026-12-31T00:00:00Z")).unwrap();
    let ids: Vec<_> = flags.iter().map(|f| f.consignment_id.as_str()).collect();
    // 0185 (−2 kg), 0187 (moved on, same operation), 0188 (+100 kg: exactly 5%), 0201
    // (+22 kg), 0203/0204 (not received) raise nothing.
    assert_eq!(
        ids,
        ["WTN-0190", "WTN-0184", "WTN-0186", "WTN-0189", "WTN-0202"]
    );

    // 0190: stored (R13) since 5 January 09:00 UTC, never moved on: 360 days to 31 December
    // 09:00, so 359 whole days to 31 December 00:00.
    let parked = flags[0].parked.clone().unwrap();
    assert_eq!(
        parked,
        ParkedWaste {
            facility_site_id: f.site_id("RECYCLE-YARD"),
            facility: "RECYCLE-YARD".into(),
            operation: "R13".into(),
            mass_kg: dec("5000"),
            received_at: at("2026-01-05T09:00:00Z"),
            days_parked: 359,
        }
    );
    // 0184: planned R5, stored under R13 instead; moved on (0201), so not parked;
    // 12360 − 12480 = −120 kg = −0.96%.
    assert_eq!(
        flags[1].operation_mismatch,
        Some(OperationMismatch {
            planned: "R5".into(),
            performed: "R13".into(),
            recovery_to_disposal: false,
        })
    );
    assert_eq!(flags[1].parked, None);
    assert_eq!(
        flags[1]
            .mass
            .as_ref()
            .map(|m| (m.difference_kg.clone(), m.difference_percent.clone())),
        Some((dec("-120"), dec("-0.96")))
    );
    // 0186: refused, weighed at 3180 of 3200 estimated: −20 kg = −0.625% → −0.63.
    assert_eq!(
        flags[2].refused,
        Some(Refusal {
            reason: "Load not sheeted".into(),
            refused_at: at("2026-05-05T07:05:00Z"),
            weighed_kg: Some(dec("3180")),
        })
    );
    assert_eq!(
        flags[2].mass.as_ref().map(|m| m.difference_percent.clone()),
        Some(dec("-0.63"))
    );
    // 0189: 2100.5 − 2000 = +100.5 kg = 5.025% → 5.03, above 5%.
    assert_eq!(
        flags[3].mass,
        Some(MassDifference {
            declared_kg: dec("2000"),
            mass_basis: "REAL".into(),
            received_kg: dec("2100.5"),
            difference_kg: dec("100.5"),
            difference_percent: dec("5.03"),
            exceeds_tolerance: true,
        })
    );
    // 0202: asbestos (17 06 05*) stored under D15 at HAZ-STORE leaves as insulation
    // (17 06 04, not hazardous); 905 − 900 = +5 kg = 0.555…% → 0.56.
    assert_eq!(
        flags[4].hazardous_in_non_hazardous_out,
        Some(HazardousInNonHazardousOut {
            incoming_consignment_id: "WTN-0187".into(),
            incoming_ewc_code: "170605".into(),
            outgoing_ewc_code: "170604".into(),
            facility_site_id: f.site_id("HAZ-STORE"),
            facility: "HAZ-STORE".into(),
            incoming_operation: Some("D15".into()),
        })
    );
    assert_eq!(
        flags[4].mass.as_ref().map(|m| m.difference_percent.clone()),
        Some(dec("0.56"))
    );

    // The load weighed exactly on the tolerance: +100 kg of 2000 = 5.00%, not flagged.
    let on = consignment_flags(conn, "WTN-0188", &rules, at("2026-12-31T00:00:00Z"))
        .unwrap()
        .unwrap();
    let mass = on.mass.clone().unwrap();
    assert_eq!(
        (
            mass.difference_kg,
            mass.difference_percent,
            mass.exceeds_tolerance
        ),
        (dec("100"), dec("5.00"), false)
    );
    assert!(!on.is_flagged());
    // With a 5.03% tolerance 0189 passes too; 0190 still parked.
    let lenient = WasteRules {
        mass_tolerance_percent: dec("5.03"),
        ..WasteRules::default()
    };
    let flags = flagged_consignments(conn, &lenient, at("2026-12-31T00:00:00Z")).unwrap();
    let ids: Vec<_> = flags.iter().map(|f| f.consignment_id.as_str()).collect();
    assert_eq!(ids, ["WTN-0190", "WTN-0184", "WTN-0186", "WTN-0202"]);
}

#[test]
fn parked_waste_is_flagged_only_after_more_than_the_configured_days() {
    let f = city();
    let conn = &mut f.db.conn();
    let rules = WasteRules::default();
    // Received 2026-01-05T09:00Z; 180 days later is 2026-07-04T09:00Z (to 5 February 31 days,
    // then 28 + 31 + 30 + 31 + 30 = 181 to 5 July, less a day).
    let on = consignment_flags(conn, "WTN-0190", &rules, at("2026-07-04T09:00:00Z"))
        .unwrap()
        .unwrap();
    assert_eq!(on.parked, None);
    let after = consignment_flags(conn, "WTN-0190", &rules, at("2026-07-04T09:00:01Z"))
        .unwrap()
        .unwrap();
    assert_eq!(after.parked.map(|p| p.days_parked), Some(180));
    // The asbestos at the store (D15 since 6 May 08:00 UTC) as of 1 June, its onward movement
    // on 10 June still to come: 25 days 16 hours, not parked by the default 180 days; by a
    // 20-day rule it is, for 25 whole days.
    let strict = WasteRules {
        parked_after_days: 20,
        ..WasteRules::default()
    };
    let june = at("2026-06-01T00:00:00Z");
    let default = consignment_flags(conn, "WTN-0187", &rules, june)
        .unwrap()
        .unwrap();
    assert_eq!(default.parked, None);
    let parked = consignment_flags(conn, "WTN-0187", &strict, june)
        .unwrap()
        .unwrap();
    assert_eq!(
        parked.parked.map(|p| (p.operation, p.days_parked)),
        Some(("D15".to_string(), 25))
    );
    // Once it has moved on, it is not parked whatever the rule.
    let later = consignment_flags(conn, "WTN-0187", &strict, at("2026-06-10T05:00:00Z"))
        .unwrap()
        .unwrap();
    assert_eq!(later.parked, None);
    // Nothing is known of a consignment before it left, nor of an unknown one.
    assert_eq!(
        consignment_flags(conn, "WTN-0202", &rules, at("2026-06-01T00:00:00Z")).unwrap(),
        None
    );
    assert_eq!(
        consignment_flags(conn, "WTN-9999", &rules, june).unwrap(),
        None
    );
}

#[test]
fn receipts_recorded_after_the_as_of_instant_are_not_seen() {
    let f = city();
    let conn = &mut f.db.conn();
    // As of 5 May 07:00 UTC the tar load had left (05:45 UTC) but its refusal (07:05 UTC) was
    // not recorded yet; the concrete's R13 receipt was, and it had not moved on (20 May).
    let flags =
        flagged_consignments(conn, &WasteRules::default(), at("2026-05-05T07:00:00Z")).unwrap();
    let ids: Vec<_> = flags.iter().map(|f| f.consignment_id.as_str()).collect();
    assert_eq!(ids, ["WTN-0184"]);
    let tar = consignment_flags(
        conn,
        "WTN-0186",
        &WasteRules::default(),
        at("2026-05-05T07:00:00Z"),
    )
    .unwrap()
    .unwrap();
    assert_eq!((tar.receipt_id, tar.refused, tar.mass), (None, None, None));
}

#[test]
fn an_empty_database_has_no_chain_and_no_flags() {
    let f = Fixture::new();
    let conn = &mut f.db.conn();
    assert!(custody_chain(conn, "WTN-0184").unwrap().is_empty());
    assert!(
        flagged_consignments(conn, &WasteRules::default(), at("2026-12-31T00:00:00Z"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn one_consignment_received_as_declared_raises_nothing() {
    let mut f = Fixture::new();
    f.transfers("WTN-1,20 01 01,Paper and cardboard,640.25,REAL,DEPT-SCHOOLS,SCHOOL-ELM,HAUL-CO,CBDU112233,PAPER-MILL,2026-09-01T07:00:00+02:00,R3,\n");
    f.receipts("WTN-1,accepted,640.25,R3,,2026-09-01T08:00:00+02:00\n");
    let conn = &mut f.db.conn();
    let as_of = at("2026-12-31T00:00:00Z");
    let flags = consignment_flags(conn, "WTN-1", &WasteRules::default(), as_of)
        .unwrap()
        .unwrap();
    // 640.25 − 640.25 = 0 kg = 0.00%.
    let mass = flags.mass.clone().unwrap();
    assert_eq!(
        (
            mass.difference_kg,
            mass.difference_percent,
            mass.exceeds_tolerance
        ),
        (dec("0"), dec("0.00"), false)
    );
    assert!(!flags.is_flagged());
    assert!(flagged_consignments(conn, &WasteRules::default(), as_of)
        .unwrap()
        .is_empty());
    let chain = custody_chain(conn, "WTN-1").unwrap();
    assert_eq!(
        chain
            .iter()
            .map(|s| (s.depth, s.consignment.transfer.consignment_id.as_str()))
            .collect::<Vec<_>>(),
        [(0, "WTN-1")]
    );
}
