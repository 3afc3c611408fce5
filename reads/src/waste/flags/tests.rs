//! Unit tests of the per consignment flags, with hand-computed values.

use super::super::testing::{at, consignment, dec};
use super::*;

const AS_OF: &str = "2026-12-31T00:00:00Z";

fn flags(c: &Consignment) -> ConsignmentFlags {
    flag_consignment(c, None, &[], &WasteRules::default(), at(AS_OF))
}

#[test]
fn a_consignment_not_received_yet_has_no_flag() {
    let c = consignment("WTN-1", 1, 2, "12480", "R5", "2026-05-04T08:15:00+02:00");
    let f = flags(&c);
    assert_eq!(
        (
            f.consignment_id.as_str(),
            f.receipt_id,
            f.mass.clone(),
            f.is_flagged()
        ),
        ("WTN-1", None, None, false)
    );
    assert_eq!(f.transfer_id, c.transfer.id);
}

#[test]
fn declared_vs_received_mass_in_kg_and_percent() {
    // 12360 − 12480 = −120 kg; −120 / 12480 = −0.9615…% → −0.96; within 5%.
    let c = consignment("WTN-1", 1, 2, "12480", "R5", "2026-05-04T08:15:00+02:00").accept(
        "12360",
        "R5",
        "2026-05-04T09:40:00+02:00",
    );
    let f = flags(&c);
    assert_eq!(
        f.mass,
        Some(MassDifference {
            declared_kg: dec("12480"),
            mass_basis: "REAL".into(),
            received_kg: dec("12360"),
            difference_kg: dec("-120"),
            difference_percent: dec("-0.96"),
            exceeds_tolerance: false,
        })
    );
    assert_eq!(f.receipt_id, c.receipt.as_ref().map(|r| r.id));
    assert!(!f.is_flagged());
}

#[test]
fn a_mass_difference_exactly_on_the_tolerance_is_not_flagged_and_just_above_is() {
    // 5% of 2000 kg is 100 kg: 2100 and 1900 are on the tolerance.
    let received = |mass: &str| {
        let c = consignment("WTN-1", 1, 2, "2000", "R5", "2026-05-04T08:00:00Z").accept(
            mass,
            "R5",
            "2026-05-04T09:00:00Z",
        );
        flags(&c).mass.unwrap()
    };
    let on = received("2100");
    assert_eq!(
        (
            on.difference_kg,
            on.difference_percent,
            on.exceeds_tolerance
        ),
        (dec("100"), dec("5.00"), false)
    );
    let below = received("1900");
    assert_eq!(
        (below.difference_kg, below.exceeds_tolerance),
        (dec("-100"), false)
    );
    // 100.000001 / 2000 = 5.00000005% → shown as 5.00, but above the tolerance.
    let above = received("2100.000001");
    assert_eq!(
        (above.difference_percent, above.exceeds_tolerance),
        (dec("5.00"), true)
    );
    let under = received("1899.999999");
    assert!(under.exceeds_tolerance);
    // A tolerance of 10% lets 2100.000001 through.
    let c = consignment("WTN-1", 1, 2, "2000", "R5", "2026-05-04T08:00:00Z").accept(
        "2100.000001",
        "R5",
        "2026-05-04T09:00:00Z",
    );
    let rules = WasteRules {
        mass_tolerance_percent: dec("10"),
        ..WasteRules::default()
    };
    let f = flag_consignment(&c, None, &[], &rules, at(AS_OF));
    assert!(!f.mass.unwrap().exceeds_tolerance);
}

#[test]
fn an_estimated_mass_is_compared_the_same_way_and_says_so() {
    // 3000 declared (estimated), 3400 received: +400 kg = +13.33…% → 13.33, flagged.
    let c = consignment("WTN-1", 1, 2, "3000", "D9", "2026-05-04T08:00:00Z")
        .estimated()
        .accept("3400", "D9", "2026-05-04T09:00:00Z");
    let f = flags(&c);
    let mass = f.mass.clone().unwrap();
    assert_eq!(
        (
            mass.mass_basis.as_str(),
            mass.difference_kg,
            mass.difference_percent,
            mass.exceeds_tolerance
        ),
        ("ESTIMATED", dec("400"), dec("13.33"), true)
    );
    assert!(f.is_flagged());
}

#[test]
fn a_refused_consignment_is_flagged_with_its_reason_and_weighed_mass() {
    // 3180 − 3200 = −20 kg = −0.625% → −0.63 (half-up, away from zero); within 5%.
    let c = consignment("WTN-1", 1, 2, "3200", "D9", "2026-05-05T07:45:00+02:00").refuse(
        "Load not sheeted",
        Some("3180"),
        "2026-05-05T09:05:00+02:00",
    );
    let f = flags(&c);
    assert_eq!(
        f.refused,
        Some(Refusal {
            reason: "Load not sheeted".into(),
            refused_at: at("2026-05-05T07:05:00Z"),
            weighed_kg: Some(dec("3180")),
        })
    );
    let mass = f.mass.clone().unwrap();
    assert_eq!(
        (
            mass.difference_kg,
            mass.difference_percent,
            mass.exceeds_tolerance
        ),
        (dec("-20"), dec("-0.63"), false)
    );
    assert_eq!(
        (f.operation_mismatch.clone(), f.parked.clone()),
        (None, None)
    );
    assert!(f.is_flagged());
    // Refused without weighing: no mass comparison.
    let c = consignment("WTN-2", 1, 2, "3200", "D9", "2026-05-05T07:45:00Z").refuse(
        "Wrong code",
        None,
        "2026-05-05T09:05:00Z",
    );
    let f = flags(&c);
    assert_eq!((f.mass, f.refused.unwrap().weighed_kg), (None, None));
}

#[test]
fn planned_and_performed_operations_are_compared() {
    let performed = |planned: &str, performed: &str| {
        let c = consignment("WTN-1", 1, 2, "1000", planned, "2026-05-04T08:00:00Z").accept(
            "1000",
            performed,
            "2026-05-04T09:00:00Z",
        );
        flags(&c).operation_mismatch
    };
    assert_eq!(performed("R5", "R5"), None);
    assert_eq!(
        performed("R5", "R13"),
        Some(OperationMismatch {
            planned: "R5".into(),
            performed: "R13".into(),
            recovery_to_disposal: false
        })
    );
    assert_eq!(
        performed("R5", "D1").map(|m| m.recovery_to_disposal),
        Some(true)
    );
    assert_eq!(
        performed("D1", "R5").map(|m| m.recovery_to_disposal),
        Some(false)
    );
    assert_eq!(
        performed("D9", "D10").map(|m| m.recovery_to_disposal),
        Some(false)
    );
}

#[test]
fn hazardous_waste_moved_on_under_a_non_hazardous_code_is_flagged_on_the_onward_consignment() {
    let tar = consignment("WTN-1", 1, 2, "3200", "D15", "2026-05-04T08:00:00Z")
        .coded("170301", true)
        .accept("3200", "D15", "2026-05-04T09:00:00Z");
    let relabelled = consignment("WTN-2", 2, 3, "3200", "D1", "2026-06-01T08:00:00Z")
        .coded("170302", false)
        .after("WTN-1");
    let f = flag_consignment(
        &relabelled,
        Some(&tar),
        &[],
        &WasteRules::default(),
        at(AS_OF),
    );
    assert_eq!(
        f.hazardous_in_non_hazardous_out,
        Some(HazardousInNonHazardousOut {
            incoming_consignment_id: "WTN-1".into(),
            incoming_ewc_code: "170301".into(),
            outgoing_ewc_code: "170302".into(),
            facility_site_id: 2,
            facility: "SITE-2".into(),
            incoming_operation: Some("D15".into()),
        })
    );
    assert!(f.is_flagged());
    // Still hazardous on the way out: no flag; nor from a non-hazardous start.
    let still = relabelled.clone().coded("170301", true);
    let f = flag_consignment(&still, Some(&tar), &[], &WasteRules::default(), at(AS_OF));
    assert_eq!(f.hazardous_in_non_hazardous_out, None);
    let concrete = tar.clone().coded("170101", false);
    let f = flag_consignment(
        &relabelled,
        Some(&concrete),
        &[],
        &WasteRules::default(),
        at(AS_OF),
    );
    assert_eq!(f.hazardous_in_non_hazardous_out, None);
    // The incoming waste's receipt after the as-of instant is not known yet.
    let f = flag_consignment(
        &relabelled,
        Some(&tar),
        &[],
        &WasteRules::default(),
        at("2026-05-04T08:30:00Z"),
    );
    assert_eq!(
        f.hazardous_in_non_hazardous_out.unwrap().incoming_operation,
        None
    );
}

#[test]
fn waste_in_interim_storage_is_parked_after_more_than_the_configured_days() {
    let stored = consignment("WTN-1", 1, 2, "12480", "R13", "2026-01-01T00:00:00Z").accept(
        "12360",
        "R13",
        "2026-01-02T00:00:00Z",
    );
    let rules = WasteRules::default();
    // 2026-01-02 + 180 days = 2026-07-01 (to 1 Feb 30 days, then + 28 + 31 + 30 + 31 + 30):
    // exactly 180 days is not more than 180.
    let on = flag_consignment(&stored, None, &[], &rules, at("2026-07-01T00:00:00Z"));
    assert_eq!(on.parked, None);
    let after = flag_consignment(&stored, None, &[], &rules, at("2026-07-01T00:00:01Z"));
    assert_eq!(
        after.parked,
        Some(ParkedWaste {
            facility_site_id: 2,
            facility: "SITE-2".into(),
            operation: "R13".into(),
            mass_kg: dec("12360"),
            received_at: at("2026-01-02T00:00:00Z"),
            days_parked: 180,
        })
    );
    assert!(after.is_flagged());
    // 2026-12-31 is 363 days after 2026-01-02.
    let later = flag_consignment(&stored, None, &[], &rules, at(AS_OF));
    assert_eq!(later.parked.unwrap().days_parked, 363);
    // With a 365-day rule it is not parked yet.
    let year = WasteRules {
        parked_after_days: 365,
        ..WasteRules::default()
    };
    assert_eq!(
        flag_consignment(&stored, None, &[], &year, at(AS_OF)).parked,
        None
    );
}

#[test]
fn an_onward_movement_by_the_as_of_instant_unparks_the_waste() {
    let stored = consignment("WTN-1", 1, 2, "5000", "D15", "2026-01-01T00:00:00Z").accept(
        "5000",
        "D15",
        "2026-01-01T01:00:00Z",
    );
    let onward = consignment("WTN-2", 2, 3, "1000", "D1", "2026-10-01T00:00:00Z").after("WTN-1");
    let rules = WasteRules::default();
    // Moved on (even a part of it) by the as-of instant: not parked.
    let f = flag_consignment(&stored, None, &[&onward], &rules, at(AS_OF));
    assert_eq!(f.parked, None);
    // As of 30 September the onward movement has not happened: 2026-01-01T01:00 →
    // 2026-09-30T00:00 is 272 days less one hour (31+28+31+30+31+30+31+31+29 = 272),
    // 271 whole days.
    let f = flag_consignment(
        &stored,
        None,
        &[&onward],
        &rules,
        at("2026-09-30T00:00:00Z"),
    );
    assert_eq!(
        f.parked.map(|p| (p.operation, p.days_parked)),
        Some(("D15".into(), 271))
    );
}

#[test]
fn waste_under_a_final_operation_or_refused_is_never_parked() {
    let treated = consignment("WTN-1", 1, 2, "100", "R5", "2025-01-01T00:00:00Z").accept(
        "100",
        "R5",
        "2025-01-01T01:00:00Z",
    );
    assert_eq!(flags(&treated).parked, None);
    let refused = consignment("WTN-2", 1, 2, "100", "R13", "2025-01-01T00:00:00Z").refuse(
        "No permit",
        None,
        "2025-01-01T01:00:00Z",
    );
    assert_eq!(flags(&refused).parked, None);
}

#[test]
fn a_receipt_after_the_as_of_instant_is_not_seen() {
    let c = consignment("WTN-1", 1, 2, "1000", "R5", "2026-05-04T08:00:00Z").refuse(
        "Contaminated",
        Some("400"),
        "2026-05-05T08:00:00Z",
    );
    let before = flag_consignment(
        &c,
        None,
        &[],
        &WasteRules::default(),
        at("2026-05-05T07:59:59Z"),
    );
    assert_eq!(
        (
            before.receipt_id,
            before.mass.clone(),
            before.refused.clone(),
            before.is_flagged()
        ),
        (None, None, None, false)
    );
    let after = flag_consignment(
        &c,
        None,
        &[],
        &WasteRules::default(),
        at("2026-05-05T08:00:00Z"),
    );
    assert!(after.refused.is_some() && after.mass.unwrap().exceeds_tolerance);
}

#[test]
fn flagging_a_list_links_previous_and_onward_consignments_and_skips_later_ones() {
    assert!(flag_consignments(&[], &WasteRules::default(), at(AS_OF)).is_empty());
    let list = vec![
        consignment("WTN-1", 1, 2, "800", "D15", "2026-01-01T00:00:00Z")
            .coded("170503", true)
            .accept("800", "D15", "2026-01-01T02:00:00Z"),
        consignment("WTN-2", 2, 3, "800", "D1", "2026-02-01T00:00:00Z")
            .coded("170504", false)
            .after("WTN-1"),
        consignment("WTN-3", 1, 2, "50", "R5", "2027-01-01T00:00:00Z"),
    ];
    let flags = flag_consignments(&list, &WasteRules::default(), at(AS_OF));
    let ids: Vec<_> = flags.iter().map(|f| f.consignment_id.as_str()).collect();
    assert_eq!(ids, ["WTN-1", "WTN-2"]);
    // WTN-1 moved on by WTN-2: not parked; WTN-2 relabels it non-hazardous.
    assert_eq!(flags[0].parked, None);
    assert!(!flags[0].is_flagged());
    assert_eq!(
        flags[1]
            .hazardous_in_non_hazardous_out
            .as_ref()
            .map(|h| h.incoming_ewc_code.as_str()),
        Some("170503")
    );
}
