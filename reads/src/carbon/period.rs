//! Reporting periods: first and last day, inclusive, as emission reports store them.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

/// A period of whole days, `start` to `end` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ReportingPeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl ReportingPeriod {
    /// `None` when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        (end >= start).then_some(Self { start, end })
    }

    /// A calendar year.
    pub fn year(year: i32) -> Option<Self> {
        Self::new(
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        )
    }

    /// Quarter 1 to 4 of a year.
    pub fn quarter(year: i32, quarter: u32) -> Option<Self> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let first = Self::month(year, quarter * 3 - 2)?;
        let last = Self::month(year, quarter * 3)?;
        Self::new(first.start, last.end)
    }

    /// Month 1 to 12 of a year.
    pub fn month(year: i32, month: u32) -> Option<Self> {
        let start = NaiveDate::from_ymd_opt(year, month, 1)?;
        let next = start.checked_add_months(chrono::Months::new(1))?;
        Self::new(start, next.pred_opt()?)
    }

    /// The four quarters of a year, in order.
    pub fn quarters(year: i32) -> Vec<Self> {
        (1..=4).filter_map(|q| Self::quarter(year, q)).collect()
    }

    /// Number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Every day of `other` lies in this period.
    pub fn contains(&self, other: &ReportingPeriod) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The two periods share at least one day.
    pub fn overlaps(&self, other: &ReportingPeriod) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// The day after the period: its end as an exclusive bound.
    pub fn end_exclusive(&self) -> Option<NaiveDate> {
        self.end.checked_add_days(Days::new(1))
    }

    /// `2026`, `2026-Q1`, `2026-03`, `2026-03-31`, else `2026-01-01/2026-06-30`: the forms the
    /// emissions format reads.
    pub fn label(&self) -> String {
        let (s, e) = (self.start, self.end);
        if Some(*self) == Self::year(s.year()) {
            return s.year().to_string();
        }
        if s.day() == 1 && s.month() % 3 == 1 {
            let q = (s.month() - 1) / 3 + 1;
            if Some(*self) == Self::quarter(s.year(), q) {
                return format!("{}-Q{q}", s.year());
            }
        }
        if Some(*self) == Self::month(s.year(), s.month()) {
            return format!("{}-{:02}", s.year(), s.month());
        }
        if s == e {
            return s.to_string();
        }
        format!("{s}/{e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendar_periods_have_their_first_and_last_day() {
        let year = ReportingPeriod::year(2024).unwrap();
        assert_eq!((year.start, year.end), (d(2024, 1, 1), d(2024, 12, 31)));
        // 2024 is a leap year: 366 days.
        assert_eq!(year.days(), 366);
        let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
        assert_eq!((q1.start, q1.end), (d(2026, 1, 1), d(2026, 3, 31)));
        // 31 + 28 + 31 = 90 days in 2026-Q1.
        assert_eq!(q1.days(), 90);
        let q4 = ReportingPeriod::quarter(2026, 4).unwrap();
        assert_eq!((q4.start, q4.end), (d(2026, 10, 1), d(2026, 12, 31)));
        let feb = ReportingPeriod::month(2024, 2).unwrap();
        assert_eq!(feb.end, d(2024, 2, 29));
        assert_eq!(ReportingPeriod::quarter(2026, 5), None);
        assert_eq!(ReportingPeriod::month(2026, 13), None);
        assert_eq!(ReportingPeriod::new(d(2026, 2, 1), d(2026, 1, 31)), None);
        assert_eq!(ReportingPeriod::quarters(2026).len(), 4);
    }

    #[test]
    fn containment_and_overlap_count_both_ends() {
        let year = ReportingPeriod::year(2026).unwrap();
        let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
        let march_april = ReportingPeriod::new(d(2026, 3, 31), d(2026, 4, 1)).unwrap();
        let q2 = ReportingPeriod::quarter(2026, 2).unwrap();
        assert!(year.contains(&q1) && !q1.contains(&year));
        assert!(q1.contains(&q1));
        // Sharing the single day 31 March is an overlap; Q1 and Q2 share none.
        assert!(q1.overlaps(&march_april) && q2.overlaps(&march_april));
        assert!(!q1.overlaps(&q2));
        assert!(q1.contains_date(d(2026, 3, 31)) && !q1.contains_date(d(2026, 4, 1)));
        assert_eq!(q1.end_exclusive(), Some(d(2026, 4, 1)));
    }

    #[test]
    fn labels_use_the_emissions_format_forms() {
        assert_eq!(ReportingPeriod::year(2026).unwrap().label(), "2026");
        assert_eq!(
            ReportingPeriod::quarter(2026, 3).unwrap().label(),
            "2026-Q3"
        );
        assert_eq!(ReportingPeriod::month(2026, 2).unwrap().label(), "2026-02");
        let day = ReportingPeriod::new(d(2026, 3, 31), d(2026, 3, 31)).unwrap();
        assert_eq!(day.label(), "2026-03-31");
        let half = ReportingPeriod::new(d(2026, 1, 1), d(2026, 6, 30)).unwrap();
        assert_eq!(half.label(), "2026-01-01/2026-06-30");
    }
}
