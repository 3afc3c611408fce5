//! Embodied carbon of what was delivered: per construction site, contract and supplier.
//!
//! Each delivery (shipment line) carries its quantity × its lot's factor; a site's, contract's
//! or supplier's figure is the sum over its deliveries, with subtotals per material class,
//! supplier (the line's submitter), contract and destination site. Deliveries that cannot be
//! computed are listed with their reason and counted apart, never as 0.

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Numeric, Text};
use serde::Serialize;

use super::factor::{EmbodiedCarbon, NotComputable};
use super::lot_facts::load_lot_carbon_book;
use super::period::ReportingPeriod;
use super::rollup::LotCarbonBook;

/// One delivered shipment line.
#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct Delivery {
    /// The `shipment_lines` row: (batch_id, line).
    #[diesel(sql_type = BigInt)]
    pub batch_id: i64,
    #[diesel(sql_type = Integer)]
    pub line: i32,
    /// The supplier who submitted the line.
    #[diesel(sql_type = Text)]
    pub submitter: String,
    #[diesel(sql_type = Text)]
    pub shipment_code: String,
    #[diesel(sql_type = Integer)]
    pub line_no: i32,
    #[diesel(sql_type = BigInt)]
    pub lot_id: i64,
    #[diesel(sql_type = Text)]
    pub lot_code: String,
    #[diesel(sql_type = Text)]
    pub product_code: String,
    #[diesel(sql_type = Text)]
    pub product_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub material_class: Option<String>,
    #[diesel(sql_type = Numeric)]
    pub quantity: BigDecimal,
    #[diesel(sql_type = Text)]
    pub unit: String,
    #[diesel(sql_type = BigInt)]
    pub from_site_id: i64,
    #[diesel(sql_type = Text)]
    pub from_site: String,
    #[diesel(sql_type = BigInt)]
    pub to_site_id: i64,
    #[diesel(sql_type = Text)]
    pub to_site: String,
    /// The OCDS process the delivery is under, its buyer and its main procurement category.
    #[diesel(sql_type = Nullable<Text>)]
    pub contract_ocid: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub buyer_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub main_procurement_category: Option<String>,
    /// The local date it was shipped on (the offset it was written with).
    #[diesel(sql_type = Date)]
    pub shipped_on: NaiveDate,
}

/// Which deliveries to count; every field left empty matches all.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub to_site_id: Option<i64>,
    pub contract_ocid: Option<String>,
    pub submitter: Option<String>,
    /// Only deliveries under a contracting process of this buyer.
    pub buyer_id: Option<i64>,
    /// Only deliveries under a contracting process that has a buyer.
    pub with_buyer_only: bool,
    /// Only deliveries shipped (local date) within the period.
    pub period: Option<ReportingPeriod>,
}

impl DeliveryFilter {
    /// What the city bought in `period`: deliveries shipped in it under a contracting process
    /// that has a buyer (the emissions page, its Scope 3 purchases and the home headline).
    pub fn bought_by_the_city(period: ReportingPeriod) -> Self {
        Self {
            with_buyer_only: true,
            period: Some(period),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryCarbon {
    pub delivery: Delivery,
    pub carbon: Result<EmbodiedCarbon, NotComputable>,
}

/// The kg CO2e of one group of deliveries, how many were computed and how many were not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subtotal {
    /// The material class, supplier, contract ocid or site code; `None`: none given.
    pub key: Option<String>,
    pub kg_co2e: BigDecimal,
    pub deliveries: usize,
    pub not_computable: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveredCarbon {
    pub deliveries: Vec<DeliveryCarbon>,
    /// Sum over the computable deliveries.
    pub kg_co2e: BigDecimal,
    pub not_computable: usize,
    pub by_material: Vec<Subtotal>,
    pub by_supplier: Vec<Subtotal>,
    pub by_contract: Vec<Subtotal>,
    pub by_site: Vec<Subtotal>,
}

impl DeliveredCarbon {
    pub fn empty() -> Self {
        summarize_deliveries(Vec::new(), &mut LotCarbonBook::default())
    }
}

/// Each delivery's embodied carbon (factors from `book`), summed and subtotalled.
pub fn summarize_deliveries(
    deliveries: Vec<Delivery>,
    book: &mut LotCarbonBook,
) -> DeliveredCarbon {
    let computed: Vec<DeliveryCarbon> = deliveries
        .into_iter()
        .map(|d| DeliveryCarbon {
            carbon: book.embodied_carbon(d.lot_id, &d.quantity, &d.unit),
            delivery: d,
        })
        .collect();
    let subtotals = |key: fn(&Delivery) -> Option<String>| -> Vec<Subtotal> {
        let mut groups: BTreeMap<Option<String>, Subtotal> = BTreeMap::new();
        for c in &computed {
            let k = key(&c.delivery);
            let s = groups.entry(k.clone()).or_insert_with(|| Subtotal {
                key: k,
                kg_co2e: BigDecimal::from(0),
                deliveries: 0,
                not_computable: 0,
            });
            match &c.carbon {
                Ok(carbon) => {
                    s.kg_co2e += &carbon.kg_co2e;
                    s.deliveries += 1;
                }
                Err(_) => s.not_computable += 1,
            }
        }
        groups
            .into_values()
            .map(|mut s| {
                s.kg_co2e = s.kg_co2e.normalized();
                s
            })
            .collect()
    };
    let by_material = subtotals(|d| d.material_class.clone());
    let by_supplier = subtotals(|d| Some(d.submitter.clone()));
    let by_contract = subtotals(|d| d.contract_ocid.clone());
    let by_site = subtotals(|d| Some(d.to_site.clone()));
    let mut kg_co2e = BigDecimal::from(0);
    let mut not_computable = 0;
    for c in &computed {
        match &c.carbon {
            Ok(carbon) => kg_co2e += &carbon.kg_co2e,
            Err(_) => not_computable += 1,
        }
    }
    DeliveredCarbon {
        deliveries: computed,
        kg_co2e: kg_co2e.normalized(),
        not_computable,
        by_material,
        by_supplier,
        by_contract,
        by_site,
    }
}

/// The deliveries matching `filter`, in shipping order.
pub fn load_deliveries(
    conn: &mut PgConnection,
    filter: &DeliveryFilter,
) -> QueryResult<Vec<Delivery>> {
    diesel::sql_query(include_str!("deliveries.sql"))
        .bind::<Nullable<BigInt>, _>(filter.to_site_id)
        .bind::<Nullable<Text>, _>(filter.contract_ocid.as_deref())
        .bind::<Nullable<Text>, _>(filter.submitter.as_deref())
        .bind::<Nullable<BigInt>, _>(filter.buyer_id)
        .bind::<Bool, _>(filter.with_buyer_only)
        .bind::<Nullable<Date>, _>(filter.period.map(|p| p.start))
        .bind::<Nullable<Date>, _>(filter.period.map(|p| p.end))
        .load(conn)
}

/// The embodied carbon of the deliveries matching `filter`.
pub fn delivered_embodied_carbon(
    conn: &mut PgConnection,
    filter: &DeliveryFilter,
) -> QueryResult<DeliveredCarbon> {
    let deliveries = load_deliveries(conn, filter)?;
    let mut lot_ids: Vec<i64> = deliveries.iter().map(|d| d.lot_id).collect();
    lot_ids.sort_unstable();
    lot_ids.dedup();
    let mut book = load_lot_carbon_book(conn, &lot_ids)?;
    Ok(summarize_deliveries(deliveries, &mut book))
}

/// What was delivered to a construction site (or any site), optionally within a period.
pub fn site_embodied_carbon(
    conn: &mut PgConnection,
    site_id: i64,
    period: Option<ReportingPeriod>,
) -> QueryResult<DeliveredCarbon> {
    let filter = DeliveryFilter {
        to_site_id: Some(site_id),
        period,
        ..Default::default()
    };
    delivered_embodied_carbon(conn, &filter)
}

/// What was delivered under a public contract (`shipment_lines.contract_ocid`).
pub fn contract_embodied_carbon(
    conn: &mut PgConnection,
    ocid: &str,
) -> QueryResult<DeliveredCarbon> {
    let filter = DeliveryFilter {
        contract_ocid: Some(ocid.to_string()),
        ..Default::default()
    };
    delivered_embodied_carbon(conn, &filter)
}

/// What a supplier (the submitter of the shipment lines) delivered, optionally within a period.
pub fn supplier_embodied_carbon(
    conn: &mut PgConnection,
    submitter: &str,
    period: Option<ReportingPeriod>,
) -> QueryResult<DeliveredCarbon> {
    let filter = DeliveryFilter {
        submitter: Some(submitter.to_string()),
        period,
        ..Default::default()
    };
    delivered_embodied_carbon(conn, &filter)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::carbon::rollup::{LotFacts, ProductFacts};

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn lot(id: i64, class: &str, unit: &str, gwp: Option<&str>) -> LotFacts {
        LotFacts {
            lot_id: id,
            lot_code: format!("LOT-{id}"),
            origin_site_id: None,
            product: ProductFacts {
                id,
                code: format!("P{id}"),
                name: format!("Product {id}"),
                material_class: Some(class.into()),
                unit: unit.into(),
                epd_ref: gwp.map(|_| "EPD".into()),
                gwp_per_unit: gwp.map(dec),
                version_batch_id: None,
                version_line: None,
            },
            run: None,
        }
    }

    fn delivery(
        line: i32,
        lot_id: i64,
        class: Option<&str>,
        q: &str,
        unit: &str,
        supplier: &str,
    ) -> Delivery {
        Delivery {
            batch_id: 1,
            line,
            submitter: supplier.into(),
            shipment_code: "S".into(),
            line_no: line,
            lot_id,
            lot_code: format!("LOT-{lot_id}"),
            product_code: format!("P{lot_id}"),
            product_name: format!("Product {lot_id}"),
            material_class: class.map(Into::into),
            quantity: dec(q),
            unit: unit.into(),
            from_site_id: 1,
            from_site: "PLANT".into(),
            to_site_id: 2,
            to_site: "SITE".into(),
            contract_ocid: None,
            buyer_id: None,
            main_procurement_category: None,
            shipped_on: NaiveDate::from_ymd_opt(2026, 4, 12).unwrap(),
        }
    }

    #[test]
    fn nothing_delivered_is_zero_with_no_groups() {
        let empty = DeliveredCarbon::empty();
        assert_eq!(empty.kg_co2e, dec("0"));
        assert_eq!(empty.not_computable, 0);
        assert!(empty.by_material.is_empty() && empty.by_supplier.is_empty());
    }

    #[test]
    fn totals_and_subtotals_add_the_computable_deliveries_and_count_the_others() {
        let mut book = LotCarbonBook::new([
            lot(1, "cement", "TNE", Some("912")),
            lot(2, "concrete", "MTQ", Some("312.5")),
            lot(3, "steel", "TNE", None),
        ]);
        // Cement 25.5 t × 912 = 23 256; concrete 7.5 m³ × 312.5 = 2 343.75 (RMX) and
        // 500 kg of cement × 0.912 = 456 (RCW); steel has no factor.
        // Total 23 256 + 2 343.75 + 456 = 26 055.75; RCW 23 256 + 456 = 23 712.
        let summary = summarize_deliveries(
            vec![
                delivery(1, 1, Some("cement"), "25.5", "TNE", "RCW"),
                delivery(2, 2, Some("concrete"), "7.5", "MTQ", "RMX"),
                delivery(3, 1, Some("cement"), "500", "KGM", "RCW"),
                delivery(4, 3, Some("steel"), "2", "TNE", "MILL"),
            ],
            &mut book,
        );
        assert_eq!(summary.kg_co2e, dec("26055.75"));
        assert_eq!(summary.not_computable, 1);
        let subtotal = |key: &str, kg: &str, n: usize, nc: usize| Subtotal {
            key: Some(key.into()),
            kg_co2e: dec(kg),
            deliveries: n,
            not_computable: nc,
        };
        assert_eq!(
            summary.by_material,
            vec![
                subtotal("cement", "23712", 2, 0),
                subtotal("concrete", "2343.75", 1, 0),
                subtotal("steel", "0", 0, 1),
            ]
        );
        assert_eq!(
            summary.by_supplier,
            vec![
                subtotal("MILL", "0", 0, 1),
                subtotal("RCW", "23712", 2, 0),
                subtotal("RMX", "2343.75", 1, 0),
            ]
        );
        assert_eq!(summary.by_site, vec![subtotal("SITE", "26055.75", 3, 1)]);
        assert_eq!(summary.by_contract[0].key, None);
        assert!(matches!(
            summary.deliveries[3].carbon,
            Err(NotComputable::NoFactor { ref lot_code, .. }) if lot_code == "LOT-3"
        ));
    }
}
