//! PostgreSQL's binary representations (as `COPY … (FORMAT binary)` sends them) turned straight
//! into the text of canonical row encodings — byte for byte what `canonical_decimal` and
//! `canonical_time` write from the decoded values, without decoding into `BigDecimal` or
//! `DateTime` first. `super::fast`'s tests hold them to those functions.

use chrono::DateTime;

use crate::values::canonical_time;

/// Why a field could not be read.
pub type Unreadable = String;

pub fn int4(bytes: &[u8]) -> Result<i32, Unreadable> {
    Ok(i32::from_be_bytes(
        bytes.try_into().map_err(|_| "an int4 of another size")?,
    ))
}

pub fn int8(bytes: &[u8]) -> Result<i64, Unreadable> {
    Ok(i64::from_be_bytes(
        bytes.try_into().map_err(|_| "an int8 of another size")?,
    ))
}

pub fn text(bytes: &[u8]) -> Result<&str, Unreadable> {
    std::str::from_utf8(bytes).map_err(|e| format!("text that is not UTF-8: {e}"))
}

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 00:00:00 UTC).
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// A `timestamptz` as `canonical_time` writes it: `2026-04-12T05:30:00.000000Z`.
pub fn timestamptz(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), Unreadable> {
    let since_2000 = int8(bytes)?;
    let micros = since_2000
        .checked_add(POSTGRES_EPOCH_MICROS)
        .ok_or("a timestamp out of range")?;
    let days = micros.div_euclid(86_400_000_000);
    let of_day = micros.rem_euclid(86_400_000_000);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        // Years chrono writes with a sign: ask it.
        let t = DateTime::from_timestamp_micros(micros).ok_or("a timestamp out of range")?;
        out.extend_from_slice(canonical_time(&t).as_bytes());
        return Ok(());
    }
    let (secs, frac) = (of_day / 1_000_000, of_day % 1_000_000);
    let parts: [(i64, usize, u8); 7] = [
        (year, 4, b'-'),
        (month, 2, b'-'),
        (day, 2, b'T'),
        (secs / 3600, 2, b':'),
        (secs / 60 % 60, 2, b':'),
        (secs % 60, 2, b'.'),
        (frac, 6, b'Z'),
    ];
    for (n, width, then) in parts {
        let mut buf = [b'0'; 6];
        let mut n = n;
        for slot in buf[..width].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend_from_slice(&buf[..width]);
        out.push(then);
    }
    Ok(())
}

/// (year, month, day) of a day count from 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A `numeric` as `canonical_decimal` writes it: plain notation, no trailing zeros, `0` for
/// zero. The binary form: digit count, weight (of the first base-10000 digit), sign, display
/// scale, then the base-10000 digits.
pub fn numeric(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), Unreadable> {
    let word = |i: usize| -> Result<u16, Unreadable> {
        let b = bytes.get(i * 2..i * 2 + 2).ok_or("a numeric cut short")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Err("NaN, which no row holds".into()),
        _ => return Err("an infinite or unknown numeric, which no row holds".into()),
    }
    // The value is 0.DIGITS × 10000^(weight + 1): decimal digit k (from 0) of DIGITS stands
    // (weight + 1) × 4 − k places left of the point.
    let digit = |k: i64| -> Result<u8, Unreadable> {
        if k < 0 || k >= ndigits as i64 * 4 {
            return Ok(b'0');
        }
        let d = word(4 + (k / 4) as usize)?;
        if d > 9999 {
            return Err("a numeric digit above 9999".into());
        }
        let place = [1000, 100, 10, 1][(k % 4) as usize];
        Ok(b'0' + (d / place % 10) as u8)
    };
    let point = (weight + 1) * 4;
    let total = ndigits as i64 * 4;
    // Significant digits: from the first non-zero one, and past the point up to the last
    // non-zero one.
    let mut first = 0;
    while first < total && digit(first)? == b'0' {
        first += 1;
    }
    let mut last = total - 1;
    while last >= 0 && digit(last)? == b'0' {
        last -= 1;
    }
    if first > last {
        out.push(b'0');
        return Ok(());
    }
    if sign == 0x4000 {
        out.push(b'-');
    }
    // Integer part: digits [first, point), at least one; then the fraction up to `last`.
    if first >= point {
        out.push(b'0');
    } else {
        for k in first..point {
            out.push(digit(k)?);
        }
    }
    if last >= point {
        out.push(b'.');
        for k in point..=last {
            out.push(digit(k)?);
        }
    }
    Ok(())
}

/// A one-dimensional `text[]` (no NULL elements), its elements given to `each` in order.
pub fn text_array<'a>(bytes: &'a [u8], mut each: impl FnMut(&'a str)) -> Result<(), Unreadable> {
    let word = |at: usize| -> Result<i32, Unreadable> {
        let b = bytes.get(at..at + 4).ok_or("an array cut short")?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let dims = word(0)?;
    if dims == 0 {
        return Ok(());
    }
    if dims != 1 {
        return Err(format!("an array of {dims} dimensions"));
    }
    let count = usize::try_from(word(12)?).map_err(|_| "an array of negative size")?;
    let mut at = 20;
    for _ in 0..count {
        let len = word(at)?;
        at += 4;
        let len = usize::try_from(len).map_err(|_| "an array with a NULL element")?;
        let element = bytes.get(at..at + len).ok_or("an array cut short")?;
        each(text(element)?);
        at += len;
    }
    Ok(())
}

/// Binary forms written as PostgreSQL writes them, for tests.
#[cfg(test)]
pub(crate) mod write {
    pub fn numeric_bytes(
        ndigits: u16,
        weight: i16,
        sign: u16,
        dscale: u16,
        digits: &[u16],
    ) -> Vec<u8> {
        let mut b = Vec::new();
        for w in [ndigits, weight as u16, sign, dscale] {
            b.extend(w.to_be_bytes());
        }
        for d in digits {
            b.extend(d.to_be_bytes());
        }
        b
    }

    /// A decimal's `numeric` binary form, as PostgreSQL's `numeric_send` writes it.
    pub fn numeric_of(text: &str) -> Vec<u8> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (integer, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let pad_left = (4 - integer.len() % 4) % 4;
        let pad_right = (4 - fraction.len() % 4) % 4;
        let all = format!(
            "{}{integer}{fraction}{}",
            "0".repeat(pad_left),
            "0".repeat(pad_right)
        );
        let mut groups: Vec<u16> = all
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap().parse().unwrap())
            .collect();
        let mut weight = ((integer.len() + pad_left) / 4) as i16 - 1;
        while groups.first() == Some(&0) {
            groups.remove(0);
            weight -= 1;
        }
        while groups.last() == Some(&0) {
            groups.pop();
        }
        if groups.is_empty() {
            weight = 0;
        }
        let sign = if negative && !groups.is_empty() {
            0x4000
        } else {
            0
        };
        numeric_bytes(
            groups.len() as u16,
            weight,
            sign,
            fraction.len() as u16,
            &groups,
        )
    }

    /// A `timestamptz`: microseconds since 2000-01-01 UTC.
    pub fn timestamptz(t: &chrono::DateTime<chrono::Utc>) -> Vec<u8> {
        (t.timestamp_micros() - super::POSTGRES_EPOCH_MICROS)
            .to_be_bytes()
            .to_vec()
    }

    /// A one-dimensional `text[]`.
    pub fn text_array(elements: &[String]) -> Vec<u8> {
        let mut b = Vec::new();
        if elements.is_empty() {
            for w in [0i32, 0, 25] {
                b.extend(w.to_be_bytes());
            }
            return b;
        }
        for w in [1i32, 0, 25, elements.len() as i32, 1] {
            b.extend(w.to_be_bytes());
        }
        for e in elements {
            b.extend((e.len() as i32).to_be_bytes());
            b.extend(e.as_bytes());
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::write::{numeric_bytes, numeric_of};
    use super::*;

    fn num(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> String {
        let mut out = Vec::new();
        numeric(
            &numeric_bytes(ndigits, weight, sign, dscale, digits),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numerics_read_in_plain_notation_without_trailing_zeros() {
        assert_eq!(num(0, 0, 0, 0, &[]), "0");
        assert_eq!(num(0, 0, 0, 2, &[]), "0");
        assert_eq!(num(1, 0, 0, 0, &[25]), "25");
        assert_eq!(num(2, 0, 0, 2, &[25, 5000]), "25.5");
        assert_eq!(num(1, 1, 0, 0, &[1]), "10000");
        assert_eq!(num(1, -1, 0, 2, &[4250]), "0.425");
        assert_eq!(num(1, -2, 0, 6, &[100]), "0.000001");
        assert_eq!(num(3, 1, 0x4000, 2, &[131, 2400, 5000]), "-1312400.5");
        let mut out = Vec::new();
        assert!(numeric(&numeric_bytes(0, 0, 0xC000, 0, &[]), &mut out).is_err());
        assert!(numeric(&numeric_bytes(2, 0, 0, 0, &[1]), &mut out).is_err());
        assert!(numeric(&[0, 1], &mut out).is_err());
    }

    #[test]
    fn timestamps_read_in_utc_with_microseconds() {
        let t = |micros_since_2000: i64| {
            let mut out = Vec::new();
            timestamptz(&micros_since_2000.to_be_bytes(), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(t(0), "2000-01-01T00:00:00.000000Z");
        assert_eq!(t(-1), "1999-12-31T23:59:59.999999Z");
        assert_eq!(t(829_287_000_123_456), "2026-04-12T05:30:00.123456Z");
        assert!(timestamptz(&[0; 7], &mut Vec::new()).is_err());
        assert!(timestamptz(&i64::MAX.to_be_bytes(), &mut Vec::new()).is_err());
    }

    #[test]
    fn every_decimal_and_instant_reads_as_the_canonical_functions_write_it() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        use std::str::FromStr;

        let cases = citytrace_schema::testing::fuzz_cases(10_000);
        let mut runner = TestRunner::new(Config::with_cases(cases));
        let decimal = (
            any::<bool>(),
            "[0-9]{1,24}",
            proptest::option::of("[0-9]{1,12}"),
        );
        runner
            .run(&decimal, |(negative, integer, fraction)| {
                let text = format!(
                    "{}{integer}{}",
                    if negative { "-" } else { "" },
                    fraction.map(|f| format!(".{f}")).unwrap_or_default()
                );
                let mut out = Vec::new();
                numeric(&numeric_of(&text), &mut out).unwrap();
                let expected = crate::values::canonical_decimal(
                    &bigdecimal::BigDecimal::from_str(&text).unwrap(),
                );
                prop_assert_eq!(String::from_utf8(out).unwrap(), expected, "{}", text);
                Ok(())
            })
            .unwrap();
        let mut runner = TestRunner::new(Config::with_cases(cases));
        // Every instant chrono holds, the years 0 to 9999 most of all.
        let micros = prop_oneof![
            -62_167_219_200_000_000i64..253_402_300_800_000_000,
            -8_000_000_000_000_000_000i64..8_000_000_000_000_000_000,
        ];
        runner
            .run(&micros, |unix_micros| {
                let Some(t) = DateTime::from_timestamp_micros(unix_micros) else {
                    return Ok(());
                };
                let mut out = Vec::new();
                timestamptz(
                    &(unix_micros - POSTGRES_EPOCH_MICROS).to_be_bytes(),
                    &mut out,
                )
                .unwrap();
                prop_assert_eq!(String::from_utf8(out).unwrap(), canonical_time(&t));
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn arrays_read_their_elements_in_order() {
        let mut bytes = Vec::new();
        for w in [1i32, 0, 25, 2, 1] {
            bytes.extend(w.to_be_bytes());
        }
        for e in ["DoP-1", "LAB-é"] {
            bytes.extend((e.len() as i32).to_be_bytes());
            bytes.extend(e.as_bytes());
        }
        let mut seen = Vec::new();
        text_array(&bytes, |e| seen.push(e)).unwrap();
        assert_eq!(seen, vec!["DoP-1", "LAB-é"]);
        let empty = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25];
        text_array(&empty, |_| panic!("no element")).unwrap();
        assert!(text_array(&bytes[..bytes.len() - 1], |_| {}).is_err());
    }
}
