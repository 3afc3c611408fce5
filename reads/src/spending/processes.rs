//! The procurement list's reads (`/spending/procurement` and its JSON and CSV twins): one page of
//! the contracting processes a filter selects, with their red flags and their buyers' names, and
//! the buyers a filter can name.

use std::collections::HashMap;

use diesel::prelude::*;

use citytrace_schema::models::Party;
use citytrace_schema::schema::{parties, procurement_processes};

use super::process_money::{load_process_money, ProcessMoney};
use super::red_flags::{
    page_of_flagged_processes, walk_flagged_processes, ProcessFlagSummary, ProcessWalk, RedFlagRule,
};
use super::RedFlagRules;

/// Which processes: by buyer (a party code), procurement method, year of the last release and
/// red flag; `None` keeps all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessFilter {
    pub buyer: Option<String>,
    pub method: Option<String>,
    pub year: Option<i32>,
    pub flag: Option<RedFlagRule>,
}

/// A party as lists name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyName {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// One page of processes, newest release first, and how many the filter selects in all.
#[derive(Debug, Clone)]
pub struct ProcessListPage {
    pub total: usize,
    pub processes: Vec<ProcessFlagSummary>,
    /// The buyers of the page's processes, by id.
    pub buyers: HashMap<i64, PartyName>,
    /// The page's processes' suppliers, awarded and paid, by ocid.
    pub money: HashMap<String, ProcessMoney>,
}

/// `limit` processes from `offset` of those `filter` selects, and how many it selects, read in
/// one read-only snapshot (the count and the page agree).
pub fn load_process_list(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    filter: &ProcessFilter,
    offset: usize,
    limit: usize,
) -> QueryResult<ProcessListPage> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| {
            let Some(walk) = walk_of(conn, filter)? else {
                return Ok(ProcessListPage {
                    total: 0,
                    processes: Vec::new(),
                    buyers: HashMap::new(),
                    money: HashMap::new(),
                });
            };
            let page = page_of_flagged_processes(conn, rules, &walk, offset, limit)?;
            let buyers = load_party_names(conn, page.processes.iter().filter_map(|p| p.buyer_id))?;
            let money = load_process_money(conn, &ocids_of(&page.processes))?;
            Ok(ProcessListPage {
                total: page.total,
                processes: page.processes,
                buyers,
                money,
            })
        })
}

fn ocids_of(processes: &[ProcessFlagSummary]) -> Vec<String> {
    processes.iter().map(|p| p.ocid.clone()).collect()
}

/// Every process `walk` selects, newest release first, `chunk` at a time with the chunk's
/// buyers and money, to `each` (which returns false to stop). The caller holds the snapshot (a read-only
/// transaction) the walk should see.
pub fn each_process_chunk<E: From<diesel::result::Error>>(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    walk: &ProcessWalk,
    chunk: usize,
    mut each: impl FnMut(
        Vec<ProcessFlagSummary>,
        HashMap<i64, PartyName>,
        HashMap<String, ProcessMoney>,
    ) -> Result<bool, E>,
) -> Result<(), E> {
    walk_flagged_processes(conn, rules, walk, chunk, |conn, processes| {
        let buyers = load_party_names(conn, processes.iter().filter_map(|p| p.buyer_id))?;
        let money = load_process_money(conn, &ocids_of(&processes))?;
        each(processes, buyers, money)
    })
}

/// The years of the processes' latest releases (UTC), latest first: the year filter's choices.
pub fn load_release_years(conn: &mut PgConnection) -> QueryResult<Vec<i32>> {
    #[derive(QueryableByName)]
    struct Year {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        year: i32,
    }
    let years: Vec<Year> = diesel::sql_query(
        "SELECT DISTINCT extract(year FROM last_release_date AT TIME ZONE 'UTC')::integer AS year \
           FROM procurement_processes ORDER BY year DESC",
    )
    .load(conn)?;
    Ok(years.into_iter().map(|y| y.year).collect())
}

/// The walk the filter selects; `None` when the buyer filter names no party (nothing matches).
pub fn walk_of(conn: &mut PgConnection, f: &ProcessFilter) -> QueryResult<Option<ProcessWalk>> {
    let buyer_id = match &f.buyer {
        None => None,
        Some(code) => match Party::find_by_code(conn, code)? {
            Some(p) => Some(p.id),
            None => return Ok(None),
        },
    };
    Ok(Some(ProcessWalk {
        buyer_id,
        method: f.method.clone(),
        year: f.year,
        flag: f.flag,
        flagged_only: false,
    }))
}

/// The parties with these ids, by id.
pub fn load_party_names(
    conn: &mut PgConnection,
    ids: impl IntoIterator<Item = i64>,
) -> QueryResult<HashMap<i64, PartyName>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(i64, String, String)> = parties::table
        .filter(parties::id.eq_any(&ids))
        .select((parties::id, parties::code, parties::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name)| (id, PartyName { id, code, name }))
        .collect())
}

/// (code, name) of every party that is the buyer of a process, by name.
pub fn load_buyers(conn: &mut PgConnection) -> QueryResult<Vec<(String, String)>> {
    parties::table
        .filter(
            parties::id.eq_any(
                procurement_processes::table
                    .select(procurement_processes::buyer_id.assume_not_null())
                    .filter(procurement_processes::buyer_id.is_not_null()),
            ),
        )
        .order((parties::name, parties::code))
        .select((parties::code, parties::name))
        .load(conn)
}
