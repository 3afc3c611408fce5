//! The state of one contracting process, derived from all its stored releases: merged by the
//! OCDS rules, then read into processes, parties, awards, contracts, amendments, transactions
//! bids and the budget lines it is planned on. Organisations are named by citytrace party codes here; the loader turns codes into
//! `parties` ids.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

mod budget;
mod organisations;

use super::merge;
use super::ReleaseKind;
pub(crate) use budget::BudgetLinkState;
use organisations::Organisations;

/// One stored release or record of the process, as the state is derived from it.
#[derive(Debug, Clone)]
pub(crate) struct StoredRelease<'a> {
    pub kind: ReleaseKind,
    pub release_id: &'a str,
    pub date: DateTime<Utc>,
    pub batch_id: i64,
    pub line: i32,
    pub data: &'a Map<String, Value>,
}

/// Where a state row comes from: the release that last mentioned it.
pub(crate) type Provenance = (i64, i32);

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Organisation {
    pub code: String,
    pub name: String,
    pub ocds_id: Option<String>,
    pub roles: BTreeSet<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Money {
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AwardState {
    pub id: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub value: Money,
    pub suppliers: BTreeSet<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct ContractState {
    pub id: String,
    pub award_id: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub value: Money,
    pub date_signed: Option<DateTime<Utc>>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct AmendmentState {
    pub scope: &'static str,
    pub scope_id: String,
    pub position: i32,
    pub id: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub description: Option<String>,
    pub amends_release_id: Option<String>,
    pub release_id: Option<String>,
    pub value_before: Option<BigDecimal>,
    pub value_after: Option<BigDecimal>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct TransactionState {
    pub contract_id: String,
    pub id: String,
    pub date: Option<DateTime<Utc>>,
    pub value: Money,
    pub payer: Option<String>,
    pub payee: Option<String>,
    pub source: Option<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct BidState {
    pub id: String,
    pub date: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub value: Money,
    pub tenderers: BTreeSet<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct ProcessState {
    pub ocid: String,
    pub tender_id: Option<String>,
    pub title: Option<String>,
    pub buyer: Option<String>,
    pub procuring_entity: Option<String>,
    pub procurement_method: Option<String>,
    pub procurement_method_details: Option<String>,
    pub main_procurement_category: Option<String>,
    pub tender_status: Option<String>,
    pub tender_value: Money,
    pub tender_period_start: Option<DateTime<Utc>>,
    pub tender_period_end: Option<DateTime<Utc>>,
    pub number_of_tenderers: Option<i32>,
    pub budget: Money,
    /// The budget lines the process is planned on.
    pub budget_links: Vec<BudgetLinkState>,
    pub release_count: i32,
    pub last_release_date: DateTime<Utc>,
    pub provenance: Provenance,
    pub organisations: Vec<Organisation>,
    pub awards: Vec<AwardState>,
    pub contracts: Vec<ContractState>,
    pub amendments: Vec<AmendmentState>,
    pub transactions: Vec<TransactionState>,
    pub bids: Vec<BidState>,
}

/// Put a process's releases in merge order: by date; at the same date releases before
/// records; then in the order they were imported. A release imported more than once (same
/// kind and id) is kept once, as its latest import: a publisher's correction replaces it.
pub(crate) fn merge_order(releases: &mut Vec<StoredRelease<'_>>) {
    releases.sort_by_key(|r| std::cmp::Reverse((r.batch_id, r.line)));
    let mut seen = BTreeSet::new();
    releases.retain(|r| seen.insert((r.kind, r.release_id)));
    releases.sort_by_key(|r| (r.date, r.kind, r.batch_id, r.line));
}

/// The state of process `ocid` from its releases, already in merge order (not empty).
pub(crate) fn derive(ocid: &str, releases: &[StoredRelease<'_>]) -> Option<ProcessState> {
    let last = releases.last()?;
    let latest: Provenance = (last.batch_id, last.line);
    let compiled = merge::compile(releases.iter().map(|r| r.data));

    // The release that last mentioned each award, contract, transaction and bid.
    let mut mentioned: HashMap<(&str, String, String), Provenance> = HashMap::new();
    for r in releases {
        let here = (r.batch_id, r.line);
        for award in objects(r.data.get("awards")) {
            if let Some(id) = text(award, "id") {
                mentioned.insert(("award", id, String::new()), here);
            }
        }
        for contract in objects(r.data.get("contracts")) {
            let Some(id) = text(contract, "id") else {
                continue;
            };
            for tx in objects(path(contract, &["implementation", "transactions"])) {
                if let Some(tx_id) = text(tx, "id") {
                    mentioned.insert(("transaction", id.clone(), tx_id), here);
                }
            }
            mentioned.insert(("contract", id, String::new()), here);
        }
        for bid in objects(path(r.data, &["bids", "details"])) {
            if let Some(id) = text(bid, "id") {
                mentioned.insert(("bid", id, String::new()), here);
            }
        }
    }
    let provenance = |kind: &'static str, id: &str, sub: &str| {
        mentioned
            .get(&(kind, id.to_string(), sub.to_string()))
            .copied()
            .unwrap_or(latest)
    };

    let mut orgs = Organisations::new(ocid, &compiled);
    for party in objects(compiled.get("parties")) {
        let roles: Vec<String> = party
            .get("roles")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        orgs.add(party, &roles);
    }
    let tender = compiled.get("tender").and_then(Value::as_object);
    let buyer = compiled
        .get("buyer")
        .and_then(Value::as_object)
        .and_then(|b| orgs.add(b, &["buyer".into()]))
        .or_else(|| orgs.first_with_role("buyer"));
    let procuring_entity = tender
        .and_then(|t| t.get("procuringEntity"))
        .and_then(Value::as_object)
        .and_then(|p| orgs.add(p, &["procuringEntity".into()]))
        .or_else(|| orgs.first_with_role("procuringEntity"));
    if let Some(t) = tender {
        for tenderer in objects(t.get("tenderers")) {
            orgs.add(tenderer, &["tenderer".into()]);
        }
    }

    let mut awards = Vec::new();
    for award in objects(compiled.get("awards")) {
        let Some(id) = text(award, "id") else {
            continue;
        };
        let suppliers = objects(award.get("suppliers"))
            .filter_map(|s| orgs.add(s, &["supplier".into()]))
            .collect();
        awards.push(AwardState {
            title: text(award, "title"),
            status: text(award, "status"),
            date: time(award, "date"),
            value: money(award.get("value")),
            suppliers,
            provenance: provenance("award", &id, ""),
            id,
        });
    }

    let mut contracts = Vec::new();
    let mut transactions = Vec::new();
    for contract in objects(compiled.get("contracts")) {
        let Some(id) = text(contract, "id") else {
            continue;
        };
        for tx in objects(path(contract, &["implementation", "transactions"])) {
            let Some(tx_id) = text(tx, "id") else {
                continue;
            };
            let payer = tx
                .get("payer")
                .and_then(Value::as_object)
                .and_then(|p| orgs.add(p, &["payer".into()]));
            let payee = tx
                .get("payee")
                .and_then(Value::as_object)
                .and_then(|p| orgs.add(p, &["payee".into()]));
            transactions.push(TransactionState {
                contract_id: id.clone(),
                date: time(tx, "date"),
                value: money(tx.get("value")),
                payer,
                payee,
                source: text(tx, "source"),
                provenance: provenance("transaction", &id, &tx_id),
                id: tx_id,
            });
        }
        let period = contract.get("period").and_then(Value::as_object);
        contracts.push(ContractState {
            award_id: text(contract, "awardID"),
            title: text(contract, "title"),
            status: text(contract, "status"),
            value: money(contract.get("value")),
            date_signed: time(contract, "dateSigned"),
            period_start: period.and_then(|p| time(p, "startDate")),
            period_end: period.and_then(|p| time(p, "endDate")),
            provenance: provenance("contract", &id, ""),
            id,
        });
    }

    let mut bids = Vec::new();
    for bid in objects(path(&compiled, &["bids", "details"])) {
        let Some(id) = text(bid, "id") else { continue };
        let tenderers = objects(bid.get("tenderers"))
            .filter_map(|t| orgs.add(t, &["tenderer".into()]))
            .collect();
        bids.push(BidState {
            date: time(bid, "date"),
            status: text(bid, "status"),
            value: money(bid.get("value")),
            tenderers,
            provenance: provenance("bid", &id, ""),
            id,
        });
    }

    let by_release: HashMap<&str, &Map<String, Value>> = releases
        .iter()
        .filter(|r| r.kind == ReleaseKind::Release)
        .map(|r| (r.release_id, r.data))
        .collect();
    let mut amendments = Vec::new();
    if let Some(t) = tender {
        amendments_of(t, "tender", "", &by_release, &mut amendments);
    }
    for award in objects(compiled.get("awards")) {
        if let Some(id) = text(award, "id") {
            amendments_of(award, "award", &id, &by_release, &mut amendments);
        }
    }
    for contract in objects(compiled.get("contracts")) {
        if let Some(id) = text(contract, "id") {
            amendments_of(contract, "contract", &id, &by_release, &mut amendments);
        }
    }

    let period = tender
        .and_then(|t| t.get("tenderPeriod"))
        .and_then(Value::as_object);
    let field = |key: &str| tender.and_then(|t| text(t, key));
    Some(ProcessState {
        ocid: ocid.to_string(),
        tender_id: field("id"),
        title: field("title"),
        buyer,
        procuring_entity,
        procurement_method: field("procurementMethod"),
        procurement_method_details: field("procurementMethodDetails"),
        main_procurement_category: field("mainProcurementCategory"),
        tender_status: field("status"),
        tender_value: money(tender.and_then(|t| t.get("value"))),
        tender_period_start: period.and_then(|p| time(p, "startDate")),
        tender_period_end: period.and_then(|p| time(p, "endDate")),
        number_of_tenderers: tender
            .and_then(|t| t.get("numberOfTenderers"))
            .and_then(Value::as_u64)
            .and_then(|n| i32::try_from(n).ok()),
        budget: money(path(&compiled, &["planning", "budget", "amount"])),
        budget_links: budget::budget_links(&compiled),
        release_count: i32::try_from(releases.len()).unwrap_or(i32::MAX),
        last_release_date: last.date,
        provenance: latest,
        organisations: orgs.into_list(),
        awards,
        contracts,
        amendments,
        transactions,
        bids,
    })
}

fn amendments_of(
    object: &Map<String, Value>,
    scope: &'static str,
    scope_id: &str,
    by_release: &HashMap<&str, &Map<String, Value>>,
    out: &mut Vec<AmendmentState>,
) {
    for (i, a) in objects(object.get("amendments")).enumerate() {
        let amends = text(a, "amendsReleaseID");
        let release = text(a, "releaseID");
        let value_in = |release_id: &Option<String>| {
            let data = by_release.get(release_id.as_deref()?)?;
            let value = value_of(data, scope, scope_id);
            value.amount.is_some().then_some(value)
        };
        let changed = objects(a.get("changes"))
            .find_map(|c| c.get("former_value"))
            .map(|former| match former {
                Value::Object(_) => money(Some(former)),
                other => Money {
                    amount: other.as_str().and_then(|s| BigDecimal::from_str(s).ok()),
                    currency: None,
                },
            })
            .filter(|m| m.amount.is_some());
        let before = changed.or_else(|| value_in(&amends)).unwrap_or_default();
        let after = value_in(&release).unwrap_or_default();
        out.push(AmendmentState {
            scope,
            scope_id: scope_id.to_string(),
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            id: text(a, "id"),
            date: time(a, "date"),
            description: text(a, "rationale").or_else(|| text(a, "description")),
            amends_release_id: amends,
            release_id: release,
            currency: after.currency.or(before.currency),
            value_before: before.amount,
            value_after: after.amount,
        });
    }
}

/// The value of the tender, or of award / contract `id`, in one release.
fn value_of(data: &Map<String, Value>, scope: &str, id: &str) -> Money {
    let object = match scope {
        "tender" => data.get("tender").and_then(Value::as_object),
        "award" => objects(data.get("awards")).find(|a| text(a, "id").as_deref() == Some(id)),
        _ => objects(data.get("contracts")).find(|c| text(c, "id").as_deref() == Some(id)),
    };
    money(object.and_then(|o| o.get("value")))
}

fn objects(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn path<'v>(object: &'v Map<String, Value>, keys: &[&str]) -> Option<&'v Value> {
    let (first, rest) = keys.split_first()?;
    let mut value = object.get(*first)?;
    for key in rest {
        value = value.get(*key)?;
    }
    Some(value)
}

fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn time(object: &Map<String, Value>, key: &str) -> Option<DateTime<Utc>> {
    let text = object.get(key)?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn money(value: Option<&Value>) -> Money {
    let Some(object) = value.and_then(Value::as_object) else {
        return Money::default();
    };
    Money {
        amount: object
            .get("amount")
            .and_then(Value::as_str)
            .and_then(|s| BigDecimal::from_str(s).ok()),
        currency: text(object, "currency"),
    }
}
