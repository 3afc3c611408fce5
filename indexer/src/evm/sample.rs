//! Random logs for property tests: valid ABI encodings of an ABI's events with random values
//! (boundary numbers, random Unicode, NUL characters, the domain's own words), and the
//! parameters the decoder must give back. ethers-rs stays in this module: tests see
//! [`RawLog`]s and JSON.

use ethers::abi::{encode, Event, ParamType, Token};
use ethers::types::{I256, U256};
use proptest::prelude::*;
use serde_json::Value;

use super::AbiDecoder;
use crate::source::RawLog;

/// A log of a known event, validly encoded, and what decoding it must give.
#[derive(Debug, Clone)]
pub struct SampleLog {
    pub log: RawLog,
    pub signature: String,
    /// The event's parameters in ABI order, as the decoder writes them.
    pub params: Vec<(String, Value)>,
}

/// Words a string parameter is often given, so that valid rows are common: the EPCIS event
/// types, CBV steps and dispositions, site codes, currencies.
const DOMAIN_WORDS: &[&str] = &[
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
    "inspecting",
    "conformant",
    "SITE-NORTH-BRIDGE",
    "LOT-RC-0412",
    "EUR",
    "",
];

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => proptest::sample::select(DOMAIN_WORDS).prop_map(str::to_string),
        3 => any::<String>(),
        1 => "[a-z\u{0}é€😀]{0,6}",
        // Longer than a site code may be (2,000 bytes).
        1 => (any::<char>(), 2_001..2_100usize).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
    .boxed()
}

/// A uint of `bits` bits: boundaries (0, 1, its maximum, 2^31, 2^63 − 1, 2^64 − 1 when they
/// fit) or any value.
fn uint(bits: usize) -> BoxedStrategy<U256> {
    let max = if bits >= 256 {
        U256::MAX
    } else {
        (U256::one() << bits) - 1
    };
    let edges: Vec<U256> = [
        U256::zero(),
        U256::one(),
        U256::from(1u64 << 31),
        U256::from(i64::MAX as u64),
        U256::from(u64::MAX),
        U256::from(8_210_266_876_799u64), // chrono's last second (year 262142)
        U256::from(8_210_266_876_800u64),
        max,
    ]
    .into_iter()
    .filter(|v| *v <= max)
    .collect();
    prop_oneof![
        proptest::sample::select(edges),
        any::<[u8; 32]>().prop_map(move |b| U256::from_big_endian(&b) & max),
        any::<u32>().prop_map(move |v| U256::from(v) & max),
    ]
    .boxed()
}

fn token(kind: &ParamType) -> BoxedStrategy<Token> {
    match kind {
        ParamType::Address => any::<[u8; 20]>()
            .prop_map(|a| Token::Address(a.into()))
            .boxed(),
        ParamType::Uint(bits) => uint(*bits).prop_map(Token::Uint).boxed(),
        ParamType::Int(bits) => {
            let bits = *bits;
            uint(bits)
                .prop_map(move |u| {
                    // Sign-extend the low `bits` bits: the whole range of an intN.
                    let shift = 256 - bits;
                    Token::Int(((I256::from_raw(u << shift)) >> shift).into_raw())
                })
                .boxed()
        }
        ParamType::Bool => any::<bool>().prop_map(Token::Bool).boxed(),
        ParamType::String => text().prop_map(Token::String).boxed(),
        ParamType::Bytes => proptest::collection::vec(any::<u8>(), 0..80)
            .prop_map(Token::Bytes)
            .boxed(),
        ParamType::FixedBytes(n) => proptest::collection::vec(any::<u8>(), *n)
            .prop_map(Token::FixedBytes)
            .boxed(),
        ParamType::Array(item) => proptest::collection::vec(token(item), 0..4)
            .prop_map(Token::Array)
            .boxed(),
        ParamType::FixedArray(item, n) => proptest::collection::vec(token(item), *n)
            .prop_map(Token::FixedArray)
            .boxed(),
        ParamType::Tuple(items) => items
            .iter()
            .map(token)
            .collect::<Vec<_>>()
            .prop_map(Token::Tuple)
            .boxed(),
    }
}

/// An indexed parameter's topic: value types as their 32-byte encoding (the ABIs sampled
/// here index value types only).
fn topic(token: &Token) -> [u8; 32] {
    let encoded = encode(std::slice::from_ref(token));
    let mut topic = [0u8; 32];
    let n = encoded.len().min(32);
    topic[..n].copy_from_slice(&encoded[..n]);
    topic
}

fn sample(event: Event) -> BoxedStrategy<SampleLog> {
    let kinds: Vec<BoxedStrategy<Token>> = event.inputs.iter().map(|i| token(&i.kind)).collect();
    let position = (
        any::<[u8; 20]>(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        0u64..1_000_000,
        0u64..500,
    );
    (kinds, position)
        .prop_map(
            move |(tokens, (address, block_hash, tx_hash, block, index))| {
                let mut topics = vec![event.signature().0];
                let mut data = Vec::new();
                for (input, token) in event.inputs.iter().zip(&tokens) {
                    if input.indexed {
                        topics.push(topic(token));
                    } else {
                        data.push(token.clone());
                    }
                }
                SampleLog {
                    log: RawLog {
                        address,
                        topics,
                        data: encode(&data),
                        block_number: block,
                        block_hash,
                        tx_hash,
                        log_index: index,
                    },
                    signature: super::decode::signature(&event),
                    params: event
                        .inputs
                        .iter()
                        .zip(tokens)
                        .map(|(i, t)| (i.name.clone(), super::decode::token_json(t)))
                        .collect(),
                }
            },
        )
        .boxed()
}

impl AbiDecoder {
    /// Valid logs of this ABI's events (those kept), with random values.
    pub fn sample_logs(&self) -> BoxedStrategy<SampleLog> {
        let events: Vec<BoxedStrategy<SampleLog>> =
            self.kept_events().into_iter().map(sample).collect();
        proptest::strategy::Union::new(events).boxed()
    }
}
