//! Per facility and period mass balance: what came in, what went out, what is still stored,
//! what was treated on site, and what none of these explains.

use std::collections::{BTreeSet, HashMap};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::operation::is_interim;
use super::period::{Period, PeriodKind};
use super::{exceeds_percent, percent_of, Consignment, WasteRules};

/// The mass balance of one site over one period (docs/methods/waste.md, "Mass balance"):
/// `unexplained = received − sent − (stock_end − stock_start) − (treated − residues)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MassBalance {
    pub site_id: i64,
    pub period: Period,
    /// Mass accepted at the site (its weighbridge) on receipts dated in the period.
    pub received_kg: BigDecimal,
    /// Of that, accepted under a final operation (not R12, R13, D13–D15): treated here.
    pub treated_kg: BigDecimal,
    /// Declared mass of the consignments that left the site in the period, except those the
    /// destination refused (they come back).
    pub sent_kg: BigDecimal,
    /// Of that, residues of waste treated here: consignments whose previous consignment was
    /// accepted here under a final operation.
    pub residues_kg: BigDecimal,
    /// Waste held here under an interim operation and not moved on yet, at the start of the
    /// period and at its end.
    pub stock_start_kg: BigDecimal,
    pub stock_end_kg: BigDecimal,
    pub stock_change_kg: BigDecimal,
    pub unexplained_kg: BigDecimal,
    /// `unexplained` as a percentage of what the site had to account for (received +
    /// stock_start), rounded half-up to 2 decimals; `None` when that is 0.
    pub unexplained_percent: Option<BigDecimal>,
    /// |unexplained| is more than the tolerance percentage of received + stock_start (exact;
    /// on the tolerance is within it). With nothing to account for, any unexplained mass is.
    pub exceeds_tolerance: bool,
}

/// What a site accepted: the consignment, its mass, its operation and the receipt's date.
struct Intake<'a> {
    consignment: &'a Consignment,
    mass: &'a BigDecimal,
    interim: bool,
    received_on: NaiveDate,
}

/// The mass balance of site `site_id` over `period`, from `consignments` (every consignment to
/// or from the site up to the end of the period; others are ignored).
pub fn mass_balance(
    site_id: i64,
    consignments: &[Consignment],
    period: &Period,
    rules: &WasteRules,
) -> MassBalance {
    let zero = BigDecimal::from(0);
    let intake: Vec<Intake> = consignments
        .iter()
        .filter(|c| c.transfer.to_site_id == site_id)
        .filter_map(|c| {
            let (mass, operation) = c.accepted_mass_and_operation()?;
            Some(Intake {
                consignment: c,
                mass,
                interim: is_interim(operation),
                received_on: c.received_on()?,
            })
        })
        .collect();
    let intake_by_id: HashMap<&str, &Intake> = intake
        .iter()
        .map(|i| (i.consignment.consignment_id(), i))
        .collect();
    let outgoing: Vec<&Consignment> = consignments
        .iter()
        .filter(|c| c.transfer.from_site_id == site_id && !c.refused())
        .collect();
    let came_from = |o: &Consignment| {
        o.transfer
            .previous_consignment_id
            .as_deref()
            .and_then(|p| intake_by_id.get(p).copied())
    };

    let mut received = zero.clone();
    let mut treated = zero.clone();
    for i in intake.iter().filter(|i| period.contains(i.received_on)) {
        received += i.mass;
        if !i.interim {
            treated += i.mass;
        }
    }
    let mut sent = zero.clone();
    let mut residues = zero.clone();
    for o in outgoing
        .iter()
        .filter(|o| period.contains(o.transferred_on()))
    {
        sent += &o.transfer.mass_kg;
        if came_from(o).is_some_and(|i| !i.interim) {
            residues += &o.transfer.mass_kg;
        }
    }
    // Stock at the start of a day: for each consignment held under an interim operation and
    // received before it, what arrived less what moved on from it before it (never below 0).
    let stock_at = |day: NaiveDate| {
        let mut moved_on: HashMap<&str, BigDecimal> = HashMap::new();
        for o in outgoing.iter().filter(|o| o.transferred_on() < day) {
            if let Some(i) = came_from(o) {
                *moved_on
                    .entry(i.consignment.consignment_id())
                    .or_insert_with(|| zero.clone()) += &o.transfer.mass_kg;
            }
        }
        intake
            .iter()
            .filter(|i| i.interim && i.received_on < day)
            .map(|i| {
                let left = match moved_on.get(i.consignment.consignment_id()) {
                    Some(moved) => i.mass - moved,
                    None => i.mass.clone(),
                };
                left.max(zero.clone())
            })
            .fold(zero.clone(), |sum, left| sum + left)
    };
    let stock_start = stock_at(period.start);
    let stock_end = stock_at(period.end);
    let stock_change = &stock_end - &stock_start;
    let unexplained = &received - &sent - &stock_change - (&treated - &residues);
    let base = &received + &stock_start;
    MassBalance {
        site_id,
        period: *period,
        unexplained_percent: percent_of(&unexplained, &base),
        exceeds_tolerance: exceeds_percent(
            &unexplained,
            &base,
            &rules.mass_balance_tolerance_percent,
        ),
        received_kg: received,
        treated_kg: treated,
        sent_kg: sent,
        residues_kg: residues,
        stock_start_kg: stock_start,
        stock_end_kg: stock_end,
        stock_change_kg: stock_change,
        unexplained_kg: unexplained,
    }
}

/// An instant after every movement whose local date is before `end`: midnight UTC of `end`
/// plus a day covers every UTC offset.
fn load_until(end: NaiveDate) -> DateTime<Utc> {
    end.and_time(NaiveTime::MIN)
        .and_utc()
        .checked_add_signed(Duration::days(1))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The mass balance of site `site_id` over `period`.
pub fn facility_mass_balance(
    conn: &mut PgConnection,
    site_id: i64,
    period: &Period,
    rules: &WasteRules,
) -> QueryResult<MassBalance> {
    let consignments = Consignment::at_site_before(conn, site_id, load_until(period.end))?;
    Ok(mass_balance(site_id, &consignments, period, rules))
}

/// The mass balances of site `site_id` for every period of `kind` from the one holding `first`
/// to the one holding `last`, including periods without any movement.
pub fn facility_mass_balances(
    conn: &mut PgConnection,
    site_id: i64,
    kind: PeriodKind,
    first: NaiveDate,
    last: NaiveDate,
    rules: &WasteRules,
) -> QueryResult<Vec<MassBalance>> {
    let periods = Period::covering(kind, first, last);
    let Some(end) = periods.last().map(|p| p.end) else {
        return Ok(Vec::new());
    };
    let consignments = Consignment::at_site_before(conn, site_id, load_until(end))?;
    Ok(periods
        .iter()
        .map(|period| mass_balance(site_id, &consignments, period, rules))
        .collect())
}

/// The mass balance over `period` of every facility — every site some consignment was sent to
/// before the period ended — by site id.
pub fn mass_balances_in(
    conn: &mut PgConnection,
    period: &Period,
    rules: &WasteRules,
) -> QueryResult<Vec<MassBalance>> {
    let consignments = Consignment::transferred_by(conn, load_until(period.end))?;
    let facilities: BTreeSet<i64> = consignments
        .iter()
        .filter(|c| c.transferred_on() < period.end)
        .map(|c| c.transfer.to_site_id)
        .collect();
    Ok(facilities
        .into_iter()
        .map(|site_id| mass_balance(site_id, &consignments, period, rules))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{consignment, dec};
    use super::*;

    const YARD: i64 = 2;

    fn month(y: i32, m: u32) -> Period {
        Period::containing(PeriodKind::Month, NaiveDate::from_ymd_opt(y, m, 1).unwrap())
    }

    fn quarter(y: i32, q: u32) -> Period {
        Period::containing(
            PeriodKind::Quarter,
            NaiveDate::from_ymd_opt(y, q * 3, 1).unwrap(),
        )
    }

    /// (received, treated, sent, residues, stock start, stock end, unexplained)
    fn figures(b: &MassBalance) -> [BigDecimal; 7] {
        [
            b.received_kg.clone(),
            b.treated_kg.clone(),
            b.sent_kg.clone(),
            b.residues_kg.clone(),
            b.stock_start_kg.clone(),
            b.stock_end_kg.clone(),
            b.unexplained_kg.clone(),
        ]
    }

    fn kg(values: [&str; 7]) -> [BigDecimal; 7] {
        values.map(dec)
    }

    #[test]
    fn no_consignments_balance_to_zero_without_a_percentage() {
        let b = mass_balance(YARD, &[], &month(2026, 5), &WasteRules::default());
        assert_eq!(figures(&b), kg(["0", "0", "0", "0", "0", "0", "0"]));
        assert_eq!(
            (
                b.stock_change_kg.clone(),
                b.unexplained_percent,
                b.exceeds_tolerance
            ),
            (dec("0"), None, false)
        );
    }

    #[test]
    fn stored_waste_moved_on_in_part_balances_and_the_rest_is_stock() {
        let list = [
            consignment("WTN-1", 1, YARD, "12480", "R5", "2026-05-04T08:15:00+02:00").accept(
                "12360",
                "R13",
                "2026-05-04T09:40:00+02:00",
            ),
            consignment("WTN-2", YARD, 3, "1850", "D1", "2026-05-20T07:00:00+02:00").after("WTN-1"),
        ];
        let rules = WasteRules::default();
        // May: in 12360 (stored, R13), out 1850 from it; stock 0 → 12360 − 1850 = 10510;
        // unexplained = 12360 − 1850 − 10510 − (0 − 0) = 0.
        let may = mass_balance(YARD, &list, &month(2026, 5), &rules);
        assert_eq!(
            figures(&may),
            kg(["12360", "0", "1850", "0", "0", "10510", "0"])
        );
        assert_eq!(may.stock_change_kg, dec("10510"));
        assert_eq!(
            (may.unexplained_percent, may.exceeds_tolerance),
            (Some(dec("0.00")), false)
        );
        // June, no movement: the stock carries over, nothing to explain (0 of 10510).
        let june = mass_balance(YARD, &list, &month(2026, 6), &rules);
        assert_eq!(
            figures(&june),
            kg(["0", "0", "0", "0", "10510", "10510", "0"])
        );
        assert_eq!(june.unexplained_percent, Some(dec("0.00")));
        // April, before anything: all zero.
        let april = mass_balance(YARD, &list, &month(2026, 4), &rules);
        assert_eq!(figures(&april), kg(["0", "0", "0", "0", "0", "0", "0"]));
        // The producer's site only sends: 12480 out of nothing to account for is unexplained.
        let producer = mass_balance(1, &list, &month(2026, 5), &rules);
        assert_eq!(
            figures(&producer),
            kg(["0", "0", "12480", "0", "0", "0", "-12480"])
        );
        assert_eq!(
            (producer.unexplained_percent, producer.exceeds_tolerance),
            (None, true)
        );
    }

    #[test]
    fn treated_waste_and_its_residues_balance_and_unlinked_outflow_is_unexplained() {
        let with_unlinked = |mass: &str| {
            vec![
                consignment("WTN-1", 1, YARD, "10000", "R5", "2026-03-10T08:00:00Z").accept(
                    "10000",
                    "R5",
                    "2026-03-10T09:00:00Z",
                ),
                consignment("WTN-2", YARD, 4, "2000", "D1", "2026-03-20T08:00:00Z").after("WTN-1"),
                consignment("WTN-3", YARD, 4, mass, "D1", "2026-03-25T08:00:00Z"),
            ]
        };
        let rules = WasteRules::default();
        // in 10000, all treated (R5); out 2000 residues of it + 300 with no recorded origin;
        // unexplained = 10000 − 2300 − 0 − (10000 − 2000) = −300, −3% of 10000: within 5%.
        let march = mass_balance(YARD, &with_unlinked("300"), &month(2026, 3), &rules);
        assert_eq!(
            figures(&march),
            kg(["10000", "10000", "2300", "2000", "0", "0", "-300"])
        );
        assert_eq!(
            (march.unexplained_percent, march.exceeds_tolerance),
            (Some(dec("-3.00")), false)
        );
        let strict = WasteRules {
            mass_balance_tolerance_percent: dec("2"),
            ..WasteRules::default()
        };
        assert!(
            mass_balance(YARD, &with_unlinked("300"), &month(2026, 3), &strict).exceeds_tolerance
        );
        // 500 unexplained is exactly 5% of 10000: within; 500.000001 is above.
        let on = mass_balance(YARD, &with_unlinked("500"), &month(2026, 3), &rules);
        assert_eq!(
            (
                on.unexplained_kg.clone(),
                on.unexplained_percent.clone(),
                on.exceeds_tolerance
            ),
            (dec("-500"), Some(dec("-5.00")), false)
        );
        let above = mass_balance(YARD, &with_unlinked("500.000001"), &month(2026, 3), &rules);
        assert_eq!(
            (above.unexplained_kg.clone(), above.exceeds_tolerance),
            (dec("-500.000001"), true)
        );
    }

    #[test]
    fn stock_over_quarters_never_goes_below_zero_and_the_excess_is_unexplained() {
        let list = [
            consignment("WTN-1", 1, YARD, "1000", "D15", "2026-01-15T08:00:00Z").accept(
                "1000",
                "D15",
                "2026-01-15T09:00:00Z",
            ),
            consignment("WTN-2", YARD, 3, "600", "D10", "2026-02-10T08:00:00Z").after("WTN-1"),
            consignment("WTN-3", YARD, 3, "600", "D10", "2026-04-05T08:00:00Z").after("WTN-1"),
        ];
        let rules = WasteRules::default();
        // Q1: in 1000 stored, out 600 of it; stock 0 → 400; 1000 − 600 − 400 − 0 = 0.
        let q1 = mass_balance(YARD, &list, &quarter(2026, 1), &rules);
        assert_eq!(figures(&q1), kg(["1000", "0", "600", "0", "0", "400", "0"]));
        // Q2: 600 more leave from a consignment with 400 left: stock 400 → max(0, 1000 − 1200)
        // = 0; unexplained = 0 − 600 − (0 − 400) − 0 = −200, −50% of the 400 in stock.
        let q2 = mass_balance(YARD, &list, &quarter(2026, 2), &rules);
        assert_eq!(figures(&q2), kg(["0", "0", "600", "0", "400", "0", "-200"]));
        assert_eq!(
            (
                q2.stock_change_kg.clone(),
                q2.unexplained_percent.clone(),
                q2.exceeds_tolerance
            ),
            (dec("-400"), Some(dec("-50.00")), true)
        );
        // The year holds both: 1000 − 1200 − 0 − 0 = −200, −20% of 1000.
        let year = mass_balance(
            YARD,
            &list,
            &Period::containing(
                PeriodKind::Year,
                NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            ),
            &rules,
        );
        assert_eq!(
            figures(&year),
            kg(["1000", "0", "1200", "0", "0", "0", "-200"])
        );
        assert_eq!(year.unexplained_percent, Some(dec("-20.00")));
    }

    #[test]
    fn refused_consignments_count_neither_in_nor_out() {
        let list = [
            consignment("WTN-1", 1, YARD, "1000", "R5", "2026-05-04T08:00:00Z").refuse(
                "Asbestos found",
                Some("1000"),
                "2026-05-04T09:00:00Z",
            ),
            consignment("WTN-2", YARD, 5, "700", "R4", "2026-05-06T08:00:00Z").refuse(
                "No permit for this code",
                None,
                "2026-05-06T10:00:00Z",
            ),
            // Not received yet: it left, so it counts as sent.
            consignment("WTN-3", YARD, 5, "40", "R4", "2026-05-31T23:00:00Z"),
        ];
        let b = mass_balance(YARD, &list, &month(2026, 5), &WasteRules::default());
        assert_eq!(figures(&b), kg(["0", "0", "40", "0", "0", "0", "-40"]));
    }

    #[test]
    fn movements_fall_in_the_period_of_their_local_date() {
        // Received 31 March 23:30 at −02:00 (1 April 01:30 UTC): a March receipt. WTN-3 left
        // on 1 April 00:30 at +02:00 (31 March 22:30 UTC): an April movement.
        let list = [
            consignment("WTN-1", 1, YARD, "800", "R13", "2026-03-31T20:00:00-02:00").accept(
                "800",
                "R13",
                "2026-03-31T23:30:00-02:00",
            ),
            consignment("WTN-2", YARD, 3, "800", "R4", "2026-04-01T08:00:00+02:00").after("WTN-1"),
            consignment("WTN-3", YARD, 3, "50", "R4", "2026-04-01T00:30:00+02:00"),
        ];
        let rules = WasteRules::default();
        // March: 800 in, stored: stock 0 → 800, nothing unexplained.
        let march = mass_balance(YARD, &list, &month(2026, 3), &rules);
        assert_eq!(figures(&march), kg(["800", "0", "0", "0", "0", "800", "0"]));
        // April: 850 out, 800 of it from stock; 0 − 850 − (0 − 800) − 0 = −50.
        let april = mass_balance(YARD, &list, &month(2026, 4), &rules);
        assert_eq!(
            figures(&april),
            kg(["0", "0", "850", "0", "800", "0", "-50"])
        );
    }
}
