//! The one module that speaks ethers-rs. Everything outside it sees the [`ChainSource`] and
//! [`AnchorSender`] traits, [`AbiDecoder`]'s plain JSON output and byte arrays: ethers-rs is
//! deprecated in favour of alloy, and this keeps the switch to one module.
//!
//! [`ChainSource`]: crate::source::ChainSource
//! [`AnchorSender`]: crate::source::AnchorSender

mod decode;
mod lookup;
mod mocks;
#[cfg(test)]
mod sample;
mod signer;
mod source;

use std::time::Duration;

use ethers::providers::{Http, Provider, ProviderError, RpcError as _};
use ethers::types::H256;

use crate::error::{classify_rpc_message, RpcError};
use crate::source::Hash32;

pub use decode::{AbiDecoder, DecodedLog};
pub use lookup::{EvmLookup, TxReceipt};
pub use mocks::{AnvilControl, CarbonRetirementCall, DemoLedger};
#[cfg(test)]
pub use sample::SampleLog;
pub use signer::{DeployedContracts, EvmSigner, PaymentCall, TraceEventCall};
pub use source::EvmSource;

/// How long one JSON-RPC request may take before it counts as a transient failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often ethers polls for a sent transaction's receipt (its default, 7 s, is for mainnet).
const POLL_INTERVAL: Duration = Duration::from_millis(50);

fn provider(url: &str) -> Result<Provider<Http>, RpcError> {
    let (parsed, client) = http_client(url)?;
    Ok(Provider::new(Http::new_with_client(parsed, client)).interval(POLL_INTERVAL))
}

/// The URL parsed and an HTTP client with the request timeout (the one ethers-rs is given, and
/// the one JSON-RPC batches are sent with).
fn http_client(url: &str) -> Result<(reqwest011::Url, reqwest011::Client), RpcError> {
    let parsed: reqwest011::Url = url
        .parse()
        .map_err(|e| RpcError::Fatal(format!("bad RPC URL {url}: {e}")))?;
    let client = reqwest011::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| RpcError::Fatal(format!("HTTP client: {e}")))?;
    Ok((parsed, client))
}

/// Classify an ethers provider error by what the caller should do.
fn classify(error: ProviderError) -> RpcError {
    if let Some(response) = error.as_error_response() {
        return classify_rpc_message(Some(response.code), &response.message);
    }
    if error.as_serde_error().is_some() {
        // Not a JSON-RPC answer: a rate limiter's own page (HTTP 429 "rate limited", "too many
        // requests") or a garbled body. ethers-rs does not expose the HTTP status, so the text
        // decides.
        return match classify_rpc_message(None, &error.to_string()) {
            limited @ RpcError::RateLimited(_) => limited,
            _ => RpcError::Transient(format!("unreadable response: {error}")),
        };
    }
    let text = error.to_string();
    if text.contains("HTTP status client error (429") {
        return RpcError::RateLimited(text);
    }
    if text.contains("HTTP status server error")
        || text.contains("error sending request")
        || text.contains("error decoding response body")
    {
        return RpcError::Transient(text);
    }
    classify_rpc_message(None, &text)
}

/// Errors from contract calls come as text; classify them the same way.
fn contract_error(text: &str) -> RpcError {
    classify_rpc_message(None, text)
}

fn h256(h: &Hash32) -> H256 {
    H256::from_slice(h)
}
