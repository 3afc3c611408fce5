//! Cold chain: excursions, cumulative time out of range, mean kinetic temperature, verdicts and
//! logging gaps (docs/methods/cold-chain.md).
//!
//! [`assess_series`] is the computation: a pure function over one logger's readings and a
//! product's [`ColdChainLimits`]. [`cold_chain_for_shipment`] and [`cold_chain_for_lot`] load
//! the readings (one series per logger) and the products' limits and assess them;
//! [`shipments_in_breach`] and [`cold_chain_compliance`] walk only the shipments that have a
//! reading outside a range (found by index probes), so that no more than one shipment's
//! readings are ever in memory.
//!
//! The pages' loaders: [`load_cold_chain_overview`] (the compliance figure and the first
//! breaches), [`load_breaches`] (a page of the breach list) and [`load_shipment`] (one
//! shipment's page).

mod breaches;
pub(crate) mod goods;
mod mkt;
mod queries;
mod report;
mod route;
mod shipment;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use citytrace_schema::models::Product;
use citytrace_schema::schema::sensor_readings;

pub use breaches::{
    breach_source, load_breaches, load_cold_chain_overview, ColdChainOverview, ShipmentInBreach,
    ShipmentsInBreach,
};
pub use goods::{is_cold_chain_goods, COLD_CHAIN_CLASSES};
pub use mkt::mean_kinetic_temperature_c;
pub use queries::{
    cold_chain_compliance, cold_chain_for_lot, cold_chain_for_shipment, shipments_in_breach,
    BreachPage, ColdChainCompliance, DeviceColdChain, LotColdChain, ProductColdChain,
    ShipmentColdChain,
};
pub use report::{
    assess_series, BreachReason, ColdChainReport, Excursion, LoggingGap, TemperatureSummary,
};
pub use route::{shipment_route, site_names, NamedContract, NamedSite, ShipmentRoute};
pub use shipment::{load_shipment, CarriedLine, Logger, LoggerReadings, ShipmentData};

/// The thresholds the standards leave to the city: read from `[methods.cold_chain]` in
/// `citytrace.toml`; missing keys take the defaults below.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColdChainSettings {
    /// ΔH/R for the mean kinetic temperature, in kelvin: USP <1079> uses ΔH = 83.144 kJ/mol,
    /// so ΔH/R = 10,000 K.
    pub delta_h_over_r_kelvin: f64,
    /// Two consecutive readings further apart than the expected logging interval × this
    /// factor are a gap in the log. 1.5 flags one missed reading and tolerates a late one.
    pub gap_tolerance_factor: f64,
    /// The expected logging interval for products that do not give one; `None`: no gap check
    /// for them.
    pub default_logging_interval_minutes: Option<u32>,
}

impl Default for ColdChainSettings {
    fn default() -> Self {
        Self {
            delta_h_over_r_kelvin: 10_000.0,
            gap_tolerance_factor: 1.5,
            default_logging_interval_minutes: None,
        }
    }
}

/// A product's cold-chain requirements (the products format): the allowed range (either
/// bound may be open), the excursion budget and the expected logging interval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColdChainLimits {
    pub min_temp_c: Option<BigDecimal>,
    pub max_temp_c: Option<BigDecimal>,
    /// The most minutes in all the product may spend outside its range.
    pub max_excursion_minutes: Option<i32>,
    /// The longest single excursion allowed, in minutes.
    pub max_single_excursion_minutes: Option<i32>,
    pub logging_interval_minutes: Option<i32>,
}

impl ColdChainLimits {
    pub fn of_product(product: &Product) -> Self {
        Self {
            min_temp_c: product.min_temp_c.clone(),
            max_temp_c: product.max_temp_c.clone(),
            max_excursion_minutes: product.max_excursion_minutes,
            max_single_excursion_minutes: product.max_single_excursion_minutes,
            logging_interval_minutes: product.logging_interval_minutes,
        }
    }

    /// Whether there is a range to judge readings against (at least one bound).
    pub fn has_range(&self) -> bool {
        self.min_temp_c.is_some() || self.max_temp_c.is_some()
    }

    /// Where a temperature lies: `None` inside the range (the limits themselves included, and
    /// always when there is no range), else the side it left the range on.
    pub fn outside(&self, temperature_c: &BigDecimal) -> Option<Direction> {
        if self
            .max_temp_c
            .as_ref()
            .is_some_and(|max| temperature_c > max)
        {
            Some(Direction::Above)
        } else if self
            .min_temp_c
            .as_ref()
            .is_some_and(|min| temperature_c < min)
        {
            Some(Direction::Below)
        } else {
            None
        }
    }
}

/// Which side of the range an excursion left it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Above,
    Below,
}

/// The imported row a reading comes from: its batch and line (the batch's Merkle proof covers
/// it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ReadingRef {
    pub batch_id: i64,
    pub line: i32,
}

/// One temperature reading of a logger, with the imported row it comes from.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = sensor_readings)]
pub struct Reading {
    pub batch_id: i64,
    pub line: i32,
    pub recorded_at: DateTime<Utc>,
    pub temperature_c: BigDecimal,
}

impl Reading {
    /// The imported row this reading comes from.
    pub fn source_row(&self) -> ReadingRef {
        ReadingRef {
            batch_id: self.batch_id,
            line: self.line,
        }
    }
}

/// What a series (or a shipment, or a lot) amounts to, from best to worst: `Ord` follows
/// this order, and the verdict of several series is the greatest of theirs
/// ([`Verdict::worst`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No readings: nothing shows the goods were kept cold, so this is not compliant.
    NoData,
    /// Readings, but the product has no temperature range to judge them against.
    NoRange,
    /// Every reading inside the range.
    Compliant,
    /// Excursions, all within the product's excursion budget.
    WithinBudget,
    /// No budget exceeded by the readings there are, but a gap in the log: for that time
    /// nothing shows the goods were kept cold. A breach wins over it (the readings prove one).
    Unverifiable,
    /// An excursion budget exceeded, or an excursion where the product allows none.
    Breach,
}

impl Verdict {
    /// The worst of several verdicts; [`Verdict::NoData`] when there are none.
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts.into_iter().max().unwrap_or(Verdict::NoData)
    }

    /// Compliant or within budget: what the compliance rate counts as good.
    pub fn is_acceptable(self) -> bool {
        matches!(self, Verdict::Compliant | Verdict::WithinBudget)
    }
}
