//! Concrete (`production` and `shipments` formats): the recycling yard crushes accepted
//! demolition concrete into recycled aggregate (one run per consignment, the consignment id
//! being the input lot) and ships it to the ready-mix plant; the plant mixes batches from
//! cement, aggregate, sand and — every third batch — recycled aggregate, and every tenth run
//! casts precast beams with rebar; each batch is one lot delivered to a construction site
//! under the project's concrete contract. The first deliveries per site are inspected.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use citytrace_importers::Format;

use super::contracts::{self, Purpose};
use super::materials::{
    aggregate_lot, cement_lot, plant_rebar_lot, purchase_order, sand_lot, shipments_file,
    write_line, ShipmentLine,
};
use super::out::{FileEntry, Out};
use super::plan::Plan;
use super::products::{
    Product, AGGREGATE, CEMENT, CONCRETE, DEMOLITION, PRECAST, REBAR, RECYCLED, SAND,
};
use super::time::{iso, season_start, yymmdd, SEASON_DAYS};
use super::waste::{self, Recycled};
use super::world::{World, ESR, MRM};
use super::{fixed, sscc, Inspection, Rng};

pub const RUNS_PER_CEMENT_LOT: usize = 8;
pub const RUNS_PER_AGGREGATE_LOT: usize = 2;
pub const RUNS_PER_SAND_LOT: usize = 3;
/// Every third batch takes recycled aggregate.
pub const RECYCLED_EVERY: usize = 3;
/// Every tenth run (the 10th, 20th …) casts precast beams.
pub const PRECAST_EVERY: usize = 10;
pub const PRECAST_RUNS_PER_REBAR_LOT: usize = 4;

pub const COLUMNS: &[&str] = &[
    "production_id",
    "input_line",
    "output_lot",
    "output_gtin",
    "output_product",
    "output_quantity",
    "output_unit",
    "input_lot",
    "input_product",
    "input_quantity",
    "input_unit",
    "site",
    "produced_at",
    "epd_reference",
    "gwp_factor",
    "declared_unit",
];

/// When batch `i` is mixed: spread over the season from its sixth day.
pub fn run_time(plan: &Plan, i: usize) -> DateTime<Utc> {
    let minutes = (SEASON_DAYS - 8) * 24 * 60;
    season_start()
        + Duration::days(5)
        + Duration::minutes(i as i64 * minutes / plan.concrete_runs.max(1) as i64)
}

pub fn precast_runs(plan: &Plan) -> usize {
    plan.concrete_runs / PRECAST_EVERY
}

/// The run index of the `q`-th precast run.
pub fn precast_run(q: usize) -> usize {
    q * PRECAST_EVERY + PRECAST_EVERY - 1
}

fn is_precast(i: usize) -> bool {
    i % PRECAST_EVERY == PRECAST_EVERY - 1
}

fn takes_recycled(i: usize) -> bool {
    i.is_multiple_of(RECYCLED_EVERY)
}

pub fn planned_production_rows(plan: &Plan) -> u64 {
    let runs = plan.concrete_runs;
    (waste::recycled_count(plan) + 3 * runs + runs.div_ceil(RECYCLED_EVERY) + precast_runs(plan))
        as u64
}

pub fn planned_shipment_lines(plan: &Plan) -> u64 {
    (waste::recycled_count(plan) + plan.concrete_runs) as u64
}

/// A recycled-aggregate lot: made from consignment `input`, ready at the plant at `ready`.
struct RecycledLot<'a> {
    lot: String,
    input: &'a Recycled,
    produced: DateTime<Utc>,
    tenths: i64,
    shipped: DateTime<Utc>,
    ready: DateTime<Utc>,
}

pub fn write(
    dir: &Path,
    plan: &Plan,
    world: &World,
    seed: u64,
) -> std::io::Result<(Vec<FileEntry>, Vec<Inspection>)> {
    let recycled = waste::recycled_inputs(plan, world, seed);
    let mut rng = Rng::stream(seed, "production/recycling");
    let mut lots: Vec<RecycledLot> = recycled
        .iter()
        .enumerate()
        .map(|(j, input)| {
            let produced =
                input.received + Duration::hours(20) + Duration::minutes(rng.range(0, 120));
            let shipped = produced + Duration::hours(24);
            RecycledLot {
                lot: format!("ESR-RCA-{}-{:05}", yymmdd(produced), j + 1),
                input,
                produced,
                tenths: input.kg * 94 / 100 / 100,
                shipped,
                ready: shipped + Duration::hours(2),
            }
        })
        .collect();
    lots.sort_by_key(|l| l.ready);

    let mut files = Vec::new();
    let yard = ESR.site();
    let mut out = Out::csv(
        dir,
        "eastside-recycling-production.csv",
        Format::Production,
        ESR.code,
        COLUMNS,
    )?;
    for l in &lots {
        out.row(&[
            &format!("ESR-CRUSH-{}", l.lot.get(8..).unwrap_or_default()),
            "1",
            &l.lot,
            &RECYCLED.gtin_cell(),
            RECYCLED.name,
            &fixed(l.tenths, 1),
            RECYCLED.unit,
            &l.input.consignment,
            DEMOLITION.name,
            &fixed(l.input.kg / 100, 1),
            "TNE",
            &yard,
            &iso(l.produced),
            RECYCLED.epd.map_or("", |e| e.0),
            RECYCLED.epd.map_or("", |e| e.1),
            RECYCLED.unit,
        ])?;
    }
    files.push(out.finish()?);

    let plant = MRM.site();
    let mut out = shipments_file(dir, "eastside-recycling-shipments.csv", &ESR)?;
    for (j, l) in lots.iter().enumerate() {
        write_line(
            &mut out,
            &ShipmentLine {
                shipment: sscc(ESR.prefix, j as u64 + 1),
                line: 1,
                lot: l.lot.clone(),
                product: &RECYCLED,
                tenths: l.tenths,
                from: yard.clone(),
                to: plant.clone(),
                shipped: l.shipped,
                received: Some(l.ready - Duration::minutes(70)),
                carrier: ESR.code,
                purchase_order: format!(
                    "MRM-PO-{}",
                    yymmdd(l.shipped).get(..4).unwrap_or_default()
                ),
                contract_ocid: String::new(),
                certificates: "DoP-ESR-RCA-2026".into(),
            },
        )?;
    }
    files.push(out.finish()?);

    let ready: Vec<DateTime<Utc>> = lots.iter().map(|l| l.ready).collect();
    let mut rng = Rng::stream(seed, "production/concrete");
    let mut deliveries = Rng::stream(seed, "shipments/concrete");
    let mut production = Out::csv(
        dir,
        "metro-ready-mix-production.csv",
        Format::Production,
        MRM.code,
        COLUMNS,
    )?;
    let mut shipments = shipments_file(dir, "metro-ready-mix-shipments.csv", &MRM)?;
    let mut inspections = Vec::new();
    let mut inspected = vec![0usize; world.projects.len()];
    for i in 0..plan.concrete_runs {
        let produced = run_time(plan, i) + Duration::minutes(rng.range(0, 40));
        let precast = is_precast(i);
        let (product, prefix) = if precast {
            (&PRECAST, "PCB8")
        } else {
            (&CONCRETE, "C3037")
        };
        let output_lot = format!("MRM-{prefix}-{}-{:06}", yymmdd(produced), i + 1);
        // Concrete in tenths of m³; precast in whole beams of 1.2 m³ each.
        let (output, m3_tenths) = if precast {
            let beams = rng.range(4, 8);
            (beams.to_string(), beams * 12)
        } else {
            let tenths = rng.range(70, 90);
            (fixed(tenths, 1), tenths)
        };
        // Inputs in hundredths of a tonne, per m³: cement 0.32, aggregate 1.10 (0.85 with
        // recycled aggregate 0.25), sand 0.75; rebar 0.45 t per beam.
        let recycled_lot = (takes_recycled(i) && !lots.is_empty()).then(|| {
            let at = ready.partition_point(|r| *r <= produced).max(1) - 1;
            &lots[at]
        });
        let aggregate_rate = if recycled_lot.is_some() { 85 } else { 110 };
        let mut inputs: Vec<(String, &Product, i64)> = vec![
            (
                cement_lot(plan, i / RUNS_PER_CEMENT_LOT),
                &CEMENT,
                m3_tenths * 32 / 10,
            ),
            (
                aggregate_lot(plan, i / RUNS_PER_AGGREGATE_LOT),
                &AGGREGATE,
                m3_tenths * aggregate_rate / 10,
            ),
            (
                sand_lot(plan, i / RUNS_PER_SAND_LOT),
                &SAND,
                m3_tenths * 75 / 10,
            ),
        ];
        if let Some(l) = recycled_lot {
            inputs.push((l.lot.clone(), &RECYCLED, m3_tenths * 25 / 10));
        }
        if precast {
            let b = i / PRECAST_EVERY / PRECAST_RUNS_PER_REBAR_LOT;
            inputs.push((plant_rebar_lot(plan, b), &REBAR, m3_tenths / 12 * 45));
        }
        let epd = match (precast, recycled_lot.is_some()) {
            (true, _) => ("EPD-MRM-PCB8-2025", "1850", "H87"),
            (false, true) => ("EPD-MRM-C3037-RCA-2026", "298.6", "MTQ"),
            (false, false) => ("EPD-MRM-C3037-2025", "312.5", "MTQ"),
        };
        let production_id = format!(
            "MRM-{}-{}-{:06}",
            if precast { "CAST" } else { "MIX" },
            yymmdd(produced),
            i + 1
        );
        let produced_text = iso(produced);
        for (n, (lot, input, hundredths)) in inputs.iter().enumerate() {
            production.row(&[
                &production_id,
                &(n + 1).to_string(),
                &output_lot,
                &product.gtin_cell(),
                product.name,
                &output,
                product.unit,
                lot,
                input.name,
                &fixed(*hundredths, 2),
                input.unit,
                &plant,
                &produced_text,
                epd.0,
                epd.1,
                epd.2,
            ])?;
        }

        let p = deliveries.range(0, world.projects.len() as i64 - 1) as usize;
        let project = &world.projects[p];
        let ocid = contracts::find(world, Purpose::Concrete(p))
            .map(|c| c.ocid.clone())
            .unwrap_or_default();
        let shipped = produced
            + if precast {
                Duration::hours(20)
            } else {
                Duration::minutes(deliveries.range(25, 50))
            };
        let received = (i + 1 < plan.concrete_runs)
            .then(|| shipped + Duration::minutes(deliveries.range(30, 80)));
        let tenths = if precast {
            m3_tenths / 12 * 10
        } else {
            m3_tenths
        };
        write_line(
            &mut shipments,
            &ShipmentLine {
                shipment: sscc(MRM.prefix, i as u64 + 1),
                line: 1,
                lot: output_lot.clone(),
                product,
                tenths,
                from: plant.clone(),
                to: project.site.clone(),
                shipped,
                received,
                carrier: MRM.code,
                purchase_order: purchase_order(&ocid, shipped),
                contract_ocid: ocid,
                certificates: format!(
                    "DoP-MRM-{prefix}-2026|LAB-MRM-{}-{:06}",
                    yymmdd(produced),
                    i + 1
                ),
            },
        )?;
        if let (Some(received), true) = (received, inspected[p] < 2) {
            inspected[p] += 1;
            let last = p + 1 == world.projects.len() && inspected[p] == 2;
            inspections.push(Inspection {
                lot: output_lot,
                site: project.site.clone(),
                at: received + Duration::hours(2),
                conformant: !last,
            });
        }
    }
    files.push(production.finish()?);
    files.push(shipments.finish()?);
    Ok((files, inspections))
}
