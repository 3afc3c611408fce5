//! City recycling, recovery and disposal rates by EWC chapter and period, from the operations
//! facilities performed (receipts).

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::operation::{treatment_class, TreatmentClass};
use super::period::{Period, PeriodKind};
use super::{percent_of, Consignment};

/// Mass accepted by facilities, by what the operation they performed counts as.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TreatmentTotals {
    /// Received under a final operation: the denominator of every rate (interim is left out).
    pub treated_kg: BigDecimal,
    pub recycling_kg: BigDecimal,
    pub energy_recovery_kg: BigDecimal,
    pub landfill_kg: BigDecimal,
    pub incineration_kg: BigDecimal,
    pub other_disposal_kg: BigDecimal,
    /// Received under R12, R13, D13, D14 or D15: counted when it reaches its final operation.
    pub interim_kg: BigDecimal,
}

impl TreatmentTotals {
    fn add(&mut self, class: TreatmentClass, mass: &BigDecimal) {
        let total = match class {
            TreatmentClass::Recycling => &mut self.recycling_kg,
            TreatmentClass::EnergyRecovery => &mut self.energy_recovery_kg,
            TreatmentClass::Landfill => &mut self.landfill_kg,
            TreatmentClass::Incineration => &mut self.incineration_kg,
            TreatmentClass::OtherDisposal => &mut self.other_disposal_kg,
            TreatmentClass::Interim => {
                self.interim_kg += mass;
                return;
            }
        };
        *total += mass;
        self.treated_kg += mass;
    }

    /// Each class as a percentage of the mass treated, rounded half-up to 2 decimals (so they
    /// may add up to 100 ± 0.01 or so); `None` when nothing was treated.
    pub fn rates(&self) -> TreatmentRates {
        let rate = |kg: &BigDecimal| percent_of(kg, &self.treated_kg);
        TreatmentRates {
            recycling_percent: rate(&self.recycling_kg),
            energy_recovery_percent: rate(&self.energy_recovery_kg),
            landfill_percent: rate(&self.landfill_kg),
            incineration_percent: rate(&self.incineration_kg),
            other_disposal_percent: rate(&self.other_disposal_kg),
        }
    }
}

/// Shares of the mass treated, in percent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatmentRates {
    /// R2–R11.
    pub recycling_percent: Option<BigDecimal>,
    /// R1.
    pub energy_recovery_percent: Option<BigDecimal>,
    /// D1, D5, D12.
    pub landfill_percent: Option<BigDecimal>,
    /// D10, D11.
    pub incineration_percent: Option<BigDecimal>,
    /// D2, D3, D4, D6, D7, D8, D9.
    pub other_disposal_percent: Option<BigDecimal>,
}

/// One EWC chapter's totals and rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChapterRates {
    /// The List of Waste chapter: the code's first two digits (`17` construction and
    /// demolition waste, `20` municipal waste, ...).
    pub chapter: String,
    pub totals: TreatmentTotals,
    pub rates: TreatmentRates,
}

/// The city's rates over one period: all chapters together, then each chapter that had
/// waste received (by chapter).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CityRates {
    pub period: Period,
    pub totals: TreatmentTotals,
    pub rates: TreatmentRates,
    pub chapters: Vec<ChapterRates>,
}

/// The rates over each of `periods` from the accepted receipts among `consignments` (by the
/// receipt's local date and the operation performed). Refused consignments and consignments
/// not received count nowhere.
pub fn rates_by_chapter(consignments: &[Consignment], periods: &[Period]) -> Vec<CityRates> {
    periods
        .iter()
        .map(|period| {
            let mut totals = TreatmentTotals::default();
            let mut chapters: BTreeMap<&str, TreatmentTotals> = BTreeMap::new();
            for c in consignments {
                let Some((mass, operation)) = c.accepted_mass_and_operation() else {
                    continue;
                };
                let (Some(received_on), Some(class)) =
                    (c.received_on(), treatment_class(operation))
                else {
                    continue;
                };
                if !period.contains(received_on) {
                    continue;
                }
                let chapter = c.transfer.ewc_code.get(..2).unwrap_or_default();
                totals.add(class, mass);
                chapters.entry(chapter).or_default().add(class, mass);
            }
            CityRates {
                period: *period,
                rates: totals.rates(),
                totals,
                chapters: chapters
                    .into_iter()
                    .map(|(chapter, totals)| ChapterRates {
                        chapter: chapter.to_string(),
                        rates: totals.rates(),
                        totals,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The city's rates for every period of `kind` from the one holding `first` to the one holding
/// `last`, including periods when nothing was received.
pub fn city_rates(
    conn: &mut PgConnection,
    kind: PeriodKind,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<CityRates>> {
    let periods = Period::covering(kind, first, last);
    let (Some(start), Some(end)) = (periods.first(), periods.last()) else {
        return Ok(Vec::new());
    };
    // A day either side of the periods' dates covers every UTC offset; the local date decides.
    let midnight = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
    let from = midnight(start.start)
        .checked_sub_signed(Duration::days(1))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let until = midnight(end.end)
        .checked_add_signed(Duration::days(1))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let consignments = Consignment::received_between(conn, from, until)?;
    Ok(rates_by_chapter(&consignments, &periods))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{consignment, dec};
    use super::*;

    fn received(id: &str, code: &str, mass: &str, operation: &str, at: &str) -> Consignment {
        consignment(id, 1, 2, mass, operation, at)
            .coded(code, code == "170301")
            .accept(mass, operation, at)
    }

    fn some(values: [&str; 5]) -> TreatmentRates {
        let [recycling, energy, landfill, incineration, other] = values.map(|v| Some(dec(v)));
        TreatmentRates {
            recycling_percent: recycling,
            energy_recovery_percent: energy,
            landfill_percent: landfill,
            incineration_percent: incineration,
            other_disposal_percent: other,
        }
    }

    fn none() -> TreatmentRates {
        TreatmentRates {
            recycling_percent: None,
            energy_recovery_percent: None,
            landfill_percent: None,
            incineration_percent: None,
            other_disposal_percent: None,
        }
    }

    fn month(m: u32) -> Period {
        Period::containing(
            PeriodKind::Month,
            NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
        )
    }

    #[test]
    fn rates_by_chapter_use_the_mass_treated_under_final_operations() {
        let may = "2026-05-10T10:00:00+02:00";
        let list = [
            received("A", "170101", "12000", "R5", may),
            received("B", "170405", "2000", "R4", may),
            received("C", "170904", "6000", "D1", may),
            received("D", "200301", "5000", "R1", may),
            received("E", "200301", "3000", "D10", may),
            received("F", "170101", "4000", "R13", may),
            received("H", "200301", "1000", "D9", may),
            received("I", "191209", "500", "R13", may),
            consignment("G", 1, 2, "900", "D9", may)
                .coded("170301", true)
                .refuse("Not sheeted", Some("900"), may),
            consignment("J", 1, 2, "700", "R5", may),
        ];
        let rates = rates_by_chapter(&list, &[month(5), month(6)]);
        assert_eq!(rates.len(), 2);
        let may = &rates[0];
        // All chapters: treated = 12000 + 2000 + 6000 + 5000 + 3000 + 1000 = 29000 (R13 left
        // out: 4000 + 500 interim). Recycling 14000 / 29000 = 48.275…% → 48.28; energy 5000 →
        // 17.241…% → 17.24; landfill 6000 → 20.689…% → 20.69; incineration 3000 → 10.344…%
        // → 10.34; other disposal (D9) 1000 → 3.448…% → 3.45.
        assert_eq!(
            may.totals,
            TreatmentTotals {
                treated_kg: dec("29000"),
                recycling_kg: dec("14000"),
                energy_recovery_kg: dec("5000"),
                landfill_kg: dec("6000"),
                incineration_kg: dec("3000"),
                other_disposal_kg: dec("1000"),
                interim_kg: dec("4500"),
            }
        );
        assert_eq!(
            may.rates,
            some(["48.28", "17.24", "20.69", "10.34", "3.45"])
        );
        let chapters: Vec<_> = may.chapters.iter().map(|c| c.chapter.as_str()).collect();
        assert_eq!(chapters, ["17", "19", "20"]);
        // Chapter 17: 14000 recycled + 6000 landfilled = 20000 treated: 70% and 30%.
        assert_eq!(may.chapters[0].totals.treated_kg, dec("20000"));
        assert_eq!(may.chapters[0].totals.interim_kg, dec("4000"));
        assert_eq!(
            may.chapters[0].rates,
            some(["70.00", "0.00", "30.00", "0.00", "0.00"])
        );
        // Chapter 19: only stored (R13): nothing treated, no rate.
        assert_eq!(may.chapters[1].totals.treated_kg, dec("0"));
        assert_eq!(may.chapters[1].totals.interim_kg, dec("500"));
        assert_eq!(may.chapters[1].rates, none());
        // Chapter 20: 5000 + 3000 + 1000 = 9000: 55.555…% → 55.56, 33.333…% → 33.33,
        // 11.111…% → 11.11.
        assert_eq!(
            may.chapters[2].rates,
            some(["0.00", "55.56", "0.00", "33.33", "11.11"])
        );
        // June: no movement.
        let june = &rates[1];
        assert_eq!(
            (&june.totals, &june.rates, june.chapters.len()),
            (&TreatmentTotals::default(), &none(), 0)
        );
    }

    #[test]
    fn a_single_receipt_is_the_whole_rate_of_its_period_by_local_date() {
        // 1 June 01:00 at +02:00 is 31 May 23:00 UTC: a June receipt.
        let list = [received(
            "A",
            "150101",
            "250.5",
            "R3",
            "2026-06-01T01:00:00+02:00",
        )];
        let rates = rates_by_chapter(&list, &[month(5), month(6)]);
        assert_eq!(rates[0].totals, TreatmentTotals::default());
        assert_eq!(rates[1].totals.recycling_kg, dec("250.5"));
        assert_eq!(
            rates[1].rates,
            some(["100.00", "0.00", "0.00", "0.00", "0.00"])
        );
        assert_eq!(rates[1].chapters[0].chapter, "15");
        assert!(rates_by_chapter(&[], &[]).is_empty());
    }
}
