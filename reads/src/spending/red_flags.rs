//! Procurement red flags over the OCDS process state (Open Contracting Partnership, "Red flags
//! for integrity", 2016; the cardinal indicators): each flag is a [`RedFlagRule`] with an id, a
//! plain-language name and the [`Figure`]s — with their OCDS fields — that triggered it.
//!
//! The rules are pure functions over [`ProcessFacts`] (one process as the database holds it)
//! and, for the rules that look across processes (repeated non-competitive awards, split
//! purchases), over the [`AwardRecord`]s of the same buyer. [`process_red_flags`] loads and
//! evaluates one process; [`list_flagged_processes`] evaluates every process (or one buyer's)
//! and pages the result, filtered by flag; [`walk_flagged_processes`] and
//! [`page_of_flagged_processes`] give the same rows a chunk at a time, in bounded memory.

mod across;
mod facts;
mod rules;
mod walk;
mod within;

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use serde::Serialize;

use super::Figure;

pub use super::payments::ProcessScope;
pub use across::{repeated_non_competitive_awards, split_purchases, AwardGroup};
pub use facts::{
    award_records, load_award_records, load_process_facts, AwardFacts, AwardRecord, ContractFacts,
    ProcessFacts,
};
pub use rules::{
    AmendmentRules, CategoryThresholds, RedFlagRules, RepeatedAwardRules, SplitPurchaseRules,
    TenderPeriodRules,
};
pub use walk::{
    page_of_flagged_processes, summarise_flagged_processes, walk_flagged_processes, ProcessWalk,
    ProcessWalkPage, PROCESSES_PER_CHUNK,
};
pub use within::evaluate_within;

/// The red-flag rules citytrace computes. The id (`single_bid`, …) is stable: the explorer
/// filters by it and `citytrace.toml` names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RedFlagRule {
    SingleBid,
    ShortTenderPeriod,
    DirectAwardAboveThreshold,
    AmendmentsRaiseValue,
    PaymentsExceedContract,
    RepeatedNonCompetitiveAwards,
    SplitPurchases,
    WinningBidCloseToEstimate,
}

impl RedFlagRule {
    pub const ALL: [RedFlagRule; 8] = [
        Self::SingleBid,
        Self::ShortTenderPeriod,
        Self::DirectAwardAboveThreshold,
        Self::AmendmentsRaiseValue,
        Self::PaymentsExceedContract,
        Self::RepeatedNonCompetitiveAwards,
        Self::SplitPurchases,
        Self::WinningBidCloseToEstimate,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::SingleBid => "single_bid",
            Self::ShortTenderPeriod => "short_tender_period",
            Self::DirectAwardAboveThreshold => "direct_award_above_threshold",
            Self::AmendmentsRaiseValue => "amendments_raise_value",
            Self::PaymentsExceedContract => "payments_exceed_contract",
            Self::RepeatedNonCompetitiveAwards => "repeated_non_competitive_awards",
            Self::SplitPurchases => "split_purchases",
            Self::WinningBidCloseToEstimate => "winning_bid_close_to_estimate",
        }
    }

    /// The flag as the public reads it.
    pub fn name(self) -> &'static str {
        match self {
            Self::SingleBid => "Only one bid in a competitive procedure",
            Self::ShortTenderPeriod => "Tender period shorter than the minimum",
            Self::DirectAwardAboveThreshold => "Direct or limited award above the threshold",
            Self::AmendmentsRaiseValue => "Amendments raised the contract value beyond the limit",
            Self::PaymentsExceedContract => "Payments exceed the contract value",
            Self::RepeatedNonCompetitiveAwards => {
                "Repeated non-competitive awards to the same supplier"
            }
            Self::SplitPurchases => "Purchases split just under the threshold",
            Self::WinningBidCloseToEstimate => "Winning bid very close to the estimate",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// What a flag is about within its process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum FlagSubject {
    Process,
    Award(String),
    Contract(String),
}

/// One raised flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedFlag {
    pub rule: RedFlagRule,
    pub subject: FlagSubject,
    pub figures: Vec<Figure>,
}

impl RedFlag {
    /// The figure called `name`, if the flag has one.
    pub fn figure(&self, name: &str) -> Option<&str> {
        self.figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }
}

/// A process and every flag it raises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessRedFlags {
    pub ocid: String,
    pub title: Option<String>,
    pub buyer_id: Option<i64>,
    pub procurement_method: Option<String>,
    pub flags: Vec<RedFlag>,
}

impl ProcessRedFlags {
    /// The distinct rules raised, in [`RedFlagRule::ALL`] order.
    pub fn rules(&self) -> Vec<RedFlagRule> {
        RedFlagRule::ALL
            .into_iter()
            .filter(|r| self.flags.iter().any(|f| f.rule == *r))
            .collect()
    }
}

/// The groups of a buyer's awards that raise the across-process rules.
pub fn across_groups(buyer_awards: &[AwardRecord], rules: &RedFlagRules) -> Vec<AwardGroup> {
    let mut groups = repeated_non_competitive_awards(buyer_awards, rules);
    groups.extend(split_purchases(buyer_awards, rules));
    groups
}

/// Evaluate every rule for `process`: its own rules, and the across-process rules over
/// `buyer_awards` (the award records of the same buyer, this process's included).
pub fn evaluate(
    process: &ProcessFacts,
    buyer_awards: &[AwardRecord],
    rules: &RedFlagRules,
) -> ProcessRedFlags {
    let groups = across_groups(buyer_awards, rules);
    assemble(process, groups.iter(), rules)
}

fn assemble<'g>(
    process: &ProcessFacts,
    groups: impl Iterator<Item = &'g AwardGroup>,
    rules: &RedFlagRules,
) -> ProcessRedFlags {
    let mut flags = evaluate_within(process, rules);
    flags.extend(groups.filter_map(|g| g.flag_for(&process.ocid)));
    flags.sort_by_key(|f| f.rule);
    ProcessRedFlags {
        ocid: process.ocid.clone(),
        title: process.title.clone(),
        buyer_id: process.buyer_id,
        procurement_method: process.method.clone(),
        flags,
    }
}

/// The red flags of one process; None when the ocid is unknown.
pub fn process_red_flags(
    conn: &mut PgConnection,
    ocid: &str,
    rules: &RedFlagRules,
) -> QueryResult<Option<ProcessRedFlags>> {
    let Some(process) = load_process_facts(conn, &ProcessScope::Ocid(ocid.to_owned()))?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let buyer_awards = match process.buyer_id {
        Some(buyer) => load_award_records(conn, &ProcessScope::Buyer(buyer))?,
        None => Vec::new(),
    };
    Ok(Some(evaluate(&process, &buyer_awards, rules)))
}

/// Which processes a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessFlagQuery {
    /// Only processes raising this rule.
    pub flag: Option<RedFlagRule>,
    /// Only this buyer's processes.
    pub buyer_id: Option<i64>,
    /// Only processes raising at least one flag.
    pub flagged_only: bool,
    pub limit: usize,
    pub offset: usize,
}

impl Default for ProcessFlagQuery {
    fn default() -> Self {
        Self {
            flag: None,
            buyer_id: None,
            flagged_only: false,
            limit: 50,
            offset: 0,
        }
    }
}

/// One row of the listing: a process and the ids of the flags it raises (the badges).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessFlagSummary {
    pub ocid: String,
    pub title: Option<String>,
    pub buyer_id: Option<i64>,
    pub procurement_method: Option<String>,
    pub last_release_date: chrono::DateTime<chrono::Utc>,
    pub flags: Vec<RedFlagRule>,
}

impl ProcessFlagSummary {
    fn of(process: &ProcessFacts, flags: Vec<RedFlagRule>) -> Self {
        Self {
            ocid: process.ocid.clone(),
            title: process.title.clone(),
            buyer_id: process.buyer_id,
            procurement_method: process.method.clone(),
            last_release_date: process.last_release_date,
            flags,
        }
    }
}

/// A page of the listing and how many processes match in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessFlagPage {
    pub total: usize,
    pub processes: Vec<ProcessFlagSummary>,
    /// How many matching processes raise each rule (for the filter's counts).
    pub counts: Vec<(RedFlagRule, usize)>,
}

/// Processes with the ids of the flags they raise, latest first (last release date, then
/// ocid), filtered and paged. Every matching process is evaluated (the across-process rules
/// need all of a buyer's awards); a buyer filter narrows what is loaded.
pub fn list_flagged_processes(
    conn: &mut PgConnection,
    rules: &RedFlagRules,
    query: &ProcessFlagQuery,
) -> QueryResult<ProcessFlagPage> {
    let scope = match query.buyer_id {
        Some(buyer) => ProcessScope::Buyer(buyer),
        None => ProcessScope::All,
    };
    let processes = load_process_facts(conn, &scope)?;
    // The across-process groups once per buyer, then indexed by the processes they touch.
    let mut by_buyer: HashMap<i64, Vec<AwardRecord>> = HashMap::new();
    for award in award_records(&processes) {
        by_buyer.entry(award.buyer_id).or_default().push(award);
    }
    let groups: Vec<AwardGroup> = by_buyer
        .values()
        .flat_map(|awards| across_groups(awards, rules))
        .collect();
    let mut groups_of: HashMap<&str, Vec<&AwardGroup>> = HashMap::new();
    for group in &groups {
        let ocids: BTreeSet<&str> = group.awards.iter().map(|a| a.ocid.as_str()).collect();
        for ocid in ocids {
            groups_of.entry(ocid).or_default().push(group);
        }
    }
    let mut rows = Vec::new();
    for process in &processes {
        let touching = groups_of
            .get(process.ocid.as_str())
            .map_or(&[][..], Vec::as_slice);
        let evaluated = assemble(process, touching.iter().copied(), rules);
        let flags = evaluated.rules();
        let keep = match query.flag {
            Some(rule) => flags.contains(&rule),
            None => !query.flagged_only || !flags.is_empty(),
        };
        if keep {
            rows.push(ProcessFlagSummary::of(process, flags));
        }
    }
    rows.sort_by(|a, b| {
        b.last_release_date
            .cmp(&a.last_release_date)
            .then_with(|| a.ocid.cmp(&b.ocid))
    });
    let counts = RedFlagRule::ALL
        .into_iter()
        .map(|r| (r, rows.iter().filter(|p| p.flags.contains(&r)).count()))
        .collect();
    let total = rows.len();
    let processes = rows
        .into_iter()
        .skip(query.offset)
        .take(query.limit)
        .collect();
    Ok(ProcessFlagPage {
        total,
        processes,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_round_trip_and_are_distinct() {
        let ids: std::collections::BTreeSet<_> = RedFlagRule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), 8);
        for rule in RedFlagRule::ALL {
            assert_eq!(RedFlagRule::from_id(rule.id()), Some(rule));
            assert!(!rule.name().is_empty());
        }
        assert_eq!(RedFlagRule::from_id("no_such_rule"), None);
        assert_eq!(
            serde_json::to_string(&RedFlagRule::SplitPurchases).unwrap(),
            "\"split_purchases\""
        );
    }
}
