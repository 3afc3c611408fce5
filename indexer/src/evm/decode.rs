//! Decoding logs with an ABI into plain JSON: event name, canonical signature, named params.

use std::collections::HashMap;

use ethers::abi::{Abi, Event, RawLog as AbiRawLog, Token};
use ethers::types::I256;
use serde_json::Value;

use super::h256;
use crate::source::{Hash32, RawLog};

/// A log decoded by its ABI. Addresses and bytes are 0x-hex, integers decimal strings.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedLog {
    pub name: String,
    /// Canonical signature, e.g. `Transfer(address,address,uint256)`.
    pub signature: String,
    /// Named parameters in ABI order.
    pub params: Vec<(String, Value)>,
}

impl DecodedLog {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The params as a JSON object (for storage).
    pub fn params_json(&self) -> Value {
        Value::Object(self.params.iter().cloned().collect())
    }
}

/// The events of one contract ABI, found by topic0.
#[derive(Debug, Clone)]
pub struct AbiDecoder {
    by_topic: HashMap<Hash32, Event>,
}

impl AbiDecoder {
    /// Parse an ABI (a JSON array, or an object with an `abi` array as compilers write it);
    /// keep only `events` when given (unknown names are an error).
    pub fn from_json(json: &str, events: Option<&[String]>) -> Result<Self, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        let array = match value {
            Value::Object(mut o) => o
                .remove("abi")
                .ok_or("an ABI object needs an \"abi\" array")?,
            other => other,
        };
        let abi: Abi = serde_json::from_value(array).map_err(|e| format!("not an ABI: {e}"))?;
        let all: Vec<&Event> = abi.events().filter(|e| !e.anonymous).collect();
        if let Some(wanted) = events {
            for name in wanted {
                if !all.iter().any(|e| &e.name == name) {
                    let known: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
                    return Err(format!(
                        "the ABI has no event {name:?} (it has {})",
                        known.join(", ")
                    ));
                }
            }
        }
        let by_topic = all
            .into_iter()
            .filter(|e| events.is_none_or(|w| w.contains(&e.name)))
            .map(|e| (e.signature().0, e.clone()))
            .collect();
        Ok(Self { by_topic })
    }

    /// (signature, topic0) of every event kept.
    pub fn events(&self) -> Vec<(String, Hash32)> {
        let mut list: Vec<(String, Hash32)> = self
            .by_topic
            .iter()
            .map(|(t, e)| (signature(e), *t))
            .collect();
        list.sort();
        list
    }

    /// The events kept (for sampling logs in tests).
    #[cfg(test)]
    pub(super) fn kept_events(&self) -> Vec<Event> {
        let mut events: Vec<Event> = self.by_topic.values().cloned().collect();
        events.sort_by_key(signature);
        events
    }

    /// Decode `log`; Ok(None) when its topic0 is not an event kept here.
    pub fn decode(&self, log: &RawLog) -> Result<Option<DecodedLog>, String> {
        let Some(event) = log.topics.first().and_then(|t| self.by_topic.get(t)) else {
            return Ok(None);
        };
        let raw = AbiRawLog {
            topics: log.topics.iter().map(h256).collect(),
            data: log.data.clone(),
        };
        let parsed = event
            .parse_log(raw)
            .map_err(|e| format!("{} does not match its ABI: {e}", signature(event)))?;
        Ok(Some(DecodedLog {
            name: event.name.clone(),
            signature: signature(event),
            params: parsed
                .params
                .into_iter()
                .map(|p| (p.name, token_json(p.value)))
                .collect(),
        }))
    }
}

pub(super) fn signature(event: &Event) -> String {
    let types: Vec<String> = event.inputs.iter().map(|i| i.kind.to_string()).collect();
    format!("{}({})", event.name, types.join(","))
}

pub(super) fn token_json(token: Token) -> Value {
    match token {
        Token::Address(a) => Value::String(format!("0x{}", hex::encode(a.0))),
        Token::FixedBytes(b) | Token::Bytes(b) => Value::String(format!("0x{}", hex::encode(b))),
        Token::Int(i) => Value::String(I256::from_raw(i).to_string()),
        Token::Uint(u) => Value::String(u.to_string()),
        Token::Bool(b) => Value::Bool(b),
        Token::String(s) => Value::String(s),
        Token::Array(items) | Token::FixedArray(items) | Token::Tuple(items) => {
            Value::Array(items.into_iter().map(token_json).collect())
        }
    }
}
