//! Raw materials (`shipments` format): aggregate and sand from the quarry, cement from the
//! cement works and rebar from the mill, delivered to the ready-mix plant just ahead of the
//! batches that use them (each lot feeds a fixed number of batches, see [`concrete`]), and
//! rebar straight to the construction sites under each project's rebar contract. Also the
//! shipments file writer every supplier's file goes through.
//!
//! [`concrete`]: super::concrete

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use citytrace_importers::Format;

use super::concrete::{self, run_time};
use super::contracts::{self, Purpose};
use super::out::{FileEntry, Out};
use super::plan::Plan;
use super::products::{Product, AGGREGATE, CEMENT, REBAR, SAND};
use super::time::{iso, yymmdd};
use super::world::{Company, World, DHC, HSM, MRM, NGA, RCW};
use super::{fixed, sscc, Rng};

pub const COLUMNS: &[&str] = &[
    "shipment_id",
    "line",
    "lot_id",
    "gtin",
    "product",
    "quantity",
    "unit",
    "from_site",
    "to_site",
    "shipped_at",
    "received_at",
    "carrier",
    "purchase_order",
    "contract_ocid",
    "certificates",
];

/// One shipment line as a supplier exports it.
pub struct ShipmentLine<'a> {
    pub shipment: String,
    pub line: u32,
    pub lot: String,
    pub product: &'a Product,
    /// Quantity in tenths of the product's unit.
    pub tenths: i64,
    pub from: String,
    pub to: String,
    pub shipped: DateTime<Utc>,
    pub received: Option<DateTime<Utc>>,
    pub carrier: &'a str,
    pub purchase_order: String,
    pub contract_ocid: String,
    pub certificates: String,
}

/// A supplier's shipments file.
pub fn shipments_file(dir: &Path, name: &str, supplier: &Company) -> std::io::Result<Out> {
    Out::csv(dir, name, Format::Shipments, supplier.code, COLUMNS)
}

pub fn write_line(out: &mut Out, l: &ShipmentLine<'_>) -> std::io::Result<()> {
    out.row(&[
        &l.shipment,
        &l.line.to_string(),
        &l.lot,
        &l.product.gtin_cell(),
        l.product.name,
        &fixed(l.tenths, 1),
        l.product.unit,
        &l.from,
        &l.to,
        &iso(l.shipped),
        &l.received.map(iso).unwrap_or_default(),
        l.carrier,
        &l.purchase_order,
        &l.contract_ocid,
        &l.certificates,
    ])
}

pub fn cement_lots(plan: &Plan) -> usize {
    plan.concrete_runs.div_ceil(concrete::RUNS_PER_CEMENT_LOT)
}

pub fn aggregate_lots(plan: &Plan) -> usize {
    plan.concrete_runs
        .div_ceil(concrete::RUNS_PER_AGGREGATE_LOT)
}

pub fn sand_lots(plan: &Plan) -> usize {
    plan.concrete_runs.div_ceil(concrete::RUNS_PER_SAND_LOT)
}

pub fn plant_rebar_lots(plan: &Plan) -> usize {
    concrete::precast_runs(plan).div_ceil(concrete::PRECAST_RUNS_PER_REBAR_LOT)
}

pub fn planned_lines(plan: &Plan) -> u64 {
    (cement_lots(plan)
        + aggregate_lots(plan)
        + sand_lots(plan)
        + plant_rebar_lots(plan)
        + plan.projects * plan.rebar_deliveries_per_project) as u64
}

/// Lot codes, shared with the batches that consume them.
pub fn cement_lot(plan: &Plan, c: usize) -> String {
    let at = run_time(plan, c * concrete::RUNS_PER_CEMENT_LOT);
    format!("RCW-CEM-{}-{:06}", yymmdd(at), c + 1)
}

pub fn aggregate_lot(plan: &Plan, a: usize) -> String {
    let at = run_time(plan, a * concrete::RUNS_PER_AGGREGATE_LOT);
    format!("NGA-AGG-{}-{:06}", yymmdd(at), a + 1)
}

pub fn sand_lot(plan: &Plan, s: usize) -> String {
    let at = run_time(plan, s * concrete::RUNS_PER_SAND_LOT);
    format!("NGA-SND-{}-{:06}", yymmdd(at), s + 1)
}

pub fn plant_rebar_lot(plan: &Plan, b: usize) -> String {
    let run = concrete::precast_run(b * concrete::PRECAST_RUNS_PER_REBAR_LOT);
    format!("HSM-B500-{}-{:06}", yymmdd(run_time(plan, run)), b + 1)
}

/// One lot delivered to the plant `hours` before the first batch that uses it.
struct PlantLot<'a> {
    lot: String,
    product: &'a Product,
    first_run: usize,
    hours_ahead: i64,
    tenths: (i64, i64),
    certificates: String,
}

/// The quarry's, the cement works' and the mill's files.
pub fn write(dir: &Path, plan: &Plan, world: &World, seed: u64) -> std::io::Result<Vec<FileEntry>> {
    let plant = MRM.site();
    let mut files = Vec::new();

    // The quarry: aggregate and sand, merged in time order.
    let mut rng = Rng::stream(seed, "shipments/quarry");
    let mut out = shipments_file(dir, "northgate-aggregates-shipments.csv", &NGA)?;
    let aggregate = |a: usize| PlantLot {
        lot: aggregate_lot(plan, a),
        product: &AGGREGATE,
        first_run: a * concrete::RUNS_PER_AGGREGATE_LOT,
        hours_ahead: 20,
        tenths: (240, 280),
        certificates: "DoP-NGA-AGG420-2026".into(),
    };
    let sand = |s: usize| PlantLot {
        lot: sand_lot(plan, s),
        product: &SAND,
        first_run: s * concrete::RUNS_PER_SAND_LOT,
        hours_ahead: 22,
        tenths: (200, 240),
        certificates: "DoP-NGA-SAND04-2026".into(),
    };
    let (na, ns) = (aggregate_lots(plan), sand_lots(plan));
    let (mut a, mut s, mut serial) = (0, 0, 0u64);
    while a < na || s < ns {
        let due =
            |lot: PlantLot<'_>| run_time(plan, lot.first_run) - Duration::hours(lot.hours_ahead);
        let take_aggregate = s >= ns || (a < na && due(aggregate(a)) <= due(sand(s)));
        let lot = if take_aggregate {
            a += 1;
            aggregate(a - 1)
        } else {
            s += 1;
            sand(s - 1)
        };
        serial += 1;
        let last = a == na && s == ns;
        write_plant_lot(
            &mut out, plan, &mut rng, &NGA, &DHC, &plant, serial, lot, last,
        )?;
    }
    files.push(out.finish()?);

    // The cement works.
    let mut rng = Rng::stream(seed, "shipments/cement");
    let mut out = shipments_file(dir, "riverside-cement-shipments.csv", &RCW)?;
    let n = cement_lots(plan);
    for c in 0..n {
        let lot = PlantLot {
            lot: cement_lot(plan, c),
            product: &CEMENT,
            first_run: c * concrete::RUNS_PER_CEMENT_LOT,
            hours_ahead: 26,
            tenths: (260, 300),
            certificates: "DoP-RCW-CEMI425-2026".into(),
        };
        write_plant_lot(
            &mut out,
            plan,
            &mut rng,
            &RCW,
            &RCW,
            &plant,
            c as u64 + 1,
            lot,
            c + 1 == n,
        )?;
    }
    files.push(out.finish()?);

    // The mill: rebar for the precast line, then straight to the sites.
    let mut rng = Rng::stream(seed, "shipments/rebar");
    let mut out = shipments_file(dir, "harbour-steel-shipments.csv", &HSM)?;
    let mut serial = 0u64;
    for b in 0..plant_rebar_lots(plan) {
        serial += 1;
        let lot = PlantLot {
            lot: plant_rebar_lot(plan, b),
            product: &REBAR,
            first_run: concrete::precast_run(b * concrete::PRECAST_RUNS_PER_REBAR_LOT),
            hours_ahead: 30,
            tenths: (110, 140),
            certificates: format!("DoP-HSM-B500B-2026|MTC-HSM-H26{:05}", b + 1),
        };
        write_plant_lot(
            &mut out, plan, &mut rng, &HSM, &DHC, &plant, serial, lot, false,
        )?;
    }
    let per_site = plan.rebar_deliveries_per_project;
    let total = world.projects.len() * per_site;
    for k in 0..total {
        let p = k % world.projects.len();
        let project = &world.projects[p];
        let contract = contracts::find(world, Purpose::Rebar(p));
        let ocid = contract.map(|c| c.ocid.clone()).unwrap_or_default();
        let shipped = super::time::spread(k, total)
            + Duration::days(3)
            + Duration::minutes(rng.range(0, 600));
        serial += 1;
        let received = (k + 1 < total).then(|| shipped + Duration::minutes(rng.range(35, 110)));
        write_line(
            &mut out,
            &ShipmentLine {
                shipment: sscc(HSM.prefix, 500_000_000 + serial),
                line: 1,
                lot: format!("HSM-B500-{}-S{:06}", yymmdd(shipped), k + 1),
                product: &REBAR,
                tenths: rng.range(40, 120),
                from: HSM.site(),
                to: project.site.clone(),
                shipped,
                received,
                carrier: DHC.code,
                purchase_order: purchase_order(&ocid, shipped),
                contract_ocid: ocid,
                certificates: format!("DoP-HSM-B500B-2026|MTC-HSM-S26{:05}", k + 1),
            },
        )?;
    }
    files.push(out.finish()?);
    Ok(files)
}

#[allow(clippy::too_many_arguments)]
fn write_plant_lot(
    out: &mut Out,
    plan: &Plan,
    rng: &mut Rng,
    supplier: &Company,
    carrier: &Company,
    plant: &str,
    serial: u64,
    lot: PlantLot<'_>,
    in_transit: bool,
) -> std::io::Result<()> {
    let shipped = run_time(plan, lot.first_run) - Duration::hours(lot.hours_ahead)
        + Duration::minutes(rng.range(0, 90));
    let received = (!in_transit).then(|| shipped + Duration::minutes(rng.range(40, 120)));
    write_line(
        out,
        &ShipmentLine {
            shipment: sscc(supplier.prefix, serial),
            line: 1,
            lot: lot.lot,
            product: lot.product,
            tenths: rng.range(lot.tenths.0, lot.tenths.1),
            from: supplier.site(),
            to: plant.to_string(),
            shipped,
            received,
            carrier: carrier.code,
            purchase_order: format!("MRM-PO-{}", yymmdd(shipped).get(..4).unwrap_or_default()),
            contract_ocid: String::new(),
            certificates: lot.certificates,
        },
    )
}

/// The city's purchase order for a call-off under contract `ocid` in the month of `at`:
/// `PO-2026-0001-04` for contract 0001 in April.
pub fn purchase_order(ocid: &str, at: DateTime<Utc>) -> String {
    let number = ocid.rsplit('-').next().unwrap_or("0000");
    format!(
        "PO-2026-{number}-{}",
        yymmdd(at).get(2..4).unwrap_or_default()
    )
}
