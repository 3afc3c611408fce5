//! A supplier's totals: what it was awarded and what it has been paid so far, per buyer (the
//! departments it supplied) and currency. Awarded counts its own awards (an award with several
//! suppliers counts for each of them, whole: OCDS does not split it); paid counts the payments
//! to it (each once), put on the buyer of their process.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use diesel::prelude::*;

use citytrace_schema::schema::{
    procurement_award_suppliers, procurement_awards, procurement_processes,
};

use crate::spending::process_money::NOT_AWARDED;
use crate::spending::processes::{load_party_names, PartyName};
use crate::spending::Payment;

/// What one buyer awarded the supplier and paid it, in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct BuyerTotals {
    /// None: processes without a known buyer.
    pub buyer: Option<PartyName>,
    pub currency: String,
    pub awarded: BigDecimal,
    pub paid: BigDecimal,
}

/// The supplier `party_id`'s totals per buyer and currency (buyers by name); `paid_to_it`: the
/// payments to it.
pub fn supplier_totals(
    conn: &mut PgConnection,
    party_id: i64,
    paid_to_it: &[&Payment],
) -> QueryResult<Vec<BuyerTotals>> {
    use procurement_award_suppliers as s;
    use procurement_awards as a;
    use procurement_processes as p;
    let awards: Vec<(Option<i64>, Option<BigDecimal>, Option<String>)> = s::table
        .inner_join(a::table.on(a::ocid.eq(s::ocid).and(a::award_id.eq(s::award_id))))
        .inner_join(p::table.on(p::ocid.eq(s::ocid)))
        .filter(s::party_id.eq(party_id))
        .filter(a::status.is_null().or(a::status.ne_all(NOT_AWARDED)))
        .select((p::buyer_id, a::value, a::currency))
        .load(conn)?;
    let ocids: Vec<&String> = paid_to_it.iter().map(|x| &x.ocid).collect();
    let buyer_of: HashMap<String, Option<i64>> = p::table
        .filter(p::ocid.eq_any(ocids))
        .select((p::ocid, p::buyer_id))
        .load::<(String, Option<i64>)>(conn)?
        .into_iter()
        .collect();
    let mut totals: BTreeMap<(Option<i64>, String), (BigDecimal, BigDecimal)> = BTreeMap::new();
    for (buyer, value, currency) in awards {
        if let (Some(value), Some(currency)) = (value, currency) {
            totals.entry((buyer, currency)).or_default().0 += value;
        }
    }
    for payment in paid_to_it {
        let Some(currency) = payment.currency.clone() else {
            continue;
        };
        let buyer = buyer_of.get(&payment.ocid).copied().flatten();
        totals.entry((buyer, currency)).or_default().1 += &payment.amount;
    }
    let names = load_party_names(conn, totals.keys().filter_map(|(b, _)| *b))?;
    let mut rows: Vec<BuyerTotals> = totals
        .into_iter()
        .map(|((buyer, currency), (awarded, paid))| BuyerTotals {
            buyer: buyer.and_then(|id| names.get(&id).cloned()),
            currency,
            awarded,
            paid,
        })
        .collect();
    rows.sort_by(|x, y| {
        let name = |t: &BuyerTotals| t.buyer.as_ref().map(|b| b.name.clone());
        (name(x).is_none(), name(x), &x.currency).cmp(&(name(y).is_none(), name(y), &y.currency))
    });
    Ok(rows)
}
