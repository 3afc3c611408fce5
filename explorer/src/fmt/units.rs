//! Units as people write them: UN/CEFACT Recommendation 20 codes (`MTQ`, `TNE`, `KGM`, `H87`, …)
//! as the symbols or words a reader knows (m³, t, kg, pieces). A code this table does not know
//! is shown as it was sent, so nothing is hidden.

use bigdecimal::BigDecimal;

/// The common Recommendation 20 codes a city's suppliers send, with the symbol people write.
const UNITS: &[(&str, &str)] = &[
    ("MTQ", "m³"),
    ("MTK", "m²"),
    ("MTR", "m"),
    ("KMT", "km"),
    ("CMT", "cm"),
    ("MMT", "mm"),
    ("TNE", "t"),
    ("KGM", "kg"),
    ("GRM", "g"),
    ("MGM", "mg"),
    ("LTR", "l"),
    ("MLT", "ml"),
    ("H87", "pieces"),
    ("C62", "units"),
    ("EA", "each"),
    ("XPP", "pieces"),
    ("XPK", "packages"),
    ("XPX", "pallets"),
    ("XBX", "boxes"),
    ("XBG", "bags"),
    ("KWH", "kWh"),
    ("MWH", "MWh"),
    ("WHR", "Wh"),
    ("KWT", "kW"),
    ("CEL", "°C"),
    ("HUR", "h"),
    ("MIN", "min"),
    ("SEC", "s"),
    ("DAY", "days"),
    ("E4", "GTO"),
];

/// The symbol for a UN/CEFACT code (`MTQ` → `m³`), any case; `None` when not in the table.
pub fn symbol(code: &str) -> Option<&'static str> {
    let code = code.trim();
    UNITS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, s)| *s)
}

/// The unit as people write it: the symbol when the code is known, else the text as sent.
pub fn unit(code: &str) -> String {
    symbol(code).map_or_else(|| code.trim().to_string(), str::to_string)
}

/// A quantity with its unit as people write it: `7.4 m³`, `1 250 kg`, `12 pieces`.
/// Trailing zeros of the stored decimal are dropped (`7.400` → `7.4`); grouped with thin spaces.
pub fn quantity(value: &BigDecimal, code: &str) -> String {
    let number = plain(value);
    let unit = unit(code);
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

/// A decimal without trailing zeros, thousands grouped (`101238.060000` → `101 238.06`).
pub fn plain(value: &BigDecimal) -> String {
    let normalized = value.normalized();
    let scale = normalized.fractional_digit_count().max(0);
    super::decimal(&normalized, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn codes_become_the_units_people_write() {
        assert_eq!(unit("MTQ"), "m³");
        assert_eq!(unit("TNE"), "t");
        assert_eq!(unit("kgm"), "kg");
        assert_eq!(unit("H87"), "pieces");
        assert_eq!(unit("ZZZ"), "ZZZ", "an unknown code is shown as sent");
        assert_eq!(symbol("ZZZ"), None);
    }

    #[test]
    fn quantities_drop_trailing_zeros_and_are_grouped() {
        assert_eq!(quantity(&d("7.400"), "MTQ"), "7.4 m³");
        assert_eq!(quantity(&d("1250"), "KGM"), "1\u{2009}250 kg");
        assert_eq!(quantity(&d("12.000"), "H87"), "12 pieces");
        assert_eq!(quantity(&d("1E+3"), "TNE"), "1\u{2009}000 t");
        assert_eq!(quantity(&d("0.5"), ""), "0.5");
        assert_eq!(plain(&d("101238.060000000000")), "101\u{2009}238.06");
    }
}
