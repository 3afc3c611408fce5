//! Is a stored ledger row what the ledger says? The row is found by its natural key (chain,
//! block hash, log index) in the chain tables; the log is fetched again from the node by block
//! hash (`eth_getLogs` with `blockHash`), decoded with its contract's decoder, and compared
//! with the stored row field by field; then the block must be canonical and final.

mod fields;

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Integer, Nullable, Text};

use citytrace_schema::schema::blocks;

use super::{check_block, hex0x, Check, Ledger, Report};
use crate::config::FinalityConfig;
use crate::decoders::{ContractDecoder, LogContext, LogOutcome};
use crate::source::{Address, Hash32, RawLog};

pub use fields::Field;

/// A log's natural key: `CHAIN_ID:BLOCK_HASH:LOG_INDEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogKey {
    pub chain_id: u64,
    pub block_hash: Hash32,
    pub log_index: u64,
}

impl FromStr for LogKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage =
            || format!("{text:?}: expected CHAIN_ID:BLOCK_HASH:LOG_INDEX, e.g. 31337:0x4f…e2:0");
        let mut parts = text.trim().split(':');
        let (Some(chain), Some(hash), Some(index), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(usage());
        };
        Ok(Self {
            chain_id: chain.parse().map_err(|_| usage())?,
            block_hash: citytrace_schema::parse_hex(hash, 32)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(usage)?,
            log_index: index.parse().map_err(|_| usage())?,
        })
    }
}

impl std::fmt::Display for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.chain_id,
            hex0x(&self.block_hash),
            self.log_index
        )
    }
}

/// A row stored under a log's key: its columns as text, as PostgreSQL writes them in JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    pub table: &'static str,
    pub columns: BTreeMap<String, Option<String>>,
}

impl StoredRow {
    fn get(&self, column: &str) -> Option<&str> {
        self.columns.get(column).and_then(|v| v.as_deref())
    }
}

/// The chain tables, and how each row reads as JSON. supply_events holds its site by id: its
/// code is joined in as `biz_location`. Table names are constants, never input.
const TABLES: &[(&str, &str, &str)] = &[
    ("batch_anchors", "to_jsonb(t)", ""),
    (
        "supply_events",
        "to_jsonb(t) || jsonb_build_object('biz_location', s.code)",
        "LEFT JOIN sites s ON s.id = t.biz_location_id",
    ),
    ("ledger_events", "to_jsonb(t)", ""),
    ("token_transfers", "to_jsonb(t)", ""),
    ("carbon_retirements", "to_jsonb(t)", ""),
    ("treasury_allocations", "to_jsonb(t)", ""),
    ("treasury_payments", "to_jsonb(t)", ""),
    ("quarantined_logs", "to_jsonb(t)", ""),
];

/// Where logs that cannot be stored as decoded are kept raw.
const QUARANTINE: &str = "quarantined_logs";

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// Every row of the chain tables stored under `key`.
pub fn stored_rows(conn: &mut PgConnection, key: &LogKey) -> QueryResult<Vec<StoredRow>> {
    // The bulk tables' key begins with the block number. The block of that hash gives it while
    // it is stored (blocks are kept for the reorg window only); for an older one the lookup
    // scans the chain's part of the key, slower but as exact.
    let number: Option<i64> = blocks::table
        .filter(blocks::chain_id.eq(key.chain_id as i64))
        .filter(blocks::hash.eq(key.block_hash.to_vec()))
        .select(blocks::number)
        .first(conn)
        .optional()?;
    let by_number = if number.is_some() {
        "AND t.block_number = $4"
    } else {
        ""
    };
    let mut rows = Vec::new();
    for (table, doc, join) in TABLES {
        let mut query = diesel::sql_query(format!(
            "SELECT r.n, j.key, j.value FROM \
             (SELECT row_number() OVER () AS n, {doc} AS doc FROM {table} t {join} \
              WHERE t.chain_id = $1 AND t.block_hash = $2 AND t.log_index = $3 {by_number}) r, \
             jsonb_each_text(r.doc) j ORDER BY r.n"
        ))
        .into_boxed::<diesel::pg::Pg>()
        .bind::<BigInt, _>(key.chain_id as i64)
        .bind::<Binary, _>(key.block_hash.to_vec())
        .bind::<Integer, _>(key.log_index as i32);
        if let Some(number) = number {
            query = query.bind::<BigInt, _>(number);
        }
        let cells: Vec<Cell> = query.load(conn)?;
        let mut by_row: BTreeMap<i64, BTreeMap<String, Option<String>>> = BTreeMap::new();
        for cell in cells {
            by_row
                .entry(cell.n)
                .or_default()
                .insert(cell.key, cell.value);
        }
        rows.extend(
            by_row
                .into_values()
                .map(|columns| StoredRow { table, columns }),
        );
    }
    Ok(rows)
}

/// Check `stored` (the rows under `key`) against the node: the log exists in that block, decodes
/// to these very fields, and its block is canonical and final. `decoders`: the chain's
/// contracts by address.
pub async fn verify_log(
    ledger: &Ledger,
    key: &LogKey,
    stored: &[StoredRow],
    decoders: &HashMap<Address, ContractDecoder>,
    finality: FinalityConfig,
) -> Report {
    let mut report = Report::default();
    let Some(first) = stored.first() else {
        report.push(Check::unchecked(
            "stored",
            format!("no indexed row has the key {key}"),
        ));
        return report;
    };
    let stored_number = first
        .get("block_number")
        .and_then(|n| n.parse::<u64>().ok());
    let tables: Vec<&str> = stored.iter().map(|r| r.table).collect();
    report.push(Check::pass(
        "stored",
        format!(
            "{} in {} (block {}, tx {})",
            if stored.len() == 1 { "a row" } else { "rows" },
            tables.join(", "),
            stored_number.map_or("?".into(), |n| n.to_string()),
            first
                .get("tx_hash")
                .map_or("?".into(), |t| t.replace("\\x", "0x"))
        ),
    ));

    let log = match fetch_log(ledger, key).await {
        Ok((log, message)) => {
            report.push(Check::pass("log", message));
            Some(log)
        }
        Err(check) => {
            report.push(check);
            None
        }
    };
    match &log {
        Some(log) => report.push(compare(ledger, key, log, stored, decoders).await),
        None => report.push(Check::unchecked("fields", "no log to compare with")),
    }
    match log.as_ref().map(|l| l.block_number).or(stored_number) {
        Some(number) => {
            report.push(check_block(ledger, "final", number, key.block_hash, finality).await)
        }
        None => report.push(Check::unchecked("final", "no block number to check")),
    }
    report
}

async fn fetch_log(ledger: &Ledger, key: &LogKey) -> Result<(RawLog, String), Check> {
    ledger.check_chain("log", key.chain_id).await?;
    let block = hex0x(&key.block_hash);
    let logs = match ledger.logs_at_block(key.block_hash).await {
        Ok(Some(logs)) => logs,
        Ok(None) => {
            return Err(Check::fail(
                "log",
                format!("the node does not know block {block}: it is not on the node's chain"),
            ))
        }
        Err(e) => return Err(ledger.unreachable("log", &e)),
    };
    let count = logs.len();
    let Some(log) = logs.into_iter().find(|l| l.log_index == key.log_index) else {
        return Err(Check::fail(
            "log",
            format!(
                "block {block} has no log {} on the node ({count} logs)",
                key.log_index
            ),
        ));
    };
    let message = format!(
        "the node has log {} of block {} ({block}): contract {}, tx {}",
        log.log_index,
        log.block_number,
        hex0x(&log.address),
        hex0x(&log.tx_hash)
    );
    Ok((log, message))
}

async fn compare(
    ledger: &Ledger,
    key: &LogKey,
    log: &RawLog,
    stored: &[StoredRow],
    decoders: &HashMap<Address, ContractDecoder>,
) -> Check {
    const STEP: &str = "fields";
    let contract = hex0x(&log.address);
    let Some(decoder) = decoders.get(&log.address) else {
        return Check::unchecked(
            STEP,
            format!("no decoder for contract {contract} on chain {}: add it to the configuration ([[contract]])", key.chain_id),
        );
    };
    // The block's time comes from its header, when the header is the block the log is in.
    let block_time = match ledger.header(log.block_number).await {
        Ok(Some(h)) if h.hash == key.block_hash => Some(h.timestamp),
        Ok(_) => None,
        Err(e) => return ledger.unreachable(STEP, &e),
    };
    let at = LogContext {
        chain_id: key.chain_id as i64,
        block_time: block_time.unwrap_or_default(),
        finality: "final",
    };
    let outcome = decoder.decode(log, at);
    let (table, expected, signature) = if stored.iter().any(|r| r.table == QUARANTINE) {
        // Kept raw: the stored topics and data must be the node's.
        let (table, columns) = fields::expected_raw(log, at, block_time.is_some());
        (table, columns, "raw".to_string())
    } else {
        let rows = match outcome {
            LogOutcome::Decoded(rows) => rows,
            LogOutcome::NotKept => {
                return Check::fail(
                    STEP,
                    format!(
                        "the log is not an event the {} decoder keeps: no row should be stored for it",
                        decoder.kind
                    ),
                )
            }
            LogOutcome::Quarantined(q) => {
                return Check::fail(
                    STEP,
                    format!(
                        "the log cannot be stored as decoded ({}: {}), so it belongs in {QUARANTINE}, but it is stored in {}",
                        q.reason,
                        q.problem,
                        stored.iter().map(|r| r.table).collect::<Vec<_>>().join(", ")
                    ),
                )
            }
        };
        let (table, columns) = fields::expected(&rows, block_time.is_some());
        (table, columns, rows.event.signature.clone())
    };
    let mut matching = stored.iter().filter(|r| r.table == table);
    let (Some(row), None) = (matching.next(), matching.next()) else {
        let tables: Vec<&str> = stored.iter().map(|r| r.table).collect();
        return Check::fail(
            STEP,
            format!(
                "the {signature} log decodes to one {table} row; stored: {}",
                tables.join(", ")
            ),
        );
    };
    if let Some(other) = stored.iter().find(|r| r.table != table) {
        return Check::fail(
            STEP,
            format!(
                "the {signature} log decodes to a {table} row, but it is also stored in {}",
                other.table
            ),
        );
    }
    let differences: Vec<String> = expected
        .iter()
        .filter(|(column, value)| !value.matches(row.get(column)))
        .map(|(column, value)| {
            format!(
                "{column}: stored {}, on the ledger {}",
                value.show_stored(row.get(column)),
                value.show()
            )
        })
        .collect();
    if !differences.is_empty() {
        return Check::fail(
            STEP,
            format!(
                "{} of {} fields of the {table} row differ from the ledger: {}",
                differences.len(),
                expected.len(),
                differences.join("; ")
            ),
        );
    }
    if table == QUARANTINE {
        return Check::pass(
            STEP,
            format!(
                "the {} fields of the {table} row equal the node's log (kept raw: {})",
                expected.len(),
                row.get("problem").unwrap_or("no problem stored")
            ),
        );
    }
    Check::pass(
        STEP,
        format!(
            "the {} fields of the {table} row equal the {signature} log decoded with the {} ABI{}",
            expected.len(),
            decoder.kind,
            if block_time.is_some() {
                ""
            } else {
                " (block_time not compared: the node's block at that height is another)"
            }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys_read_chain_block_hash_and_index() {
        let hash = format!("0x{}", "ab".repeat(32));
        let key: LogKey = format!("31337:{hash}:4").parse().unwrap();
        assert_eq!(
            key,
            LogKey {
                chain_id: 31337,
                block_hash: [0xab; 32],
                log_index: 4
            }
        );
        assert_eq!(key.to_string(), format!("31337:{hash}:4"));
        for bad in ["31337:0xab:4", "x:0xab:1", "1:2", &format!("1:{hash}:2:3")] {
            assert!(bad.parse::<LogKey>().is_err(), "{bad}");
        }
    }
}
