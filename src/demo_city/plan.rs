//! How big the city is at each scale. Every count the generators loop over comes from here,
//! and the planned rows per format are computed by the same functions the generators use for
//! their loop bounds — so `plan(scale)` tells what a scale holds without writing a row.

use std::collections::BTreeMap;

use serde::Serialize;

use super::world::World;
use super::{budget, cold_chain, concrete, emissions, epcis, materials, ocds, products, waste};

/// The size of the generated city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// What the demo and the browser tests use: every format and every case, a few hundred
    /// rows in all, imported in seconds.
    Small,
    /// A city for the explorer's benchmark: tens of thousands of shipment lines, about a
    /// million sensor readings.
    Medium,
    /// For benchmarks: over a million shipment lines and over ten million sensor readings.
    Large,
}

impl Scale {
    pub fn name(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }
}

/// The counts a scale fixes.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub scale: Scale,
    /// Construction projects (sites), each with a concrete and a rebar supply contract.
    pub projects: usize,
    /// Health clinics receiving vaccines and insulin.
    pub clinics: usize,
    /// School kitchens receiving chilled and frozen food.
    pub school_kitchens: usize,
    /// Concrete batches mixed at the ready-mix plant; each is one delivered lot.
    pub concrete_runs: usize,
    /// Rebar deliveries straight to each construction site.
    pub rebar_deliveries_per_project: usize,
    /// Waste consignments leaving the construction sites.
    pub waste_consignments: usize,
    /// Cold-chain shipments of vaccines and insulin, and of school food.
    pub pharma_shipments: usize,
    pub food_shipments: usize,
    /// Logger readings per cold-chain shipment.
    pub readings_per_shipment: usize,
    /// Pharma shipments whose packing, unpacking, inspection and acceptance are captured as
    /// EPCIS events (the importer reads an EPCIS document whole, so this stays bounded).
    pub epcis_shipments: usize,
    /// Reporting units per department and emission source (buildings, fleets …).
    pub emission_units: usize,
}

impl Plan {
    pub fn for_scale(scale: Scale) -> Self {
        let base = Self {
            scale,
            projects: 3,
            clinics: 3,
            school_kitchens: 3,
            concrete_runs: 24,
            rebar_deliveries_per_project: 2,
            waste_consignments: 18,
            pharma_shipments: 8,
            food_shipments: 8,
            readings_per_shipment: 48,
            epcis_shipments: 8,
            emission_units: 1,
        };
        match scale {
            Scale::Small => base,
            Scale::Medium => Self {
                projects: 12,
                clinics: 8,
                school_kitchens: 10,
                concrete_runs: 12_000,
                rebar_deliveries_per_project: 40,
                waste_consignments: 600,
                pharma_shipments: 1_750,
                food_shipments: 1_750,
                readings_per_shipment: 288,
                epcis_shipments: 200,
                emission_units: 3,
                ..base
            },
            Scale::Large => Self {
                projects: 40,
                clinics: 20,
                school_kitchens: 30,
                concrete_runs: 500_000,
                rebar_deliveries_per_project: 500,
                waste_consignments: 6_000,
                pharma_shipments: 17_400,
                food_shipments: 17_400,
                readings_per_shipment: 288,
                epcis_shipments: 1_000,
                emission_units: 8,
                ..base
            },
        }
    }

    /// The rows each format will have: what the generated files' manifest must add up to.
    pub fn rows(&self) -> BTreeMap<&'static str, u64> {
        // Counts never depend on the seed, only amounts and times do.
        let world = World::build(self, 0);
        let mut rows = BTreeMap::new();
        let mut add = |format: citytrace_importers::Format, n: u64| {
            *rows.entry(format.name()).or_insert(0) += n;
        };
        use citytrace_importers::Format as F;
        add(F::Products, products::planned_rows(&world));
        add(F::Budget, budget::planned_rows(&world));
        add(F::Ocds, ocds::planned_releases(&world));
        add(F::Shipments, materials::planned_lines(self));
        add(F::Shipments, concrete::planned_shipment_lines(self));
        add(F::Shipments, cold_chain::planned_lines(self));
        add(F::Production, concrete::planned_production_rows(self));
        add(F::WasteTransfers, waste::planned_transfers(self));
        add(F::WasteReceipts, waste::planned_receipts(self));
        add(F::SensorReadings, cold_chain::planned_readings(self));
        add(F::Epcis, epcis::planned_events(self));
        add(F::Emissions, emissions::planned_rows(self));
        rows
    }
}

/// The plan as `citytrace demo generate --plan` prints it.
#[derive(Serialize)]
pub struct PlanReport {
    #[serde(flatten)]
    pub plan: Plan,
    pub rows: BTreeMap<&'static str, u64>,
}

impl From<Plan> for PlanReport {
    fn from(plan: Plan) -> Self {
        let rows = plan.rows();
        Self { plan, rows }
    }
}
