//! What the rules read: one contracting process as the database holds it ([`ProcessFacts`]),
//! and each award of a buyer as the across-process rules see it ([`AwardRecord`]).

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Numeric, Text};

use crate::spending::money::Money;
use crate::spending::payments::{payments_of, Payment, ProcessScope};
use citytrace_schema::schema::{
    parties, procurement_amendments, procurement_award_suppliers, procurement_awards,
    procurement_bids, procurement_contracts, procurement_processes,
};

/// A contracting process: its tender, awards, contracts and their payments.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessFacts {
    pub ocid: String,
    pub title: Option<String>,
    pub buyer_id: Option<i64>,
    /// `tender.procurementMethod`.
    pub method: Option<String>,
    /// `tender.mainProcurementCategory`.
    pub category: Option<String>,
    /// `tender.value`: the estimate.
    pub tender_value: Option<Money>,
    pub tender_period_start: Option<DateTime<Utc>>,
    pub tender_period_end: Option<DateTime<Utc>>,
    /// `tender.numberOfTenderers`.
    pub number_of_tenderers: Option<i32>,
    /// Bids received (`bids.details` except those only invited or withdrawn).
    pub bid_count: usize,
    pub last_release_date: DateTime<Utc>,
    pub awards: Vec<AwardFacts>,
    pub contracts: Vec<ContractFacts>,
    /// Ledger payments naming the process that cannot be put on one contract (the process
    /// has several).
    pub process_payments: Vec<Payment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AwardFacts {
    pub award_id: String,
    pub status: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub value: Option<Money>,
    /// The value in the earliest stored release giving one, with that release's id.
    pub first_release_value: Option<(Money, String)>,
    /// Supplier party ids and names.
    pub suppliers: Vec<(i64, String)>,
}

impl AwardFacts {
    /// Awards count unless cancelled or unsuccessful (OCDS award status codelist).
    pub fn is_active(&self) -> bool {
        !matches!(self.status.as_deref(), Some("cancelled" | "unsuccessful"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractFacts {
    pub contract_id: String,
    pub award_id: Option<String>,
    pub status: Option<String>,
    /// The current value: the merged state of all releases.
    pub value: Option<Money>,
    /// `value_before` of the contract's first amendment that states one.
    pub first_amendment_value: Option<Money>,
    /// The value in the earliest stored release giving one, with that release's id.
    pub first_release_value: Option<(Money, String)>,
    pub payments: Vec<Payment>,
}

impl ProcessFacts {
    /// Awards that count.
    pub fn active_awards(&self) -> impl Iterator<Item = &AwardFacts> {
        self.awards.iter().filter(|a| a.is_active())
    }

    /// The sum of the values of the awards that count, when there is at least one with a value
    /// and all valued ones share a currency.
    pub fn awarded(&self) -> Option<Money> {
        let mut total: Option<Money> = None;
        for value in self.active_awards().filter_map(|a| a.value.as_ref()) {
            match &mut total {
                None => total = Some(value.clone()),
                Some(t) if t.same_currency(value) => t.amount += &value.amount,
                Some(_) => return None,
            }
        }
        total
    }

    /// The value of the procedure: the estimate (`tender.value`), else what was awarded, and
    /// the OCDS field it came from.
    pub fn procedure_value(&self) -> Option<(Money, &'static str)> {
        match &self.tender_value {
            Some(v) => Some((v.clone(), "tender.value.amount")),
            None => self.awarded().map(|v| (v, "awards[].value.amount")),
        }
    }
}

/// One award to one supplier, dated, by a known buyer, as the across-process rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardRecord {
    pub ocid: String,
    pub award_id: String,
    pub buyer_id: i64,
    pub supplier_id: i64,
    pub supplier: String,
    pub date: DateTime<Utc>,
    pub value: Option<Money>,
    pub method: Option<String>,
    pub category: Option<String>,
}

/// The award records of `processes`: one per supplier of every award that counts, has a date
/// and belongs to a process with a buyer.
pub fn award_records(processes: &[ProcessFacts]) -> Vec<AwardRecord> {
    let mut records = Vec::new();
    for p in processes {
        let Some(buyer_id) = p.buyer_id else { continue };
        for a in p.active_awards() {
            let Some(date) = a.date else { continue };
            for (supplier_id, supplier) in &a.suppliers {
                records.push(AwardRecord {
                    ocid: p.ocid.clone(),
                    award_id: a.award_id.clone(),
                    buyer_id,
                    supplier_id: *supplier_id,
                    supplier: supplier.clone(),
                    date,
                    value: a.value.clone(),
                    method: p.method.clone(),
                    category: p.category.clone(),
                });
            }
        }
    }
    records
}

/// The award records of the processes in `scope` (tender and awards only are loaded).
pub fn load_award_records(
    conn: &mut PgConnection,
    scope: &ProcessScope,
) -> QueryResult<Vec<AwardRecord>> {
    Ok(award_records(&load(conn, scope, false)?))
}

/// Everything the rules read about the processes in `scope`, by ocid.
pub fn load_process_facts(
    conn: &mut PgConnection,
    scope: &ProcessScope,
) -> QueryResult<Vec<ProcessFacts>> {
    load(conn, scope, true)
}

type ProcessRow = (
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<BigDecimal>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i32>,
    DateTime<Utc>,
);

fn load(
    conn: &mut PgConnection,
    scope: &ProcessScope,
    full: bool,
) -> QueryResult<Vec<ProcessFacts>> {
    use procurement_processes as p;
    let mut query = p::table.into_boxed();
    match scope {
        ProcessScope::Ocid(ocid) => query = query.filter(p::ocid.eq(ocid)),
        ProcessScope::Ocids(ocids) => query = query.filter(p::ocid.eq_any(ocids)),
        ProcessScope::Buyer(buyer) => query = query.filter(p::buyer_id.eq(buyer)),
        ProcessScope::All => {}
    }
    let rows: Vec<ProcessRow> = query
        .select((
            p::ocid,
            p::title,
            p::buyer_id,
            p::procurement_method,
            p::main_procurement_category,
            p::tender_value,
            p::tender_currency,
            p::tender_period_start,
            p::tender_period_end,
            p::number_of_tenderers,
            p::last_release_date,
        ))
        .order(p::ocid)
        .load(conn)?;
    let mut processes: Vec<ProcessFacts> = rows
        .into_iter()
        .map(|r| ProcessFacts {
            ocid: r.0,
            title: r.1,
            buyer_id: r.2,
            method: r.3,
            category: r.4,
            tender_value: Money::from_parts(r.5, r.6),
            tender_period_start: r.7,
            tender_period_end: r.8,
            number_of_tenderers: r.9,
            bid_count: 0,
            last_release_date: r.10,
            awards: Vec::new(),
            contracts: Vec::new(),
            process_payments: Vec::new(),
        })
        .collect();
    if processes.is_empty() {
        return Ok(processes);
    }
    // Every later query is narrowed to the processes found (not at all for the whole table).
    let ocids: Option<Vec<String>> = match scope {
        ProcessScope::All => None,
        _ => Some(processes.iter().map(|p| p.ocid.clone()).collect()),
    };
    let index: HashMap<String, usize> = processes
        .iter()
        .enumerate()
        .map(|(i, p)| (p.ocid.clone(), i))
        .collect();
    let first_values = first_release_values(conn, ocids.as_deref())?;
    for (ocid, award) in load_awards(conn, ocids.as_deref(), &first_values)? {
        if let Some(&i) = index.get(&ocid) {
            processes[i].awards.push(award);
        }
    }
    if !full {
        return Ok(processes);
    }
    for (ocid, count) in bid_counts(conn, ocids.as_deref())? {
        if let Some(&i) = index.get(&ocid) {
            processes[i].bid_count = count;
        }
    }
    let amendments = first_amendment_values(conn, ocids.as_deref())?;
    for (ocid, contract) in load_contracts(conn, ocids.as_deref(), &first_values, &amendments)? {
        if let Some(&i) = index.get(&ocid) {
            processes[i].contracts.push(contract);
        }
    }
    let payment_scope = match ocids {
        Some(ocids) => ProcessScope::Ocids(ocids),
        None => ProcessScope::All,
    };
    for payment in payments_of(conn, &payment_scope)? {
        let Some(&i) = index.get(&payment.ocid) else {
            continue;
        };
        let process = &mut processes[i];
        let contract = payment
            .contract_id
            .as_ref()
            .and_then(|id| process.contracts.iter_mut().find(|c| &c.contract_id == id));
        match contract {
            Some(c) => c.payments.push(payment),
            None => process.process_payments.push(payment),
        }
    }
    Ok(processes)
}

/// (ocid, scope, object id) → first value and its release id.
type FirstValues = HashMap<(String, String, String), (Money, String)>;

#[derive(QueryableByName)]
struct FirstValueRow {
    #[diesel(sql_type = Text)]
    ocid: String,
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(sql_type = Text)]
    object_id: String,
    #[diesel(sql_type = Numeric)]
    amount: BigDecimal,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = Text)]
    release_id: String,
}

fn first_release_values(
    conn: &mut PgConnection,
    ocids: Option<&[String]>,
) -> QueryResult<FirstValues> {
    let rows: Vec<FirstValueRow> = diesel::sql_query(include_str!("first_values.sql"))
        .bind::<Nullable<Array<Text>>, _>(ocids)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                (r.ocid, r.scope, r.object_id),
                (Money::new(r.amount, r.currency), r.release_id),
            )
        })
        .collect())
}

type AwardRow = (
    String,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<BigDecimal>,
    Option<String>,
);

fn load_awards(
    conn: &mut PgConnection,
    ocids: Option<&[String]>,
    first_values: &FirstValues,
) -> QueryResult<Vec<(String, AwardFacts)>> {
    use procurement_award_suppliers as s;
    use procurement_awards as a;
    let mut query = a::table.into_boxed();
    if let Some(ocids) = ocids {
        query = query.filter(a::ocid.eq_any(ocids));
    }
    let rows: Vec<AwardRow> = query
        .select((
            a::ocid,
            a::award_id,
            a::status,
            a::award_date,
            a::value,
            a::currency,
        ))
        .order((a::ocid, a::award_id))
        .load(conn)?;
    let mut supplier_query = s::table
        .inner_join(parties::table.on(parties::id.eq(s::party_id)))
        .into_boxed();
    if let Some(ocids) = ocids {
        supplier_query = supplier_query.filter(s::ocid.eq_any(ocids));
    }
    let supplier_rows: Vec<(String, String, i64, String)> = supplier_query
        .select((s::ocid, s::award_id, s::party_id, parties::name))
        .order((s::ocid, s::award_id, s::party_id))
        .load(conn)?;
    let mut suppliers: HashMap<(String, String), Vec<(i64, String)>> = HashMap::new();
    for (ocid, award_id, party_id, name) in supplier_rows {
        suppliers
            .entry((ocid, award_id))
            .or_default()
            .push((party_id, name));
    }
    Ok(rows
        .into_iter()
        .map(|(ocid, award_id, status, date, value, currency)| {
            let key = (ocid.clone(), "award".to_owned(), award_id.clone());
            let award = AwardFacts {
                first_release_value: first_values.get(&key).cloned(),
                suppliers: suppliers
                    .remove(&(ocid.clone(), award_id.clone()))
                    .unwrap_or_default(),
                award_id,
                status,
                date,
                value: Money::from_parts(value, currency),
            };
            (ocid, award)
        })
        .collect())
}

/// Bids received per process: every bid except those only invited or withdrawn.
fn bid_counts(
    conn: &mut PgConnection,
    ocids: Option<&[String]>,
) -> QueryResult<Vec<(String, usize)>> {
    use procurement_bids as b;
    let mut query = b::table
        .filter(
            b::status
                .is_null()
                .or(b::status.ne_all(["invited", "withdrawn"])),
        )
        .group_by(b::ocid)
        .select((b::ocid, count_star()))
        .into_boxed();
    if let Some(ocids) = ocids {
        query = query.filter(b::ocid.eq_any(ocids));
    }
    let rows: Vec<(String, i64)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(ocid, n)| (ocid, usize::try_from(n).unwrap_or_default()))
        .collect())
}

/// (ocid, contract id) → `value_before` of the contract's first amendment stating one.
fn first_amendment_values(
    conn: &mut PgConnection,
    ocids: Option<&[String]>,
) -> QueryResult<HashMap<(String, String), Money>> {
    use procurement_amendments as m;
    let mut query = m::table
        .filter(m::scope.eq("contract"))
        .filter(m::value_before.is_not_null())
        .into_boxed();
    if let Some(ocids) = ocids {
        query = query.filter(m::ocid.eq_any(ocids));
    }
    let rows: Vec<(String, String, Option<BigDecimal>, Option<String>)> = query
        .select((m::ocid, m::scope_id, m::value_before, m::currency))
        .order((m::ocid, m::scope_id, m::position))
        .load(conn)?;
    let mut first = HashMap::new();
    for (ocid, contract_id, before, currency) in rows {
        if let Some(money) = Money::from_parts(before, currency) {
            first.entry((ocid, contract_id)).or_insert(money);
        }
    }
    Ok(first)
}

type ContractRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<BigDecimal>,
    Option<String>,
);

fn load_contracts(
    conn: &mut PgConnection,
    ocids: Option<&[String]>,
    first_values: &FirstValues,
    amendments: &HashMap<(String, String), Money>,
) -> QueryResult<Vec<(String, ContractFacts)>> {
    use procurement_contracts as c;
    let mut query = c::table.into_boxed();
    if let Some(ocids) = ocids {
        query = query.filter(c::ocid.eq_any(ocids));
    }
    let rows: Vec<ContractRow> = query
        .select((
            c::ocid,
            c::contract_id,
            c::award_id,
            c::status,
            c::value,
            c::currency,
        ))
        .order((c::ocid, c::contract_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(ocid, contract_id, award_id, status, value, currency)| {
            let key = (ocid.clone(), "contract".to_owned(), contract_id.clone());
            let contract = ContractFacts {
                first_release_value: first_values.get(&key).cloned(),
                first_amendment_value: amendments
                    .get(&(ocid.clone(), contract_id.clone()))
                    .cloned(),
                contract_id,
                award_id,
                status,
                value: Money::from_parts(value, currency),
                payments: Vec::new(),
            };
            (ocid, contract)
        })
        .collect())
}
