//! Contracts as commitments of their buyer's budget, and the link between a contract and a
//! budget line.
//!
//! OCDS carries no COFOG code, so a contract is put on a budget line of its buyer (the
//! department), in the fiscal year it was committed in (`dateSigned`, else its award's `date`,
//! else `period.startDate`) and the contract value's currency, by these rules in order:
//!
//! 1. **Planned on a line**: the process names budget lines (`planning.budget.id`,
//!    `planning.budget.budgetBreakdown[].id`, stored in `procurement_budget_links`) and those
//!    that are budget lines of the department that year and currency are all of one
//!    classification (program + COFOG): the contract is on it ([`BudgetLink::Planned`]). When
//!    they are of several, the contract cannot be put on one and counts for the department
//!    and year only ([`BudgetLink::PlannedOnSeveral`]).
//! 2. **The only line**: no planned line matches, and the department has exactly one budget
//!    classification that year and currency: the contract is on it ([`BudgetLink::Line`]).
//! 3. Otherwise it counts for the department and year only, **not attributable to a line**
//!    ([`BudgetLink::DepartmentYear`]).

use std::collections::{BTreeSet, HashMap};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Numeric, Text, Timestamptz};
use serde::Serialize;

use super::money::FiscalCalendar;

/// How a contract is tied to a budget line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BudgetLink {
    /// The process is planned on this line (`planning.budget`).
    Planned,
    /// The process is planned on lines of the department of `classifications` (several)
    /// classifications: the contract counts for the department and year, not for one line.
    PlannedOnSeveral { classifications: usize },
    /// The department had one budget classification that year and currency: this one.
    Line,
    /// The department had `classifications` (0 or several) that year and currency; the contract
    /// counts for the department and year, not for one line.
    DepartmentYear { classifications: usize },
}

/// A contract as a commitment of its buyer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commitment {
    pub ocid: String,
    pub contract_id: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub buyer_id: i64,
    /// `contracts[].dateSigned`, else the award's `date`, else `contracts[].period.startDate`.
    pub committed_at: Option<DateTime<Utc>>,
    pub value: Option<BigDecimal>,
    pub currency: Option<String>,
    /// The budget lines the process is planned on (`procurement_budget_links`), by id.
    pub budget_line_ids: Vec<String>,
}

impl Commitment {
    /// Contracts commit money unless cancelled or not yet in force (`pending`), by the OCDS
    /// contract status codelist; a contract without a status counts.
    pub fn commits(&self) -> bool {
        !matches!(self.status.as_deref(), Some("cancelled" | "pending"))
    }
}

#[derive(QueryableByName)]
struct CommitmentRow {
    #[diesel(sql_type = Text)]
    ocid: String,
    #[diesel(sql_type = Text)]
    contract_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = BigInt)]
    buyer_id: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    committed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Numeric>)]
    value: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    budget_line_ids: Vec<String>,
}

/// Every contract of a process with a buyer (of `buyer` only when given).
pub(crate) fn load_commitments(
    conn: &mut PgConnection,
    buyer: Option<i64>,
) -> QueryResult<Vec<Commitment>> {
    let rows: Vec<CommitmentRow> = diesel::sql_query(
        "SELECT c.ocid, c.contract_id, c.title, c.status, p.buyer_id, \
                COALESCE(c.date_signed, a.award_date, c.period_start) AS committed_at, \
                c.value, c.currency, \
                ARRAY(SELECT l.budget_line_id FROM procurement_budget_links l \
                       WHERE l.ocid = c.ocid ORDER BY l.budget_line_id) AS budget_line_ids \
           FROM procurement_contracts c \
           JOIN procurement_processes p ON p.ocid = c.ocid \
           LEFT JOIN procurement_awards a ON a.ocid = c.ocid AND a.award_id = c.award_id \
          WHERE p.buyer_id IS NOT NULL AND ($1::bigint IS NULL OR p.buyer_id = $1) \
          ORDER BY c.ocid, c.contract_id",
    )
    .bind::<Nullable<BigInt>, _>(buyer)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Commitment {
            ocid: r.ocid,
            contract_id: r.contract_id,
            title: r.title,
            status: r.status,
            buyer_id: r.buyer_id,
            committed_at: r.committed_at,
            value: r.value,
            currency: r.currency,
            budget_line_ids: r.budget_line_ids,
        })
        .collect())
}

/// A budget classification: year, department, program, COFOG function, currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LineKey {
    pub fiscal_year: i32,
    pub department_id: i64,
    pub program: Option<String>,
    pub cofog: String,
    pub currency: String,
}

impl LineKey {
    pub fn department(&self) -> DepartmentKey {
        DepartmentKey {
            fiscal_year: self.fiscal_year,
            department_id: self.department_id,
            currency: self.currency.clone(),
        }
    }
}

/// A department's budget in one year and currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DepartmentKey {
    pub fiscal_year: i32,
    pub department_id: i64,
    pub currency: String,
}

/// Where a contract's commitment (and its payments) count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    pub department: DepartmentKey,
    pub line: Option<LineKey>,
    pub link: BudgetLink,
}

/// The budget classifications that exist, by department and by budget line id.
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    by_department: HashMap<DepartmentKey, Vec<LineKey>>,
    by_id: HashMap<(DepartmentKey, String), LineKey>,
}

impl LineIndex {
    /// From each budget line's id and classification.
    pub fn new<'a>(lines: impl IntoIterator<Item = (&'a str, LineKey)>) -> Self {
        let mut index = Self::default();
        let mut classifications = BTreeSet::new();
        for (id, key) in lines {
            index
                .by_id
                .insert((key.department(), id.to_owned()), key.clone());
            classifications.insert(key);
        }
        for key in classifications {
            index
                .by_department
                .entry(key.department())
                .or_default()
                .push(key);
        }
        index
    }

    /// The classification of budget line `id` of the department that year and currency.
    pub fn line(&self, department: &DepartmentKey, id: &str) -> Option<&LineKey> {
        self.by_id.get(&(department.clone(), id.to_owned()))
    }

    fn classifications(&self, department: &DepartmentKey) -> &[LineKey] {
        self.by_department
            .get(department)
            .map_or(&[][..], Vec::as_slice)
    }
}

/// Place every committing, dated, valued contract with a currency on its budget line (or its
/// department and year), by the rules of this module, given the budget lines that exist.
pub(crate) fn place_commitments(
    commitments: &[Commitment],
    lines: &LineIndex,
    calendar: FiscalCalendar,
) -> HashMap<(String, String), Placement> {
    let mut placements = HashMap::new();
    for c in commitments
        .iter()
        .filter(|c| c.commits() && c.value.is_some())
    {
        let (Some(at), Some(currency)) = (c.committed_at, c.currency.clone()) else {
            continue;
        };
        let department = DepartmentKey {
            fiscal_year: calendar.year_of(at),
            department_id: c.buyer_id,
            currency,
        };
        let (line, link) = place_one(c, &department, lines);
        placements.insert(
            (c.ocid.clone(), c.contract_id.clone()),
            Placement {
                department,
                line,
                link,
            },
        );
    }
    placements
}

fn place_one(
    c: &Commitment,
    department: &DepartmentKey,
    lines: &LineIndex,
) -> (Option<LineKey>, BudgetLink) {
    let planned: BTreeSet<&LineKey> = c
        .budget_line_ids
        .iter()
        .filter_map(|id| lines.line(department, id))
        .collect();
    if planned.len() > 1 {
        let classifications = planned.len();
        return (None, BudgetLink::PlannedOnSeveral { classifications });
    }
    if let Some(key) = planned.first() {
        return (Some((*key).clone()), BudgetLink::Planned);
    }
    match lines.classifications(department) {
        [one] => (Some(one.clone()), BudgetLink::Line),
        several => (
            None,
            BudgetLink::DepartmentYear {
                classifications: several.len(),
            },
        ),
    }
}

/// Where a payment that names only its process (a ledger payment of a process with several
/// contracts) counts: where all the process's placed contracts are, when they agree; else
/// the department and year of its earliest-committed contract, on no line.
pub(crate) fn place_process(
    ocid: &str,
    commitments: &[Commitment],
    placements: &HashMap<(String, String), Placement>,
) -> Option<Placement> {
    let mut placed: Vec<(&Commitment, &Placement)> = commitments
        .iter()
        .filter(|c| c.ocid == ocid)
        .filter_map(|c| {
            placements
                .get(&(c.ocid.clone(), c.contract_id.clone()))
                .map(|p| (c, p))
        })
        .collect();
    placed.sort_by_key(|(c, _)| c.committed_at);
    let (_, first) = placed.first()?;
    if placed.iter().all(|(_, p)| p == first) {
        return Some((*first).clone());
    }
    Some(Placement {
        department: first.department.clone(),
        line: None,
        link: BudgetLink::DepartmentYear { classifications: 0 },
    })
}
