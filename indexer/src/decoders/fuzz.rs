//! Property tests of the decoders (issue 10): every built-in kind's events and a configured
//! ABI, given valid encodings of random values (boundary numbers, random Unicode, NUL
//! characters), mutated encodings and random topics and data. Each log of a kept event is
//! decoded or quarantined with a reason — never a panic, never lost — and a valid encoding is
//! decoded exactly unless a value breaks a rule of its table. `fuzz_cases(10_000)` cases per
//! decoder, no chain and no database; the database side is checked in one batch
//! (`fuzzed_logs_written_in_one_range_are_each_stored_once`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use super::{ContractDecoder, LogContext, LogOutcome};
use crate::config::ContractConfig;
use crate::evm::SampleLog;
use crate::source::RawLog;
use citytrace_schema::testing::fuzz_cases;

/// A configured ABI with every kind of parameter: value types indexed, dynamic and nested
/// types in the data.
const CONFIGURED_ABI: &str = r#"[
 {"type": "event", "name": "Everything", "anonymous": false, "inputs": [
   {"name": "who", "type": "address", "indexed": true},
   {"name": "small", "type": "uint8", "indexed": true},
   {"name": "amount", "type": "uint256", "indexed": false},
   {"name": "delta", "type": "int64", "indexed": false},
   {"name": "flag", "type": "bool", "indexed": false},
   {"name": "label", "type": "string", "indexed": false},
   {"name": "blob", "type": "bytes", "indexed": false},
   {"name": "tags", "type": "string[]", "indexed": false},
   {"name": "pair", "type": "tuple", "indexed": false,
    "components": [{"name": "a", "type": "uint32"}, {"name": "b", "type": "bytes4"}]},
   {"name": "fixed", "type": "uint16[2]", "indexed": false}]},
 {"type": "event", "name": "Ping", "anonymous": false, "inputs": []}
]"#;

const ADDRESS: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn builtin(kind: &str) -> ContractDecoder {
    ContractDecoder::load(&ContractConfig::new(1, kind, ADDRESS, 0)).unwrap()
}

fn configured(dir: &tempfile::TempDir) -> ContractDecoder {
    let path = dir.path().join("abi.json");
    std::fs::write(&path, CONFIGURED_ABI).unwrap();
    ContractDecoder::load(&ContractConfig {
        abi: Some(path),
        ..ContractConfig::new(1, "abi", ADDRESS, 0)
    })
    .unwrap()
}

const AT: LogContext<'static> = LogContext {
    chain_id: 1,
    block_time: DateTime::<Utc>::UNIX_EPOCH,
    finality: "final",
};

/// The latest second a timestamp holds: 262142-12-31T23:59:59Z (computed with the civil-days
/// formula of H. Hinnant, not with chrono).
const LAST_SECOND: u64 = 8_210_266_876_799;

fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.values().any(contains_nul),
        _ => false,
    }
}

/// Does a valid encoding with these values break a rule of the table it is stored in?
/// Written from the migrations, independently of `storable`.
fn breaks_a_rule(sample: &SampleLog) -> bool {
    let param = |name: &str| {
        sample
            .params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let nul = sample.params.iter().any(|(_, v)| contains_nul(v));
    if sample.signature.starts_with("TraceEventRecorded(") {
        let epcis = [
            "ObjectEvent",
            "AggregationEvent",
            "TransactionEvent",
            "TransformationEvent",
            "AssociationEvent",
        ];
        return nul
            || !epcis.contains(&param("eventType"))
            || param("bizLocation").len() > 2_000
            || param("eventTime")
                .parse::<u64>()
                .map_or(true, |t| t > LAST_SECOND);
    }
    nul
}

/// A change to a valid log: a byte flipped, the data cut or extended, a word replaced, a topic
/// dropped, added or replaced.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Extend(Vec<u8>),
    Word(usize, [u8; 32]),
    DropTopic(usize),
    AddTopic([u8; 32]),
    Topic(usize, [u8; 32]),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        proptest::collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Extend),
        (
            any::<usize>(),
            prop_oneof![Just([0xff; 32]), any::<[u8; 32]>()]
        )
            .prop_map(|(i, w)| Mutation::Word(i, w)),
        any::<usize>().prop_map(Mutation::DropTopic),
        any::<[u8; 32]>().prop_map(Mutation::AddTopic),
        (any::<usize>(), any::<[u8; 32]>()).prop_map(|(i, t)| Mutation::Topic(i, t)),
    ]
}

fn mutate(mut log: RawLog, m: &Mutation) -> RawLog {
    let len = log.data.len();
    match m {
        Mutation::Flip(i, b) if len > 0 => log.data[i % len] ^= b,
        Mutation::Cut(i) => log.data.truncate(i % (len + 1)),
        Mutation::Extend(bytes) => log.data.extend_from_slice(bytes),
        Mutation::Word(i, w) if len >= 32 => {
            let at = (i % (len / 32)) * 32;
            log.data[at..at + 32].copy_from_slice(w);
        }
        // topic0 stays: the log is still of a kept event (or not, for an added one).
        Mutation::DropTopic(i) if log.topics.len() > 1 => {
            log.topics.remove(1 + i % (log.topics.len() - 1));
        }
        Mutation::AddTopic(t) => log.topics.push(*t),
        Mutation::Topic(i, t) if log.topics.len() > 1 => {
            let n = log.topics.len() - 1;
            log.topics[1 + i % n] = *t;
        }
        _ => {}
    }
    log
}

/// What every outcome must satisfy: a kept event is never lost (decoded or quarantined), a
/// quarantined log keeps its raw topics and data and a storable problem.
fn never_lost(
    topics: &[[u8; 32]],
    log: &RawLog,
    outcome: &LogOutcome,
) -> Result<(), TestCaseError> {
    let kept = log.topics.first().is_some_and(|t| topics.contains(t));
    match outcome {
        LogOutcome::NotKept => prop_assert!(!kept, "a log of a kept event was dropped"),
        LogOutcome::Decoded(rows) => {
            prop_assert!(kept);
            prop_assert_eq!(rows.event.log_index as u64, log.log_index);
        }
        LogOutcome::Quarantined(q) => {
            prop_assert!(kept);
            prop_assert!(["undecodable", "invalid", "refused"].contains(&q.reason.as_str()));
            prop_assert!(!q.problem.is_empty() && !q.problem.contains('\0'));
            prop_assert_eq!(&q.data, &log.data);
            let topics: Vec<Vec<u8>> = log.topics.iter().map(|t| t.to_vec()).collect();
            prop_assert_eq!(&q.topics, &topics);
            prop_assert!(q.params.as_ref().is_none_or(|p| !contains_nul(p)));
        }
    }
    Ok(())
}

/// A valid encoding is decoded to exactly its values, or quarantined as invalid when a value
/// breaks a rule of its table.
fn valid_is_decoded(
    decoder: &ContractDecoder,
    topics: &[[u8; 32]],
    sample: &SampleLog,
) -> Result<(), TestCaseError> {
    let outcome = decoder.decode(&sample.log, AT);
    never_lost(topics, &sample.log, &outcome)?;
    match (&outcome, breaks_a_rule(sample)) {
        (LogOutcome::Decoded(rows), false) => {
            let expected = Value::Object(sample.params.iter().cloned().collect());
            prop_assert_eq!(&rows.event.params, &expected);
            prop_assert_eq!(&rows.event.signature, &sample.signature);
        }
        (LogOutcome::Quarantined(q), true) => prop_assert_eq!(q.reason.as_str(), "invalid"),
        (outcome, broken) => {
            return Err(TestCaseError::fail(format!(
                "{} (breaks a rule: {broken}) became {outcome:?}",
                sample.signature
            )))
        }
    }
    Ok(())
}

/// One decoder's property test: valid, mutated and random logs, `fuzz_cases(10_000)` of them.
fn fuzz(decoder: &ContractDecoder) {
    let topics: Vec<[u8; 32]> = decoder.events().into_iter().map(|(_, t)| t).collect();
    let random_log = (
        prop_oneof![
            3 => proptest::sample::select(topics.clone()).prop_map(Some),
            1 => any::<[u8; 32]>().prop_map(Some),
            1 => Just(None),
        ],
        proptest::collection::vec(any::<[u8; 32]>(), 0..4),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(topic0, rest, data)| RawLog {
            address: [0x5f; 20],
            topics: topic0.into_iter().chain(rest).collect(),
            data,
            block_number: 7,
            block_hash: [1; 32],
            tx_hash: [2; 32],
            log_index: 3,
        });
    let case = prop_oneof![
        5 => decoder.abi.sample_logs().prop_map(|s| (s, None)),
        4 => (decoder.abi.sample_logs(), mutation()).prop_map(|(s, m)| (s, Some(m))),
    ];
    let mut runner = TestRunner::new(Config {
        cases: fuzz_cases(10_000),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(case, random_log, any::<bool>()),
            |((sample, m), random, pick_random)| {
                if pick_random {
                    let outcome = decoder.decode(&random, AT);
                    return never_lost(&topics, &random, &outcome);
                }
                match m {
                    None => valid_is_decoded(decoder, &topics, &sample),
                    Some(m) => {
                        let log = mutate(sample.log, &m);
                        let outcome = decoder.decode(&log, AT);
                        never_lost(&topics, &log, &outcome)
                    }
                }
            },
        )
        .unwrap_or_else(|e| panic!("{} decoder: {e}", decoder.kind));
}

#[test]
fn batch_anchor_logs_are_decoded_or_quarantined_never_lost() {
    fuzz(&builtin("batch_anchor"));
}

#[test]
fn trace_registry_logs_are_decoded_or_quarantined_never_lost() {
    fuzz(&builtin("trace_registry"));
}

#[test]
fn city_treasury_logs_are_decoded_or_quarantined_never_lost() {
    fuzz(&builtin("city_treasury"));
}

#[test]
fn erc20_logs_are_decoded_or_quarantined_never_lost() {
    fuzz(&builtin("erc20"));
}

#[test]
fn toucan_logs_are_decoded_or_quarantined_never_lost() {
    fuzz(&builtin("toucan_tco2"));
}

#[test]
fn klima_logs_are_decoded_or_quarantined_never_lost() {
    fuzz(&builtin("klima_retirement"));
}

#[test]
fn configured_abi_logs_are_decoded_or_quarantined_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    fuzz(&configured(&dir));
}

/// Found by `fuzzed_logs_written_in_one_range_are_each_stored_once`: a BatchAnchored log whose
/// batchId topic holds more than 64 bits (ethabi does not check an indexed uint's width)
/// reached the database, which refused it ("numeric field overflow"). It is invalid before
/// it is written.
#[test]
fn a_batch_id_topic_wider_than_64_bits_is_quarantined_as_invalid() {
    let decoder = builtin("batch_anchor");
    let (_, topic0) = decoder
        .events()
        .into_iter()
        .find(|(s, _)| s.starts_with("BatchAnchored"))
        .unwrap();
    let mut wide = [0u8; 32];
    wide[23] = 1; // 2^64
    let log = RawLog {
        address: [0x5f; 20],
        topics: vec![topic0, [7; 32], wide],
        // rowCount 3, then the offset and length of an empty uri.
        data: [[0u8; 31].as_slice(), &[3], &[0; 31], &[64], &[0; 32]].concat(),
        block_number: 1,
        block_hash: [1; 32],
        tx_hash: [2; 32],
        log_index: 0,
    };
    match decoder.decode(&log, AT) {
        LogOutcome::Quarantined(q) => {
            assert_eq!(q.reason, "invalid");
            assert_eq!(
                q.problem,
                "batchId = \"18446744073709551616\" does not fit a u64"
            );
        }
        other => panic!("{other:?}"),
    }
    let log = RawLog {
        topics: vec![topic0, [7; 32], [0xff; 32]],
        ..log
    };
    assert!(matches!(
        decoder.decode(&log, AT),
        LogOutcome::Quarantined(_)
    ));
}

#[test]
fn the_last_second_a_timestamp_holds_is_the_oracles() {
    assert!(DateTime::from_timestamp(LAST_SECOND as i64, 0).is_some());
    assert!(DateTime::from_timestamp(LAST_SECOND as i64 + 1, 0).is_none());
}

/// The database side, in one batch: a range of fuzzed logs of every decoder, written with
/// the real writer into a real database — every log of a kept event is stored exactly once,
/// in its table or in quarantine, and the quarantine holds exactly the logs the decoders
/// quarantined.
#[test]
fn fuzzed_logs_written_in_one_range_are_each_stored_once() {
    use crate::follow::fetch::FetchedRange;
    use crate::follow::write::{decode_range, write_rows, FinalityPoints, CHAIN_TABLES};
    use crate::source::BlockHeader;
    use citytrace_schema::models::{Chain, ChainKind};
    use diesel::prelude::*;

    let dir = tempfile::tempdir().unwrap();
    let mut decoders = HashMap::new();
    let kinds = [
        "batch_anchor",
        "trace_registry",
        "city_treasury",
        "toucan_tco2",
    ];
    let mut samples = Vec::new();
    let mut runner = TestRunner::deterministic();
    for (i, decoder) in kinds
        .iter()
        .map(|k| builtin(k))
        .chain([configured(&dir)])
        .enumerate()
    {
        let address = [i as u8 + 1; 20];
        let strategy = (decoder.abi.sample_logs(), proptest::option::of(mutation()));
        for _ in 0..fuzz_cases(10_000) / 50 {
            let (sample, m) = strategy.new_tree(&mut runner).unwrap().current();
            let mut log = match m {
                Some(m) => mutate(sample.log, &m),
                None => sample.log,
            };
            log.address = address;
            samples.push(log);
        }
        decoders.insert(address, ContractDecoder { address, ..decoder });
    }
    // One range: blocks 100..=109, the logs spread over them in order.
    let headers: std::collections::BTreeMap<u64, BlockHeader> = (100..110)
        .map(|n| {
            let header = BlockHeader {
                number: n,
                hash: [n as u8; 32],
                parent_hash: [n as u8 - 1; 32],
                timestamp: DateTime::from_timestamp(1_780_000_000 + n as i64, 0).unwrap(),
            };
            (n, header)
        })
        .collect();
    let count = samples.len();
    for (i, log) in samples.iter_mut().enumerate() {
        log.block_number = 100 + (i * 10 / count) as u64;
        log.block_hash = [log.block_number as u8; 32];
        log.log_index = i as u64;
    }
    let range = FetchedRange {
        from: 100,
        to: 109,
        headers,
        logs: samples,
    };
    let points = FinalityPoints {
        safe: 109,
        finalized: 109,
    };
    let rows = decode_range(1, range, &decoders, points);
    let expected_quarantined = rows.quarantined.len();
    let undecodable = rows
        .quarantined
        .iter()
        .filter(|q| q.reason == "undecodable")
        .count();
    let kept = rows.decoded + expected_quarantined;

    let db = citytrace_schema::testing::TestDatabase::new();
    let conn = &mut db.conn();
    Chain::upsert(conn, 1, "fuzz", ChainKind::Ledger).unwrap();
    let written = write_rows(conn, 1, &rows, &decoders).unwrap();
    assert_eq!(
        written.events + written.quarantined.iter().sum::<usize>(),
        kept
    );
    // The Rust checks know every rule these rows can break: the database refused none.
    use citytrace_schema::schema::quarantined_logs as q;
    let refused: Vec<(Option<Value>, String)> = q::table
        .filter(q::reason.eq("refused"))
        .select((q::params, q::problem))
        .load(conn)
        .unwrap();
    assert_eq!(
        written.quarantined,
        [undecodable, expected_quarantined - undecodable, 0],
        "refused: {refused:?}"
    );
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        block_number: i64,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        log_index: i32,
    }
    let mut stored: Vec<(i64, i32)> = Vec::new();
    for table in CHAIN_TABLES {
        let keys: Vec<Key> = diesel::sql_query(format!(
            "SELECT block_number, log_index FROM {table} WHERE chain_id = 1"
        ))
        .load(conn)
        .unwrap();
        stored.extend(keys.into_iter().map(|k| (k.block_number, k.log_index)));
    }
    stored.sort_unstable();
    let mut expected: Vec<(i64, i32)> = rows
        .logs
        .iter()
        .filter(|l| {
            let decoder = &decoders[&l.address];
            !matches!(decoder.decode(l, AT), LogOutcome::NotKept)
        })
        .map(|l| (l.block_number as i64, l.log_index as i32))
        .collect();
    expected.sort_unstable();
    // Most fuzzed logs are kept (the rest are not the decoders' events): nine in ten of the
    // samples, whatever the case budget (`CITYTRACE_FUZZ_CASES`), so the test is never vacuous.
    assert!(
        expected.len() > count * 9 / 10,
        "{} logs of kept events out of {count}",
        expected.len()
    );
    assert_eq!(stored, expected, "every kept log stored exactly once");
    let quarantined: i64 = citytrace_schema::schema::quarantined_logs::table
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(quarantined as usize, expected_quarantined);
    assert!(
        expected_quarantined > 0 && rows.decoded > 0,
        "both decoded ({}) and quarantined ({expected_quarantined}) logs",
        rows.decoded
    );
}
