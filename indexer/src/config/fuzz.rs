//! Property tests of the configuration parser (issue 10): random text and mutated real
//! configurations (the documented example, a test ledger's) either give a configuration the
//! indexer can run with, or an error naming the file and the line or the key — never a panic.
//! `fuzz_cases(10_000)` cases each; the crashers found are kept as named tests below.

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::IndexerConfig;
use citytrace_schema::testing::fuzz_cases;

const FILE: &str = "/etc/citytrace/citytrace.toml";

/// A configuration as the test ledger's (every key a chain and a contract take).
const LEDGER: &str = r#"
[[chain]]
id = 31337
name = "City ledger"
kind = "ledger"
rpc = ["http://127.0.0.1:8545", "http://127.0.0.1:8546"]
finality = { confirmations = 0 }
poll_interval_ms = 50
initial_block_range = 20
max_block_range = 2000
start_block = 1
reorg_window = 256
fetch_concurrency = 4
write_queue = 2
stall_after_polls = 30
max_head_age_secs = 30

[[contract]]
chain = 31337
kind = "trace_registry"
address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
start_block = 1
name = "TraceRegistry"
events = ["TraceEventRecorded"]

[anchoring]
chain = 31337
contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
key_env = "CITYTRACE_ANCHOR_KEY"
uri_base = "citytrace:batch/"
interval_ms = 1000
resubmit_after_secs = 30
"#;

fn example() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/citytrace.example.toml");
    std::fs::read_to_string(path).unwrap()
}

/// What the indexer computes from an accepted configuration must not fail: the watchdog's
/// window, the write queue, the ids as the database's BIGINT.
fn runnable(config: &IndexerConfig) -> Result<(), TestCaseError> {
    for chain in &config.chains {
        prop_assert!(chain.poll_interval_ms >= 1, "tokio's interval refuses 0");
        prop_assert!(Duration::from_millis(chain.poll_interval_ms)
            .checked_mul(chain.stall_after_polls)
            .is_some());
        drop(tokio::sync::mpsc::channel::<()>(chain.write_queue));
        prop_assert!(i64::try_from(chain.id).is_ok());
        prop_assert!(chain.start_block.is_none_or(|b| i64::try_from(b).is_ok()));
        prop_assert!(i64::try_from(chain.reorg_window).is_ok());
    }
    for contract in &config.contracts {
        prop_assert!(i64::try_from(contract.start_block).is_ok());
        prop_assert!(contract.address_bytes().is_ok());
    }
    Ok(())
}

/// Parse `text`: a runnable configuration, or an error naming the file and a line or key.
fn parsed(text: &str) -> Result<(), TestCaseError> {
    match IndexerConfig::parse(text, Path::new(FILE)) {
        Ok(config) => runnable(&config),
        Err(e) => {
            let message = e.to_string();
            prop_assert!(message.contains(FILE), "{message}");
            let located = message.contains("line ")
                || ["[[chain]]", "[[contract]]", "[anchoring]"]
                    .iter()
                    .any(|s| message.contains(s));
            prop_assert!(located, "names no line or key: {message}");
            Ok(())
        }
    }
}

/// Values a key is set to: boundaries of every integer type, floats TOML allows, strings,
/// other types.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "255",
    "65536",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e400",
    "nan",
    "-inf",
    "0.5",
    "\"\"",
    "\"0x\"",
    "\"\\u0000\"",
    "\"é😀\"",
    "true",
    "[]",
    "[\"\"]",
    "{}",
    "{ tag = \"latest\" }",
    "{ confirmations = 18446744073709551615 }",
    "1979-05-27T07:32:00Z",
];

#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    SetValue(usize, String),
    Insert(usize, String),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let value = prop_oneof![
        4 => proptest::sample::select(VALUES).prop_map(str::to_string),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<String>().prop_map(|s| format!("{s:?}")),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), value).prop_map(|(i, v)| Edit::SetValue(i, v)),
        (
            any::<usize>(),
            prop_oneof![any::<String>(), "[\\[\\]=\"'{},.#\n ]{1,3}"]
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Apply `edit` to `text`, line by line or at a character boundary (never inside one).
fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match edit {
        Edit::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Edit::SetValue(i, value) => {
            // The i-th `key = value` line gets another value.
            let keyed: Vec<usize> = (0..lines.len())
                .filter(|l| lines[*l].contains(" = "))
                .collect();
            if let Some(&l) = keyed.get(i % keyed.len().max(1)) {
                if let Some((key, _)) = lines[l].split_once(" = ") {
                    lines[l] = format!("{key} = {value}");
                }
            }
        }
        Edit::Insert(i, s) => {
            let chars: Vec<char> = text.chars().collect();
            let at = i % (chars.len() + 1);
            let mut out: String = chars.iter().take(at).collect();
            out.push_str(s);
            out.extend(chars.iter().skip(at));
            return out;
        }
        Edit::Truncate(i) => {
            let count = text.chars().count();
            return text.chars().take(i % (count + 1)).collect();
        }
        _ => {}
    }
    lines.join("\n")
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: fuzz_cases(10_000),
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn mutated_configurations_are_runnable_or_refused_with_file_and_line_or_key() {
    let sources = vec![example(), LEDGER.to_string()];
    let edits = proptest::collection::vec(edit(), 1..4);
    runner()
        .run(
            &(proptest::sample::select(sources), edits),
            |(text, edits)| {
                let text = edits.iter().fold(text, |t, e| apply(&t, e));
                parsed(&text)
            },
        )
        .unwrap();
}

#[test]
fn random_text_is_refused_with_file_and_line_never_a_panic() {
    let text = prop_oneof![
        any::<String>(),
        "([a-z_]{1,12} = [0-9\"\\[\\]{}a-z.,-]{0,12}\n|\\[\\[?(chain|contract|anchoring|methods)\\]\\]?\n){0,12}",
    ];
    runner().run(&text, |text| parsed(&text)).unwrap();
}

/// The crashers found, each refused now with its key and line (each was accepted before and
/// failed at run time).
fn refused(text: &str, key_and_line: &str) {
    let error = IndexerConfig::parse(text, Path::new(FILE))
        .unwrap_err()
        .to_string();
    assert!(error.contains(&format!("{FILE}, line ")), "{error}");
    assert!(error.contains(key_and_line), "{error}");
}

fn ledger_with(key: &str, value: &str) -> String {
    LEDGER.replacen(
        &format!("\n{key} = "),
        &format!("\n{key} = {value} # was "),
        1,
    )
}

#[test]
fn a_zero_poll_interval_is_refused_it_made_tokio_panic() {
    refused(
        &ledger_with("poll_interval_ms", "0"),
        ", line 8: [[chain]] 31337 (the 1st in the file): poll_interval_ms: 0 is out of range: it must be from 1 to 86400000",
    );
}

#[test]
fn a_write_queue_too_large_to_allocate_is_refused_it_made_tokio_panic() {
    refused(
        &ledger_with("write_queue", "4611686018427387904"),
        ", line 14: [[chain]] 31337 (the 1st in the file): write_queue: 4611686018427387904 is out of range",
    );
}

#[test]
fn a_chain_id_beyond_bigint_is_refused_it_was_stored_negative() {
    let text = LEDGER.replace("31337", "9223372036854775808");
    refused(
        &text,
        ", line 3: [[chain]] 9223372036854775808 (the 1st in the file): id: 9223372036854775808 is out of range",
    );
}

#[test]
fn a_nul_in_a_name_is_refused_the_database_could_not_store_it() {
    refused(
        &LEDGER.replace("\"City ledger\"", "\"City\\u0000ledger\""),
        ", line 4: [[chain]] 31337 (the 1st in the file): name: contains a NUL character",
    );
}

#[test]
fn problems_name_the_line_of_their_key() {
    let text = "\n[[chain]]\nid = 1\nname = \"x\"\nkind = \"ledger\"\nrpc = []\n";
    refused(
        text,
        ", line 6: [[chain]] 1 (the 1st in the file): rpc: no URL",
    );
    let contract = format!(
        "{text}\n[[contract]]\nchain = 2\nkind = \"erc20\"\naddress = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n"
    )
    .replace("rpc = []", "rpc = [\"http://a\"]");
    refused(
        &contract,
        ", line 9: [[contract]] 0x5FbDB2315678afecb367f032d93F642f64180aa3 (the 1st in the file): chain: contract 0x5FbDB2315678afecb367f032d93F642f64180aa3 is on chain 2, which is not configured",
    );
}

#[test]
fn the_fuzzed_sources_are_valid_as_written() {
    for text in [example(), LEDGER.to_string()] {
        let config = IndexerConfig::parse(&text, Path::new(FILE)).unwrap();
        runnable(&config).unwrap();
    }
}
