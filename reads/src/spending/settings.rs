//! Reading exact decimals from `citytrace.toml`: a threshold may be written as an integer
//! (`221000`), a float (`12.5`, kept as the decimal it was written as) or a string
//! (`"221000.00"`).

use std::collections::BTreeMap;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde::{Deserialize, Deserializer};

use super::money::decimal_of;

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDecimal {
    Int(i64),
    Float(f64),
    Text(String),
}

impl RawDecimal {
    fn decimal<E: serde::de::Error>(self) -> Result<BigDecimal, E> {
        match self {
            Self::Int(i) => Ok(BigDecimal::from(i)),
            Self::Float(f) if f.is_finite() => Ok(decimal_of(f)),
            Self::Float(f) => Err(E::custom(format!("{f} is not a number"))),
            Self::Text(t) => BigDecimal::from_str(t.trim())
                .map_err(|_| E::custom(format!("{t:?} is not a decimal number"))),
        }
    }
}

pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<BigDecimal, D::Error> {
    RawDecimal::deserialize(d)?.decimal()
}

/// Amounts per ISO 4217 currency (`{ EUR = 221000 }`); currency codes are upper-cased.
pub(crate) fn amounts_by_currency<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, BigDecimal>, D::Error> {
    let raw = BTreeMap::<String, RawDecimal>::deserialize(d)?;
    raw.into_iter()
        .map(|(currency, value)| Ok((currency.trim().to_ascii_uppercase(), value.decimal()?)))
        .collect()
}
