//! The rules that look across a buyer's processes: repeated non-competitive awards to one
//! supplier, and purchases split under the competition threshold.
//!
//! Both slide a window of `window_days` over one buyer's awards to one supplier, in date
//! order: awards whose dates are at most `window_days` apart (inclusive) are in one window.
//! Overlapping windows that qualify are merged into one [`AwardGroup`], which flags every
//! process it holds an award of.

use std::collections::BTreeMap;
use std::ops::Range;

use bigdecimal::BigDecimal;
use chrono::Duration;

use super::facts::AwardRecord;
use super::rules::CategoryThresholds;
use super::{FlagSubject, RedFlag, RedFlagRule, RedFlagRules};
use crate::spending::money::Money;
use crate::spending::{Figure, FigureReading};

/// Awards of one buyer to one supplier that together raise a flag.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardGroup {
    pub rule: RedFlagRule,
    pub buyer_id: i64,
    pub supplier_id: i64,
    pub supplier: String,
    /// In date order.
    pub awards: Vec<AwardRecord>,
    pub window_days: u32,
    /// Split purchases: the threshold each award stays under, and the awards' total.
    pub threshold: Option<BigDecimal>,
    pub total: Option<Money>,
}

impl AwardGroup {
    /// The flag this group raises on process `ocid`, if it holds one of its awards: about that
    /// award when it holds one, about the process when several.
    pub fn flag_for(&self, ocid: &str) -> Option<RedFlag> {
        let own: Vec<&AwardRecord> = self.awards.iter().filter(|a| a.ocid == ocid).collect();
        let subject = match own.as_slice() {
            [] => return None,
            [one] => FlagSubject::Award(one.award_id.clone()),
            _ => FlagSubject::Process,
        };
        let first = self.awards.first()?;
        let last = self.awards.last()?;
        let mut figures = vec![
            Figure::new("supplier", &self.supplier, "awards[].suppliers"),
            Figure::new(
                "awards",
                self.awards.len(),
                "awards of the same buyer to the same supplier",
            ),
            Figure::new("window days", self.window_days, "settings"),
            Figure::time("first award", first.date, "awards[].date"),
            Figure::time("last award", last.date, "awards[].date"),
        ];
        if let (Some(threshold), Some(total)) = (&self.threshold, &self.total) {
            figures.push(Figure::amount(
                "threshold",
                threshold,
                "settings: competition_thresholds",
            ));
            figures.push(Figure::money("total", total, "awards[].value.amount"));
        }
        for a in &self.awards {
            let value = a
                .value
                .as_ref()
                .map_or_else(|| "no value".to_owned(), |v| v.to_string());
            figures.push(
                Figure::new(
                    "award",
                    format!(
                        "{} / {}: {value} on {}",
                        a.ocid,
                        a.award_id,
                        a.date.date_naive()
                    ),
                    format!(
                        "awards[id={}].value.amount, awards[id={}].date",
                        a.award_id, a.award_id
                    ),
                )
                .with(FigureReading::Award {
                    ocid: a.ocid.clone(),
                    award_id: a.award_id.clone(),
                    value: a.value.clone(),
                    date: a.date,
                }),
            );
        }
        Some(RedFlag {
            rule: self.rule,
            subject,
            figures,
        })
    }
}

/// The index ranges of `records` (in date order) covered by qualifying windows, overlapping
/// ones merged.
fn qualifying_ranges(
    records: &[&AwardRecord],
    window_days: u32,
    qualifies: impl Fn(&[&AwardRecord]) -> bool,
) -> Vec<Range<usize>> {
    let window = Duration::days(i64::from(window_days));
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut end = 0;
    for i in 0..records.len() {
        end = end.max(i);
        while end + 1 < records.len() && records[end + 1].date - records[i].date <= window {
            end += 1;
        }
        if qualifies(&records[i..=end]) {
            match ranges.last_mut() {
                Some(r) if r.end > i => r.end = r.end.max(end + 1),
                _ => ranges.push(i..end + 1),
            }
        }
    }
    ranges
}

fn sorted_groups<K: Ord>(
    records: &[AwardRecord],
    key: impl Fn(&AwardRecord) -> Option<K>,
) -> BTreeMap<K, Vec<&AwardRecord>> {
    let mut groups: BTreeMap<K, Vec<&AwardRecord>> = BTreeMap::new();
    for r in records {
        if let Some(k) = key(r) {
            groups.entry(k).or_default().push(r);
        }
    }
    for list in groups.values_mut() {
        list.sort_by(|a, b| (a.date, &a.ocid, &a.award_id).cmp(&(b.date, &b.ocid, &b.award_id)));
    }
    groups
}

/// At least `min_awards` awards of limited or direct procedures by one buyer to one supplier
/// within `window_days`.
pub fn repeated_non_competitive_awards(
    records: &[AwardRecord],
    rules: &RedFlagRules,
) -> Vec<AwardGroup> {
    let r = &rules.repeated_awards;
    let groups = sorted_groups(records, |a| {
        rules
            .is_non_competitive(a.method.as_deref())
            .then_some((a.buyer_id, a.supplier_id))
    });
    let mut out = Vec::new();
    for ((buyer_id, supplier_id), list) in groups {
        for range in qualifying_ranges(&list, r.window_days, |w| w.len() >= r.min_awards.max(1)) {
            let awards: Vec<AwardRecord> = list[range].iter().map(|a| (*a).clone()).collect();
            out.push(AwardGroup {
                rule: RedFlagRule::RepeatedNonCompetitiveAwards,
                buyer_id,
                supplier_id,
                supplier: awards[0].supplier.clone(),
                awards,
                window_days: r.window_days,
                threshold: None,
                total: None,
            });
        }
    }
    out
}

/// At least `min_awards` awards by one buyer to one supplier within `window_days`, each below
/// the competition threshold of its category and currency, together at or above it. Awards of
/// open or selective procedures (already competed) do not count.
pub fn split_purchases(records: &[AwardRecord], rules: &RedFlagRules) -> Vec<AwardGroup> {
    let s = &rules.split_purchases;
    let thresholds = &rules.competition_thresholds;
    let groups = sorted_groups(records, |a| {
        if rules.is_competitive(a.method.as_deref()) {
            return None;
        }
        let value = a.value.as_ref()?;
        let currency = value.currency.clone()?;
        let threshold = thresholds.threshold(a.category.as_deref(), Some(&currency))?;
        let category = CategoryThresholds::category_key(a.category.as_deref());
        (value.amount < *threshold).then_some((a.buyer_id, a.supplier_id, currency, category))
    });
    let mut out = Vec::new();
    for ((buyer_id, supplier_id, currency, category), list) in groups {
        let Some(threshold) = thresholds.threshold(Some(category), Some(&currency)) else {
            continue;
        };
        let sum = |w: &[&AwardRecord]| -> BigDecimal {
            w.iter()
                .filter_map(|a| a.value.as_ref())
                .map(|v| &v.amount)
                .sum()
        };
        let qualifies = |w: &[&AwardRecord]| w.len() >= s.min_awards.max(2) && sum(w) >= *threshold;
        for range in qualifying_ranges(&list, s.window_days, qualifies) {
            let window = &list[range];
            let total = Money::new(sum(window), Some(currency.clone()));
            let awards: Vec<AwardRecord> = window.iter().map(|a| (*a).clone()).collect();
            out.push(AwardGroup {
                rule: RedFlagRule::SplitPurchases,
                buyer_id,
                supplier_id,
                supplier: awards[0].supplier.clone(),
                awards,
                window_days: s.window_days,
                threshold: Some(threshold.clone()),
                total: Some(total),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
