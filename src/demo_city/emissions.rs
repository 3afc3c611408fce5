//! The departments' greenhouse-gas reports (`emissions` format), quarter by quarter from
//! 2025-Q1 to 2026-Q3: scope 1 from buildings' gas and the vehicle fleets, scope 2 both
//! location- and market-based, scope 3 for purchased materials, deliveries and waste.
//! Compiled and submitted by the environment department's climate office.

use std::path::Path;

use citytrace_importers::Format;

use super::out::{FileEntry, Out};
use super::plan::Plan;
use super::world::{Department, World, DEPARTMENTS, EDU, ENV, HEALTH, TRANSPORT, WORKS};
use super::{fixed, Rng};

pub const COLUMNS: &[&str] = &[
    "party",
    "scope",
    "category",
    "activity",
    "period",
    "kg_co2e",
    "method",
    "source_document",
];

const QUARTERS: &[(i32, u32)] = &[
    (2025, 1),
    (2025, 2),
    (2025, 3),
    (2025, 4),
    (2026, 1),
    (2026, 2),
    (2026, 3),
];

/// One emission source a department reports every quarter.
#[derive(Clone, Copy)]
struct Source {
    scope: u8,
    category: &'static str,
    activity: &'static str,
    method: &'static str,
    document: &'static str,
    /// kg CO2e per quarter, per reporting unit.
    kg: i64,
    /// Reported per building or fleet (the plan's reporting units), or once.
    per_unit: bool,
    /// Heating sources peak in winter.
    seasonal: bool,
}

const fn source(
    scope: u8,
    category: &'static str,
    activity: &'static str,
    method: &'static str,
    document: &'static str,
    kg: i64,
) -> Source {
    Source {
        scope,
        category,
        activity,
        method,
        document,
        kg,
        per_unit: true,
        seasonal: false,
    }
}

const GAS: Source = Source {
    seasonal: true,
    ..source(
        1,
        "stationary_combustion",
        "Buildings, natural gas",
        "fuel-based: metered natural gas × 1.79 kg CO2e/m³",
        "GAS",
        42_000,
    )
};
const POWER_LOCATION: Source = source(
    2,
    "location_based",
    "Buildings, electricity",
    "meter readings × national grid factor (0.33 kg CO2e/kWh)",
    "GRID",
    31_000,
);
const POWER_MARKET: Source = source(
    2,
    "market_based",
    "Buildings, electricity",
    "meter readings × supplier's renewable tariff (guarantees of origin)",
    "GO",
    1_900,
);
const FLEET: Source = source(
    1,
    "mobile_combustion",
    "Vehicle fleet, diesel",
    "fuel-based: diesel litres × 2.68 kg CO2e/l",
    "FLEET",
    58_000,
);
const TRAMS_LOCATION: Source = source(
    2,
    "location_based",
    "Tram traction power",
    "meter readings × national grid factor (0.33 kg CO2e/kWh)",
    "TRACTION",
    210_000,
);
const TRAMS_MARKET: Source = source(
    2,
    "market_based",
    "Tram traction power",
    "meter readings × supplier's wind power contract (guarantees of origin)",
    "TRACTION-GO",
    0,
);

fn once(s: Source) -> Source {
    Source {
        per_unit: false,
        ..s
    }
}

fn sources(d: &Department) -> Vec<Source> {
    let mut list = vec![GAS, POWER_LOCATION, POWER_MARKET];
    if [WORKS.code, ENV.code, TRANSPORT.code].contains(&d.code) {
        list.push(FLEET);
    }
    if d.code == WORKS.code {
        list.push(once(source(
            3,
            "1",
            "Construction materials for capital projects",
            "supplier-specific: EPD factors × delivered quantities",
            "EPD-ROLLUP",
            1_450_000,
        )));
        list.push(once(source(
            3,
            "4",
            "Deliveries to construction sites",
            "distance-based: tonne-km × 0.11 kg CO2e/tkm",
            "TKM",
            96_000,
        )));
    }
    if d.code == ENV.code {
        list.push(once(source(
            3,
            "5",
            "Construction and demolition waste",
            "waste-type-specific: tonnes by LoW code × treatment factors",
            "WASTE",
            64_000,
        )));
    }
    if d.code == HEALTH.code {
        list.push(once(source(
            3,
            "1",
            "Vaccines and medical supplies",
            "spend-based: EUR × 0.28 kg CO2e/EUR",
            "SPEND-HEALTH",
            82_000,
        )));
    }
    if d.code == EDU.code {
        list.push(once(source(
            3,
            "1",
            "School meal ingredients",
            "spend-based: EUR × 0.92 kg CO2e/EUR",
            "SPEND-MEALS",
            175_000,
        )));
    }
    if d.code == TRANSPORT.code {
        list.push(once(TRAMS_LOCATION));
        list.push(once(TRAMS_MARKET));
    }
    list
}

/// (department, source, unit) for every reported series.
fn series(plan: &Plan) -> Vec<(&'static Department, Source, usize)> {
    let mut all = Vec::new();
    for d in DEPARTMENTS {
        for s in sources(d) {
            let units = if s.per_unit { plan.emission_units } else { 1 };
            for unit in 0..units {
                all.push((*d, s, unit));
            }
        }
    }
    all
}

pub fn planned_rows(plan: &Plan) -> u64 {
    (series(plan).len() * QUARTERS.len()) as u64
}

pub fn write(dir: &Path, plan: &Plan, _world: &World, seed: u64) -> std::io::Result<FileEntry> {
    let mut rng = Rng::stream(seed, "emissions");
    let mut out = Out::csv(
        dir,
        "emissions-2025-2026.csv",
        Format::Emissions,
        ENV.code,
        COLUMNS,
    )?;
    for (d, s, unit) in series(plan) {
        let activity = if plan.emission_units > 1 && s.per_unit {
            format!("{}, district {}", s.activity, unit + 1)
        } else {
            s.activity.to_string()
        };
        for (year, q) in QUARTERS {
            let season = match (s.seasonal, q) {
                (true, 1 | 4) => 160,
                (true, _) => 55,
                (false, _) => 100,
            };
            let tenths = s.kg * 10 * season / 100 * rng.range(85, 115) / 100;
            out.row(&[
                d.code,
                &s.scope.to_string(),
                s.category,
                &activity,
                &format!("{year}-Q{q}"),
                &fixed(tenths, 1),
                s.method,
                &format!("{}-{year}-Q{q}-{}.pdf", s.document, d.short()),
            ])?;
        }
    }
    out.finish()
}
