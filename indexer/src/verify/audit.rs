//! What `citytrace audit` asks the node, and which indexed logs it checks.
//!
//! - [`anchored_batches`]: every `BatchAnchored` event the BatchAnchor contract emitted, asked
//!   of the node with `eth_getLogs` over the contract's blocks — the ledger's own account of
//!   which batch was anchored with which root and row count, independent of the database's
//!   indexed copy (`batch_anchors`).
//! - [`indexed_log_keys`]: the keys of indexed logs across the chain tables, all or a random
//!   sample, each then checked against the node with [`super::indexed::verify_log`].

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Integer};
use serde_json::Value;

use super::indexed::LogKey;
use super::Ledger;
use crate::decoders::builtin_abi;
use crate::error::RpcError;
use crate::evm::AbiDecoder;
use crate::source::{Address, ChainSource, Hash32, LogFilter, RawLog};

/// A `BatchAnchored` event, as the node returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeAnchor {
    pub batch_id: u64,
    pub root: Hash32,
    pub row_count: u64,
    pub uri: String,
    pub tx_hash: Hash32,
    pub block_number: u64,
    pub block_hash: Hash32,
    pub log_index: u64,
}

impl Ledger {
    /// The logs of `addresses` in blocks `from..=to`, asked in ranges of at most `range`
    /// blocks (halved whenever the node says a query is too large).
    pub async fn logs_between(
        &self,
        addresses: &[Address],
        from: u64,
        to: u64,
        range: u64,
    ) -> Result<Vec<RawLog>, RpcError> {
        let mut logs = Vec::new();
        let mut range = range.max(1);
        let mut start = from;
        while start <= to {
            let end = to.min(start.saturating_add(range - 1));
            let filter = LogFilter {
                from_block: start,
                to_block: end,
                addresses: addresses.to_vec(),
            };
            match self.source.logs(&filter).await {
                Ok(found) => logs.extend(found),
                Err(RpcError::TooLarge { .. }) if range > 1 => {
                    range /= 2;
                    continue;
                }
                Err(e) => return Err(e),
            }
            if end == u64::MAX {
                break;
            }
            start = end + 1;
        }
        Ok(logs)
    }
}

/// Every `BatchAnchored` event `contract` emitted in blocks `from..=` the node's head, in
/// chain order. Logs of the contract that do not decode as `BatchAnchored` are left out.
pub async fn anchored_batches(
    ledger: &Ledger,
    contract: Address,
    from: u64,
    range: u64,
) -> Result<Vec<NodeAnchor>, RpcError> {
    let decoder = batch_anchored_decoder()?;
    let head = ledger.head().await?;
    if from > head {
        return Ok(Vec::new());
    }
    let logs = ledger.logs_between(&[contract], from, head, range).await?;
    Ok(logs
        .iter()
        .filter_map(|log| node_anchor(&decoder, log))
        .collect())
}

fn batch_anchored_decoder() -> Result<AbiDecoder, RpcError> {
    let abi = builtin_abi("batch_anchor").unwrap_or("[]");
    AbiDecoder::from_json(abi, Some(&["BatchAnchored".to_string()]))
        .map_err(|e| RpcError::Fatal(format!("the built-in BatchAnchor ABI: {e}")))
}

/// The anchor a log records, when it is a well-formed `BatchAnchored` event.
fn node_anchor(decoder: &AbiDecoder, log: &RawLog) -> Option<NodeAnchor> {
    let event = decoder.decode(log).ok()??;
    Some(NodeAnchor {
        batch_id: uint(event.get("batchId")?)?,
        root: hash(event.get("root")?)?,
        row_count: uint(event.get("rowCount")?)?,
        uri: event.get("uri")?.as_str()?.to_string(),
        tx_hash: log.tx_hash,
        block_number: log.block_number,
        block_hash: log.block_hash,
        log_index: log.log_index,
    })
}

fn uint(value: &Value) -> Option<u64> {
    value.as_str()?.parse().ok()
}

fn hash(value: &Value) -> Option<Hash32> {
    citytrace_schema::parse_hex(value.as_str()?, 32)?
        .try_into()
        .ok()
}

/// The chain tables' log keys, with their block numbers (a key stored in several tables counts
/// once). Table names are constants, never input.
const KEYS: &str = "SELECT chain_id, block_number, block_hash, log_index FROM batch_anchors \
    UNION SELECT chain_id, block_number, block_hash, log_index FROM supply_events \
        WHERE chain_id IS NOT NULL AND block_hash IS NOT NULL AND log_index IS NOT NULL \
    UNION SELECT chain_id, block_number, block_hash, log_index FROM ledger_events \
    UNION SELECT chain_id, block_number, block_hash, log_index FROM token_transfers \
    UNION SELECT chain_id, block_number, block_hash, log_index FROM carbon_retirements \
    UNION SELECT chain_id, block_number, block_hash, log_index FROM treasury_allocations \
    UNION SELECT chain_id, block_number, block_hash, log_index FROM treasury_payments";

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = BigInt)]
    chain_id: i64,
    #[diesel(sql_type = Bytea)]
    block_hash: Vec<u8>,
    #[diesel(sql_type = Integer)]
    log_index: i32,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many logs are indexed, and the keys of `sample` of them chosen at random (all of them,
/// in chain and block order, when `sample` is None or not smaller than the count).
pub fn indexed_log_keys(
    conn: &mut PgConnection,
    sample: Option<u64>,
) -> QueryResult<(u64, Vec<LogKey>)> {
    let total: Count =
        diesel::sql_query(format!("SELECT count(*) AS n FROM ({KEYS}) k")).get_result(conn)?;
    let total = u64::try_from(total.n).unwrap_or(0);
    let rows: Vec<KeyRow> = match sample {
        Some(n) if n < total => diesel::sql_query(format!(
            "SELECT * FROM ({KEYS}) k ORDER BY random() LIMIT $1"
        ))
        .bind::<BigInt, _>(i64::try_from(n).unwrap_or(i64::MAX))
        .load(conn)?,
        _ => diesel::sql_query(format!(
            "SELECT * FROM ({KEYS}) k ORDER BY chain_id, block_number, log_index, block_hash"
        ))
        .load(conn)?,
    };
    let keys = rows
        .into_iter()
        .filter_map(|r| {
            Some(LogKey {
                chain_id: u64::try_from(r.chain_id).ok()?,
                block_hash: r.block_hash.try_into().ok()?,
                log_index: u64::try_from(r.log_index).ok()?,
            })
        })
        .collect();
    Ok((total, keys))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    use super::*;

    fn word(n: u64) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&n.to_be_bytes());
        w
    }

    /// A `BatchAnchored(root, batchId, rowCount, uri)` log, ABI-encoded by hand.
    fn batch_anchored(topic0: Hash32, root: Hash32, batch_id: u64, rows: u64, uri: &str) -> RawLog {
        let mut data = Vec::new();
        data.extend(word(rows));
        data.extend(word(0x40));
        data.extend(word(uri.len() as u64));
        let mut text = uri.as_bytes().to_vec();
        text.resize(uri.len().div_ceil(32) * 32, 0);
        data.extend(text);
        RawLog {
            address: [0x5f; 20],
            topics: vec![topic0, root, word(batch_id)],
            data,
            block_number: 12,
            block_hash: [0xbb; 32],
            tx_hash: [0xab; 32],
            log_index: 3,
        }
    }

    fn topic0(decoder: &AbiDecoder) -> Hash32 {
        decoder.events()[0].1
    }

    #[test]
    fn a_batch_anchored_log_gives_its_batch_root_row_count_and_place() {
        let decoder = batch_anchored_decoder().unwrap();
        let log = batch_anchored(topic0(&decoder), [0x11; 32], 7, 16, "citytrace:batch/7");
        assert_eq!(
            node_anchor(&decoder, &log),
            Some(NodeAnchor {
                batch_id: 7,
                root: [0x11; 32],
                row_count: 16,
                uri: "citytrace:batch/7".into(),
                tx_hash: [0xab; 32],
                block_number: 12,
                block_hash: [0xbb; 32],
                log_index: 3,
            })
        );
        let other_event = batch_anchored([0x99; 32], [0x11; 32], 7, 16, "x");
        assert_eq!(node_anchor(&decoder, &other_event), None);
    }

    #[test]
    fn any_log_of_the_contract_is_an_anchor_or_left_out_without_panic() {
        let decoder = batch_anchored_decoder().unwrap();
        let t0 = topic0(&decoder);
        let cases = citytrace_schema::testing::fuzz_cases(10_000);
        let mut runner = TestRunner::new(Config::with_cases(cases));
        let strategy = (
            proptest::collection::vec(any::<[u8; 32]>(), 0..5),
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..200),
        );
        runner
            .run(&strategy, |(mut topics, sig, data)| {
                if sig && !topics.is_empty() {
                    topics[0] = t0;
                }
                let log = RawLog {
                    topics,
                    data,
                    ..batch_anchored(t0, [0; 32], 0, 0, "")
                };
                let _ = node_anchor(&decoder, &log);
                Ok(())
            })
            .unwrap();
        // Boundary numbers and text read back exactly.
        let mut runner = TestRunner::new(Config::with_cases(cases));
        let strategy = (any::<[u8; 32]>(), any::<u64>(), any::<u32>(), ".{0,80}");
        runner
            .run(&strategy, |(root, batch, rows, uri)| {
                let log = batch_anchored(t0, root, batch, u64::from(rows), &uri);
                let anchor = node_anchor(&decoder, &log).expect("a well-formed event");
                prop_assert_eq!(
                    (anchor.root, anchor.batch_id, anchor.row_count, anchor.uri),
                    (root, batch, u64::from(rows), uri)
                );
                Ok(())
            })
            .unwrap();
    }
}
