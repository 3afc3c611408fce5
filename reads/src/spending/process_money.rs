//! What the procurement list and a party's page say about a process's money: who won it (the
//! suppliers of its awards, by name), what was awarded and what has been paid so far (each
//! payment once: an OCDS transaction evidenced on the ledger is not added again), per currency.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use diesel::prelude::*;

use citytrace_schema::schema::{parties, procurement_award_suppliers, procurement_awards};

use super::payments::{payments_of, ProcessScope};
use super::processes::PartyName;

/// Award statuses that award nothing (OCDS award status codelist).
pub(crate) const NOT_AWARDED: [&str; 3] = ["pending", "cancelled", "unsuccessful"];

/// A process's suppliers, awarded and paid amounts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcessMoney {
    /// The suppliers of its awards (not pending, cancelled or unsuccessful), by name.
    pub suppliers: Vec<PartyName>,
    /// The values of those awards, summed per currency (currency order).
    pub awarded: BTreeMap<String, BigDecimal>,
    /// Its payments so far, each once, summed per currency (currency order).
    pub paid: BTreeMap<String, BigDecimal>,
}

/// The money of the processes `ocids`, by ocid (a process with neither awards nor payments
/// has an empty entry).
pub fn load_process_money(
    conn: &mut PgConnection,
    ocids: &[String],
) -> QueryResult<HashMap<String, ProcessMoney>> {
    use procurement_award_suppliers as s;
    use procurement_awards as a;
    let mut money: HashMap<String, ProcessMoney> = ocids
        .iter()
        .map(|o| (o.clone(), ProcessMoney::default()))
        .collect();
    let awarded = || a::status.is_null().or(a::status.ne_all(NOT_AWARDED));
    let awards: Vec<(String, Option<BigDecimal>, Option<String>)> = a::table
        .filter(a::ocid.eq_any(ocids))
        .filter(awarded())
        .select((a::ocid, a::value, a::currency))
        .load(conn)?;
    for (ocid, value, currency) in awards {
        let (Some(value), Some(currency), Some(m)) = (value, currency, money.get_mut(&ocid)) else {
            continue;
        };
        *m.awarded.entry(currency).or_default() += value;
    }
    let suppliers: Vec<(String, i64, String, String)> = s::table
        .inner_join(a::table.on(a::ocid.eq(s::ocid).and(a::award_id.eq(s::award_id))))
        .inner_join(parties::table.on(parties::id.eq(s::party_id)))
        .filter(s::ocid.eq_any(ocids))
        .filter(awarded())
        .select((s::ocid, parties::id, parties::code, parties::name))
        .order((s::ocid, parties::name, parties::code))
        .distinct()
        .load(conn)?;
    for (ocid, id, code, name) in suppliers {
        if let Some(m) = money.get_mut(&ocid) {
            m.suppliers.push(PartyName { id, code, name });
        }
    }
    for p in payments_of(conn, &ProcessScope::Ocids(ocids.to_vec()))? {
        let (Some(currency), Some(m)) = (p.currency, money.get_mut(&p.ocid)) else {
            continue;
        };
        *m.paid.entry(currency).or_default() += p.amount;
    }
    Ok(money)
}
