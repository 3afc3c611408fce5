//! Secrets for supplier access: API tokens, session ids and CSRF tokens are random 32-byte
//! values; tokens and session ids are stored only as their sha256.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Every API token starts with this, so it is recognisable in a config file or a leak scanner.
pub const TOKEN_PREFIX: &str = "ct_";

/// 32 random bytes as 64 lowercase hex digits, from rand's thread generator (a CSPRNG seeded
/// and periodically reseeded from the operating system).
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new API token (`ct_` + 64 hex digits) and the hash to store.
pub fn new_api_token() -> (String, [u8; 32]) {
    let token = format!("{TOKEN_PREFIX}{}", random_hex());
    let hash = secret_hash(&token);
    (token, hash)
}

/// What is stored for a token or a session id: its sha256.
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.trim().as_bytes()).into()
}

/// Compare two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (a, hash_a) = new_api_token();
        let (b, _) = new_api_token();
        assert!(a.starts_with("ct_") && a.len() == 67, "{a}");
        assert_ne!(a, b);
        assert_eq!(hash_a, secret_hash(&a));
        assert_eq!(
            secret_hash(&format!(" {a}\n")),
            hash_a,
            "pasted whitespace is ignored"
        );
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }
}
