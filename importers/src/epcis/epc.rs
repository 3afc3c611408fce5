//! GS1 identifiers in EPCIS: EPC URIs (`urn:epc:id:…`), EPC class URIs (`urn:epc:class:lgtin:…`),
//! EPC pattern URIs (`urn:epc:idpat:…`) and GS1 Digital Link URIs, all turned into the
//! constrained canonical GS1 Digital Link URI of CBV 2.0 (rules 17 and 18 of the event hash
//! algorithm): domain `https://id.gs1.org`, numeric application identifiers, GTINs of 14 digits,
//! no query string, only the finest level of identification (a serial wins over a lot).

mod web;

use crate::gs1::check_digit;
use web::from_web_uri;
pub(crate) use web::on_gs1_resolver;

const DOMAIN: &str = "https://id.gs1.org";

/// The canonical Digital Link URI of a GS1 identifier, or None when `text` is not one.
pub(crate) fn digital_link(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("urn:epc:id:") {
        from_epc_uri(rest)
    } else if let Some(rest) = text.strip_prefix("urn:epc:class:lgtin:") {
        let [cp, item, lot] = split::<3>(rest)?;
        Some(format!(
            "{DOMAIN}/01/{}/10/{}",
            gtin(cp, item)?,
            encode(serial(lot, 20)?)
        ))
    } else if let Some(rest) = text.strip_prefix("urn:epc:idpat:") {
        from_pattern_uri(rest)
    } else if text.starts_with("https://") || text.starts_with("http://") {
        from_web_uri(text)
    } else {
        None
    }
}

/// Whether `text` claims to be a GS1 EPC URI (and should therefore convert).
pub(crate) fn is_gs1_epc_uri(text: &str) -> bool {
    const SCHEMES: &[&str] = &[
        "urn:epc:id:sgtin:",
        "urn:epc:id:sscc:",
        "urn:epc:id:sgln:",
        "urn:epc:id:grai:",
        "urn:epc:id:giai:",
        "urn:epc:id:gsrn:",
        "urn:epc:id:gsrnp:",
        "urn:epc:id:gdti:",
        "urn:epc:id:cpi:",
        "urn:epc:id:sgcn:",
        "urn:epc:id:ginc:",
        "urn:epc:id:gsin:",
        "urn:epc:id:itip:",
        "urn:epc:id:upui:",
        "urn:epc:id:pgln:",
        "urn:epc:class:lgtin:",
    ];
    SCHEMES.iter().any(|s| text.trim().starts_with(s))
}

/// A trade item named by a canonical Digital Link URI: its GTIN-14 and, when it names a lot or
/// a serialised item, that lot or serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TradeItem {
    Lot { gtin: String, lot: String },
    Serial { gtin: String, serial: String },
}

impl TradeItem {
    pub fn gtin(&self) -> &str {
        match self {
            Self::Lot { gtin, .. } | Self::Serial { gtin, .. } => gtin,
        }
    }
}

/// The lot (LGTIN) or item (SGTIN) a canonical Digital Link URI names, if it names one.
pub(crate) fn trade_item(dl: &str) -> Option<TradeItem> {
    let rest = dl.strip_prefix(DOMAIN)?.strip_prefix("/01/")?;
    let (gtin, rest) = rest.split_at_checked(14)?;
    if !gtin.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(lot) = rest.strip_prefix("/10/") {
        return Some(TradeItem::Lot {
            gtin: gtin.into(),
            lot: lot.into(),
        });
    }
    rest.strip_prefix("/21/").map(|serial| TradeItem::Serial {
        gtin: gtin.into(),
        serial: serial.into(),
    })
}

/// The GLN and extension (AI 254) a canonical Digital Link URI of a location names.
pub(crate) fn location(dl: &str) -> Option<(String, Option<String>)> {
    let rest = dl.strip_prefix(DOMAIN)?.strip_prefix("/414/")?;
    let (gln, rest) = rest.split_at_checked(13)?;
    match rest {
        "" => Some((gln.into(), None)),
        _ => rest
            .strip_prefix("/254/")
            .map(|ext| (gln.into(), Some(ext.into()))),
    }
}

/// Why the check digit of the GS1 key in a canonical Digital Link URI is wrong, if it is.
/// (Keys converted from EPC URIs get a computed check digit; Digital Links carry their own.)
pub(crate) fn check_digit_problem(dl: &str) -> Option<String> {
    let rest = dl.strip_prefix(DOMAIN)?;
    let (name, key) = [
        ("GTIN", "/01/", 14),
        ("SSCC", "/00/", 18),
        ("GLN", "/414/", 13),
        ("GLN", "/417/", 13),
    ]
    .into_iter()
    .find_map(|(name, ai, len)| Some((name, rest.strip_prefix(ai)?.get(..len)?)))?;
    let (data, check) = key.split_at(key.len() - 1);
    let expected = check_digit(data)?;
    (check != expected.to_string())
        .then(|| format!("{name} {key} has check digit {check}, expected {expected}"))
}

fn from_epc_uri(rest: &str) -> Option<String> {
    let (scheme, rest) = rest.split_once(':')?;
    match scheme {
        "sgtin" => {
            let [cp, item, ser] = split::<3>(rest)?;
            Some(format!(
                "{DOMAIN}/01/{}/21/{}",
                gtin(cp, item)?,
                encode(serial(ser, 20)?)
            ))
        }
        "sscc" => {
            let [cp, serial_ref] = split::<2>(rest)?;
            let (ext, rest) = digits_total(cp, serial_ref, 17)?.split_at(1);
            Some(format!(
                "{DOMAIN}/00/{}",
                with_check(&format!("{ext}{cp}{rest}"))
            ))
        }
        "sgln" => {
            let [cp, loc, ext] = split::<3>(rest)?;
            let gln = with_check(&format!("{cp}{}", digits_total(cp, loc, 12)?));
            match serial(ext, 20)? {
                "0" => Some(format!("{DOMAIN}/414/{gln}")),
                ext => Some(format!("{DOMAIN}/414/{gln}/254/{}", encode(ext))),
            }
        }
        "grai" => {
            let [cp, asset, ser] = split::<3>(rest)?;
            let key = with_check(&format!("0{cp}{}", digits_total(cp, asset, 12)?));
            Some(format!("{DOMAIN}/8003/{key}{}", encode(serial(ser, 16)?)))
        }
        "giai" => {
            let [cp, asset] = split::<2>(rest)?;
            company_prefix(cp)?;
            Some(format!(
                "{DOMAIN}/8004/{cp}{}",
                encode(serial(asset, 30 - cp.len())?)
            ))
        }
        "gsrn" | "gsrnp" => {
            let [cp, service] = split::<2>(rest)?;
            let key = with_check(&format!("{cp}{}", digits_total(cp, service, 17)?));
            let ai = if scheme == "gsrn" { "8018" } else { "8017" };
            Some(format!("{DOMAIN}/{ai}/{key}"))
        }
        "gdti" => {
            let [cp, kind, ser] = split::<3>(rest)?;
            let key = with_check(&format!("{cp}{}", digits_total(cp, kind, 12)?));
            Some(format!("{DOMAIN}/253/{key}{}", encode(serial(ser, 17)?)))
        }
        "sgcn" => {
            // A coupon's serial component is up to 12 digits (AI 255 is N13 + N..12), unlike
            // a document's, which may hold any of the 82 characters.
            let [cp, kind, ser] = split::<3>(rest)?;
            let key = with_check(&format!("{cp}{}", digits_total(cp, kind, 12)?));
            let numeric = (1..=12).contains(&ser.len()) && ser.bytes().all(|b| b.is_ascii_digit());
            numeric.then(|| format!("{DOMAIN}/255/{key}{ser}"))
        }
        "cpi" => {
            let (head, ser) = rest.rsplit_once('.')?;
            let (cp, part) = head.split_once('.')?;
            if ser.is_empty() || ser.len() > 12 || !ser.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(format!("{DOMAIN}/8010/{}/8011/{ser}", cpi(cp, part)?))
        }
        "ginc" => {
            let [cp, consignment] = split::<2>(rest)?;
            company_prefix(cp)?;
            Some(format!(
                "{DOMAIN}/401/{cp}{}",
                encode(serial(consignment, 30 - cp.len())?)
            ))
        }
        "gsin" => {
            let [cp, shipper] = split::<2>(rest)?;
            Some(format!(
                "{DOMAIN}/402/{}",
                with_check(&format!("{cp}{}", digits_total(cp, shipper, 16)?))
            ))
        }
        "itip" => {
            let [cp, item, piece, total, ser] = split::<5>(rest)?;
            let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
            if !two(piece) || !two(total) {
                return None;
            }
            Some(format!(
                "{DOMAIN}/8006/{}{piece}{total}/21/{}",
                gtin(cp, item)?,
                encode(serial(ser, 20)?)
            ))
        }
        "upui" => {
            let [cp, item, tpx] = split::<3>(rest)?;
            Some(format!(
                "{DOMAIN}/01/{}/235/{}",
                gtin(cp, item)?,
                encode(serial(tpx, 28)?)
            ))
        }
        "pgln" => {
            let [cp, party] = split::<2>(rest)?;
            Some(format!(
                "{DOMAIN}/417/{}",
                with_check(&format!("{cp}{}", digits_total(cp, party, 12)?))
            ))
        }
        _ => None,
    }
}

fn from_pattern_uri(rest: &str) -> Option<String> {
    let (scheme, rest) = rest.split_once(':')?;
    let body = rest.strip_suffix(".*")?;
    match scheme {
        "sgtin" | "upui" => {
            let [cp, item] = split::<2>(body)?;
            Some(format!("{DOMAIN}/01/{}", gtin(cp, item)?))
        }
        "grai" => {
            let [cp, asset] = split::<2>(body)?;
            Some(format!(
                "{DOMAIN}/8003/{}",
                with_check(&format!("0{cp}{}", digits_total(cp, asset, 12)?))
            ))
        }
        "gdti" | "sgcn" => {
            let [cp, kind] = split::<2>(body)?;
            let ai = if scheme == "gdti" { "253" } else { "255" };
            Some(format!(
                "{DOMAIN}/{ai}/{}",
                with_check(&format!("{cp}{}", digits_total(cp, kind, 12)?))
            ))
        }
        "itip" => {
            let [cp, item, piece, total] = split::<4>(body)?;
            Some(format!("{DOMAIN}/8006/{}{piece}{total}", gtin(cp, item)?))
        }
        "cpi" => {
            let (cp, part) = body.split_once('.')?;
            Some(format!("{DOMAIN}/8010/{}", cpi(cp, part)?))
        }
        _ => None,
    }
}

/// Split `text` at its first N-1 dots (the last part keeps any further dots).
fn split<const N: usize>(text: &str) -> Option<[&str; N]> {
    let mut parts = text.splitn(N, '.');
    let mut out = [""; N];
    for slot in &mut out {
        *slot = parts.next()?;
    }
    Some(out)
}

/// A component/part identifier (AI 8010): the company prefix and part reference, at most 30
/// digits, capitals and hyphens (`#` and `/`, which CPIs may also hold, cannot stand in a
/// Digital Link path unescaped and are not read).
fn cpi(cp: &str, part: &str) -> Option<String> {
    company_prefix(cp)?;
    let ok = !part.is_empty()
        && cp.len() + part.len() <= 30
        && part
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-');
    ok.then(|| format!("{cp}{part}"))
}

fn company_prefix(cp: &str) -> Option<()> {
    ((6..=12).contains(&cp.len()) && cp.bytes().all(|b| b.is_ascii_digit())).then_some(())
}

/// `part` when it is all digits and `cp` + `part` have `total` digits.
fn digits_total<'a>(cp: &str, part: &'a str, total: usize) -> Option<&'a str> {
    company_prefix(cp)?;
    (cp.len() + part.len() == total && part.bytes().all(|b| b.is_ascii_digit())).then_some(part)
}

/// The GTIN-14 of an SGTIN/LGTIN company prefix and item reference (whose first digit is the
/// indicator digit, moved to the front).
fn gtin(cp: &str, item: &str) -> Option<String> {
    let item = digits_total(cp, item, 13)?;
    let (indicator, rest) = item.split_at(1);
    Some(with_check(&format!("{indicator}{cp}{rest}")))
}

fn with_check(data: &str) -> String {
    format!("{data}{}", check_digit(data).unwrap_or_default())
}

/// A serial, lot or reference component: 1 to `max` characters, `%xx` escapes allowed.
fn serial(text: &str, max: usize) -> Option<&str> {
    let ok = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!'()*+,-.:;=_%\"".contains(&b))
        && units(text).is_some_and(|n| (1..=max).contains(&n));
    ok.then_some(text)
}

/// The characters of a serial, lot or reference, a `%xx` escape counting as one; None when a
/// `%` is not followed by two hexadecimal digits.
pub(super) fn units(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut i, mut n) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return None;
            }
            i += 3;
        } else {
            i += 1;
        }
        n += 1;
    }
    Some(n)
}

/// Percent-encode the characters GS1 Digital Link requires encoded in path values.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '!' => out.push_str("%21"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '*' => out.push_str("%2A"),
            '+' => out.push_str("%2B"),
            ',' => out.push_str("%2C"),
            ':' => out.push_str("%3A"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(text: &str) -> Option<String> {
        digital_link(text)
    }

    #[test]
    fn epc_uris_of_domain_md_become_their_digital_links() {
        assert_eq!(
            dl("urn:epc:id:sgtin:4012345.011111.987").as_deref(),
            Some("https://id.gs1.org/01/04012345111118/21/987")
        );
        assert_eq!(
            dl("urn:epc:class:lgtin:4012345.012345.998877").as_deref(),
            Some("https://id.gs1.org/01/04012345123456/10/998877")
        );
        assert_eq!(
            dl("urn:epc:id:sscc:4012345.0000000111").as_deref(),
            Some("https://id.gs1.org/00/040123450000001112")
        );
        assert_eq!(
            dl("urn:epc:id:sgln:4012345.00011.987").as_deref(),
            Some("https://id.gs1.org/414/4012345000115/254/987")
        );
        assert_eq!(
            dl("urn:epc:id:sgln:4012345.00011.0").as_deref(),
            Some("https://id.gs1.org/414/4012345000115")
        );
    }

    #[test]
    fn other_gs1_keys_convert_as_the_reference_examples_show() {
        assert_eq!(
            dl("urn:epc:id:giai:4000001.111").as_deref(),
            Some("https://id.gs1.org/8004/4000001111")
        );
        assert_eq!(
            dl("urn:epc:id:gdti:4012345.11111.123").as_deref(),
            Some("https://id.gs1.org/253/4012345111118123")
        );
        assert_eq!(
            dl("urn:epc:id:pgln:4012345.00000").as_deref(),
            Some("https://id.gs1.org/417/4012345000009")
        );
        assert_eq!(
            dl("urn:epc:id:pgln:0614141.00000").as_deref(),
            Some("https://id.gs1.org/417/0614141000005")
        );
        assert_eq!(
            dl("urn:epc:id:sgtin:0614141.011111.987").as_deref(),
            Some("https://id.gs1.org/01/00614141111114/21/987")
        );
        assert_eq!(
            dl("urn:epc:idpat:sgtin:4012345.066666.*").as_deref(),
            Some("https://id.gs1.org/01/04012345666663")
        );
        assert_eq!(
            dl("urn:epc:id:grai:4012345.55555.987").as_deref(),
            Some("https://id.gs1.org/8003/04012345555554987")
        );
        assert_eq!(
            dl("urn:epc:id:sgtin:4012345.011111.A(1)").as_deref(),
            Some("https://id.gs1.org/01/04012345111118/21/A%281%29")
        );
        assert_eq!(
            dl("urn:epc:id:gsrn:95252084.000000001"),
            Some("https://id.gs1.org/8018/952520840000000010".into())
        );
        assert_eq!(
            dl("urn:epc:id:sgtin:4012345.01111.987"),
            None,
            "13 digits in all"
        );
        assert_eq!(
            dl("urn:epc:id:sgcn:4012345.67890.04711").as_deref(),
            Some("https://id.gs1.org/255/401234567890104711"),
            "the Tag Data Standard's SGCN example, leading zero kept"
        );
        assert_eq!(dl("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), None);
        assert_eq!(dl("urn:epc:id:usdod:CAGEY.5678"), None);
    }

    /// Found by the property test `gs1_identifiers_never_panic_and_canonical_links_are_fixed_points`:
    /// a coupon serial with a character other than a digit made a Digital Link (`…/255/…%2A`)
    /// that did not read back.
    #[test]
    fn coupon_serials_are_up_to_twelve_digits() {
        assert_eq!(dl("urn:epc:id:sgcn:00000000.0000.*"), None);
        assert_eq!(dl("urn:epc:id:sgcn:4012345.67890.A1"), None);
        assert_eq!(dl("urn:epc:id:sgcn:4012345.67890.1234567890123"), None);
        assert_eq!(
            dl("urn:epc:id:sgcn:4012345.67890.123456789012").as_deref(),
            Some("https://id.gs1.org/255/4012345678901123456789012")
        );
    }

    #[test]
    fn digital_links_are_made_canonical() {
        assert_eq!(
            dl("https://example.com/gtin/4012345111118/ser/987?linkType=all").as_deref(),
            Some("https://id.gs1.org/01/04012345111118/21/987")
        );
        assert_eq!(
            dl("https://id.gs1.org/01/04012345111118/10/L1/21/987").as_deref(),
            Some("https://id.gs1.org/01/04012345111118/21/987")
        );
        assert_eq!(
            dl("https://id.gs1.org/01/04012345111118/22/V2/10/L1").as_deref(),
            Some("https://id.gs1.org/01/04012345111118/10/L1")
        );
        assert_eq!(
            dl("https://example.org/8004/401234599999").as_deref(),
            Some("https://id.gs1.org/8004/401234599999")
        );
        assert_eq!(
            dl("https://example.com/253/4012345000054987").as_deref(),
            Some("https://id.gs1.org/253/4012345000054987")
        );
        assert_eq!(dl("https://ref.gs1.org/cbv/BizStep-shipping"), None);
        assert_eq!(dl("http://transaction.acme.com/po/12345678"), None);
    }

    #[test]
    fn trade_items_locations_and_check_digits() {
        assert_eq!(
            trade_item("https://id.gs1.org/01/04012345111118/21/987"),
            Some(TradeItem::Serial {
                gtin: "04012345111118".into(),
                serial: "987".into()
            })
        );
        assert_eq!(
            trade_item("https://id.gs1.org/01/04012345123456/10/998877"),
            Some(TradeItem::Lot {
                gtin: "04012345123456".into(),
                lot: "998877".into()
            })
        );
        assert_eq!(trade_item("https://id.gs1.org/01/04012345666663"), None);
        assert_eq!(
            location("https://id.gs1.org/414/4012345000115/254/987"),
            Some(("4012345000115".into(), Some("987".into())))
        );
        assert_eq!(
            location("https://id.gs1.org/414/4012345000115"),
            Some(("4012345000115".into(), None))
        );
        assert_eq!(
            check_digit_problem("https://id.gs1.org/01/04012345111118/21/987"),
            None
        );
        assert_eq!(
            check_digit_problem("https://id.gs1.org/01/04012345111117/21/987").as_deref(),
            Some("GTIN 04012345111117 has check digit 7, expected 8")
        );
    }
}
