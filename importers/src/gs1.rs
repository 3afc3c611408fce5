//! GS1 identifiers: check digits of GTIN-8/12/13/14, GLN-13 and SSCC-18.

/// The GS1 check digit for `data` (the digits before the check digit): weights 3,1,3,1…
/// from the rightmost data digit; check = (10 − sum mod 10) mod 10.
pub fn check_digit(data: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in data.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let digit = u32::from(c - b'0');
        sum += if i % 2 == 0 { digit * 3 } else { digit };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// The data digits and the check digit of `code` (None when it is empty or not ASCII there).
fn data_and_check(code: &str) -> Option<(&str, u8)> {
    let (data, check) = code.split_at_checked(code.len().checked_sub(1)?)?;
    let check = check.bytes().next().filter(u8::is_ascii_digit)? - b'0';
    Some((data, check))
}

/// Whether `code` is all digits, of one of `lengths`, with a valid last (check) digit.
fn valid(code: &str, lengths: &[usize]) -> bool {
    if !lengths.contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    data_and_check(code).is_some_and(|(data, check)| check_digit(data) == Some(check))
}

/// Why a GS1 code is invalid, or None when it is valid.
fn problem(code: &str, lengths: &[usize], name: &str) -> Option<String> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("{name} must have digits only"));
    }
    if !lengths.contains(&code.len()) {
        return Some(format!(
            "{name} must have {} digits, this has {}",
            join_or(lengths),
            code.len()
        ));
    }
    if valid(code, lengths) {
        return None;
    }
    let (data, check) = data_and_check(code)?;
    Some(format!(
        "{name} check digit is {check}, expected {}",
        check_digit(data).map(|d| d.to_string()).unwrap_or_default()
    ))
}

/// "8, 12, 13 or 14".
fn join_or(items: &[usize]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(ToString::to_string).collect();
            format!("{} or {last}", init.join(", "))
        }
    }
}

/// A GTIN of 8, 12, 13 or 14 digits; Ok with the GTIN-14 form (left-padded with zeros).
pub fn gtin14(code: &str) -> Result<String, String> {
    match problem(code, &[8, 12, 13, 14], "GTIN") {
        None => Ok(format!("{code:0>14}")),
        Some(p) => Err(p),
    }
}

pub fn check_gln(code: &str) -> Result<(), String> {
    problem(code, &[13], "GLN").map_or(Ok(()), Err)
}

pub fn check_sscc(code: &str) -> Result<(), String> {
    problem(code, &[18], "SSCC").map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_published_examples() {
        // GS1 General Specifications examples.
        assert_eq!(check_digit("04012345000000111"), Some(2)); // SSCC 040123450000001112 (DOMAIN.md)
        assert_eq!(check_digit("0401234511111"), Some(8)); // GTIN-14 04012345111118
        assert_eq!(check_digit("401234500011"), Some(5)); // GLN 4012345000115
        assert_eq!(check_digit("629104150021"), Some(3)); // GTIN-13 6291041500213
        assert_eq!(check_digit("12a"), None);
    }

    #[test]
    fn gtins_are_checked_and_widened_to_14_digits() {
        assert_eq!(gtin14("6291041500213").unwrap(), "06291041500213");
        assert_eq!(gtin14("04012345111118").unwrap(), "04012345111118");
        assert_eq!(
            gtin14("6291041500214").unwrap_err(),
            "GTIN check digit is 4, expected 3"
        );
        assert_eq!(
            gtin14("62910415002").unwrap_err(),
            "GTIN must have 8, 12, 13 or 14 digits, this has 11"
        );
        assert_eq!(
            gtin14("62910415002X").unwrap_err(),
            "GTIN must have digits only"
        );
    }

    #[test]
    fn gln_and_sscc() {
        assert!(check_gln("4012345000115").is_ok());
        assert_eq!(
            check_gln("4012345000116").unwrap_err(),
            "GLN check digit is 6, expected 5"
        );
        assert!(check_sscc("040123450000001112").is_ok());
        assert_eq!(
            check_sscc("04012345000000111").unwrap_err(),
            "SSCC must have 18 digits, this has 17"
        );
    }
}
