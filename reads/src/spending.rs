//! Spending: procurement red flags, budget vs actual, follow the money (docs/methods/spending.md).
//!
//! Three computations over the OCDS process state (`procurement_*`), the budget lines and the
//! CityTreasury payments indexed from the city ledger:
//!
//! - [`red_flags`]: the integrity indicators of Open Contracting's red-flags guide, each a rule
//!   with an id, a plain-language name and the figures (with their OCDS fields) that
//!   triggered it; [`process_red_flags`] for one process, [`list_flagged_processes`] for a
//!   paged, filterable listing.
//! - [`budget`]: approved / adjusted budget against committed (contract values) and paid
//!   (OCDS transactions + ledger payments), per fiscal year, department, program and COFOG
//!   function, with overspend, unspent and unbudgeted-spending flags ([`budget_vs_actual`]).
//! - [`follow`]: from one budget line to its contracts, their payments, the shipments delivered
//!   under them, the lots and the lots' origins and inputs ([`follow_the_money`]).
//!
//! Money is exact ([`BigDecimal`]); amounts are only ever added or compared within one
//! currency. Every threshold is a parameter ([`RedFlagRules`], [`BudgetRules`],
//! [`MoneyTrailLimits`]) read from `[methods.spending]` in `citytrace.toml`.

pub mod budget;
pub mod budget_line;
mod commitments;
pub mod follow;
pub mod money;
pub mod overview;
pub mod party;
pub mod payments;
pub mod process_money;
pub mod process_page;
pub mod processes;
pub mod red_flags;
mod settings;

use bigdecimal::BigDecimal;
use serde::Serialize;

pub use budget::{
    budget_vs_actual, city_totals, BudgetAmount, BudgetFilter, BudgetFlag, BudgetFlagKind,
    BudgetRules, BudgetScope, BudgetVsActual, CityTotals, UnlinkedPayment,
};
pub use commitments::{BudgetLink, Commitment};
pub use follow::{
    follow_the_money, BudgetLineSummary, ContractTrail, LotInput, LotTrail, MoneyTrail,
    MoneyTrailLimits, PartyRef, ProcessTrail, ShipmentLineTrail, ShipmentTrail, SiteRef,
};
pub use money::{from_minor_units, minor_unit_exponent, FiscalCalendar, Money};
pub use payments::{payments_of, Payment, PaymentSource, ProcessScope};
pub use red_flags::{
    list_flagged_processes, page_of_flagged_processes, process_red_flags,
    summarise_flagged_processes, walk_flagged_processes, FlagSubject, ProcessFlagPage,
    ProcessFlagQuery, ProcessFlagSummary, ProcessRedFlags, ProcessWalk, ProcessWalkPage, RedFlag,
    RedFlagRule, RedFlagRules, PROCESSES_PER_CHUNK,
};

/// One figure behind a flag: what it is, its value as text (exact decimals, ISO dates) and
/// where it came from — an OCDS field path (`tender.numberOfTenderers`,
/// `awards[id=a1].value.amount`), a budget phase or a ledger table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: String,
    pub source: String,
}

impl Figure {
    pub fn new(name: impl Into<String>, value: impl ToString, source: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.to_string(),
            source: source.into(),
        }
    }

    /// A decimal figure, written without trailing zeros (`1100000`, `12.5`).
    pub fn amount(name: impl Into<String>, value: &BigDecimal, source: impl Into<String>) -> Self {
        Self::new(name, money::plain(value), source)
    }
}
