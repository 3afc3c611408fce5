//! Small text helpers for pages: hashes, times (in the city's zone: [`zone`]), quantities, URL
//! path segments.

use bigdecimal::{BigDecimal, RoundingMode};

pub mod units;
pub mod zone;
pub use units::{quantity, unit};
pub use zone::{city_time, local_time, CityZone};

/// `0x1234…abcd` for long hashes in tables (the full value goes in the title/link).
pub fn short_hash(bytes: &[u8]) -> String {
    let full = hex::encode(bytes);
    match shortened(&full, 6, 4) {
        Some(short) => format!("0x{short}"),
        None => format!("0x{full}"),
    }
}

/// The first `head` and the last `tail` characters with an ellipsis between, when `text` is
/// longer than `head + tail + 2` characters; `None` when it is short enough to show whole.
/// Counted in characters, so any text from outside can be shortened.
pub fn shortened(text: &str, head: usize, tail: usize) -> Option<String> {
    let count = text.chars().count();
    if count <= head + tail + 2 {
        return None;
    }
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    Some(format!("{start}…{end}"))
}

/// `text` shortened to `head…tail` if it is longer (see [`shortened`]).
pub fn short(text: &str, head: usize, tail: usize) -> String {
    shortened(text, head, tail).unwrap_or_else(|| text.to_string())
}

/// A percent-encoded URL path segment (lot codes may be Digital Link URIs with slashes).
pub fn path_segment(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

/// Thousands separated with a thin space: 1 234 567.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A decimal rounded half-up to `scale` places, grouped (`scale` 0: whole numbers).
pub fn decimal(value: &BigDecimal, scale: i64) -> String {
    let text = value
        .with_scale_round(scale, RoundingMode::HalfUp)
        .to_plain_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let grouped = count(whole.parse::<i64>().unwrap_or(0));
    let grouped = if whole.len() > 18 {
        whole.to_string()
    } else {
        grouped
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Money as people read it: grouped, two decimals, its currency after (`101 238.06 EUR`);
/// "not reported" when there is no amount. JSON twins carry the exact value.
pub fn money(value: Option<&BigDecimal>, currency: Option<&str>) -> String {
    match value {
        Some(v) => format!("{} {}", decimal(v, 2), currency.unwrap_or(""))
            .trim_end()
            .to_string(),
        None => "not reported".to_string(),
    }
}

/// Embodied or emitted carbon as people read it, from kilograms: under a tonne in kg with one
/// decimal (`812.4 kg CO2e`), else in tonnes with three significant figures up to 1 000 t
/// (`2.12 t`, `38.1 t`, `412 t CO2e`) and whole tonnes beyond (`1 235 t CO2e`). JSON twins
/// carry the exact kilograms.
pub fn co2e(kg: &BigDecimal) -> String {
    let thousand = BigDecimal::from(1000);
    if kg.abs() < thousand {
        return format!("{} kg CO2e", decimal(kg, 1));
    }
    let t = kg / &thousand;
    let (ten, hundred) = (BigDecimal::from(10), BigDecimal::from(100));
    let size = t.abs();
    let scale = if size < ten {
        2
    } else if size < hundred {
        1
    } else {
        0
    };
    format!("{} t CO2e", decimal(&t, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_shortened_on_characters_never_inside_one() {
        assert_eq!(
            shortened("0x123456789abcdef0", 8, 4).as_deref(),
            Some("0x123456…def0")
        );
        assert_eq!(
            shortened("0x123456789abc", 8, 4),
            None,
            "14 characters: whole"
        );
        // A multi-byte character at byte 8, and at the end.
        assert_eq!(
            shortened("0x12345é tail of a noté", 8, 4).as_deref(),
            Some("0x12345é…noté")
        );
        assert_eq!(short("ééééééééééééééé", 2, 2), "éé…éé");
        // Only a head (the contract page's payment ids).
        assert_eq!(
            short(&format!("0x{}", "é".repeat(64)), 10, 0),
            format!("0x{}…", "é".repeat(8))
        );
        assert_eq!(short("", 8, 4), "");
    }

    #[test]
    fn helpers_format_as_pages_need() {
        assert_eq!(short_hash(&[0xab; 32]), "0xababab…abab");
        assert_eq!(short_hash(&[1, 2]), "0x0102");
        assert_eq!(
            path_segment("https://id.gs1.org/01/0401/10/A 1"),
            "https%3A%2F%2Fid.gs1.org%2F01%2F0401%2F10%2FA%201"
        );
        assert_eq!(count(1234567), "1\u{2009}234\u{2009}567");
        assert_eq!(count(-12), "-12");
        assert_eq!(count(0), "0");
        let v: BigDecimal = "101238.060000000000".parse().expect("decimal");
        assert_eq!(money(Some(&v), Some("EUR")), "101\u{2009}238.06 EUR");
        assert_eq!(money(None, Some("EUR")), "not reported");
    }

    #[test]
    fn carbon_is_shown_in_kg_under_a_tonne_and_in_tonnes_with_sensible_precision() {
        let kg = |text: &str| co2e(&text.parse::<BigDecimal>().expect("decimal"));
        assert_eq!(kg("812.44"), "812.4 kg CO2e");
        assert_eq!(kg("0"), "0.0 kg CO2e");
        assert_eq!(kg("999.94"), "999.9 kg CO2e");
        assert_eq!(kg("2123.2"), "2.12 t CO2e");
        assert_eq!(kg("38123.0"), "38.1 t CO2e");
        assert_eq!(kg("412345"), "412 t CO2e");
        assert_eq!(kg("1234567.8"), "1\u{2009}235 t CO2e");
        assert_eq!(kg("-380500"), "-381 t CO2e");
    }
}
