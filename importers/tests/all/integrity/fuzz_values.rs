//! Property tests of the shared cell parsers, without a database: GS1 identifiers and check
//! digits, timestamps, offsets, quantities, signed decimals and units. Each runs
//! `fuzz_cases(10_000)` cases of random Unicode, boundary values, generated valid values and
//! valid values with a multi-byte character cut in, against an oracle written here.

use std::str::FromStr;

use bigdecimal::num_bigint::Sign;
use bigdecimal::BigDecimal;
use chrono::{FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;

use citytrace_importers::gs1::{check_digit, check_gln, check_sscc, gtin14};
use citytrace_importers::values::{
    parse_decimal, parse_offset, parse_quantity, parse_timestamp_or, parse_unit, UNITS,
};
use citytrace_schema::testing::fuzz_cases;

use super::fuzz::{cut_in, text};

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(fuzz_cases(10_000))
}

/// The GS1 check digit, written out: weights 3, 1, 3, … from the rightmost data digit.
fn gs1_check(data: &str) -> u32 {
    let sum: u32 = data
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

/// Digit strings of `lengths`, with a right check digit or not.
fn gs1_codes(lengths: &'static [usize]) -> impl Strategy<Value = String> {
    let valid = prop::sample::select(lengths)
        .prop_flat_map(|n| proptest::string::string_regex(&format!("[0-9]{{{}}}", n - 1)).unwrap())
        .prop_map(|data| format!("{data}{}", gs1_check(&data)));
    prop_oneof![
        2 => valid.clone(),
        2 => valid.prop_flat_map(cut_in),
        2 => "[0-9]{0,20}",
        1 => text(),
    ]
}

/// Whether `code` is digits only, of one of `lengths`, with a right check digit.
fn gs1_valid(code: &str, lengths: &[usize]) -> bool {
    code.bytes().all(|b| b.is_ascii_digit())
        && lengths.contains(&code.len())
        && code
            .split_at_checked(code.len() - 1)
            .is_some_and(|(data, check)| check.parse::<u32>().ok() == Some(gs1_check(data)))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn check_digits_match_the_gs1_rule(data in prop_oneof!["[0-9]{0,30}", text()]) {
        let digits = data.bytes().all(|b| b.is_ascii_digit());
        let expected = digits.then(|| gs1_check(&data) as u8);
        prop_assert_eq!(check_digit(&data), expected);
    }

    #[test]
    fn gtins_are_accepted_exactly_when_valid_and_widened(code in gs1_codes(&[8, 12, 13, 14])) {
        let lengths = [8, 12, 13, 14];
        match gtin14(&code) {
            Ok(gtin) => {
                prop_assert!(gs1_valid(&code, &lengths), "{code:?} accepted");
                prop_assert_eq!(gtin, format!("{code:0>14}"));
            }
            Err(reason) => {
                prop_assert!(!gs1_valid(&code, &lengths), "{code:?} refused: {reason}");
                prop_assert!(reason.starts_with("GTIN "), "{reason}");
            }
        }
    }

    #[test]
    fn glns_are_accepted_exactly_when_valid(code in gs1_codes(&[13])) {
        prop_assert_eq!(check_gln(&code).is_ok(), gs1_valid(&code, &[13]), "{:?}", code);
    }

    #[test]
    fn ssccs_are_accepted_exactly_when_valid(code in gs1_codes(&[18])) {
        prop_assert_eq!(check_sscc(&code).is_ok(), gs1_valid(&code, &[18]), "{:?}", code);
    }
}

/// A date-time written from its parts: (text, local date-time, offset in seconds or none).
fn timestamps() -> impl Strategy<Value = (String, chrono::NaiveDateTime, Option<i32>)> {
    let offset = prop_oneof![
        Just(None),
        Just(Some(0)),
        (prop::bool::ANY, 0i32..=23, 0i32..60)
            .prop_map(|(west, h, m)| Some(if west { -1 } else { 1 } * (h * 3600 + m * 60))),
    ];
    (
        1000i32..=9999,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        "[0-9]{0,9}",
        prop::bool::ANY,
        offset,
        prop::bool::ANY,
    )
        .prop_map(|(y, mo, d, h, mi, s, fraction, space, offset, z)| {
            let date = NaiveDate::from_ymd_opt(y, mo, d).unwrap();
            let nanos = format!("{fraction:0<9}").parse::<u32>().unwrap();
            let local = date.and_hms_nano_opt(h, mi, s, nanos).unwrap();
            let mut text = format!(
                "{y:04}-{mo:02}-{d:02}{}{h:02}:{mi:02}:{s:02}",
                if space { ' ' } else { 'T' }
            );
            if !fraction.is_empty() {
                text.push_str(&format!(".{fraction}"));
            }
            match offset {
                Some(0) if z => text.push('Z'),
                Some(secs) => {
                    let sign = if secs < 0 { '-' } else { '+' };
                    text.push_str(&format!(
                        "{sign}{:02}:{:02}",
                        secs.abs() / 3600,
                        secs.abs() % 3600 / 60
                    ));
                }
                None => {}
            }
            (text, local, offset)
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn timestamps_are_read_exactly_or_refused(
        (text, local, offset) in timestamps(),
        default in prop::option::of(-12i32..=14),
    ) {
        let default = default.and_then(|h| FixedOffset::east_opt(h * 3600));
        let result = parse_timestamp_or(&text, default);
        let zone = offset.and_then(FixedOffset::east_opt).or(default);
        match zone {
            None => prop_assert!(result.unwrap_err().starts_with("no UTC offset"), "{text}"),
            Some(_) if local.and_utc().timestamp_subsec_nanos() % 1000 != 0 => {
                prop_assert_eq!(result.unwrap_err(), "more precise than microseconds")
            }
            Some(zone) => {
                let t = result.unwrap();
                let expected = zone.from_local_datetime(&local).unwrap();
                prop_assert_eq!(t.utc, expected.to_utc(), "{}", text);
                prop_assert_eq!(t.offset, zone);
            }
        }
    }

    #[test]
    fn timestamps_with_a_character_cut_in_or_any_text_do_not_panic(
        text in prop_oneof![timestamps().prop_flat_map(|(t, ..)| cut_in(t)), text()],
        default in prop::option::of(Just(FixedOffset::east_opt(3600).unwrap())),
    ) {
        // chrono lets whitespace stand before a number; anything else beyond ASCII is refused,
        // and what is accepted reads as the same text without that whitespace.
        if let Ok(t) = parse_timestamp_or(&text, default) {
            let bare: String = text.chars().filter(|c| !c.is_whitespace() || *c == ' ').collect();
            prop_assert!(bare.is_ascii(), "{text:?} accepted");
            prop_assert_eq!(parse_timestamp_or(bare.trim(), default), Ok(t), "{:?}", text);
        }
    }

    #[test]
    fn offsets_are_sign_hours_colon_minutes(
        text in prop_oneof![
            (prop_oneof![Just('+'), Just('-')], 0u32..30, 0u32..100, prop::bool::ANY)
                .prop_map(|(s, h, m, pad)| if pad { format!("{s}{h:02}:{m:02}") } else { format!("{s}{h}:{m:02}") }),
            prop_oneof![Just("Z"), Just("z"), Just("UTC"), Just("utc")].prop_map(str::to_string),
            "[+-]?[0-9:+-]{0,7}",
            text(),
        ]
    ) {
        let expected = if ["z", "utc"].contains(&text.to_ascii_lowercase().as_str()) {
            Some(0)
        } else {
            text.strip_prefix(['+', '-'])
                .and_then(|rest| rest.split_once(':'))
                .filter(|(h, m)| {
                    (1..=2).contains(&h.len()) && m.len() == 2
                        && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
                })
                .and_then(|(h, m)| Some((h.parse::<i32>().ok()?, m.parse::<i32>().ok()?)))
                .filter(|(h, m)| *h <= 14 && *m <= 59)
                .map(|(h, m)| if text.starts_with('-') { -1 } else { 1 } * (h * 3600 + m * 60))
        };
        prop_assert_eq!(parse_offset(&text).ok().map(|o| o.local_minus_utc()), expected, "{:?}", text);
    }
}

/// Decimal numbers as people write them, boundaries included: (text, whole, fraction, mark).
fn numbers() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => ("-?", "[0-9]{0,17}", prop::option::of("[0-9]{0,8}"), prop_oneof![Just('.'), Just(',')])
            .prop_map(|(sign, whole, fraction, mark)| match fraction {
                Some(f) => format!("{sign}{whole}{mark}{f}"),
                None => format!("{sign}{whole}"),
            }),
        2 => prop::sample::select(vec![
            "0", "-0", "0.0", "1e3", "1E-2", "+1", "NaN", "inf", "-inf", "1_000", "1 000", "0x10",
            "999999999999999.999999", "1000000000000000", "-999999999999999.9999",
            "9223372036854775807", "18446744073709551616", "2147483648", "-2147483649",
            "0.000001", "0.0000001", "1,000.5", "1.000,5", ".5", "5.", "-", ".", "",
        ]).prop_map(str::to_string),
        1 => "[0-9]{1,6}\\.[0-9]{1,6}".prop_flat_map(cut_in),
        1 => text(),
    ]
}

/// The value a decimal `text` stands for under the rules shared by quantities and decimals:
/// `-`? digits (1 to 15) with an optional `.` (or `,` in `;` files, when there is no `.`) and
/// fraction digits; None when it breaks them. (sign, value, fraction digits)
fn decimal_value(text: &str, decimal_comma: bool) -> Option<(bool, BigDecimal, usize)> {
    let text = if decimal_comma && text.contains(',') && !text.contains('.') {
        text.replacen(',', ".", 1)
    } else {
        text.to_string()
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let ok = !whole.is_empty()
        && whole.len() <= 15
        && digits(whole)
        && digits(fraction)
        && !unsigned.ends_with('.');
    ok.then(|| {
        (
            negative,
            BigDecimal::from_str(&text).unwrap(),
            fraction.len(),
        )
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn quantities_are_positive_plain_decimals(text in numbers(), comma in prop::bool::ANY) {
        let expected = decimal_value(&text, comma).and_then(|(negative, value, scale)| {
            (!negative && scale <= 6 && value.sign() == Sign::Plus).then_some(value)
        });
        prop_assert_eq!(parse_quantity(&text, comma).ok(), expected, "{:?}", text);
    }

    #[test]
    fn signed_decimals_keep_their_scale_and_bounds(
        text in numbers(),
        comma in prop::bool::ANY,
        scale in 0usize..=6,
        (min, max) in prop::sample::select(vec![(-1e15, 1e15), (-100.0, 100.0), (0.0, 100.0)]),
    ) {
        let bound = |b: f64| BigDecimal::from_str(&b.to_string()).unwrap();
        let expected = decimal_value(&text, comma).and_then(|(_, value, digits)| {
            let inside = value >= bound(min) && value <= bound(max);
            (digits <= scale && inside).then_some(value)
        });
        prop_assert_eq!(parse_decimal(&text, comma, scale, min, max).ok(), expected, "{:?}", text);
    }

    #[test]
    fn units_are_the_rec20_codes_in_any_case(
        text in prop_oneof![
            prop::sample::select(UNITS.iter().map(|(c, _)| *c).collect::<Vec<_>>())
                .prop_flat_map(|c| prop::collection::vec(prop::bool::ANY, c.len())
                    .prop_map(move |upper| c.chars().zip(upper)
                        .map(|(ch, u)| if u { ch } else { ch.to_ascii_lowercase() }).collect::<String>())),
            "[A-Za-z0-9]{0,4}",
            text(),
        ]
    ) {
        let expected = UNITS.iter().map(|(c, _)| *c).find(|c| c.eq_ignore_ascii_case(&text));
        prop_assert_eq!(parse_unit(&text).ok(), expected);
    }
}
