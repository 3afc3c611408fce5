//! Embodied carbon (lots × EPD factors, rolled up through transformations), emissions by party, scope, category and period, carbon credits retired, the city's net position (docs/methods/carbon.md).
//!
//! The arithmetic is exact (`BigDecimal`): masses, volumes and kg CO2e are never floats. The
//! one division (a share of a lot whose factor is the sum of its inputs, per unit of output)
//! is rounded half-up to 6 decimals of kg CO2e. Figures that cannot be computed say why
//! ([`NotComputable`]); they are never counted as 0.

use serde::{Deserialize, Serialize};

mod credits;
mod deliveries;
mod emissions;
mod factor;
mod lot;
mod lot_facts;
mod period;
mod rollup;
mod scope3;
mod units;

pub use credits::{
    city_net_position, net_of, read_retirements, reported_in, retired_credits, CityParty,
    NetPosition, RetiredCredit, RetiredCredits,
};
pub use deliveries::{
    contract_embodied_carbon, delivered_embodied_carbon, load_deliveries, site_embodied_carbon,
    summarize_deliveries, supplier_embodied_carbon, DeliveredCarbon, Delivery, DeliveryCarbon,
    DeliveryFilter, Subtotal,
};
pub use emissions::{
    emissions_in_period, party_emissions_in_period, summarize_emissions, EmissionFigure,
    EmissionsSummary, ReportedEmission, ScopeTotal, SetAside, SetAsideReason,
};
pub use factor::{CarbonFactor, EmbodiedCarbon, FactorSource, InputShare, NotComputable};
pub use lot::{
    lot_embodied_carbon, lot_quantity, LotCarbon, LotQuantity, QuantityBasis, ShippedLine,
};
pub use lot_facts::load_lot_carbon_book;
pub use period::ReportingPeriod;
pub use rollup::{LotCarbonBook, LotFacts, ProductFacts, RunEpd, RunFacts, RunInput};
pub use scope3::{
    department_scope3_purchases, scope3_category, scope3_purchases, CategoryBasis,
    DepartmentPurchases, Scope3Category,
};
pub use units::{convert_quantity, UnitDimension};

/// Carbon settings (`[methods.carbon]` in `citytrace.toml`); every field has a documented
/// default (docs/methods/carbon.md, "Settings").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CarbonSettings {
    /// Retirements whose beneficiary address is one of these (`0x` + 40 hex digits, any case)
    /// are the city's. Default: none.
    pub city_beneficiary_addresses: Vec<String>,
    /// Retirements whose beneficiary name is one of these (trimmed, case-insensitive) are the
    /// city's. Default: none.
    pub city_beneficiary_names: Vec<String>,
    /// The least finality a retirement needs to count in the net position. Default: `final`.
    pub min_retirement_finality: RetirementFinality,
    /// Party codes that belong to the city besides every party of kind `department`.
    /// Default: none.
    pub city_parties: Vec<String>,
    /// The scopes whose reported emissions make up the city's net position. Default: 1, 2, 3.
    pub net_position_scopes: Vec<i16>,
    /// The Scope 2 method whose figures are added into totals (both are listed). Default:
    /// `location_based`.
    pub scope2_method: Scope2Method,
    /// How a department's purchases are split into Scope 3 categories 1 and 2.
    pub scope3: Scope3Rules,
}

impl Default for CarbonSettings {
    fn default() -> Self {
        Self {
            city_beneficiary_addresses: Vec::new(),
            city_beneficiary_names: Vec::new(),
            min_retirement_finality: RetirementFinality::Final,
            city_parties: Vec::new(),
            net_position_scopes: vec![1, 2, 3],
            scope2_method: Scope2Method::LocationBased,
            scope3: Scope3Rules::default(),
        }
    }
}

impl CarbonSettings {
    /// The configured beneficiary addresses that are not `0x` + 40 hex digits (they would never
    /// match a retirement): for the binary to refuse the configuration.
    pub fn invalid_beneficiary_addresses(&self) -> Vec<&str> {
        self.city_beneficiary_addresses
            .iter()
            .map(|a| a.trim())
            .filter(|a| citytrace_schema::parse_hex(a, 20).is_none())
            .collect()
    }
}

/// How final a ledger row is: `pending` can still be reorged away, `safe` is unlikely to be,
/// `final` cannot be. Ordered: pending < safe < final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetirementFinality {
    Pending,
    Safe,
    Final,
}

impl RetirementFinality {
    /// The stored `finality` column's value; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "safe" => Some(Self::Safe),
            "final" => Some(Self::Final),
            _ => None,
        }
    }
}

/// The GHG Protocol Scope 2 Guidance's two accounting methods (stored as the scope 2
/// `category` of an emission report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope2Method {
    LocationBased,
    MarketBased,
}

impl Scope2Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LocationBased => "location_based",
            Self::MarketBased => "market_based",
        }
    }
}

/// Which Scope 3 category a department's purchase falls in: 2 (capital goods) or 1
/// (purchased goods and services). The GHG Protocol leaves the line to the organisation's own
/// capitalisation policy, so it is a setting. First match wins: the material class lists,
/// then the contract's OCDS `mainProcurementCategory`; otherwise category 1.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scope3Rules {
    /// Material classes always counted as capital goods (category 2). Default: none.
    pub capital_goods_material_classes: Vec<String>,
    /// Material classes always counted as purchased goods (category 1), whatever the
    /// contract. Default: none.
    pub purchased_goods_material_classes: Vec<String>,
    /// OCDS `mainProcurementCategory` values (goods, works, services) whose deliveries are
    /// capital goods. Default: `works` — what a works contract builds is a capital asset.
    pub capital_goods_procurement_categories: Vec<String>,
}

impl Default for Scope3Rules {
    fn default() -> Self {
        Self {
            capital_goods_material_classes: Vec::new(),
            purchased_goods_material_classes: Vec::new(),
            capital_goods_procurement_categories: vec!["works".to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = CarbonSettings::default();
        assert!(s.city_beneficiary_addresses.is_empty());
        assert!(s.city_beneficiary_names.is_empty());
        assert_eq!(s.min_retirement_finality, RetirementFinality::Final);
        assert_eq!(s.net_position_scopes, vec![1, 2, 3]);
        assert_eq!(s.scope2_method, Scope2Method::LocationBased);
        assert_eq!(s.scope3.capital_goods_procurement_categories, vec!["works"]);
    }

    #[test]
    fn a_partial_section_keeps_the_other_defaults() {
        let s: CarbonSettings = serde_json::from_str(
            r#"{"city_beneficiary_names": ["City of Example"], "scope2_method": "market_based",
                "scope3": {"capital_goods_material_classes": ["steel"]}}"#,
        )
        .unwrap();
        assert_eq!(s.city_beneficiary_names, vec!["City of Example"]);
        assert_eq!(s.scope2_method, Scope2Method::MarketBased);
        assert_eq!(s.min_retirement_finality, RetirementFinality::Final);
        assert_eq!(s.scope3.capital_goods_material_classes, vec!["steel"]);
        assert_eq!(s.scope3.capital_goods_procurement_categories, vec!["works"]);
    }

    #[test]
    fn malformed_beneficiary_addresses_are_reported() {
        let s = CarbonSettings {
            city_beneficiary_addresses: vec![
                "0x00000000000000000000000000000000000000AA".into(),
                "0x1234".into(),
                "city.eth".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            s.invalid_beneficiary_addresses(),
            vec!["0x1234", "city.eth"]
        );
    }

    #[test]
    fn finalities_are_ordered_pending_safe_final() {
        assert!(RetirementFinality::Pending < RetirementFinality::Safe);
        assert!(RetirementFinality::Safe < RetirementFinality::Final);
        assert_eq!(
            RetirementFinality::parse("safe"),
            Some(RetirementFinality::Safe)
        );
        assert_eq!(RetirementFinality::parse("unknown"), None);
    }
}
