use diesel::prelude::*;
use serde::Serialize;

use super::provenance::indexed_event;
use crate::schema::quarantined_logs;

/// Why a log is in quarantine instead of its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineReason {
    /// Its topics and data do not decode with the contract's ABI.
    Undecodable,
    /// Decoded, but a value breaks a rule of its table or does not fit its column.
    Invalid,
    /// The database refused the decoded row.
    Refused,
}

impl QuarantineReason {
    pub const ALL: [Self; 3] = [Self::Undecodable, Self::Invalid, Self::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Undecodable => "undecodable",
            Self::Invalid => "invalid",
            Self::Refused => "refused",
        }
    }

    /// Its position in [`QuarantineReason::ALL`] (for per-reason counters).
    pub fn index(self) -> usize {
        self as usize
    }
}

indexed_event! {
    /// A log of a followed contract that could not be stored as what it is, kept raw with its
    /// problem (docs/indexing.md, "Quarantine"). The same row is written by the indexer and read
    /// by the explorer's "logs not decoded" page.
    #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
    #[diesel(table_name = quarantined_logs, treat_none_as_default_value = false)]
    pub struct QuarantinedLog {
        ..Provenance,
        pub topics: Vec<Vec<u8>>,
        pub data: Vec<u8>,
        /// The event's name and canonical signature, when the ABI decoded the log.
        pub event_name: Option<String>,
        pub signature: Option<String>,
        /// Its named parameters, when decoded and storable as JSON.
        pub params: Option<serde_json::Value>,
        /// `undecodable`, `invalid` or `refused` ([`QuarantineReason`]).
        pub reason: String,
        pub problem: String,
    }
}

impl QuarantinedLog {
    /// Insert, idempotent by the key: replaying a range writes nothing twice.
    pub fn insert_all(conn: &mut PgConnection, rows: &[QuarantinedLog]) -> QueryResult<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        diesel::insert_into(quarantined_logs::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(conn)
    }

    /// The newest quarantined logs (of one chain when `chain` is given), newest block first,
    /// strictly after `before` = (block number, log index, chain id) in that order when given:
    /// one page.
    pub fn page(
        conn: &mut PgConnection,
        chain: Option<i64>,
        before: Option<(i64, i32, i64)>,
        limit: i64,
    ) -> QueryResult<Vec<QuarantinedLog>> {
        use quarantined_logs::dsl as q;
        let mut query = quarantined_logs::table
            .select(QuarantinedLog::as_select())
            .order((
                q::block_number.desc(),
                q::log_index.desc(),
                q::chain_id.desc(),
            ))
            .limit(limit)
            .into_boxed();
        if let Some(chain) = chain {
            query = query.filter(quarantined_logs::chain_id.eq(chain));
        }
        if let Some((block, log, chain)) = before {
            query = query.filter(
                q::block_number.lt(block).or(q::block_number.eq(block).and(
                    q::log_index
                        .lt(log)
                        .or(q::log_index.eq(log).and(q::chain_id.lt(chain))),
                )),
            );
        }
        query.load(conn)
    }

    /// How many logs are quarantined (of one chain when `chain` is given).
    pub fn count(conn: &mut PgConnection, chain: Option<i64>) -> QueryResult<i64> {
        let mut query = quarantined_logs::table.count().into_boxed();
        if let Some(chain) = chain {
            query = query.filter(quarantined_logs::chain_id.eq(chain));
        }
        query.get_result(conn)
    }
}
