//! The codes on a waste transfer note: European List of Waste (EWC) codes and the Waste
//! Framework Directive's recovery and disposal operations (R1–R13, D1–D15).
//!
//! A code is checked for its shape (chapter 01 to 20, sub-chapter and entry from 01), then
//! against the List of Waste itself ([`super::list`]): it must be an entry, and its `*` must be
//! the entry's (docs/formats/waste-transfers.md).

/// A List of Waste code: six digits and whether it is marked hazardous (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EwcCode {
    pub code: String,
    pub hazardous: bool,
}

impl EwcCode {
    /// The official notation: `17 01 06*`.
    pub fn notation(&self) -> String {
        notation(&self.code, self.hazardous)
    }
}

/// `170106` and hazardous → `17 01 06*`.
pub fn notation(code: &str, hazardous: bool) -> String {
    let star = if hazardous { "*" } else { "" };
    match (code.get(0..2), code.get(2..4), code.get(4..6)) {
        (Some(a), Some(b), Some(c)) => format!("{a} {b} {c}{star}"),
        _ => format!("{code}{star}"),
    }
}

const EWC_SHAPE: &str =
    "not a List of Waste code: six digits, spaces allowed, * for hazardous, e.g. 17 01 01 or 17 05 03*";

/// Parse `17 01 01`, `170101`, `17 05 03*` or `17 05 03 *`.
pub fn parse_ewc(text: &str) -> Result<EwcCode, String> {
    let (digits, hazardous) = match text.trim_end().strip_suffix('*') {
        Some(rest) => (rest.trim_end(), true),
        None => (text, false),
    };
    let spaced = |i: usize| digits.as_bytes().get(i) == Some(&b' ');
    let code = if digits.len() == 8 && spaced(2) && spaced(5) {
        digits.replace(' ', "")
    } else {
        digits.to_string()
    };
    let [chapter, sub_chapter, entry] = match code.as_bytes() {
        [a, b, c, d, e, f] if code.bytes().all(|b| b.is_ascii_digit()) => {
            [[a, b], [c, d], [e, f]].map(|[tens, units]| (tens - b'0') * 10 + (units - b'0'))
        }
        _ => return Err(EWC_SHAPE.into()),
    };
    if !(1..=20).contains(&chapter) {
        return Err(format!(
            "chapter {chapter:02} does not exist: the List of Waste has chapters 01 to 20"
        ));
    }
    if sub_chapter == 0 {
        return Err("sub-chapter 00 does not exist: sub-chapters are numbered from 01".into());
    }
    if entry == 0 {
        return Err("entry 00 does not exist: entries are numbered from 01".into());
    }
    match super::list::hazardous(&code) {
        None => Err(format!(
            "{} is not on the List of Waste (Decision 2000/532/EC as amended)",
            notation(&code, false)
        )),
        Some(true) if !hazardous => Err(format!(
            "{} is a hazardous entry: write it with its asterisk, {}",
            notation(&code, false),
            notation(&code, true)
        )),
        Some(false) if hazardous => Err(format!(
            "{} is not a hazardous entry: write it without an asterisk",
            notation(&code, false)
        )),
        Some(_) => Ok(EwcCode { code, hazardous }),
    }
}

/// Parse a recovery or disposal operation: `R5`, `r 5`, `D01` → `R5`, `R5`, `D1`.
pub fn parse_operation(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bad =
        || "not a waste operation code: R1 to R13 (recovery) or D1 to D15 (disposal)".to_string();
    let mut chars = compact.chars();
    let letter = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .ok_or_else(bad)?;
    let number = chars.as_str();
    if number.is_empty() || number.len() > 2 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u8 = number.parse().map_err(|_| bad())?;
    let max = match letter {
        'R' => 13,
        'D' => 15,
        _ => return Err(bad()),
    };
    if !(1..=max).contains(&n) {
        return Err(bad());
    }
    Ok(format!("{letter}{n}"))
}

/// Interim operations (R12, R13, D13–D15): not final treatment; the waste moves on.
pub fn is_interim(operation: &str) -> bool {
    matches!(operation, "R12" | "R13" | "D13" | "D14" | "D15")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ewc_codes_are_six_digits_in_chapters_01_to_20_with_an_optional_star() {
        let concrete = parse_ewc("17 01 01").unwrap();
        assert_eq!(
            (concrete.code.as_str(), concrete.hazardous),
            ("170101", false)
        );
        assert_eq!(concrete.notation(), "17 01 01");
        let soil = parse_ewc("170503*").unwrap();
        assert_eq!((soil.code.as_str(), soil.hazardous), ("170503", true));
        assert_eq!(soil.notation(), "17 05 03*");
        assert_eq!(parse_ewc("17 05 03 *").unwrap(), soil);
        assert_eq!(parse_ewc("20 03 01").unwrap().code, "200301");
        assert_eq!(parse_ewc("01 01 01").unwrap().code, "010101");
        assert_eq!(
            parse_ewc("17 01 98").unwrap_err(),
            "17 01 98 is not on the List of Waste (Decision 2000/532/EC as amended)"
        );
        assert_eq!(
            parse_ewc("170503").unwrap_err(),
            "17 05 03 is a hazardous entry: write it with its asterisk, 17 05 03*"
        );
        assert_eq!(
            parse_ewc("17 05 04*").unwrap_err(),
            "17 05 04 is not a hazardous entry: write it without an asterisk"
        );
        assert_eq!(
            parse_ewc("21 01 01").unwrap_err(),
            "chapter 21 does not exist: the List of Waste has chapters 01 to 20"
        );
        assert!(parse_ewc("00 01 01").unwrap_err().starts_with("chapter 00"));
        assert!(parse_ewc("17 00 01")
            .unwrap_err()
            .starts_with("sub-chapter 00"));
        assert!(parse_ewc("17 01 00").unwrap_err().starts_with("entry 00"));
        for bad in [
            "1701",
            "17-01-01",
            "17 0101",
            "17 01 01**",
            "*",
            "17.01.01",
            "1701011",
            "17é0101",
            "17 01 0é",
            "１７０１０１",
            "17\u{a0}01 01",
        ] {
            assert_eq!(parse_ewc(bad).unwrap_err(), EWC_SHAPE, "{bad}");
        }
    }

    #[test]
    fn operations_are_r1_to_r13_and_d1_to_d15() {
        assert_eq!(parse_operation("R5").unwrap(), "R5");
        assert_eq!(parse_operation("r 13").unwrap(), "R13");
        assert_eq!(parse_operation("D01").unwrap(), "D1");
        assert_eq!(parse_operation("D15").unwrap(), "D15");
        for bad in ["R0", "R14", "D16", "X1", "R", "", "R1a", "R100"] {
            assert!(parse_operation(bad).is_err(), "{bad}");
        }
        assert!(is_interim("R13") && is_interim("D15") && !is_interim("R5"));
    }
}
