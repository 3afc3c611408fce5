//! Property tests of the formats' own code parsers, without a database: COFOG functions,
//! currencies, reporting periods, emission categories, List of Waste codes, waste operations
//! and the contact-detail check of names. `fuzz_cases(10_000)` cases each, against oracles
//! built here from the published lists (every spelling of every valid code is accepted as
//! that code; nothing else is).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;

use citytrace_importers::budget::cofog::{parse_cofog, COFOG};
use citytrace_importers::budget::parse_currency;
use citytrace_importers::cells::contact_details;
use citytrace_importers::emissions::period::parse_period;
use citytrace_importers::emissions::{parse_category, SCOPE1_CATEGORIES};
use citytrace_importers::waste::codes::{parse_ewc, parse_operation};
use citytrace_importers::waste::list::LIST_OF_WASTE;
use citytrace_schema::testing::fuzz_cases;

use super::fuzz::{cut_in, text};

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(fuzz_cases(10_000))
}

/// Every accepted spelling of every COFOG code: `05`, `5`; `05.1`, `5.1`, `051`.
fn cofog_spellings() -> &'static HashMap<String, &'static str> {
    static SPELLINGS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    SPELLINGS.get_or_init(|| {
        let mut spellings = HashMap::new();
        for (code, _) in COFOG {
            let (division, group) = code.split_once('.').unwrap_or((code, ""));
            let short = division.trim_start_matches('0');
            for d in [division, short] {
                match group {
                    "" => spellings.insert(d.to_string(), *code),
                    g => spellings.insert(format!("{d}.{g}"), *code),
                };
            }
            if !group.is_empty() {
                spellings.insert(format!("{division}{group}"), *code);
            }
        }
        spellings
    })
}

/// Every List of Waste entry: (six digits, hazardous).
fn waste_entries() -> &'static [(String, bool)] {
    static ENTRIES: OnceLock<Vec<(String, bool)>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        LIST_OF_WASTE
            .iter()
            .flat_map(|(sub, entries)| {
                entries.split(' ').map(move |e| match e.strip_suffix('*') {
                    Some(e) => (format!("{sub}{e}"), true),
                    None => (format!("{sub}{e}"), false),
                })
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cofog_codes_are_accepted_in_every_spelling_and_nothing_else(
        text in prop_oneof![
            prop::sample::select(cofog_spellings().keys().cloned().collect::<Vec<_>>()),
            "[0-9]{1,3}(\\.[0-9]{0,2})?",
            "[0-9]{2,3}".prop_flat_map(cut_in),
            "[0-9]{1,2}\\.[0-9]".prop_flat_map(cut_in),
            text(),
        ]
    ) {
        let expected = cofog_spellings().get(&text).copied();
        prop_assert_eq!(parse_cofog(&text).ok(), expected, "{:?}", text);
    }

    #[test]
    fn currencies_are_three_letters(text in prop_oneof!["[A-Za-z]{3}", "[A-Za-z0-9]{0,5}", text()]) {
        let expected = (text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| text.to_ascii_uppercase());
        prop_assert_eq!(parse_currency(&text).ok(), expected);
    }
}

/// A period written from its kind and parts: (text, first day, last day) or an invalid shape.
fn periods() -> impl Strategy<Value = (String, Option<(NaiveDate, NaiveDate)>)> {
    let day = (1900i32..2200, 1u32..=12, 1u32..=31);
    prop_oneof![
        (1000i32..=9999).prop_map(|y| (format!("{y}"), Some((ymd(y, 1, 1), ymd(y, 12, 31))))),
        (1000i32..=9999, 0u32..=6, prop::bool::ANY).prop_map(|(y, q, lower)| {
            let text = format!("{y}-{}{q}", if lower { 'q' } else { 'Q' });
            let range = (1..=4)
                .contains(&q)
                .then(|| (ymd(y, 3 * q - 2, 1), last_day(y, 3 * q)));
            (text, range)
        }),
        (1000i32..=9999, 0u32..=13).prop_map(|(y, m)| {
            let range = (1..=12)
                .contains(&m)
                .then(|| (ymd(y, m, 1), last_day(y, m)));
            (format!("{y}-{m:02}"), range)
        }),
        day.clone().prop_map(|(y, m, d)| {
            let date = NaiveDate::from_ymd_opt(y, m, d);
            (format!("{y}-{m:02}-{d:02}"), date.map(|d| (d, d)))
        }),
        (day.clone(), day).prop_map(|((y1, m1, d1), (y2, m2, d2))| {
            let (a, b) = (
                NaiveDate::from_ymd_opt(y1, m1, d1),
                NaiveDate::from_ymd_opt(y2, m2, d2),
            );
            let text = format!("{y1}-{m1:02}-{d1:02}/{y2}-{m2:02}-{d2:02}");
            (text, a.zip(b).filter(|(a, b)| a <= b))
        }),
    ]
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn last_day(y: i32, m: u32) -> NaiveDate {
    let next = if m == 12 {
        ymd(y + 1, 1, 1)
    } else {
        ymd(y, m + 1, 1)
    };
    next.pred_opt().unwrap()
}

/// The List of Waste entry `text` names: six digits, or three pairs with a space between,
/// then `*` (spaces before it allowed) exactly when the entry is hazardous.
fn ewc_entry(text: &str) -> Option<(String, bool)> {
    let (body, star) = match text.trim_end().strip_suffix('*') {
        Some(body) => (body.trim_end(), true),
        None => (text, false),
    };
    let pairs: Vec<&str> = body.split(' ').collect();
    let code = match pairs.as_slice() {
        [six] if six.len() == 6 => six.to_string(),
        [a, b, c] if [a, b, c].iter().all(|p| p.len() == 2) => format!("{a}{b}{c}"),
        _ => return None,
    };
    waste_entries()
        .iter()
        .find(|(c, hazardous)| *c == code && *hazardous == star)
        .cloned()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn periods_are_read_as_their_first_and_last_day((text, range) in periods()) {
        let read = parse_period(&text).ok().map(|p| (p.start, p.end));
        prop_assert_eq!(read, range, "{:?}", text);
    }

    #[test]
    fn periods_with_a_character_cut_in_or_any_text_do_not_panic(
        text in prop_oneof![
            periods().prop_flat_map(|(t, _)| cut_in(t)),
            "[0-9]{4}-[0-9Qq]?".prop_flat_map(cut_in),
            text(),
        ]
    ) {
        if let Ok(p) = parse_period(&text) {
            prop_assert!(p.start <= p.end, "{:?}", text);
        }
    }

    #[test]
    fn categories_belong_to_their_scope(
        scope in prop_oneof![1i64..=3, any::<i64>()],
        text in prop::option::of(prop_oneof![
            prop::sample::select(SCOPE1_CATEGORIES.to_vec()).prop_map(str::to_string),
            prop::sample::select(vec!["location", "Market-Based", "location based", "market"]).prop_map(str::to_string),
            (0u32..20).prop_map(|n| n.to_string()),
            text(),
        ]),
    ) {
        let result = parse_category(scope, text.as_deref());
        match (scope, &result) {
            (1, Ok(Some(c))) => prop_assert!(SCOPE1_CATEGORIES.contains(&c.as_str())),
            (2, Ok(Some(c))) => prop_assert!(c == "location_based" || c == "market_based"),
            (3, Ok(Some(c))) => prop_assert!(c.parse::<u8>().is_ok_and(|n| (1..=15).contains(&n))),
            (1..=3, Ok(None)) => prop_assert!(scope == 1 && text.is_none()),
            (1..=3, Err(_)) => {}
            (_, other) => prop_assert_eq!(other, &Ok(None), "scopes are checked before"),
        }
    }

    #[test]
    fn waste_codes_are_list_entries_with_their_own_asterisk(
        text in prop_oneof![
            (prop::sample::select(waste_entries().to_vec()), 0usize..4, prop::bool::ANY).prop_map(|((code, _), spelling, star)| {
                let spaced = format!("{} {} {}", &code[..2], &code[2..4], &code[4..]);
                let body = if spelling % 2 == 0 { code.clone() } else { spaced };
                let mark = match (star, spelling / 2) { (false, _) => "", (true, 0) => "*", (true, _) => " *" };
                format!("{body}{mark}")
            }),
            "[0-9]{6}\\*?",
            text(),
            "[0-9]{2} [0-9]{2} [0-9]{2}".prop_flat_map(cut_in),
        ]
    ) {
        let read = parse_ewc(&text).ok().map(|e| (e.code, e.hazardous));
        prop_assert_eq!(read, ewc_entry(&text), "{:?}", text);
    }

    #[test]
    fn waste_operations_are_r1_to_r13_and_d1_to_d15(
        text in prop_oneof!["[RrDdXx] ?[0-9]{0,3}", text()]
    ) {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let expected = compact
            .split_at_checked(1)
            .filter(|(_, n)| (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|(letter, n)| {
                let n: u8 = n.parse().ok()?;
                match letter {
                    "R" | "r" if (1..=13).contains(&n) => Some(format!("R{n}")),
                    "D" | "d" if (1..=15).contains(&n) => Some(format!("D{n}")),
                    _ => None,
                }
            });
        prop_assert_eq!(parse_operation(&text).ok(), expected, "{:?}", text);
    }

    #[test]
    fn contact_details_are_found_in_any_text(
        text in prop_oneof![
            "[a-z.]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}",
            "\\+[0-9]{2} [0-9]{2} [0-9]{3} [0-9]{4}",
            text(),
        ]
    ) {
        let found = contact_details(&text);
        if text.contains('@') && found.is_none() {
            let looks_like = text.split_whitespace().any(|w| {
                w.split_once('@').is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !u.contains([',', ';', '<', '>']) && !d.contains([',', ';', '<', '>']))
            });
            prop_assert!(!looks_like, "{:?}", text);
        }
        if text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            let separated = text.trim().contains([' ', '+', '(']);
            prop_assert_eq!(found.is_some(), separated && (8..=15).contains(&digits), "{:?}", text);
        }
    }
}
