//! The embodied carbon of one whole lot: its factor × its quantity.
//!
//! A lot's quantity is the output quantity of the production run that made it; a lot no run
//! made (bought in) has the sum of the shipment lines that carry it out of its origin site
//! (the lot's registered origin, else the site its earliest shipment left from) — later
//! movements of the same material between other sites are not added again.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Numeric, Text, Timestamptz};
use serde::Serialize;

use super::factor::{CarbonFactor, EmbodiedCarbon, NotComputable};
use super::lot_facts::load_lot_carbon_book;
use super::rollup::LotFacts;
use super::units::convert_quantity;

/// A shipment line of the lot, as the quantity rule reads it.
#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct ShippedLine {
    #[diesel(sql_type = BigInt)]
    pub batch_id: i64,
    #[diesel(sql_type = Integer)]
    pub line: i32,
    #[diesel(sql_type = BigInt)]
    pub from_site_id: i64,
    #[diesel(sql_type = Numeric)]
    pub quantity: BigDecimal,
    #[diesel(sql_type = Text)]
    pub unit: String,
    #[diesel(sql_type = Timestamptz)]
    pub shipped_at: DateTime<Utc>,
}

/// How much there is of a lot, and which rows say so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotQuantity {
    pub quantity: BigDecimal,
    pub unit: String,
    pub basis: QuantityBasis,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuantityBasis {
    /// The output quantity of the run that made it (`production_runs`, row `line` of batch
    /// `batch_id`).
    ProductionRun {
        run_id: i64,
        production_code: String,
        batch_id: i64,
        line: i32,
    },
    /// The shipment lines (batch_id, line) that carried it out of its origin site.
    ShippedFromOrigin {
        from_site_id: i64,
        lines: Vec<(i64, i32)>,
    },
}

/// A lot's quantity by the rule above. `shipments` are the lot's shipment lines in any order.
pub fn lot_quantity(
    lot: &LotFacts,
    shipments: &[ShippedLine],
) -> Result<LotQuantity, NotComputable> {
    if let Some(run) = &lot.run {
        return Ok(LotQuantity {
            quantity: run.output_quantity.clone(),
            unit: run.output_unit.clone(),
            basis: QuantityBasis::ProductionRun {
                run_id: run.id,
                production_code: run.production_code.clone(),
                batch_id: run.batch_id,
                line: run.line,
            },
        });
    }
    let mut ordered: Vec<&ShippedLine> = shipments.iter().collect();
    ordered.sort_by_key(|s| (s.shipped_at, s.batch_id, s.line));
    let origin = lot
        .origin_site_id
        .or_else(|| ordered.first().map(|s| s.from_site_id));
    let from_origin: Vec<&ShippedLine> = ordered
        .into_iter()
        .filter(|s| Some(s.from_site_id) == origin)
        .collect();
    let (Some(first), Some(from_site_id)) = (from_origin.first(), origin) else {
        return Err(NotComputable::NoQuantity {
            lot_code: lot.lot_code.clone(),
        });
    };
    let mut quantity = BigDecimal::from(0);
    for s in &from_origin {
        quantity += convert_quantity(&s.quantity, &s.unit, &first.unit)?;
    }
    Ok(LotQuantity {
        quantity: quantity.normalized(),
        unit: first.unit.clone(),
        basis: QuantityBasis::ShippedFromOrigin {
            from_site_id,
            lines: from_origin.iter().map(|s| (s.batch_id, s.line)).collect(),
        },
    })
}

/// A lot with its factor, quantity and embodied carbon (each with its source, or why not).
#[derive(Debug, Clone, Serialize)]
pub struct LotCarbon {
    pub lot: LotFacts,
    pub factor: Result<CarbonFactor, NotComputable>,
    pub quantity: Result<LotQuantity, NotComputable>,
    pub carbon: Result<EmbodiedCarbon, NotComputable>,
}

/// The embodied carbon of the whole lot `lot_id`; `NotFound` when no such lot is registered.
pub fn lot_embodied_carbon(conn: &mut PgConnection, lot_id: i64) -> QueryResult<LotCarbon> {
    let mut book = load_lot_carbon_book(conn, &[lot_id])?;
    let lot = book
        .lot(lot_id)
        .cloned()
        .ok_or(diesel::result::Error::NotFound)?;
    let shipments: Vec<ShippedLine> = diesel::sql_query(
        "SELECT batch_id, line, from_site_id, quantity, unit, shipped_at \
           FROM shipment_lines WHERE lot_id = $1",
    )
    .bind::<BigInt, _>(lot_id)
    .load(conn)?;
    let factor = book.factor(lot_id);
    let quantity = lot_quantity(&lot, &shipments);
    let carbon = match (&factor, &quantity) {
        (Ok(f), Ok(q)) => f.apply(&q.quantity, &q.unit),
        (Err(e), _) | (_, Err(e)) => Err(e.clone()),
    };
    Ok(LotCarbon {
        lot,
        factor,
        quantity,
        carbon,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::TimeZone;

    use super::*;
    use crate::carbon::rollup::{ProductFacts, RunFacts};

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn lot(origin: Option<i64>) -> LotFacts {
        LotFacts {
            lot_id: 1,
            lot_code: "CEM-1".into(),
            origin_site_id: origin,
            product: ProductFacts {
                id: 1,
                code: "cement".into(),
                name: "Cement".into(),
                material_class: None,
                unit: "TNE".into(),
                epd_ref: None,
                gwp_per_unit: None,
                version_batch_id: None,
                version_line: None,
            },
            run: None,
        }
    }

    fn shipped(line: i32, from: i64, q: &str, unit: &str, hour: u32) -> ShippedLine {
        ShippedLine {
            batch_id: 1,
            line,
            from_site_id: from,
            quantity: dec(q),
            unit: unit.into(),
            shipped_at: Utc.with_ymd_and_hms(2026, 4, 12, hour, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_bought_lot_has_what_left_its_origin_not_what_moved_on() {
        // From the quarry (site 7): 10 t and 15 000 kg = 25 t; the plant (site 8) sending 5 t
        // of it on to a site is the same material moving again, not more of it.
        let lines = [
            shipped(3, 8, "5", "TNE", 12),
            shipped(1, 7, "10", "TNE", 6),
            shipped(2, 7, "15000", "KGM", 7),
        ];
        let q = lot_quantity(&lot(Some(7)), &lines).unwrap();
        assert_eq!((q.quantity, q.unit.as_str()), (dec("25"), "TNE"));
        assert_eq!(
            q.basis,
            QuantityBasis::ShippedFromOrigin {
                from_site_id: 7,
                lines: vec![(1, 1), (1, 2)]
            }
        );
        // No registered origin: the earliest shipment's site (7) is taken as it.
        assert_eq!(
            lot_quantity(&lot(None), &lines).unwrap().quantity,
            dec("25")
        );
    }

    #[test]
    fn a_single_shipment_is_the_quantity_and_none_is_not_computable() {
        let one = [shipped(1, 7, "18.2", "TNE", 6)];
        assert_eq!(
            lot_quantity(&lot(Some(7)), &one).unwrap().quantity,
            dec("18.2")
        );
        assert_eq!(
            lot_quantity(&lot(Some(7)), &[]).unwrap_err(),
            NotComputable::NoQuantity {
                lot_code: "CEM-1".into()
            }
        );
        // Lines in units that do not add up (tonnes and cubic metres) are not summed.
        let mixed = [shipped(1, 7, "1", "TNE", 6), shipped(2, 7, "1", "MTQ", 7)];
        assert!(matches!(
            lot_quantity(&lot(Some(7)), &mixed),
            Err(NotComputable::IncompatibleUnits { .. })
        ));
    }

    #[test]
    fn a_made_lot_has_its_run_output_whatever_was_shipped() {
        let mut made = lot(Some(7));
        made.run = Some(RunFacts {
            id: 4,
            batch_id: 2,
            line: 3,
            production_code: "MIX-07".into(),
            output_quantity: dec("8"),
            output_unit: "MTQ".into(),
            epd: None,
            inputs: vec![],
        });
        let q = lot_quantity(&made, &[shipped(1, 7, "3", "MTQ", 6)]).unwrap();
        assert_eq!((q.quantity, q.unit.as_str()), (dec("8"), "MTQ"));
    }
}
