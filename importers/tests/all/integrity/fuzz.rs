//! What the property tests feed the parsers: random Unicode, the characters that broke parsers
//! before (multi-byte ones at cut points, NUL, invisible spaces), and valid values with one of
//! them cut in.

use proptest::prelude::*;

/// Characters of one to four bytes, and combining or invisible ones.
pub const MULTIBYTE: &[char] = &[
    'é',
    '€',
    '😀',
    '\u{a0}',
    '\u{feff}',
    '\u{200b}',
    '\u{301}',
    '\u{10ffff}',
    'Ω',
    '１',
];

/// Pieces that mean something to some parser.
const PIECES: &[&str] = &[
    "é", "€", "😀", "\0", "\u{a0}", " ", "\t", "-", ".", ",", ":", "/", "*", "0", "1", "9", "Q",
    "T", "Z", "+", "R", "D", "@", "17", "2026", "04.5",
];

/// Any text: random Unicode, printable ASCII, or meaningful pieces run together.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        prop::collection::vec(prop::sample::select(PIECES), 0..10).prop_map(|p| p.concat()),
    ]
}

/// `value` with a multi-byte character inserted at, or replacing the character at, any
/// character position.
pub fn cut_in(value: String) -> impl Strategy<Value = String> {
    let len = value.chars().count();
    (0..=len, prop::sample::select(MULTIBYTE), prop::bool::ANY).prop_map(move |(at, c, replace)| {
        let mut chars: Vec<char> = value.chars().collect();
        if replace && at < chars.len() {
            chars[at] = c;
        } else {
            chars.insert(at, c);
        }
        chars.into_iter().collect()
    })
}
