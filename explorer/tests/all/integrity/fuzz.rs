//! What the fuzz tests through the real app share: a seeded generator of hostile text, path
//! segments and query strings, and the check that an answer is never broken.

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

pub use citytrace_explorer::testing::{character, text};

use crate::upload_support::Reply;

/// How many cases a full-request fuzz test runs per route (or per form): `default`, or
/// `CITYTRACE_FUZZ_CASES` when set.
pub fn cases(default: u32) -> u32 {
    citytrace_explorer::testing::fuzz_cases(default)
}

/// A generator seeded from `CITYTRACE_FUZZ_SEED` (to replay a failure) or at random; the seed
/// is printed so that a failure can be replayed.
pub fn generator(name: &str) -> SmallRng {
    let seed = std::env::var("CITYTRACE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("{name}: CITYTRACE_FUZZ_SEED={seed}");
    SmallRng::seed_from_u64(seed)
}

const SHAPES: &[&str] = &[
    "0",
    "-1",
    "1",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "1e400",
    "NaN",
    "-inf",
    "2026-02-30",
    "+10000-01-01",
    "2026-03-31",
    "0x",
    "0xabc",
    "..",
    ".",
    "%2F",
    "%00",
    "%FF",
    "%C3%A9",
    "%E2%80%AE",
    "csv",
    "json",
    "html",
    "back",
    "month",
    "true",
    "maybe",
    "desc",
];

/// A value: hostile text, a number at a boundary, a shape a parser expects, or long text.
pub fn value(rng: &mut SmallRng) -> String {
    match rng.random_range(0..8) {
        0..=3 => text(rng, 20),
        4 | 5 => SHAPES.choose(rng).copied().unwrap_or("0").to_string(),
        6 => rng.random::<i64>().to_string(),
        _ => text(rng, 400),
    }
}

/// Percent-encoded, or (when the generator says so, and the text allows it in a URI) raw.
pub fn encoded(rng: &mut SmallRng, text: &str) -> String {
    // Raw: text without characters a URI cannot carry as they are, and `%` only as an escape
    // (`%00`, `%FF`, … are what the generator wants to send raw).
    let escapes_ok = text
        .split('%')
        .skip(1)
        .all(|rest| rest.len() >= 2 && rest.bytes().take(2).all(|b| b.is_ascii_hexdigit()));
    let raw_ok = escapes_ok
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"#?&=/\"<>\\^`{|}".contains(&b));
    if raw_ok && rng.random() {
        text.to_string()
    } else {
        citytrace_explorer::listing::query::encode(text)
    }
}

/// A query string: `keys` and random keys with values, repeated, in any order.
pub fn query(rng: &mut SmallRng, keys: &[String]) -> String {
    let pairs = rng.random_range(0..6);
    (0..pairs)
        .map(|_| {
            let key = match keys.choose(rng) {
                Some(key) if rng.random_range(0..4) > 0 => key.clone(),
                _ => text(rng, 10),
            };
            let value = value(rng);
            format!("{}={}", encoded(rng, &key), encoded(rng, &value))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The answer is never broken: no 5xx, and a refusal is the error page (or under `/api` the
/// JSON error body with the same status).
pub fn assert_answered(what: &str, path: &str, reply: &Reply) {
    assert!(
        !reply.status.is_server_error(),
        "{what}: {} {}",
        reply.status,
        reply.body.chars().take(2000).collect::<String>()
    );
    let content_type = reply.header("content-type").unwrap_or_default();
    assert!(
        !content_type.starts_with("text/plain"),
        "{what}: {content_type}"
    );
    if !reply.status.is_client_error() {
        return;
    }
    if path.starts_with("/api/") {
        let body: serde_json::Value = serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", reply.body));
        let status = body["status"]
            .as_u64()
            .map(|s| s == u64::from(reply.status.as_u16()));
        // The upload API's own refusals are {"error": "<message>"}, and a file's problems
        // {"outcome": "invalid", "errors": [{"line": …}, …]}.
        let problems = body["outcome"] == "invalid" && body["errors"][0]["line"].is_u64();
        assert!(
            status.unwrap_or(true) && (body["error"].is_string() || problems),
            "{what}: {body}"
        );
    } else {
        assert!(
            content_type.starts_with("text/html"),
            "{what}: {content_type}"
        );
        assert!(
            reply
                .body
                .contains(&format!("Error {}", reply.status.as_u16()))
                || reply.status == actix_web::http::StatusCode::UNAUTHORIZED,
            "{what}: {}",
            reply.body
        );
    }
}
