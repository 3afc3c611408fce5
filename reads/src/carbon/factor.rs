//! A carbon factor (kg CO2e per quantity of a unit) with the source it comes from, applied to
//! a quantity; and why a figure cannot be computed.

use bigdecimal::{BigDecimal, One, RoundingMode};
use serde::Serialize;

use super::units::{convert_quantity, dimension_name};

/// Decimal places kept when a share needs a division (kg CO2e: 6 places = 1 mg).
pub const SHARE_SCALE: i64 = 6;

/// `kg_co2e` per `per_quantity` of `per_unit`, and where the figure comes from. An EPD factor
/// is per one declared unit (`per_quantity` = 1); a factor rolled up from a run's inputs is
/// the inputs' total per the run's whole output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarbonFactor {
    pub kg_co2e: BigDecimal,
    pub per_quantity: BigDecimal,
    pub per_unit: String,
    pub source: FactorSource,
}

/// Where a factor comes from, down to the imported row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactorSource {
    /// The production run's own EPD (GWP A1–A3 per declared unit): `production_runs`, the run
    /// created by row `line` of batch `batch_id`.
    ProductionRun {
        epd_reference: String,
        run_id: i64,
        production_code: String,
        batch_id: i64,
        line: i32,
    },
    /// The product's EPD from its master data, as set by the product version (`batch_id`,
    /// `line`) of `product_versions`; no version when the factor was set otherwise.
    Product {
        epd_reference: Option<String>,
        product_code: String,
        batch_id: Option<i64>,
        line: Option<i32>,
    },
    /// No EPD for the output: the sum of the shares of the run's inputs.
    Inputs {
        run_id: i64,
        production_code: String,
        batch_id: i64,
        line: i32,
        inputs: Vec<InputShare>,
    },
}

/// One input line of a run and the carbon it brings: its consumed quantity × its lot's factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputShare {
    pub input_line: i32,
    pub lot_id: i64,
    pub lot_code: String,
    pub quantity: BigDecimal,
    pub unit: String,
    /// The `production_inputs` row: (batch_id, line).
    pub batch_id: i64,
    pub line: i32,
    pub kg_co2e: BigDecimal,
    pub factor: Box<CarbonFactor>,
}

/// A quantity's embodied carbon and the factor it was computed with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbodiedCarbon {
    pub kg_co2e: BigDecimal,
    pub quantity: BigDecimal,
    pub unit: String,
    pub factor: CarbonFactor,
}

/// Why a figure cannot be computed. Never counted as 0: totals list these beside them.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotComputable {
    #[error(
        "{product} has no EPD factor, and lot {lot_code} was not made by a recorded production run"
    )]
    NoFactor {
        lot_code: String,
        product_code: String,
        product: String,
    },
    #[error("a quantity in {from} ({}) cannot be converted to {to} ({}), the unit of the factor", dimension_name(.from), dimension_name(.to))]
    IncompatibleUnits { from: String, to: String },
    #[error("{unit} is not a unit citytrace can convert")]
    UnknownUnit { unit: String },
    #[error("lot {lot_code} has no EPD factor of its own, and its input {input_lot_code} cannot be computed: {reason}")]
    Input {
        lot_code: String,
        input_lot_code: String,
        reason: Box<NotComputable>,
    },
    #[error("lot {lot_code} is made, through its inputs, from itself")]
    Cycle { lot_code: String },
    #[error("lot {lot_id} is not registered")]
    UnknownLot { lot_id: i64 },
    #[error("no quantity is known for lot {lot_code}: it was not made by a recorded production run and no shipment carries it from its origin")]
    NoQuantity { lot_code: String },
}

impl CarbonFactor {
    /// An EPD-style factor: `kg_co2e` per one `per_unit`.
    pub fn per_one(kg_co2e: BigDecimal, per_unit: &str, source: FactorSource) -> Self {
        Self {
            kg_co2e,
            per_quantity: BigDecimal::one(),
            per_unit: per_unit.to_string(),
            source,
        }
    }

    /// The embodied carbon of `quantity` `unit`: the quantity converted to the factor's unit
    /// (q'), then `kg_co2e × q' / per_quantity` — exact when `per_quantity` is 1 or equals q',
    /// otherwise rounded half-up to 6 decimals.
    pub fn apply(
        &self,
        quantity: &BigDecimal,
        unit: &str,
    ) -> Result<EmbodiedCarbon, NotComputable> {
        let converted = convert_quantity(quantity, unit, &self.per_unit)?;
        let kg_co2e = if self.per_quantity.is_one() {
            &self.kg_co2e * &converted
        } else if converted == self.per_quantity {
            self.kg_co2e.clone()
        } else {
            (&self.kg_co2e * &converted / &self.per_quantity)
                .with_scale_round(SHARE_SCALE, RoundingMode::HalfUp)
        };
        Ok(EmbodiedCarbon {
            kg_co2e: kg_co2e.normalized(),
            quantity: quantity.clone(),
            unit: unit.to_string(),
            factor: self.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn product_epd(kg: &str, unit: &str) -> CarbonFactor {
        CarbonFactor::per_one(
            dec(kg),
            unit,
            FactorSource::Product {
                epd_reference: Some("EPD-1".into()),
                product_code: "P".into(),
                batch_id: Some(1),
                line: Some(2),
            },
        )
    }

    #[test]
    fn a_factor_per_tonne_applied_to_kilograms_converts_first() {
        // 912 kg CO2e/t × 2 500 kg = 912 × 2.5 t = 2 280 kg CO2e.
        let carbon = product_epd("912", "TNE")
            .apply(&dec("2500"), "KGM")
            .unwrap();
        assert_eq!(carbon.kg_co2e, dec("2280"));
        assert_eq!(
            (carbon.quantity, carbon.unit.as_str()),
            (dec("2500"), "KGM")
        );
        // 0.5 kg CO2e/kg × 1.2 t = 0.5 × 1 200 kg = 600 kg CO2e.
        let glulam = product_epd("0.5", "KGM").apply(&dec("1.2"), "TNE").unwrap();
        assert_eq!(glulam.kg_co2e, dec("600"));
    }

    #[test]
    fn a_factor_per_cubic_metre_applied_to_cubic_metres_and_litres() {
        // 312.5 kg CO2e/m³ × 7.5 m³ = 2 343.75 kg CO2e; × 500 l (0.5 m³) = 156.25.
        let f = product_epd("312.5", "MTQ");
        assert_eq!(f.apply(&dec("7.5"), "MTQ").unwrap().kg_co2e, dec("2343.75"));
        assert_eq!(f.apply(&dec("500"), "LTR").unwrap().kg_co2e, dec("156.25"));
        // A mass cannot take a per-m³ factor: not computable, with the reason.
        assert_eq!(
            f.apply(&dec("18"), "TNE").unwrap_err().to_string(),
            "a quantity in TNE (mass) cannot be converted to MTQ (volume), the unit of the factor"
        );
    }

    #[test]
    fn a_zero_factor_gives_zero_and_a_negative_one_a_negative_figure() {
        // 0 kg CO2e/t × 5 t = 0 (a real zero from an EPD, not a missing factor).
        assert_eq!(
            product_epd("0", "TNE")
                .apply(&dec("5"), "TNE")
                .unwrap()
                .kg_co2e,
            dec("0")
        );
        // Timber with net biogenic storage: −700 kg CO2e/m³ × 2 m³ = −1 400.
        assert_eq!(
            product_epd("-700", "MTQ")
                .apply(&dec("2"), "MTQ")
                .unwrap()
                .kg_co2e,
            dec("-1400")
        );
    }

    #[test]
    fn a_share_of_a_rolled_up_factor_divides_and_rounds_half_up_to_six_places() {
        // 100 kg CO2e per 3 t of output: the whole 3 t is exactly 100.
        let rolled = CarbonFactor {
            kg_co2e: dec("100"),
            per_quantity: dec("3"),
            per_unit: "TNE".into(),
            source: FactorSource::Inputs {
                run_id: 1,
                production_code: "R".into(),
                batch_id: 1,
                line: 2,
                inputs: vec![],
            },
        };
        assert_eq!(
            rolled.apply(&dec("3000"), "KGM").unwrap().kg_co2e,
            dec("100")
        );
        // 1 t of it: 100 / 3 = 33.3333333… → 33.333333.
        assert_eq!(
            rolled.apply(&dec("1"), "TNE").unwrap().kg_co2e,
            dec("33.333333")
        );
        // 2 t: 200 / 3 = 66.6666666… → 66.666667 (half-up on the 7th place).
        assert_eq!(
            rolled.apply(&dec("2"), "TNE").unwrap().kg_co2e,
            dec("66.666667")
        );
        // 1.5 t: 150 / 3 = 50 exactly.
        assert_eq!(rolled.apply(&dec("1.5"), "TNE").unwrap().kg_co2e, dec("50"));
    }
}
