//! GS1 Digital Link URIs on any domain, with short key names or a query string, made
//! canonical: `https://id.gs1.org`, numeric application identifiers, GTIN-14, no query, no
//! CPV, a serial in place of a lot; then checked against the canonical shapes the event hash
//! algorithm accepts.

use super::{units, DOMAIN};

/// Primary keys a Digital Link path may start with, by their short names too.
const KEYS: &[(&str, &str)] = &[
    ("01", "01"),
    ("gtin", "01"),
    ("8006", "8006"),
    ("itip", "8006"),
    ("8010", "8010"),
    ("cpid", "8010"),
    ("414", "414"),
    ("gln", "414"),
    ("417", "417"),
    ("party", "417"),
    ("8017", "8017"),
    ("gsrnp", "8017"),
    ("8018", "8018"),
    ("gsrn", "8018"),
    ("255", "255"),
    ("gcn", "255"),
    ("00", "00"),
    ("sscc", "00"),
    ("253", "253"),
    ("gdti", "253"),
    ("401", "401"),
    ("ginc", "401"),
    ("402", "402"),
    ("gsin", "402"),
    ("8003", "8003"),
    ("grai", "8003"),
    ("8004", "8004"),
    ("giai", "8004"),
];

/// Key qualifiers and data attributes by their short names.
const QUALIFIERS: &[(&str, &str)] = &[("cpv", "22"), ("lot", "10"), ("ser", "21")];

/// A Digital Link on any domain, with short names or a query string, made canonical.
pub(super) fn from_web_uri(uri: &str) -> Option<String> {
    let without_scheme = uri.split_once("://")?.1;
    let (_host, path) = without_scheme.split_once('/')?;
    let path = path.split(['?', '#']).next()?;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // The primary key: the first segment naming one, followed by a value starting with 4 digits.
    let start = segments.windows(2).position(|w| {
        KEYS.iter().any(|(name, _)| *name == w[0])
            && w[1].len() >= 4
            && w[1].bytes().take(4).all(|b| b.is_ascii_digit())
    })?;
    let ai = KEYS.iter().find(|(name, _)| *name == segments[start])?.1;
    let mut value = segments[start + 1].to_string();
    if ai == "01" {
        value = match value.len() {
            14 => value,
            13 => format!("0{value}"),
            12 => format!("00{value}"),
            8 => format!("000000{value}"),
            _ => return None,
        };
    }
    let mut qualifiers: Vec<(String, &str)> = Vec::new();
    for pair in segments[start + 2..].chunks(2) {
        let [name, v] = pair else { return None };
        let code = QUALIFIERS
            .iter()
            .find(|(short, _)| short == name)
            .map_or(*name, |(_, code)| *code);
        qualifiers.push((code.to_string(), v));
    }
    qualifiers.retain(|(code, _)| code != "22");
    if qualifiers.iter().any(|(c, _)| c == "21") {
        qualifiers.retain(|(code, _)| code != "10");
    }
    let mut dl = format!("{DOMAIN}/{ai}/{value}");
    for (code, v) in &qualifiers {
        dl.push_str(&format!("/{code}/{v}"));
    }
    valid_canonical(ai, &value, &qualifiers).then_some(dl)
}

/// The shapes of canonical Digital Link URIs the event hash algorithm accepts.
fn valid_canonical(ai: &str, value: &str, qualifiers: &[(String, &str)]) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    // At most `max` characters a Digital Link value may hold, a `%xx` escape counting as one.
    let chars = |s: &str, max: usize| {
        s.bytes().all(|b| b == b'%' || dl_char(b)) && units(s).is_some_and(|n| n <= max)
    };
    // `n` digits, then at most `max` characters (cut by characters: the value is the file's).
    let keyed = |s: &str, n: usize, max: usize| {
        s.split_at_checked(n)
            .is_some_and(|(key, rest)| digits(key, n) && chars(rest, max))
    };
    let qualifier = |codes: &[&str]| -> bool {
        match qualifiers {
            [] => codes.is_empty() || codes.contains(&""),
            [(code, v)] => codes
                .iter()
                .any(|c| *c == code && chars(v, if *c == "235" { 28 } else { 20 })),
            _ => false,
        }
    };
    match ai {
        "00" => digits(value, 18) && qualifiers.is_empty(),
        "01" => digits(value, 14) && qualifier(&["", "21", "10", "235"]),
        "253" => keyed(value, 13, 17) && qualifiers.is_empty(),
        "255" => {
            value.len() <= 25
                && value.get(..13).is_some_and(|key| digits(key, 13))
                && value.bytes().all(|b| b.is_ascii_digit())
                && qualifiers.is_empty()
        }
        "401" => chars(value, 30) && qualifiers.is_empty(),
        "402" => digits(value, 17) && qualifiers.is_empty(),
        "414" => digits(value, 13) && qualifier(&["", "254"]),
        "417" => digits(value, 13) && qualifiers.is_empty(),
        "8003" => keyed(value, 14, 16) && qualifiers.is_empty(),
        "8004" => chars(value, 30) && qualifiers.is_empty(),
        "8006" => digits(value, 18) && qualifier(&["", "21", "10"]),
        "8010" => {
            value.len() <= 30
                && value.bytes().all(|b| {
                    b == b'#'
                        || b == b'-'
                        || b == b'/'
                        || b.is_ascii_digit()
                        || b.is_ascii_uppercase()
                })
                && match qualifiers {
                    [] => true,
                    [(code, v)] => {
                        code == "8011" && v.len() <= 12 && v.bytes().all(|b| b.is_ascii_digit())
                    }
                    _ => false,
                }
        }
        "8017" | "8018" => digits(value, 18) && qualifiers.is_empty(),
        _ => false,
    }
}

/// Characters a canonical Digital Link value may hold (GS1 AI encodable set 82, URI-safe part).
fn dl_char(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'-' | b'.' | b'0'..=b'9' | b';'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

/// Whether `uri` is on GS1's resolver, `id.gs1.org`: there, a URI claims to be a GS1 Digital
/// Link, so one that does not convert is a broken identifier rather than a company's own.
pub(crate) fn on_gs1_resolver(uri: &str) -> bool {
    let Some(rest) = ["https://", "http://"]
        .iter()
        .find_map(|scheme| uri.trim().strip_prefix(scheme))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host.eq_ignore_ascii_case("id.gs1.org")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found in issue 10: values ending in a multi-byte character were cut inside it.
    #[test]
    fn digital_links_ending_in_a_multibyte_character_do_not_convert() {
        for uri in [
            "https://id.gs1.org/253/401234500005é",
            "https://id.gs1.org/255/401234500005é",
            "https://id.gs1.org/8003/0401234555555é",
            "https://id.gs1.org/01/0401234511111é",
            "https://id.gs1.org/é",
        ] {
            assert_eq!(from_web_uri(uri), None, "{uri}");
        }
        assert_eq!(
            from_web_uri("https://example.com/253/4012345000054é9").as_deref(),
            None
        );
        assert!(on_gs1_resolver("https://ID.gs1.org/253/401234500005é"));
        assert!(!on_gs1_resolver("https://id.gs1.org.example.com/01/1"));
        assert!(!on_gs1_resolver("urn:epc:id:sgtin:4012345.011111.987"));
    }
}
