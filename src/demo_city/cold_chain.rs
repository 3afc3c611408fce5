//! The cold chain (`shipments` and `sensor-readings` formats): vaccines and insulin from the
//! pharma distributor to the city's clinics, chilled and frozen food from the caterer to the
//! school kitchens, each shipment with a logger recording the temperature at the product's
//! logging interval. Lots are GS1 Digital Links (LGTIN), so the EPCIS events name the same
//! lots. Most logs are clean; the story plants excursions within the product's budget,
//! breaches of it, and logging gaps, at fixed positions so every scale has them.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use citytrace_importers::Format;

use super::contracts::{self, Purpose};
use super::materials::{purchase_order, shipments_file, write_line, ShipmentLine};
use super::out::{Case, FileEntry, Out};
use super::plan::Plan;
use super::products::{Cold, Product, CHICKEN, FROZEN_VEG, PHARMA, YOGHURT};
use super::time::{push_iso, spread};
use super::world::{Company, World, COLD, GSC, PPL};
use super::{fixed, sscc, Rng};

pub const READING_COLUMNS: &[&str] = &[
    "device_id",
    "shipment_id",
    "lot_id",
    "recorded_at",
    "temperature_c",
    "humidity_pct",
];

/// What a shipment's logger records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Clean,
    /// One short excursion, within the product's budget.
    WithinBudget,
    /// An excursion longer than the product's budget and longest single excursion.
    Breach,
    /// The logger stops recording for nine intervals.
    Gap,
}

pub fn scenario(s: usize) -> Scenario {
    match s % 12 {
        1 | 9 => Scenario::WithinBudget,
        3 => Scenario::Gap,
        5 => Scenario::Breach,
        _ => Scenario::Clean,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Pharma,
    Food,
}

impl Flow {
    fn supplier(self) -> &'static Company {
        match self {
            Self::Pharma => &PPL,
            Self::Food => &GSC,
        }
    }

    fn count(self, plan: &Plan) -> usize {
        match self {
            Self::Pharma => plan.pharma_shipments,
            Self::Food => plan.food_shipments,
        }
    }
}

/// Lines of shipment `s`: every third carries two lots (frozen food always one).
fn line_count(flow: Flow, s: usize) -> usize {
    match flow {
        Flow::Food if is_frozen(s) => 1,
        _ if s.is_multiple_of(3) => 2,
        _ => 1,
    }
}

fn is_frozen(s: usize) -> bool {
    s % 4 == 2
}

pub fn planned_lines(plan: &Plan) -> u64 {
    [Flow::Pharma, Flow::Food]
        .iter()
        .map(|f| {
            (0..f.count(plan))
                .map(|s| line_count(*f, s) as u64)
                .sum::<u64>()
        })
        .sum()
}

pub fn planned_readings(plan: &Plan) -> u64 {
    ((plan.pharma_shipments + plan.food_shipments) * plan.readings_per_shipment) as u64
}

pub struct ColdLine {
    pub lot: String,
    pub product: &'static Product,
    pub tenths: i64,
}

pub struct ColdShipment {
    pub sscc: String,
    pub lines: Vec<ColdLine>,
    pub from: String,
    pub to: String,
    pub shipped: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub scenario: Scenario,
    pub device: String,
    pub ocid: String,
}

impl ColdShipment {
    /// The range and budgets the logger is held to: its first (strictest) product's.
    pub fn cold(&self) -> &'static Cold {
        const NONE: Cold = Cold {
            min_centi: -10_000,
            max_centi: 10_000,
            budget_minutes: 0,
            single_minutes: 0,
            interval_minutes: 5,
        };
        self.lines[0].product.cold.as_ref().unwrap_or(&NONE)
    }
}

/// Shipment `s` of `flow`.
pub fn shipment(plan: &Plan, world: &World, seed: u64, flow: Flow, s: usize) -> ColdShipment {
    let mut rng = Rng::stream(
        seed ^ (s as u64).wrapping_mul(0x9E37_79B9),
        match flow {
            Flow::Pharma => "cold/pharma",
            Flow::Food => "cold/food",
        },
    );
    let supplier = flow.supplier();
    let (to, purpose, lot_every) = match flow {
        Flow::Pharma => (rng.pick(&world.clinics).clone(), Purpose::Pharma, 20),
        Flow::Food => (rng.pick(&world.kitchens).clone(), Purpose::Food, 10),
    };
    let shipped = spread(s, flow.count(plan)) + Duration::minutes(rng.range(60, 420));
    let mut lines = Vec::new();
    for n in 0..line_count(flow, s) {
        let product: &'static Product = match flow {
            Flow::Pharma => PHARMA[(s + n) % PHARMA.len()],
            Flow::Food if is_frozen(s) => &FROZEN_VEG,
            Flow::Food => [&CHICKEN, &YOGHURT][n],
        };
        let tenths = match flow {
            Flow::Pharma => rng.range(10, 60) * 100,
            Flow::Food => rng.range(200, 1_800),
        };
        let gtin = product.gtin_cell();
        let short = gtin.get(8..13).unwrap_or_default();
        lines.push(ColdLine {
            lot: product.lot_link(&format!("L{short}26{:05}", s / lot_every + 1)),
            product,
            tenths,
        });
    }
    ColdShipment {
        sscc: sscc(supplier.prefix, 700_000_000 + s as u64 + 1),
        lines,
        from: supplier.site(),
        to,
        shipped,
        received: shipped + Duration::minutes(rng.range(45, 150)),
        scenario: scenario(s),
        device: format!(
            "{}-TL-{:05}",
            match flow {
                Flow::Pharma => "PPL",
                Flow::Food => "GSC",
            },
            s + 1
        ),
        ocid: contracts::find(world, purpose)
            .map(|c| c.ocid.clone())
            .unwrap_or_default(),
    }
}

/// Both flows' shipments and loggers' readings.
pub fn write(
    dir: &Path,
    plan: &Plan,
    world: &World,
    seed: u64,
    cases: &mut Vec<Case>,
) -> std::io::Result<Vec<FileEntry>> {
    let mut files = Vec::new();
    for (flow, name) in [
        (Flow::Pharma, "polar-pharma"),
        (Flow::Food, "greenleaf-catering"),
    ] {
        let supplier = flow.supplier();
        let mut out = shipments_file(dir, &format!("{name}-shipments.csv"), supplier)?;
        for s in 0..flow.count(plan) {
            let shipment = shipment(plan, world, seed, flow, s);
            for (n, l) in shipment.lines.iter().enumerate() {
                write_line(
                    &mut out,
                    &ShipmentLine {
                        shipment: shipment.sscc.clone(),
                        line: n as u32 + 1,
                        lot: l.lot.clone(),
                        product: l.product,
                        tenths: l.tenths,
                        from: shipment.from.clone(),
                        to: shipment.to.clone(),
                        shipped: shipment.shipped,
                        received: Some(shipment.received),
                        carrier: COLD.code,
                        purchase_order: purchase_order(&shipment.ocid, shipment.shipped),
                        contract_ocid: shipment.ocid.clone(),
                        certificates: match flow {
                            Flow::Pharma => {
                                format!("CoA-{}", l.lot.rsplit('/').next().unwrap_or(""))
                            }
                            Flow::Food => "HACCP-GSC-2026".into(),
                        },
                    },
                )?;
            }
            if s < 12 && shipment.scenario != Scenario::Clean {
                let (kind, detail) = match shipment.scenario {
                    Scenario::Breach => (
                        "cold_chain_breach",
                        "an excursion beyond the product's budget",
                    ),
                    Scenario::WithinBudget => (
                        "excursion_within_budget",
                        "one short excursion within the budget",
                    ),
                    Scenario::Gap => ("logging_gap", "the logger stopped for nine intervals"),
                    Scenario::Clean => continue,
                };
                cases.push(Case {
                    kind,
                    reference: shipment.sscc.clone(),
                    detail: format!("{detail} ({})", shipment.lines[0].product.name),
                });
            }
        }
        files.push(out.finish()?);
    }
    for (flow, name) in [
        (Flow::Pharma, "polar-pharma"),
        (Flow::Food, "greenleaf-catering"),
    ] {
        let supplier = flow.supplier();
        let file = format!("{name}-sensor-readings.csv");
        let mut out = Out::csv(
            dir,
            &file,
            Format::SensorReadings,
            supplier.code,
            READING_COLUMNS,
        )?;
        for s in 0..flow.count(plan) {
            let shipment = shipment(plan, world, seed, flow, s);
            write_readings(&mut out, plan, seed, flow, s, &shipment)?;
        }
        files.push(out.finish()?);
    }
    Ok(files)
}

/// The logger's readings for one shipment, from loading (30 minutes before it leaves): each
/// reading's time, temperature in hundredths of a degree and relative humidity in tenths of a
/// percent.
pub fn readings(
    plan: &Plan,
    seed: u64,
    flow: Flow,
    s: usize,
    shipment: &ColdShipment,
    mut each: impl FnMut(DateTime<Utc>, i64, i64),
) {
    let mut rng = Rng::stream(
        seed ^ (s as u64).wrapping_mul(0x85EB_CA6B),
        match flow {
            Flow::Pharma => "readings/pharma",
            Flow::Food => "readings/food",
        },
    );
    let cold = shipment.cold();
    let n = plan.readings_per_shipment;
    let interval = cold.interval_minutes;
    let (low, high) = (cold.min_centi + 60, cold.max_centi - 60);
    let mut temp = (low + high) / 2;
    let start = n / 4;
    let out_of_range = match shipment.scenario {
        Scenario::WithinBudget => start..start + (cold.single_minutes / interval / 2) as usize,
        Scenario::Breach => start..start + (cold.budget_minutes / interval) as usize + 2,
        Scenario::Clean | Scenario::Gap => 0..0,
    };
    let mut at = shipment.shipped - Duration::minutes(30);
    for k in 0..n {
        if shipment.scenario == Scenario::Gap && k == n / 2 {
            at += Duration::minutes(9 * interval);
        }
        temp = (temp + rng.range(-25, 25)).clamp(low, high);
        let value = if out_of_range.contains(&k) {
            cold.max_centi + rng.range(40, 420)
        } else {
            temp
        };
        let humidity = rng.range(820, 950);
        each(at, value, humidity);
        at += Duration::minutes(interval);
    }
}

fn write_readings(
    out: &mut Out,
    plan: &Plan,
    seed: u64,
    flow: Flow,
    s: usize,
    shipment: &ColdShipment,
) -> std::io::Result<()> {
    let mut result = Ok(());
    readings(plan, seed, flow, s, shipment, |at, value, humidity| {
        let line = &mut out.line;
        line.push_str(&shipment.device);
        line.push(',');
        line.push_str(&shipment.sscc);
        line.push_str(",,");
        push_iso(line, at);
        line.push(',');
        line.push_str(&fixed(value, 2));
        line.push(',');
        if flow == Flow::Food {
            let _ = write!(line, "{}", fixed(humidity, 1));
        }
        line.push('\n');
        if result.is_ok() {
            result = out.line_row();
        }
    });
    result
}
