//! A department's Scope 3 category 1 (purchased goods and services) and category 2 (capital
//! goods) from what it procured: the embodied carbon of the deliveries under contracting
//! processes whose OCDS buyer is the department, split by [`Scope3Rules`].

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;

use super::deliveries::{
    load_deliveries, summarize_deliveries, DeliveredCarbon, Delivery, DeliveryFilter,
};
use super::lot_facts::load_lot_carbon_book;
use super::period::ReportingPeriod;
use super::{CarbonSettings, Scope3Rules};
use citytrace_schema::schema::parties;

/// GHG Protocol Scope 3 categories a purchase can fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope3Category {
    /// Category 1: purchased goods and services.
    PurchasedGoods,
    /// Category 2: capital goods.
    CapitalGoods,
}

impl Scope3Category {
    pub fn number(self) -> u8 {
        match self {
            Self::PurchasedGoods => 1,
            Self::CapitalGoods => 2,
        }
    }
}

/// Why a purchase got its category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CategoryBasis {
    /// Its material class is in one of the settings' lists.
    MaterialClass(String),
    /// Its contract's OCDS `mainProcurementCategory` is a capital-goods one.
    ProcurementCategory(String),
    /// Nothing made it capital goods.
    Default,
}

/// The category of a purchase of `material_class` under a contract of OCDS
/// `mainProcurementCategory` `procurement_category`. Comparisons ignore case and spaces
/// around. First match wins: capital-goods classes, purchased-goods classes, capital-goods
/// procurement categories; otherwise category 1.
pub fn scope3_category(
    material_class: Option<&str>,
    procurement_category: Option<&str>,
    rules: &Scope3Rules,
) -> (Scope3Category, CategoryBasis) {
    let listed = |list: &[String], value: &str| {
        list.iter()
            .any(|l| l.trim().eq_ignore_ascii_case(value.trim()))
    };
    if let Some(class) = material_class {
        if listed(&rules.capital_goods_material_classes, class) {
            return (
                Scope3Category::CapitalGoods,
                CategoryBasis::MaterialClass(class.to_string()),
            );
        }
        if listed(&rules.purchased_goods_material_classes, class) {
            return (
                Scope3Category::PurchasedGoods,
                CategoryBasis::MaterialClass(class.to_string()),
            );
        }
    }
    if let Some(category) = procurement_category {
        if listed(&rules.capital_goods_procurement_categories, category) {
            return (
                Scope3Category::CapitalGoods,
                CategoryBasis::ProcurementCategory(category.to_string()),
            );
        }
    }
    (Scope3Category::PurchasedGoods, CategoryBasis::Default)
}

/// One department's purchased goods (category 1) and capital goods (category 2) in a period.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentPurchases {
    pub department_id: i64,
    pub department_code: String,
    pub department_name: String,
    pub period: ReportingPeriod,
    pub purchased_goods: DeliveredCarbon,
    pub capital_goods: DeliveredCarbon,
}

/// Every department with deliveries under its contracts shipped in `period`, by party code.
pub fn scope3_purchases(
    conn: &mut PgConnection,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<Vec<DepartmentPurchases>> {
    let filter = DeliveryFilter::bought_by_the_city(period);
    purchases(conn, &filter, period, settings)
}

/// One department's Scope 3 categories 1 and 2 in `period` (both 0 when it procured nothing
/// delivered then); `NotFound` when the party does not exist.
pub fn department_scope3_purchases(
    conn: &mut PgConnection,
    department_id: i64,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<DepartmentPurchases> {
    let filter = DeliveryFilter {
        buyer_id: Some(department_id),
        period: Some(period),
        ..Default::default()
    };
    let mut found = purchases(conn, &filter, period, settings)?;
    if let Some(i) = found.iter().position(|d| d.department_id == department_id) {
        return Ok(found.swap_remove(i));
    }
    let (code, name): (String, String) = parties::table
        .find(department_id)
        .select((parties::code, parties::name))
        .first(conn)?;
    Ok(DepartmentPurchases {
        department_id,
        department_code: code,
        department_name: name,
        period,
        purchased_goods: DeliveredCarbon::empty(),
        capital_goods: DeliveredCarbon::empty(),
    })
}

fn purchases(
    conn: &mut PgConnection,
    filter: &DeliveryFilter,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<Vec<DepartmentPurchases>> {
    let deliveries = load_deliveries(conn, filter)?;
    let mut lot_ids: Vec<i64> = deliveries.iter().map(|d| d.lot_id).collect();
    lot_ids.sort_unstable();
    lot_ids.dedup();
    let mut book = load_lot_carbon_book(conn, &lot_ids)?;
    let mut by_department: BTreeMap<i64, (Vec<Delivery>, Vec<Delivery>)> = BTreeMap::new();
    for d in deliveries {
        let Some(buyer) = d.buyer_id else { continue };
        let (category, _) = scope3_category(
            d.material_class.as_deref(),
            d.main_procurement_category.as_deref(),
            &settings.scope3,
        );
        let entry = by_department.entry(buyer).or_default();
        match category {
            Scope3Category::PurchasedGoods => entry.0.push(d),
            Scope3Category::CapitalGoods => entry.1.push(d),
        }
    }
    let ids: Vec<i64> = by_department.keys().copied().collect();
    let names: BTreeMap<i64, (String, String)> = parties::table
        .filter(parties::id.eq_any(&ids))
        .select((parties::id, parties::code, parties::name))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, code, name)| (id, (code, name)))
        .collect();
    let mut result: Vec<DepartmentPurchases> = by_department
        .into_iter()
        .map(|(id, (purchased, capital))| {
            let (code, name) = names.get(&id).cloned().unwrap_or_default();
            DepartmentPurchases {
                department_id: id,
                department_code: code,
                department_name: name,
                period,
                purchased_goods: summarize_deliveries(purchased, &mut book),
                capital_goods: summarize_deliveries(capital, &mut book),
            }
        })
        .collect();
    result.sort_by(|a, b| a.department_code.cmp(&b.department_code));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_works_contracts_are_capital_goods_and_the_rest_purchased_goods() {
        let rules = Scope3Rules::default();
        assert_eq!(
            scope3_category(Some("concrete"), Some("works"), &rules),
            (
                Scope3Category::CapitalGoods,
                CategoryBasis::ProcurementCategory("works".into())
            )
        );
        assert_eq!(
            scope3_category(Some("concrete"), Some("goods"), &rules),
            (Scope3Category::PurchasedGoods, CategoryBasis::Default)
        );
        // No contract category (or no material class): category 1.
        assert_eq!(
            scope3_category(None, None, &rules).0,
            Scope3Category::PurchasedGoods
        );
        assert_eq!(Scope3Category::CapitalGoods.number(), 2);
    }

    #[test]
    fn material_classes_override_the_contract_category_in_either_direction() {
        let rules = Scope3Rules {
            capital_goods_material_classes: vec!["Steel".into()],
            purchased_goods_material_classes: vec![" asphalt ".into()],
            ..Default::default()
        };
        assert_eq!(
            scope3_category(Some("steel"), Some("goods"), &rules),
            (
                Scope3Category::CapitalGoods,
                CategoryBasis::MaterialClass("steel".into())
            )
        );
        // Resurfacing under a works contract, expensed: the class list says category 1.
        assert_eq!(
            scope3_category(Some("asphalt"), Some("works"), &rules),
            (
                Scope3Category::PurchasedGoods,
                CategoryBasis::MaterialClass("asphalt".into())
            )
        );
        assert_eq!(
            scope3_category(Some("concrete"), Some("Works"), &rules).0,
            Scope3Category::CapitalGoods
        );
    }
}
