//! The thresholds of the red flags: `[methods.spending.red_flags]` in `citytrace.toml`. Every
//! key is optional; missing keys take the documented defaults (docs/methods/spending.md).

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;

use crate::spending::settings::{amounts_by_currency, decimal};

/// Every threshold of the red-flag rules.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedFlagRules {
    /// `tender.procurementMethod` values of procedures open to competition (OCDS method
    /// codelist): the single-bid rule applies to them, the split-purchase rule ignores them.
    pub competitive_methods: Vec<String>,
    /// Methods without competition: the direct-award and repeated-award rules apply to them;
    /// the tender-period and close-to-estimate rules do not.
    pub non_competitive_methods: Vec<String>,
    pub tender_period: TenderPeriodRules,
    /// The value from which a purchase must be put to competition, per category and currency:
    /// a direct or limited award at or above it is flagged, and so are awards split to stay
    /// under it.
    pub competition_thresholds: CategoryThresholds,
    pub amendments: AmendmentRules,
    /// Payments may exceed the contract value by this much (percent) before the flag is raised.
    #[serde(deserialize_with = "decimal")]
    pub payments_tolerance_percent: BigDecimal,
    pub repeated_awards: RepeatedAwardRules,
    pub split_purchases: SplitPurchaseRules,
    /// The winning bid is "too close" when it differs from the estimate by less than this
    /// (percent of the estimate).
    #[serde(deserialize_with = "decimal")]
    pub estimate_proximity_percent: BigDecimal,
}

impl Default for RedFlagRules {
    fn default() -> Self {
        Self {
            competitive_methods: vec!["open".into(), "selective".into()],
            non_competitive_methods: vec!["limited".into(), "direct".into()],
            tender_period: TenderPeriodRules::default(),
            competition_thresholds: CategoryThresholds::eu_sub_central(),
            amendments: AmendmentRules::default(),
            payments_tolerance_percent: BigDecimal::from(0),
            repeated_awards: RepeatedAwardRules::default(),
            split_purchases: SplitPurchaseRules::default(),
            estimate_proximity_percent: BigDecimal::from(1),
        }
    }
}

impl RedFlagRules {
    pub fn is_competitive(&self, method: Option<&str>) -> bool {
        method.is_some_and(|m| self.competitive_methods.iter().any(|c| c == m))
    }

    pub fn is_non_competitive(&self, method: Option<&str>) -> bool {
        method.is_some_and(|m| self.non_competitive_methods.iter().any(|c| c == m))
    }
}

/// Minimum tender periods. Below the EU thresholds: `min_days` for every procedure with a
/// tender period (except non-competitive ones). At or above them, the Directive 2014/24/EU
/// minimums per method, when larger: open procedure 35 days (Art. 27(1)) less 5 for electronic
/// submission (Art. 27(4)) = 30; restricted 30 days (Art. 28(2)) less 5 (Art. 28(5)) = 25.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenderPeriodRules {
    pub min_days: u32,
    pub eu_thresholds: CategoryThresholds,
    pub min_days_at_or_above_eu_threshold: BTreeMap<String, u32>,
}

impl Default for TenderPeriodRules {
    fn default() -> Self {
        Self {
            min_days: 15,
            eu_thresholds: CategoryThresholds::eu_sub_central(),
            min_days_at_or_above_eu_threshold: BTreeMap::from([
                ("open".into(), 30),
                ("selective".into(), 25),
            ]),
        }
    }
}

/// Amounts per procurement category (`tender.mainProcurementCategory`) and ISO 4217
/// currency, e.g. `goods = { EUR = 221000 }`. A process without a category uses the goods
/// amounts; a currency without an amount is not compared.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryThresholds {
    #[serde(deserialize_with = "amounts_by_currency")]
    pub goods: BTreeMap<String, BigDecimal>,
    #[serde(deserialize_with = "amounts_by_currency")]
    pub services: BTreeMap<String, BigDecimal>,
    #[serde(deserialize_with = "amounts_by_currency")]
    pub works: BTreeMap<String, BigDecimal>,
}

impl CategoryThresholds {
    /// The EU procurement thresholds for sub-central contracting authorities (a city), net of
    /// VAT: Directive 2014/24/EU Art. 4 as amended by Commission Delegated Regulation (EU)
    /// 2023/2495 (2024–2025): works EUR 5,538,000; supplies and services EUR 221,000.
    pub fn eu_sub_central() -> Self {
        let eur = |amount: u32| BTreeMap::from([("EUR".to_owned(), BigDecimal::from(amount))]);
        Self {
            goods: eur(221_000),
            services: eur(221_000),
            works: eur(5_538_000),
        }
    }

    /// The category the amounts are looked up under: `works`, `services`, else `goods`.
    pub fn category_key(category: Option<&str>) -> &'static str {
        match category {
            Some("works") => "works",
            Some("services") => "services",
            _ => "goods",
        }
    }

    pub fn threshold(&self, category: Option<&str>, currency: Option<&str>) -> Option<&BigDecimal> {
        let amounts = match Self::category_key(category) {
            "works" => &self.works,
            "services" => &self.services,
            _ => &self.goods,
        };
        amounts.get(currency?)
    }
}

/// How much amendments may raise a contract's value: Directive 2014/24/EU Art. 72(2) allows a
/// modification without a new procedure below 10 % of the initial value for service and supply
/// contracts and 15 % for works contracts.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmendmentRules {
    #[serde(deserialize_with = "decimal")]
    pub goods_services_percent: BigDecimal,
    #[serde(deserialize_with = "decimal")]
    pub works_percent: BigDecimal,
}

impl Default for AmendmentRules {
    fn default() -> Self {
        Self {
            goods_services_percent: BigDecimal::from(10),
            works_percent: BigDecimal::from(15),
        }
    }
}

impl AmendmentRules {
    pub fn limit_percent(&self, category: Option<&str>) -> &BigDecimal {
        if category == Some("works") {
            &self.works_percent
        } else {
            &self.goods_services_percent
        }
    }
}

/// At least `min_awards` non-competitive awards by one buyer to one supplier whose dates lie
/// within `window_days` of each other.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepeatedAwardRules {
    pub min_awards: usize,
    pub window_days: u32,
}

impl Default for RepeatedAwardRules {
    fn default() -> Self {
        Self {
            min_awards: 3,
            window_days: 365,
        }
    }
}

/// At least `min_awards` awards by one buyer to one supplier within `window_days`, each below
/// the competition threshold of its category and currency, together at or above it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SplitPurchaseRules {
    pub min_awards: usize,
    pub window_days: u32,
}

impl Default for SplitPurchaseRules {
    fn default() -> Self {
        Self {
            min_awards: 2,
            window_days: 30,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn missing_keys_take_the_defaults_and_decimals_keep_their_text() {
        let rules: RedFlagRules = serde_json::from_str(
            r#"{
                "amendments": {"works_percent": 12.5},
                "competition_thresholds": {"works": {"gbp": "4000000.00"}, "goods": {"EUR": 140000}},
                "estimate_proximity_percent": 0.1
            }"#,
        )
        .unwrap();
        assert_eq!(
            rules.amendments.works_percent,
            BigDecimal::from_str("12.5").unwrap()
        );
        assert_eq!(
            rules.amendments.goods_services_percent,
            BigDecimal::from(10)
        );
        assert_eq!(
            rules
                .competition_thresholds
                .threshold(Some("works"), Some("GBP")),
            Some(&BigDecimal::from(4_000_000))
        );
        // A map given replaces the default map: works in EUR is no longer set.
        assert_eq!(
            rules
                .competition_thresholds
                .threshold(Some("works"), Some("EUR")),
            None
        );
        assert_eq!(
            rules.competition_thresholds.threshold(None, Some("EUR")),
            Some(&BigDecimal::from(140_000))
        );
        // 0.1 as written, not the double's 0.1000000000000000055….
        assert_eq!(
            rules.estimate_proximity_percent,
            BigDecimal::from_str("0.1").unwrap()
        );
        assert_eq!(rules.tender_period, TenderPeriodRules::default());
        assert_eq!(rules.repeated_awards.min_awards, 3);
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let rules = RedFlagRules::default();
        let t = &rules.competition_thresholds;
        assert_eq!(
            t.threshold(Some("goods"), Some("EUR")),
            Some(&BigDecimal::from(221_000))
        );
        assert_eq!(
            t.threshold(Some("services"), Some("EUR")),
            Some(&BigDecimal::from(221_000))
        );
        assert_eq!(
            t.threshold(Some("works"), Some("EUR")),
            Some(&BigDecimal::from(5_538_000))
        );
        assert_eq!(t.threshold(Some("works"), Some("GBP")), None);
        assert_eq!(t.threshold(Some("works"), None), None);
        assert_eq!(rules.tender_period.min_days, 15);
        assert_eq!(
            rules.tender_period.min_days_at_or_above_eu_threshold["open"],
            30
        );
        assert_eq!(
            rules.tender_period.min_days_at_or_above_eu_threshold["selective"],
            25
        );
        assert_eq!(
            rules.amendments.limit_percent(Some("works")),
            &BigDecimal::from(15)
        );
        assert_eq!(
            rules.amendments.limit_percent(Some("services")),
            &BigDecimal::from(10)
        );
        assert_eq!(rules.amendments.limit_percent(None), &BigDecimal::from(10));
        assert!(rules.is_competitive(Some("open")));
        assert!(!rules.is_competitive(None));
        assert!(rules.is_non_competitive(Some("direct")));
        assert_eq!(rules.split_purchases.window_days, 30);
    }
}
