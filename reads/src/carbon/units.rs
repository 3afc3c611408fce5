//! Exact conversion between the UN/CEFACT Rec 20 units citytrace accepts. Units convert only
//! within one dimension (mass, volume, ...): a tonne is never turned into cubic metres, since
//! that needs a density no row carries.

use bigdecimal::BigDecimal;
use serde::Serialize;

use super::factor::NotComputable;

/// What a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitDimension {
    Mass,
    Volume,
    Length,
    Area,
    /// Pieces: `H87` piece, `C62` one, `EA` each are the same count.
    Count,
    Set,
    Pair,
    Energy,
}

impl UnitDimension {
    pub fn name(self) -> &'static str {
        match self {
            Self::Mass => "mass",
            Self::Volume => "volume",
            Self::Length => "length",
            Self::Area => "area",
            Self::Count => "count",
            Self::Set => "sets",
            Self::Pair => "pairs",
            Self::Energy => "energy",
        }
    }
}

/// A unit's dimension and its size as a power of ten of the dimension's base (kg, litre,
/// metre, m², piece, set, pair, kWh).
pub fn unit_scale(code: &str) -> Option<(UnitDimension, i64)> {
    use UnitDimension::*;
    Some(match code {
        "GRM" => (Mass, -3),
        "KGM" => (Mass, 0),
        "TNE" => (Mass, 3),
        "MLT" => (Volume, -3),
        "LTR" => (Volume, 0),
        "MTQ" => (Volume, 3),
        "CMT" => (Length, -2),
        "MTR" => (Length, 0),
        "KMT" => (Length, 3),
        "MTK" => (Area, 0),
        "H87" | "C62" | "EA" => (Count, 0),
        "SET" => (Set, 0),
        "PR" => (Pair, 0),
        "KWH" => (Energy, 0),
        "MWH" => (Energy, 3),
        _ => return None,
    })
}

/// The dimension's name of a unit code, or `unknown unit`.
pub fn dimension_name(code: &str) -> &'static str {
    unit_scale(code).map_or("unknown unit", |(d, _)| d.name())
}

/// `quantity` in `from` expressed in `to`, exactly (units differ by powers of ten).
pub fn convert_quantity(
    quantity: &BigDecimal,
    from: &str,
    to: &str,
) -> Result<BigDecimal, NotComputable> {
    let unknown = |unit: &str| NotComputable::UnknownUnit {
        unit: unit.to_string(),
    };
    let (from_dim, from_exp) = unit_scale(from).ok_or_else(|| unknown(from))?;
    let (to_dim, to_exp) = unit_scale(to).ok_or_else(|| unknown(to))?;
    if from_dim != to_dim {
        return Err(NotComputable::IncompatibleUnits {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    // q × 10^(from_exp − to_exp): shift the decimal point, no rounding.
    let (digits, scale) = quantity.as_bigint_and_exponent();
    Ok(BigDecimal::new(digits, scale - (from_exp - to_exp)))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn mass_converts_by_powers_of_ten() {
        // 2.6 t = 2600 kg; 1250 kg = 1.25 t; 500 g = 0.0005 t.
        assert_eq!(
            convert_quantity(&dec("2.6"), "TNE", "KGM").unwrap(),
            dec("2600")
        );
        assert_eq!(
            convert_quantity(&dec("1250"), "KGM", "TNE").unwrap(),
            dec("1.25")
        );
        assert_eq!(
            convert_quantity(&dec("500"), "GRM", "TNE").unwrap(),
            dec("0.0005")
        );
        assert_eq!(
            convert_quantity(&dec("7.5"), "TNE", "TNE").unwrap(),
            dec("7.5")
        );
    }

    #[test]
    fn volume_length_energy_and_counts_convert_within_their_dimension() {
        // 1 m³ = 1000 l; 250 ml = 0.25 l; 150 cm = 1.5 m; 2.5 MWh = 2500 kWh.
        assert_eq!(
            convert_quantity(&dec("0.75"), "MTQ", "LTR").unwrap(),
            dec("750")
        );
        assert_eq!(
            convert_quantity(&dec("250"), "MLT", "LTR").unwrap(),
            dec("0.25")
        );
        assert_eq!(
            convert_quantity(&dec("150"), "CMT", "MTR").unwrap(),
            dec("1.5")
        );
        assert_eq!(
            convert_quantity(&dec("2.5"), "MWH", "KWH").unwrap(),
            dec("2500")
        );
        assert_eq!(
            convert_quantity(&dec("12"), "EA", "H87").unwrap(),
            dec("12")
        );
    }

    #[test]
    fn other_dimensions_are_refused_with_the_reason() {
        let err = convert_quantity(&dec("8"), "MTQ", "TNE").unwrap_err();
        assert_eq!(
            err,
            NotComputable::IncompatibleUnits {
                from: "MTQ".into(),
                to: "TNE".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "a quantity in MTQ (volume) cannot be converted to TNE (mass), the unit of the factor"
        );
        // A pair is not two pieces here: PR and H87 do not convert.
        assert!(convert_quantity(&dec("1"), "PR", "H87").is_err());
        assert_eq!(
            convert_quantity(&dec("1"), "BAG", "KGM").unwrap_err(),
            NotComputable::UnknownUnit { unit: "BAG".into() }
        );
    }
}
