//! The listing of processes with their flags, walked a chunk at a time in bounded memory:
//! the same rows, flags and order as [`list_flagged_processes`](super::list_flagged_processes),
//! which evaluates every process at once.
//!
//! Processes are read in listing order (last release date, newest first, then ocid) by keyset,
//! [`PROCESSES_PER_CHUNK`] at a time, with the buyer, method and year filters in SQL. Each
//! chunk's facts are loaded for its processes only. The across-process rules need a buyer's
//! other awards, but an award is in a flagged window only through the awards of the same buyer
//! and supplier dated at most one window before or after it, so for each chunk only those
//! neighbours are loaded (`walk/neighbour_awards.sql`) and grouped: the groups that touch the
//! chunk's processes are the ones the whole-table evaluation finds. The flag filter is applied
//! to each evaluated chunk.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Numeric, Text, Timestamptz};

use super::facts::{load_process_facts, AwardRecord};
use super::{
    across_groups, assemble, ProcessFlagPage, ProcessFlagSummary, RedFlagRule, RedFlagRules,
};
use crate::spending::money::Money;
use crate::spending::payments::ProcessScope;

/// Processes evaluated together.
pub const PROCESSES_PER_CHUNK: usize = 500;

/// Which processes a walk visits. `None`/`false`: no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessWalk {
    pub buyer_id: Option<i64>,
    /// `tender.procurementMethod` equal to this.
    pub method: Option<String>,
    /// Last release in this year (UTC).
    pub year: Option<i32>,
    /// Only processes raising this rule.
    pub flag: Option<RedFlagRule>,
    /// Only processes raising at least one flag.
    pub flagged_only: bool,
}

impl ProcessWalk {
    /// Whether every process the SQL filters select is kept (no flag filter).
    fn keeps_all(&self) -> bool {
        self.flag.is_none() && !self.flagged_only
    }

    fn keeps(&self, flags: &[RedFlagRule]) -> bool {
        match self.flag {
            Some(rule) => flags.contains(&rule),
            None => !self.flagged_only || !flags.is_empty(),
        }
    }
}

/// A page of the walk: the matching processes from `offset`, and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessWalkPage {
    pub total: usize,
    pub processes: Vec<ProcessFlagSummary>,
}

#[derive(QueryableByName)]
struct ProcessKey {
    #[diesel(sql_type = Text)]
    ocid: String,
    #[diesel(sql_type = Timestamptz)]
    last_release_date: DateTime<Utc>,
}

fn process_keys(
    conn: &mut PgConnection,
    walk: &ProcessWalk,
    after: Option<&ProcessKey>,
    limit: usize,
    offset: usize,
) -> QueryResult<Vec<ProcessKey>> {
    diesel::sql_query(include_str!("walk/process_keys.sql"))
        .bind::<Nullable<BigInt>, _>(walk.buyer_id)
        .bind::<Nullable<Text>, _>(walk.method.as_deref())
        .bind::<Nullable<Integer>, _>(walk.year)
        .bind::<Nullable<Timestamptz>, _>(after.map(|k| k.last_release_date))
        .bind::<Text, _>(after.map_or("", |k| k.ocid.as_str()))
        .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind::<BigInt, _>(i64::try_from(offset).unwrap_or(i64::MAX))
        .load(conn)
}

#[derive(QueryableByName)]
struct AwardRecordRow {
    #[diesel(sql_type = Text)]
    ocid: String,
    #[diesel(sql_type = Text)]
    award_id: String,
    #[diesel(sql_type = BigInt)]
    buyer_id: i64,
    #[diesel(sql_type = BigInt)]
    supplier_id: i64,
    #[diesel(sql_type = Text)]
    supplier: String,
    #[diesel(sql_type = Timestamptz)]
    award_date: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Numeric>)]
    value: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    procurement_method: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    main_procurement_category: Option<String>,
}

/// The award records within one window (the longer of the two across-process rules', plus a
/// day) of the awards of `ocids`, of the same buyer and supplier.
fn neighbour_award_records(
    conn: &mut PgConnection,
    ocids: &[String],
    rules: &RedFlagRules,
) -> QueryResult<Vec<AwardRecord>> {
    let days = rules
        .repeated_awards
        .window_days
        .max(rules.split_purchases.window_days);
    let seconds = (i64::from(days) + 1) * 86_400;
    let rows: Vec<AwardRecordRow> = diesel::sql_query(include_str!("walk/neighbour_awards.sql"))
        .bind::<Array<Text>, _>(ocids)
        .bind::<BigInt, _>(seconds)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| AwardRecord {
            ocid: r.ocid,
            award_id: r.award_id,
            buyer_id: r.buyer_id,
            supplier_id: r.supplier_id,
            supplier: r.supplier,
            date: r.award_date,
            value: Money::from_parts(r.value, r.currency),
            method: r.procurement_method,
            category: r.main_procurement_category,
        })
        .collect())
}

/// The processes of `keys` (in that order) with the ids of the flags they raise.
fn evaluate_chunk(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    keys: &[ProcessKey],
) -> QueryResult<Vec<ProcessFlagSummary>> {
    let ocids: Vec<String> = keys.iter().map(|k| k.ocid.clone()).collect();
    let mut facts = load_process_facts(conn, &ProcessScope::Ocids(ocids.clone()))?;
    let neighbours = neighbour_award_records(conn, &ocids, rules)?;
    let groups = across_groups(&neighbours, rules);
    let position: std::collections::HashMap<&str, usize> = ocids
        .iter()
        .enumerate()
        .map(|(i, o)| (o.as_str(), i))
        .collect();
    facts.sort_by_key(|p| position.get(p.ocid.as_str()).copied());
    Ok(facts
        .iter()
        .map(|process| {
            let touching = groups
                .iter()
                .filter(|g| g.awards.iter().any(|a| a.ocid == process.ocid));
            ProcessFlagSummary::of(process, assemble(process, touching, rules).rules())
        })
        .collect())
}

/// Walk the processes `walk` selects in listing order, `chunk` at a time (at least one),
/// handing each chunk of matching processes to `visit` (chunks may be empty after the flag
/// filter) until it returns false. Run it in a REPEATABLE READ transaction for one snapshot.
pub fn walk_flagged_processes<E: From<diesel::result::Error>>(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    walk: &ProcessWalk,
    chunk: usize,
    mut visit: impl FnMut(&mut PgConnection, Vec<ProcessFlagSummary>) -> Result<bool, E>,
) -> Result<(), E> {
    let chunk = chunk.max(1);
    let mut after: Option<ProcessKey> = None;
    loop {
        let mut keys = process_keys(conn, walk, after.as_ref(), chunk, 0)?;
        if keys.is_empty() {
            return Ok(());
        }
        let full = keys.len() == chunk;
        let rows: Vec<ProcessFlagSummary> = evaluate_chunk(conn, rules, &keys)?
            .into_iter()
            .filter(|p| walk.keeps(&p.flags))
            .collect();
        if !visit(conn, rows)? || !full {
            return Ok(());
        }
        after = keys.pop();
    }
}

/// The matching processes from `offset`, at most `limit`, and how many match. Without a flag
/// filter the count and the page come from SQL and only the page's processes are evaluated;
/// with one, every selected process is evaluated, a chunk at a time, keeping only the page.
pub fn page_of_flagged_processes(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    walk: &ProcessWalk,
    offset: usize,
    limit: usize,
) -> QueryResult<ProcessWalkPage> {
    if walk.keeps_all() {
        let total = count_processes(conn, walk)?;
        let keys = process_keys(conn, walk, None, limit, offset)?;
        let processes = if keys.is_empty() {
            Vec::new()
        } else {
            evaluate_chunk(conn, rules, &keys)?
        };
        return Ok(ProcessWalkPage { total, processes });
    }
    let mut total = 0;
    let mut processes = Vec::new();
    walk_flagged_processes(conn, rules, walk, PROCESSES_PER_CHUNK, |_, rows| {
        for row in rows {
            if total >= offset && processes.len() < limit {
                processes.push(row);
            }
            total += 1;
        }
        QueryResult::Ok(true)
    })?;
    Ok(ProcessWalkPage { total, processes })
}

/// How many processes the SQL filters of `walk` select (its flag filter is not applied).
fn count_processes(conn: &mut PgConnection, walk: &ProcessWalk) -> QueryResult<usize> {
    use citytrace_schema::schema::procurement_processes as p;
    let mut query = p::table.count().into_boxed();
    if let Some(buyer) = walk.buyer_id {
        query = query.filter(p::buyer_id.eq(buyer));
    }
    if let Some(method) = &walk.method {
        query = query.filter(p::procurement_method.eq(method.clone()));
    }
    if let Some(year) = walk.year {
        let start = |y: i32| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        };
        match (start(year), start(year + 1)) {
            (Some(from), Some(until)) => {
                query = query
                    .filter(p::last_release_date.ge(from))
                    .filter(p::last_release_date.lt(until));
            }
            _ => return Ok(0),
        }
    }
    let n: i64 = query.get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or_default())
}

/// Every process `walk` selects, a chunk at a time: how many match, how many raise each rule,
/// and the first `limit` in listing order — the page and counts of
/// [`list_flagged_processes`](super::list_flagged_processes) in bounded memory. Run it in a
/// REPEATABLE READ transaction for one snapshot.
pub fn summarise_flagged_processes(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    walk: &ProcessWalk,
    limit: usize,
) -> QueryResult<ProcessFlagPage> {
    let (mut total, mut processes) = (0, Vec::new());
    let mut counts: Vec<(RedFlagRule, usize)> =
        RedFlagRule::ALL.into_iter().map(|r| (r, 0)).collect();
    walk_flagged_processes(conn, rules, walk, PROCESSES_PER_CHUNK, |_, rows| {
        for row in rows {
            for (rule, n) in counts.iter_mut() {
                *n += usize::from(row.flags.contains(rule));
            }
            total += 1;
            if processes.len() < limit {
                processes.push(row);
            }
        }
        QueryResult::Ok(true)
    })?;
    Ok(ProcessFlagPage {
        total,
        processes,
        counts,
    })
}
