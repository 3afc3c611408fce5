//! Indexer errors. RPC errors are classified, because what to do next depends on the class.

/// An error from a chain's JSON-RPC endpoint, by what the caller should do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RpcError {
    /// Timeouts, refused connections, 5xx, cut responses: retry, then fail over.
    #[error("transient RPC error: {0}")]
    Transient(String),
    /// The query asked too much (range too large, too many results): shrink it.
    #[error("query too large: {message}")]
    TooLarge {
        message: String,
        suggested_range: Option<(u64, u64)>,
    },
    /// 429 or a rate-limit message: back off.
    #[error("rate limited: {0}")]
    RateLimited(String),
    /// Anything else (bad address, reverted call, unexpected answer): stop and say so.
    #[error("RPC error: {0}")]
    Fatal(String),
}

#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("configuration: {0}")]
    Config(String),
    #[error("chain {chain_id}: reorg deeper than the {window}-block window kept in the database; re-index from an earlier block")]
    ReorgTooDeep { chain_id: i64, window: u64 },
    #[error("the node at {url} reports chain id {actual}, the configuration says {expected}")]
    WrongChain {
        url: String,
        expected: u64,
        actual: u64,
    },
    #[error("ledger node: {0}")]
    LedgerNode(String),
    #[error("task: {0}")]
    Join(String),
}

/// Classify a JSON-RPC error by its code and message. Providers word "too much" in many ways
/// (geth, Erigon, Alchemy, Infura, QuickNode, anvil); when the message names a block range
/// the node would accept (`[0x10, 0x2f]`, "retry with this block range"), it is kept.
pub fn classify_rpc_message(code: Option<i64>, message: &str) -> RpcError {
    let lower = message.to_ascii_lowercase();
    let too_large = [
        "query returned more than",
        "too many results",
        "block range",
        "range too large",
        "range is too large",
        "exceed maximum block range",
        "response size exceeded",
        "limit exceeded",
        "query timeout exceeded",
        "log response size",
        "too many logs",
    ];
    let rate = [
        "rate limit",
        "too many requests",
        "429",
        "capacity",
        "exceeded the quota",
        "throttl",
    ];
    let transient = [
        "timed out",
        "timeout",
        "connection refused",
        "connection reset",
        "connection closed",
        "error sending request",
        "broken pipe",
        "502",
        "503",
        "504",
        "temporarily unavailable",
        "header not found",
        "unexpected end",
        "eof while parsing",
        "end of file",
        "body error",
        "error reading a body",
        "connection closed before message completed",
    ];
    if too_large.iter().any(|p| lower.contains(p)) {
        return RpcError::TooLarge {
            message: message.to_string(),
            suggested_range: suggested_range(message),
        };
    }
    if rate.iter().any(|p| lower.contains(p)) {
        return RpcError::RateLimited(message.to_string());
    }
    if code == Some(-32005) {
        // Infura's "limit exceeded" code without a recognisable message: treat as too large.
        return RpcError::TooLarge {
            message: message.to_string(),
            suggested_range: suggested_range(message),
        };
    }
    if transient.iter().any(|p| lower.contains(p))
        || matches!(code, Some(-32603)) && lower.contains("internal")
    {
        return RpcError::Transient(message.to_string());
    }
    RpcError::Fatal(message.to_string())
}

/// The first `[0x…, 0x…]` pair of hex block numbers in a message, as a range.
fn suggested_range(message: &str) -> Option<(u64, u64)> {
    let (_, after) = message.split_once('[')?;
    let (inside, _) = after.split_once(']')?;
    let mut parts = inside.split(',').map(|p| p.trim().trim_matches('"'));
    let parse = |p: &str| u64::from_str_radix(p.strip_prefix("0x")?, 16).ok();
    let from = parse(parts.next()?)?;
    let to = parse(parts.next()?)?;
    (from <= to).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_messages_keep_the_suggested_range() {
        let infura =
            "query returned more than 10000 results. Try with this block range [0x10, 0x2F].";
        match classify_rpc_message(Some(-32005), infura) {
            RpcError::TooLarge {
                suggested_range, ..
            } => assert_eq!(suggested_range, Some((16, 47))),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify_rpc_message(Some(-32000), "exceed maximum block range: 50000"),
            RpcError::TooLarge {
                suggested_range: None,
                ..
            }
        ));
        assert!(matches!(
            classify_rpc_message(Some(-32005), "something odd"),
            RpcError::TooLarge { .. }
        ));
    }

    #[test]
    fn rate_limits_transients_and_the_rest() {
        assert!(matches!(
            classify_rpc_message(
                Some(-32005),
                "daily request count exceeded, request rate limited"
            ),
            RpcError::RateLimited(_)
        ));
        assert!(matches!(
            classify_rpc_message(None, "HTTP status client error (429 Too Many Requests)"),
            RpcError::RateLimited(_)
        ));
        assert!(matches!(
            classify_rpc_message(None, "error sending request for url"),
            RpcError::Transient(_)
        ));
        assert!(matches!(
            classify_rpc_message(None, "502 Bad Gateway"),
            RpcError::Transient(_)
        ));
        assert!(matches!(
            classify_rpc_message(
                Some(-32602),
                "invalid argument 0: hex string has odd length"
            ),
            RpcError::Fatal(_)
        ));
    }

    #[test]
    fn a_range_in_the_wrong_order_is_not_a_suggestion() {
        assert_eq!(suggested_range("try [0x20, 0x10]"), None);
        assert_eq!(suggested_range("try [\"0x1\", \"0x2\"]"), Some((1, 2)));
        // Text around the brackets is never cut inside a character.
        assert_eq!(suggested_range("é[0xé, 0x2]é"), None);
        assert_eq!(suggested_range("réessayez [0x1, 0x2]…"), Some((1, 2)));
        assert_eq!(suggested_range("only ]["), None);
    }
}
