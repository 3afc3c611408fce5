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
use chrono::{DateTime, Utc};
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
/// `awards[id=a1].value.amount`), a budget phase or a ledger table. `reading` says what kind of
/// value it is, so a page can write it as people read it (money grouped with its currency,
/// a date as a date) while `value` stays exact for the JSON twins and the CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: String,
    pub source: String,
    #[serde(skip)]
    pub reading: FigureReading,
}

/// What a [`Figure`]'s value is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FigureReading {
    /// Text, a count or a code: shown as it is.
    #[default]
    Text,
    /// A number (a percentage, a number of days, a threshold).
    Decimal(BigDecimal),
    /// An amount of money.
    Money(Money),
    /// A point in time.
    Time(DateTime<Utc>),
    /// Several payments: their total and how many they are.
    Payments { total: Money, count: usize },
    /// One award of a series: its process and award ids, its value (if any) and its date.
    Award {
        ocid: String,
        award_id: String,
        value: Option<Money>,
        date: DateTime<Utc>,
    },
}

impl Figure {
    pub fn new(name: impl Into<String>, value: impl ToString, source: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.to_string(),
            source: source.into(),
            reading: FigureReading::Text,
        }
    }

    fn with(mut self, reading: FigureReading) -> Self {
        self.reading = reading;
        self
    }

    /// An amount of money (`value`: `1100000 EUR`).
    pub fn money(name: impl Into<String>, value: &Money, source: impl Into<String>) -> Self {
        Self::new(name, value, source).with(FigureReading::Money(value.clone()))
    }

    /// A point in time (`value`: RFC 3339).
    pub fn time(name: impl Into<String>, at: DateTime<Utc>, source: impl Into<String>) -> Self {
        Self::new(name, at.to_rfc3339(), source).with(FigureReading::Time(at))
    }

    /// Payments' total and count (`value`: `400.01 (2)`).
    pub fn payments(
        name: impl Into<String>,
        total: Money,
        count: usize,
        source: impl Into<String>,
    ) -> Self {
        let value = format!("{} ({count})", money::plain(&total.amount));
        Self::new(name, value, source).with(FigureReading::Payments { total, count })
    }

    /// A decimal figure, written without trailing zeros (`1100000`, `12.5`).
    pub fn amount(name: impl Into<String>, value: &BigDecimal, source: impl Into<String>) -> Self {
        Self::new(name, money::plain(value), source).with(FigureReading::Decimal(value.clone()))
    }
}
