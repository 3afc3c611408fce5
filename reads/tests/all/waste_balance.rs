//! Waste computations (docs/methods/waste.md) against a real PostgreSQL, on transfers and
//! receipts imported through the real importers: facility mass balances and city rates.

use bigdecimal::{BigDecimal, Zero};
use chrono::NaiveDate;
use citytrace_reads::waste::{
    city_rates, facility_mass_balance, facility_mass_balances, mass_balances_in, MassBalance,
    Period, PeriodKind, TreatmentRates, TreatmentTotals, WasteRules,
};

use crate::support::waste::{city, dec, Fixture};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// (received, treated, sent, residues, stock start, stock end, unexplained, unexplained %)
/// (BigDecimal compares by value: 5000 equals 5000.0.)
fn figures(b: &MassBalance) -> (Vec<BigDecimal>, Option<BigDecimal>) {
    (
        vec![
            b.received_kg.clone(),
            b.treated_kg.clone(),
            b.sent_kg.clone(),
            b.residues_kg.clone(),
            b.stock_start_kg.clone(),
            b.stock_end_kg.clone(),
            b.unexplained_kg.clone(),
        ],
        b.unexplained_percent.clone(),
    )
}

fn expect(values: [&str; 7], percent: Option<&str>) -> (Vec<BigDecimal>, Option<BigDecimal>) {
    (values.iter().map(|v| dec(v)).collect(), percent.map(dec))
}

#[test]
fn the_recycling_yard_balances_month_by_month_until_waste_leaves_without_an_origin() {
    let f = city();
    let conn = &mut f.db.conn();
    let yard = f.site_id("RECYCLE-YARD");
    let months = facility_mass_balances(
        conn,
        yard,
        PeriodKind::Month,
        date(2026, 1, 1),
        date(2026, 6, 30),
        &WasteRules::default(),
    )
    .unwrap();
    let labels: Vec<_> = months.iter().map(|b| b.period.label()).collect();
    assert_eq!(
        labels,
        ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    );
    assert!(months.iter().all(|b| b.site_id == yard));
    // January: 5000 kg of mixed waste stored (R13): in 5000, stock 0 → 5000, nothing else.
    assert_eq!(
        figures(&months[0]),
        expect(["5000", "0", "0", "0", "0", "5000", "0"], Some("0.00"))
    );
    // February to April, no movement: the stock carries over.
    for b in &months[1..4] {
        assert_eq!(
            figures(b),
            expect(["0", "0", "0", "0", "5000", "5000", "0"], Some("0.00"))
        );
    }
    // May: in 12360 (concrete, R13) + 2100 (timber, R3) + 2100.5 (glass, R5) = 16560.5, of
    // which treated 2100 + 2100.5 = 4200.5; out 1850 (fines, from the concrete) + 1500 (wood
    // chips, residue of the timber) = 3350, residues 1500; stock 5000 → 5000 + (12360 − 1850)
    // = 15510; unexplained = 16560.5 − 3350 − 10510 − (4200.5 − 1500) = 0.
    assert_eq!(
        figures(&months[4]),
        expect(
            ["16560.5", "4200.5", "3350", "1500", "5000", "15510", "0"],
            Some("0.00")
        )
    );
    assert_eq!(months[4].stock_change_kg, dec("10510"));
    // June: 400 kg of sorting residues leave naming no consignment: −400 of 15510 to account
    // for = −2.578…% → −2.58, within 5%.
    assert_eq!(
        figures(&months[5]),
        expect(
            ["0", "0", "400", "0", "15510", "15510", "-400"],
            Some("-2.58")
        )
    );
    assert!(months.iter().all(|b| !b.exceeds_tolerance));

    // The second quarter at once: 16560.5 − 3750 − (15510 − 5000) − (4200.5 − 1500) = −400, of
    // 16560.5 + 5000 = 21560.5: −1.855…% → −1.86.
    let q2 = Period::containing(PeriodKind::Quarter, date(2026, 5, 1));
    let quarter = facility_mass_balance(conn, yard, &q2, &WasteRules::default()).unwrap();
    assert_eq!(
        figures(&quarter),
        expect(
            ["16560.5", "4200.5", "3750", "1500", "5000", "15510", "-400"],
            Some("-1.86")
        )
    );
    // A 2.5% tolerance flags June (400 × 100 = 40000 > 2.5 × 15510 = 38775) but not the
    // quarter (40000 < 2.5 × 21560.5 = 53901.25).
    let strict = WasteRules {
        mass_balance_tolerance_percent: dec("2.5"),
        ..WasteRules::default()
    };
    let june = Period::containing(PeriodKind::Month, date(2026, 6, 1));
    assert!(
        facility_mass_balance(conn, yard, &june, &strict)
            .unwrap()
            .exceeds_tolerance
    );
    assert!(
        !facility_mass_balance(conn, yard, &q2, &strict)
            .unwrap()
            .exceeds_tolerance
    );
    // The year: everything from an empty yard: 21560.5 − 3750 − 15510 − 2700.5 = −400.
    let year = facility_mass_balances(
        conn,
        yard,
        PeriodKind::Year,
        date(2026, 3, 1),
        date(2026, 3, 1),
        &WasteRules::default(),
    )
    .unwrap();
    assert_eq!(year.len(), 1);
    assert_eq!(
        figures(&year[0]),
        expect(
            ["21560.5", "4200.5", "3750", "1500", "0", "15510", "-400"],
            Some("-1.86")
        )
    );
}

#[test]
fn every_facility_of_the_city_is_balanced_for_a_period() {
    let f = city();
    let conn = &mut f.db.conn();
    let rules = WasteRules::default();
    let may = Period::containing(PeriodKind::Month, date(2026, 5, 1));
    let balances = mass_balances_in(conn, &may, &rules).unwrap();
    let mut facilities: Vec<i64> = [
        "RECYCLE-YARD",
        "METAL-YARD",
        "HAZ-TREAT",
        "HAZ-STORE",
        "LANDFILL-EAST",
        "ENERGY-PLANT",
    ]
    .iter()
    .map(|code| f.site_id(code))
    .collect();
    facilities.sort();
    let sites: Vec<i64> = balances.iter().map(|b| b.site_id).collect();
    assert_eq!(sites, facilities, "every destination, by site id");
    // In May everything received is stored or treated: nothing unexplained anywhere.
    assert!(balances
        .iter()
        .all(|b| b.unexplained_kg.is_zero() && !b.exceeds_tolerance));
    let store = balances
        .iter()
        .find(|b| b.site_id == f.site_id("HAZ-STORE"))
        .unwrap();
    assert_eq!(
        figures(store),
        expect(["900", "0", "0", "0", "0", "900", "0"], Some("0.00"))
    );
    // The tar treatment plant refused its only load: nothing to account for.
    let treat = balances
        .iter()
        .find(|b| b.site_id == f.site_id("HAZ-TREAT"))
        .unwrap();
    assert_eq!(
        figures(treat),
        expect(["0", "0", "0", "0", "0", "0", "0"], None)
    );
    // In June only the yard has something unexplained (the 400 kg); the store's asbestos
    // leaves from stock (900 → 0) and the landfill treats 905 kg.
    let june = Period::containing(PeriodKind::Month, date(2026, 6, 1));
    let unexplained: Vec<(i64, BigDecimal)> = mass_balances_in(conn, &june, &rules)
        .unwrap()
        .into_iter()
        .filter(|b| !b.unexplained_kg.is_zero())
        .map(|b| (b.site_id, b.unexplained_kg))
        .collect();
    assert_eq!(unexplained, [(f.site_id("RECYCLE-YARD"), dec("-400"))]);
}

#[test]
fn unexplained_mass_exactly_on_the_tolerance_is_not_flagged() {
    let mut f = Fixture::new();
    f.transfers(
        "WTN-S1,20 03 07,Bulky waste,1000,REAL,DEPT-PARKS,PARK-DEPOT,HAUL-CO,CBDU112233,DEPOT,2026-07-01T08:00:00+02:00,R13,\n\
         WTN-S2,20 03 07,Bulky waste,50,REAL,DEPOT-CO,DEPOT,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-07-20T08:00:00+02:00,D1,\n",
    );
    f.receipts("WTN-S1,accepted,1000,R13,,2026-07-01T09:00:00+02:00\n");
    let conn = &mut f.db.conn();
    let depot = f.site_id("DEPOT");
    let july = Period::containing(PeriodKind::Month, date(2026, 7, 1));
    // 1000 stored; 50 leave naming no consignment: 1000 − 50 − 1000 − 0 = −50, exactly 5% of
    // 1000.
    let on = facility_mass_balance(conn, depot, &july, &WasteRules::default()).unwrap();
    assert_eq!(
        figures(&on),
        expect(["1000", "0", "50", "0", "0", "1000", "-50"], Some("-5.00"))
    );
    assert!(!on.exceeds_tolerance);
    let stricter = WasteRules {
        mass_balance_tolerance_percent: dec("4.99"),
        ..WasteRules::default()
    };
    assert!(
        facility_mass_balance(conn, depot, &july, &stricter)
            .unwrap()
            .exceeds_tolerance
    );
}

fn rates(values: [Option<&str>; 5]) -> TreatmentRates {
    let [recycling, energy, landfill, incineration, other] = values.map(|v| v.map(dec));
    TreatmentRates {
        recycling_percent: recycling,
        energy_recovery_percent: energy,
        landfill_percent: landfill,
        incineration_percent: incineration,
        other_disposal_percent: other,
    }
}

const NO_RATES: [Option<&str>; 5] = [None; 5];

#[test]
fn city_rates_by_chapter_and_month_from_the_operations_performed() {
    let f = city();
    let conn = &mut f.db.conn();
    let months = city_rates(conn, PeriodKind::Month, date(2026, 1, 1), date(2026, 6, 30)).unwrap();
    assert_eq!(months.len(), 6);
    // January: only the mixed waste stored under R13: interim, nothing treated, no rate.
    assert_eq!(months[0].totals.interim_kg, dec("5000"));
    assert_eq!(months[0].totals.treated_kg, dec("0"));
    assert_eq!(months[0].rates, rates(NO_RATES));
    assert_eq!(months[0].chapters.len(), 1);
    // February to April: no receipt at all.
    for m in &months[1..4] {
        assert_eq!(
            (&m.totals, m.chapters.len()),
            (&TreatmentTotals::default(), 0)
        );
    }
    // May: recycled 2138 (R4) + 2100 (R3) + 2100.5 (R5) = 6338.5; landfilled 1872 (D1);
    // treated 8210.5; stored 12360 + 900 = 13260 (R13, D15) and the refused tar nowhere.
    // 6338.5 / 8210.5 = 77.1999…% → 77.20; 1872 / 8210.5 = 22.8000…% → 22.80.
    let may = &months[4];
    assert_eq!(
        may.totals,
        TreatmentTotals {
            treated_kg: dec("8210.5"),
            recycling_kg: dec("6338.5"),
            energy_recovery_kg: dec("0"),
            landfill_kg: dec("1872"),
            incineration_kg: dec("0"),
            other_disposal_kg: dec("0"),
            interim_kg: dec("13260"),
        }
    );
    assert_eq!(
        may.rates,
        rates([
            Some("77.20"),
            Some("0.00"),
            Some("22.80"),
            Some("0.00"),
            Some("0.00")
        ])
    );
    // By chapter: 17 (construction) all recycled; 19 (the yard's fines) all landfilled.
    let chapters: Vec<_> = may
        .chapters
        .iter()
        .map(|c| {
            (
                c.chapter.as_str(),
                c.totals.treated_kg.clone(),
                c.rates.clone(),
            )
        })
        .collect();
    assert_eq!(
        chapters,
        [
            (
                "17",
                dec("6338.5"),
                rates([
                    Some("100.00"),
                    Some("0.00"),
                    Some("0.00"),
                    Some("0.00"),
                    Some("0.00")
                ])
            ),
            (
                "19",
                dec("1872"),
                rates([
                    Some("0.00"),
                    Some("0.00"),
                    Some("100.00"),
                    Some("0.00"),
                    Some("0.00")
                ])
            ),
        ]
    );
    // June: the relabelled asbestos landfilled, 905 kg, chapter 17.
    assert_eq!(months[5].totals.landfill_kg, dec("905"));
    assert_eq!(months[5].chapters[0].chapter, "17");

    // The second quarter: 6338.5 / (8210.5 + 905 = 9115.5) = 69.535…% → 69.54 recycled,
    // (1872 + 905) / 9115.5 = 30.464…% → 30.46 landfilled.
    let quarter = city_rates(
        conn,
        PeriodKind::Quarter,
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    .unwrap();
    assert_eq!(quarter.len(), 1);
    assert_eq!(quarter[0].totals.treated_kg, dec("9115.5"));
    assert_eq!(
        quarter[0].rates,
        rates([
            Some("69.54"),
            Some("0.00"),
            Some("30.46"),
            Some("0.00"),
            Some("0.00")
        ])
    );
}

#[test]
fn one_consignment_makes_one_facility_balance_and_the_whole_rate() {
    let mut f = Fixture::new();
    f.transfers("WTN-1,20 01 01,Paper and cardboard,640.25,REAL,DEPT-SCHOOLS,SCHOOL-ELM,HAUL-CO,CBDU112233,PAPER-MILL,2026-09-01T07:00:00+02:00,R3,\n");
    f.receipts("WTN-1,accepted,640.25,R3,,2026-09-01T08:00:00+02:00\n");
    let conn = &mut f.db.conn();
    let september = Period::containing(PeriodKind::Month, date(2026, 9, 1));
    let balances = mass_balances_in(conn, &september, &WasteRules::default()).unwrap();
    assert_eq!(balances.len(), 1);
    // The mill treats what it received: 640.25 − 0 − 0 − 640.25 = 0.
    assert_eq!(
        (balances[0].site_id, figures(&balances[0])),
        (
            f.site_id("PAPER-MILL"),
            expect(["640.25", "640.25", "0", "0", "0", "0", "0"], Some("0.00"))
        )
    );
    // The school only produces: what it sent has no recorded origin there.
    let school = facility_mass_balance(
        conn,
        f.site_id("SCHOOL-ELM"),
        &september,
        &WasteRules::default(),
    )
    .unwrap();
    assert_eq!(
        figures(&school),
        expect(["0", "0", "640.25", "0", "0", "0", "-640.25"], None)
    );
    assert!(school.exceeds_tolerance);
    let q3 = city_rates(
        conn,
        PeriodKind::Quarter,
        date(2026, 9, 1),
        date(2026, 9, 1),
    )
    .unwrap();
    assert_eq!(q3[0].totals.recycling_kg, dec("640.25"));
    assert_eq!(
        q3[0].rates,
        rates([
            Some("100.00"),
            Some("0.00"),
            Some("0.00"),
            Some("0.00"),
            Some("0.00")
        ])
    );
    assert_eq!(q3[0].chapters[0].chapter, "20");
}

#[test]
fn an_empty_database_balances_to_zero_and_has_no_rates() {
    let f = Fixture::new();
    let conn = &mut f.db.conn();
    let balances = facility_mass_balances(
        conn,
        1,
        PeriodKind::Quarter,
        date(2026, 1, 1),
        date(2026, 12, 31),
        &WasteRules::default(),
    )
    .unwrap();
    assert_eq!(balances.len(), 4);
    for b in &balances {
        assert_eq!(
            figures(b),
            expect(["0", "0", "0", "0", "0", "0", "0"], None)
        );
        assert!(!b.exceeds_tolerance);
    }
    let may = Period::containing(PeriodKind::Month, date(2026, 5, 1));
    assert!(mass_balances_in(conn, &may, &WasteRules::default())
        .unwrap()
        .is_empty());
    let months = city_rates(conn, PeriodKind::Month, date(2026, 1, 1), date(2026, 3, 31)).unwrap();
    assert_eq!(months.len(), 3);
    assert!(months
        .iter()
        .all(|m| m.totals == TreatmentTotals::default() && m.rates == rates(NO_RATES)));
    // No period asked for: nothing.
    assert!(
        city_rates(conn, PeriodKind::Month, date(2026, 3, 1), date(2026, 1, 1))
            .unwrap()
            .is_empty()
    );
}
