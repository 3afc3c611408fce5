//! Exact identifiers typed into the search box: a block number or batch id (a whole number), a
//! transaction hash, block hash or Merkle root (`0x` and 64 hex digits), an address (`0x` and
//! 40 hex digits). Found directly, in `identifiers.sql`, above every match by name. GTINs, GLNs,
//! ocids and codes are matched by the search of their kind (`search.sql`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Nullable};

use super::FoundDocument;

/// What the text is, if it has the shape of an identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// A block number or a batch id.
    Number(i64),
    /// A transaction hash, block hash or Merkle root (32 bytes), or an address (20 bytes).
    Bytes(Vec<u8>),
}

impl Identifier {
    /// The identifier `text` spells, if any: whole numbers up to 18 digits, `0x` followed by 40
    /// or 64 hex digits (either case).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            let bytes = decode_hex(hex)?;
            return matches!(bytes.len(), 20 | 32).then_some(Self::Bytes(bytes));
        }
        let digits = text.chars().count();
        if (1..=18).contains(&digits) && text.chars().all(|c| c.is_ascii_digit()) {
            return text.parse().ok().map(Self::Number);
        }
        None
    }
}

/// Hex digits two by two into bytes; None on anything else or an odd count.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = hex.chars().map(|c| c.to_digit(16)).collect::<Option<_>>()?;
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => u8::try_from(high * 16 + low).ok(),
            _ => None,
        })
        .collect()
}

/// The records `text` identifies exactly (none when it is not shaped like an identifier).
pub fn find_identified(
    conn: &mut PgConnection,
    text: &str,
    per_kind: i64,
) -> QueryResult<Vec<FoundDocument>> {
    let (number, bytes) = match Identifier::parse(text) {
        None => return Ok(Vec::new()),
        Some(Identifier::Number(n)) => (Some(n), None),
        Some(Identifier::Bytes(b)) => (None, Some(b)),
    };
    diesel::sql_query(include_str!("identifiers.sql"))
        .bind::<Nullable<BigInt>, _>(number)
        .bind::<Nullable<Bytea>, _>(bytes)
        .bind::<BigInt, _>(per_kind)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_told_by_their_shape() {
        assert_eq!(Identifier::parse(" 124 "), Some(Identifier::Number(124)));
        assert_eq!(
            Identifier::parse(&format!("0x{}", "aB".repeat(20))),
            Some(Identifier::Bytes(vec![0xab; 20]))
        );
        assert_eq!(
            Identifier::parse(&format!("0X{}", "01".repeat(32))),
            Some(Identifier::Bytes(vec![1; 32]))
        );
        // A GTIN is a number too (no block has that number; its product is found by name).
        assert_eq!(
            Identifier::parse("05412345003014"),
            Some(Identifier::Number(5_412_345_003_014))
        );
        for not_one in [
            "",
            "0x",
            "0xabc",
            &format!("0x{}", "ab".repeat(21)),
            &format!("0x{}é", "a".repeat(39)),
            "12a",
            "1234567890123456789",
            "١٢٣",
            "Canal Haulage",
        ] {
            assert_eq!(Identifier::parse(not_one), None, "{not_one:?}");
        }
    }
}
