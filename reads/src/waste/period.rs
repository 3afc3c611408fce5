//! Reporting periods for mass balances and rates: calendar months, quarters and years.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }
}

/// A calendar month, quarter or year: the local dates from `start` (included) to `end`
/// (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The month, quarter or year that `date` falls in.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let first_month0 = date.month0() / kind.months() * kind.months();
        let start = NaiveDate::from_ymd_opt(date.year(), first_month0 + 1, 1).unwrap_or(date);
        let end = start
            .checked_add_months(Months::new(kind.months()))
            .unwrap_or(NaiveDate::MAX);
        Period { kind, start, end }
    }

    /// The periods of `kind` from the one holding `first` to the one holding `last`, in order;
    /// none when `last` is before `first`.
    pub fn covering(kind: PeriodKind, first: NaiveDate, last: NaiveDate) -> Vec<Period> {
        let mut periods = Vec::new();
        if last < first {
            return periods;
        }
        let mut period = Period::containing(kind, first);
        loop {
            periods.push(period);
            if period.end > last || period.end == NaiveDate::MAX {
                return periods;
            }
            period = Period::containing(kind, period.end);
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// `2026-05`, `2026-Q2` or `2026`.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{:04}-{:02}", self.start.year(), self.start.month()),
            PeriodKind::Quarter => {
                format!("{:04}-Q{}", self.start.year(), self.start.month0() / 3 + 1)
            }
            PeriodKind::Year => format!("{:04}", self.start.year()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_start_on_the_first_day_and_end_before_the_next_period() {
        let may = Period::containing(PeriodKind::Month, date(2026, 5, 31));
        assert_eq!((may.start, may.end), (date(2026, 5, 1), date(2026, 6, 1)));
        assert_eq!(may.label(), "2026-05");
        let q2 = Period::containing(PeriodKind::Quarter, date(2026, 6, 30));
        assert_eq!((q2.start, q2.end), (date(2026, 4, 1), date(2026, 7, 1)));
        assert_eq!(q2.label(), "2026-Q2");
        let q4 = Period::containing(PeriodKind::Quarter, date(2026, 10, 1));
        assert_eq!((q4.start, q4.end), (date(2026, 10, 1), date(2027, 1, 1)));
        assert_eq!(q4.label(), "2026-Q4");
        let year = Period::containing(PeriodKind::Year, date(2026, 1, 1));
        assert_eq!((year.start, year.end), (date(2026, 1, 1), date(2027, 1, 1)));
        assert_eq!(year.label(), "2026");
        // February of a leap year has 29 days.
        let feb = Period::containing(PeriodKind::Month, date(2028, 2, 29));
        assert_eq!(feb.end, date(2028, 3, 1));
        assert!(feb.contains(date(2028, 2, 29)));
        assert!(!feb.contains(date(2028, 3, 1)));
        assert!(!feb.contains(date(2028, 1, 31)));
    }

    #[test]
    fn covering_lists_every_period_between_two_dates() {
        let months = Period::covering(PeriodKind::Month, date(2026, 11, 15), date(2027, 2, 1));
        let labels: Vec<_> = months.iter().map(Period::label).collect();
        assert_eq!(labels, ["2026-11", "2026-12", "2027-01", "2027-02"]);
        let quarters = Period::covering(PeriodKind::Quarter, date(2026, 3, 31), date(2026, 4, 1));
        let labels: Vec<_> = quarters.iter().map(Period::label).collect();
        assert_eq!(labels, ["2026-Q1", "2026-Q2"]);
        let one = Period::covering(PeriodKind::Year, date(2026, 5, 1), date(2026, 5, 1));
        assert_eq!(one.len(), 1);
        assert!(Period::covering(PeriodKind::Month, date(2026, 5, 2), date(2026, 5, 1)).is_empty());
    }
}
