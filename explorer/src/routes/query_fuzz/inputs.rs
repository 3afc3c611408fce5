//! The inputs of the query fuzz tests, drawn from a seeded generator (fast enough for tens of
//! thousands of cases in a debug build; proptest runs them, keeps the seed of a failure and
//! prints the input).

use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

pub use crate::testing::text;

use crate::listing::{FilterKind, ListDef};

/// Inputs made by `make` from a seed proptest draws.
pub fn generated<T: std::fmt::Debug>(
    make: impl Fn(&mut SmallRng) -> T,
) -> impl Strategy<Value = T> {
    any::<u64>().prop_map(move |seed| make(&mut SmallRng::seed_from_u64(seed)))
}

/// Values parsers take for numbers, dates, hashes, choices.
const SHAPES: &[&str] = &[
    "0",
    "-1",
    "1",
    "-0",
    "+1",
    " 7 ",
    "4294967295",
    "4294967296",
    "1000001",
    "1000000",
    "18446744073709551616",
    "1e400",
    "NaN",
    "inf",
    "-inf",
    "1.5",
    "0x10",
    "2026-02-30",
    "2026-13-01",
    "+10000-01-01",
    "2026-03-31",
    "0xabc",
    "0xab",
    "0x",
    "asc",
    "desc",
    "csv",
    "json",
    "html",
    "CSV",
    "month",
    "quarter",
    "year",
    "back",
    "forward",
    "true",
    "false",
    "yes",
];

pub fn value(rng: &mut SmallRng) -> String {
    match rng.random_range(0..9) {
        0..=2 => text(rng, 24),
        3 | 4 => {
            let len = rng.random_range(0..=25);
            (0..len)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect()
        }
        5 | 6 => SHAPES.choose(rng).copied().unwrap_or("0").to_string(),
        7 => rng.random::<i64>().to_string(),
        _ => f64::from_bits(rng.random()).to_string(),
    }
}

/// `text` percent-encoded, or as it is (`&`, `=` and `%` included).
pub fn written(text: &str, encode: bool) -> String {
    if encode {
        crate::listing::query::encode(text)
    } else {
        text.to_string()
    }
}

/// A raw query string: the parser's keys (or any) with values, encoded or raw, repeated, in
/// any order; or any text; or percent-encoded random bytes.
pub fn raw_query(rng: &mut SmallRng, keys: &[&str]) -> String {
    match rng.random_range(0..10) {
        0 => text(rng, 60),
        1 => {
            let len = rng.random_range(0..60);
            (0..len)
                .map(|_| format!("%{:02X}", rng.random::<u8>()))
                .collect()
        }
        _ => {
            let pairs = rng.random_range(0..8);
            (0..pairs)
                .map(|_| {
                    let key = if rng.random_range(0..5) == 0 {
                        text(rng, 12)
                    } else {
                        keys.choose(rng).copied().unwrap_or("q").to_string()
                    };
                    let value = value(rng);
                    let encode = rng.random::<bool>();
                    format!("{}={}", written(&key, encode), written(&value, encode))
                })
                .collect::<Vec<_>>()
                .join("&")
        }
    }
}

/// A value of a filter's kind that the list accepts.
pub fn valid_filter_value(rng: &mut SmallRng, kind: FilterKind) -> String {
    match kind {
        FilterKind::Text => loop {
            let value = text(rng, 60).replace('\0', "").trim().to_string();
            if !value.is_empty() && value.len() <= 200 {
                return value;
            }
        },
        FilterKind::Choice(options) => options
            .choose(rng)
            .map(|(v, _)| v.to_string())
            .unwrap_or_default(),
        FilterKind::Date => format!(
            "{:04}-{:02}-{:02}",
            rng.random_range(1..=9999),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        ),
        FilterKind::Number => rng.random_range(-1e12..1e12f64).to_string(),
        FilterKind::Hash => {
            let len = rng.random_range(1..32);
            let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            format!("0x{}", hex::encode(bytes))
        }
    }
}

/// A valid query of a list: what it asks, and the text that asks it.
#[derive(Debug)]
pub struct ValidListQuery {
    pub page: u32,
    pub per_page: u32,
    pub sort: &'static str,
    pub descending: bool,
    pub format: &'static str,
    pub filters: Vec<(&'static str, String)>,
    pub raw: String,
}

pub fn valid_list_query(rng: &mut SmallRng, def: &ListDef) -> ValidListQuery {
    let sortable: Vec<&'static str> = def
        .columns
        .iter()
        .filter(|c| c.sortable)
        .map(|c| c.key)
        .collect();
    let mut query = ValidListQuery {
        page: rng.random_range(1..=1_000_000),
        per_page: rng.random_range(1..=500),
        sort: sortable.choose(rng).copied().unwrap_or(def.default_sort.0),
        descending: rng.random(),
        format: ["html", "json", "csv"]
            .choose(rng)
            .copied()
            .unwrap_or("html"),
        filters: Vec::new(),
        raw: String::new(),
    };
    for filter in def.filters {
        if rng.random() {
            let value = valid_filter_value(rng, filter.kind);
            query.filters.push((filter.key, value));
        }
    }
    let mut pairs = vec![
        ("page", query.page.to_string()),
        ("per_page", query.per_page.to_string()),
        ("sort", query.sort.to_string()),
        (
            "dir",
            if query.descending { "desc" } else { "asc" }.to_string(),
        ),
        ("format", query.format.to_string()),
    ];
    pairs.extend(query.filters.iter().map(|(k, v)| (*k, v.clone())));
    query.raw = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", written(k, true), written(v, true)))
        .collect::<Vec<_>>()
        .join("&");
    query
}
