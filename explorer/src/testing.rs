//! What the explorer's tests share with its unit tests (feature `testing`, on for the tests).

/// How many cases each property test runs: `default`, or `CITYTRACE_FUZZ_CASES` when set (a
/// longer run on demand: `CITYTRACE_FUZZ_CASES=1000000 cargo test --workspace …`). The one
/// reader of that variable for the whole workspace.
pub use citytrace_schema::testing::fuzz_cases;

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::Rng;

/// Characters that break parsers more often than most.
const SPECIAL: &[char] = &[
    '\0',
    '%',
    '&',
    '=',
    '+',
    '?',
    '#',
    ' ',
    '\t',
    '\n',
    '\r',
    '"',
    '\'',
    '<',
    '>',
    '\\',
    '/',
    '.',
    'é',
    '€',
    '\u{202e}',
    '\u{200b}',
    '\u{FFFD}',
    '\u{1F600}',
    '\u{10FFFF}',
];

/// Any character: mostly printable ASCII, often a special one, sometimes any code point. What
/// the explorer's fuzz tests (in the crate and through the real app) feed every parser.
pub fn character(rng: &mut SmallRng) -> char {
    match rng.random_range(0..4) {
        0 | 1 => char::from(rng.random_range(0x20u8..0x7f)),
        2 => *SPECIAL.choose(rng).unwrap_or(&'x'),
        _ => char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('\u{FFFD}'),
    }
}

/// Up to `max` characters of [`character`].
pub fn text(rng: &mut SmallRng, max: usize) -> String {
    let len = rng.random_range(0..=max);
    (0..len).map(|_| character(rng)).collect()
}
