//! Demolition waste (`waste-transfers` and `waste-receipts` formats): consignments from the
//! construction sites to a recycling yard, a metal yard, a landfill, a hazardous-waste plant
//! and a transfer station; onward movements with `previous_consignment_id` (screening fines
//! from the yard to the landfill, asbestos from the transfer station to the hazardous-waste
//! plant); each facility's receipts.
//!
//! Consignments cycle through nine kinds. In every fourth cycle (the first included) the
//! anomalies the checks look for are planted: a mass received well below the declared one,
//! mixed waste declared for recovery and landfilled, concrete parked under R13 with no onward
//! movement, and a refused load of tar planings.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use citytrace_importers::Format;

use super::out::{Case, FileEntry, Out};
use super::plan::Plan;
use super::time::{iso, spread};
use super::waste_cases::plant_cases;
use super::world::{Company, World, CANAL, DHC, DHT, ELF, ESR, HMR, NTS, WORKS};
use super::Rng;

pub const TRANSFER_COLUMNS: &[&str] = &[
    "consignment_id",
    "ewc_code",
    "description",
    "mass_kg",
    "mass_basis",
    "producer",
    "from_site",
    "carrier",
    "carrier_licence",
    "to_site",
    "transferred_at",
    "planned_operation",
    "previous_consignment_id",
];

pub const RECEIPT_COLUMNS: &[&str] = &[
    "consignment_id",
    "status",
    "mass_received_kg",
    "operation",
    "refusal_reason",
    "received_at",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Concrete,
    Steel,
    Mixed,
    ParkedConcrete,
    Asbestos,
    Soil,
    ShortConcrete,
    BackfillMixed,
    Tar,
}

pub(super) const CYCLE: [Kind; 9] = [
    Kind::Concrete,
    Kind::Steel,
    Kind::Mixed,
    Kind::ParkedConcrete,
    Kind::Asbestos,
    Kind::Soil,
    Kind::ShortConcrete,
    Kind::BackfillMixed,
    Kind::Tar,
];

/// Consignment `i`'s kind, and whether its cycle carries the anomalies.
pub(super) fn kind(i: usize) -> (Kind, bool) {
    (CYCLE[i % CYCLE.len()], (i / CYCLE.len()).is_multiple_of(4))
}

/// Accepted demolition concrete the yard recovers (R5): the recycled aggregate's inputs.
fn is_recycled(i: usize) -> bool {
    match kind(i) {
        (Kind::Concrete | Kind::ShortConcrete, _) => true,
        (Kind::ParkedConcrete, anomalous) => !anomalous,
        _ => false,
    }
}

pub fn recycled_count(plan: &Plan) -> usize {
    (0..plan.waste_consignments)
        .filter(|i| is_recycled(*i))
        .count()
}

/// The yard sends the screening fines of every third recycled consignment on to landfill.
fn sends_fines(j: usize) -> bool {
    j.is_multiple_of(3)
}

fn onward_count(plan: &Plan) -> usize {
    let fines = recycled_count(plan).div_ceil(3);
    let asbestos = (0..plan.waste_consignments)
        .filter(|i| kind(*i).0 == Kind::Asbestos)
        .count();
    fines + asbestos
}

pub fn planned_transfers(plan: &Plan) -> u64 {
    (plan.waste_consignments + onward_count(plan)) as u64
}

/// Every consignment gets its receipt.
pub fn planned_receipts(plan: &Plan) -> u64 {
    planned_transfers(plan)
}

pub(super) struct Receipt {
    accepted: bool,
    pub(super) kg: i64,
    pub(super) operation: &'static str,
    pub(super) reason: &'static str,
    at: DateTime<Utc>,
}

pub(super) struct Consignment {
    pub(super) id: String,
    pub(super) code: &'static str,
    pub(super) description: &'static str,
    pub(super) kg: i64,
    basis: &'static str,
    producer: &'static str,
    from: String,
    carrier: &'static Company,
    to: &'static Company,
    at: DateTime<Utc>,
    pub(super) planned: &'static str,
    pub(super) previous: Option<String>,
    pub(super) receipt: Receipt,
}

/// An accepted consignment of demolition concrete: an input lot of the recycling yard.
pub struct Recycled {
    pub consignment: String,
    pub received: DateTime<Utc>,
    pub kg: i64,
}

pub fn recycled_inputs(plan: &Plan, world: &World, seed: u64) -> Vec<Recycled> {
    (0..plan.waste_consignments)
        .filter(|i| is_recycled(*i))
        .map(|i| {
            let c = consignment(plan, world, seed, i);
            Recycled {
                consignment: c.id,
                received: c.receipt.at,
                kg: c.receipt.kg,
            }
        })
        .collect()
}

fn licence(carrier: &Company) -> &'static str {
    if carrier.code == DHC.code {
        "311902VIHB"
    } else {
        "204517VIHB"
    }
}

/// The `i`-th consignment leaving a construction site.
fn consignment(plan: &Plan, world: &World, seed: u64, i: usize) -> Consignment {
    let mut rng = Rng::stream(
        seed ^ (i as u64).wrapping_mul(0x9E37_79B9),
        "waste/consignment",
    );
    let (kind, anomalous) = kind(i);
    let project = &world.projects[rng.range(0, world.projects.len() as i64 - 1) as usize];
    let at = spread(i, plan.waste_consignments) + Duration::minutes(rng.range(0, 300));
    let received = at + Duration::minutes(rng.range(40, 150));
    let (code, description, to, planned, kg, basis): (_, _, &Company, _, _, _) = match kind {
        Kind::Concrete | Kind::ShortConcrete => (
            "17 01 01",
            "Crushed concrete from demolition",
            &ESR,
            "R5",
            rng.range(9_000, 14_000),
            "REAL",
        ),
        Kind::ParkedConcrete => (
            "17 01 01",
            "Concrete rubble from foundations",
            &ESR,
            if anomalous { "R13" } else { "R5" },
            rng.range(9_000, 14_000),
            "REAL",
        ),
        Kind::Steel => (
            "17 04 05",
            "Rebar offcuts and steel formwork ties",
            &HMR,
            "R4",
            rng.range(1_500, 3_500),
            "REAL",
        ),
        Kind::Mixed => (
            "17 09 04",
            "Mixed construction and demolition waste",
            &ESR,
            "R5",
            rng.range(4_000, 8_000),
            "ESTIMATED",
        ),
        Kind::BackfillMixed => (
            "17 09 04",
            "Mixed demolition waste for backfilling",
            &ELF,
            "R5",
            rng.range(4_000, 8_000),
            "ESTIMATED",
        ),
        Kind::Asbestos => (
            "17 06 05*",
            "Asbestos cement roof sheets",
            &NTS,
            "D15",
            rng.range(800, 2_400),
            "REAL",
        ),
        Kind::Soil => (
            "17 05 03*",
            "Excavated soil with hydrocarbons",
            &DHT,
            "D9",
            rng.range(6_000, 12_000),
            "REAL",
        ),
        Kind::Tar => (
            "17 03 01*",
            "Coal-tar asphalt planings",
            &DHT,
            "D9",
            rng.range(2_500, 4_000),
            "ESTIMATED",
        ),
    };
    let receipt = match (kind, anomalous) {
        (Kind::Tar, true) => Receipt {
            accepted: false,
            kg: kg - rng.range(0, 120),
            operation: "",
            reason:
                "Load not sheeted; tar content above the site's permit, sent back to the producer",
            at: received,
        },
        (Kind::ShortConcrete, true) => Receipt {
            accepted: true,
            kg: kg * rng.range(82, 86) / 100,
            operation: planned,
            reason: "",
            at: received,
        },
        (Kind::BackfillMixed, true) => Receipt {
            accepted: true,
            kg: kg * rng.range(98, 102) / 100,
            operation: "D1",
            reason: "",
            at: received,
        },
        _ => Receipt {
            accepted: true,
            kg: kg * rng.range(985, 1_015) / 1_000,
            operation: planned,
            reason: "",
            at: received,
        },
    };
    let hazardous = code.ends_with('*');
    let carrier = if hazardous { &DHC } else { &CANAL };
    Consignment {
        id: format!("WTN-2026-{:06}", i + 1),
        code,
        description,
        kg,
        basis,
        producer: project.department.code,
        from: project.site.clone(),
        carrier,
        to,
        at,
        planned,
        previous: None,
        receipt,
    }
}

/// The transfers, the onward movements and every facility's receipts.
pub fn write(
    dir: &Path,
    plan: &Plan,
    world: &World,
    seed: u64,
    cases: &mut Vec<Case>,
) -> std::io::Result<Vec<FileEntry>> {
    let first: Vec<Consignment> = (0..plan.waste_consignments)
        .map(|i| consignment(plan, world, seed, i))
        .collect();
    let mut rng = Rng::stream(seed, "waste/onward");
    let (mut fines, mut asbestos) = (Vec::new(), Vec::new());
    let mut recycled = 0;
    for (i, c) in first.iter().enumerate() {
        if is_recycled(i) {
            if sends_fines(recycled) {
                let kg = c.receipt.kg * 6 / 100;
                let at = c.receipt.at + Duration::days(3) + Duration::minutes(rng.range(0, 240));
                fines.push(Consignment {
                    id: format!("ESR-WTN-2026-{:05}", fines.len() + 1),
                    code: "19 12 09",
                    description: "Screening fines from recycled aggregate production",
                    kg,
                    basis: "REAL",
                    producer: ESR.code,
                    from: ESR.site(),
                    carrier: &CANAL,
                    to: &ELF,
                    at,
                    planned: "D1",
                    previous: Some(c.id.clone()),
                    receipt: accepted(
                        kg * rng.range(99, 101) / 100,
                        "D1",
                        at + Duration::minutes(rng.range(30, 90)),
                    ),
                });
            }
            recycled += 1;
        }
        if kind(i).0 == Kind::Asbestos {
            let at = c.receipt.at + Duration::days(2) + Duration::minutes(rng.range(0, 240));
            let kg = c.receipt.kg;
            asbestos.push(Consignment {
                id: format!("NTS-WTN-2026-{:05}", asbestos.len() + 1),
                code: "17 06 05*",
                description: "Asbestos cement sheets, wrapped, from the transfer station",
                kg,
                basis: "REAL",
                producer: NTS.code,
                from: NTS.site(),
                carrier: &DHC,
                to: &DHT,
                at,
                planned: "D5",
                previous: Some(c.id.clone()),
                receipt: accepted(kg, "D5", at + Duration::minutes(rng.range(45, 120))),
            });
        }
    }
    plant_cases(&first, &fines, &asbestos, cases);

    let mut files = vec![
        transfers_file(dir, "waste-transfers-public-works.csv", WORKS.code, &first)?,
        transfers_file(
            dir,
            "waste-transfers-eastside-recycling.csv",
            ESR.code,
            &fines,
        )?,
        transfers_file(
            dir,
            "waste-transfers-northside-transfer.csv",
            NTS.code,
            &asbestos,
        )?,
    ];
    for facility in [&ESR, &HMR, &ELF, &DHT, &NTS] {
        let mut received: Vec<&Consignment> = first
            .iter()
            .chain(&fines)
            .chain(&asbestos)
            .filter(|c| c.to.code == facility.code)
            .collect();
        if received.is_empty() {
            continue;
        }
        received.sort_by_key(|c| c.receipt.at);
        let name = format!("waste-receipts-{}.csv", slug(facility.name));
        let mut out = Out::csv(
            dir,
            &name,
            Format::WasteReceipts,
            facility.code,
            RECEIPT_COLUMNS,
        )?;
        for c in received {
            let r = &c.receipt;
            out.row(&[
                &c.id,
                if r.accepted { "accepted" } else { "refused" },
                &r.kg.to_string(),
                r.operation,
                r.reason,
                &iso(r.at),
            ])?;
        }
        files.push(Some(out.finish()?));
    }
    Ok(files.into_iter().flatten().collect())
}

fn accepted(kg: i64, operation: &'static str, at: DateTime<Utc>) -> Receipt {
    Receipt {
        accepted: true,
        kg,
        operation,
        reason: "",
        at,
    }
}

/// A transfers file, or nothing when there are no consignments (the importer refuses a
/// file without rows).
fn transfers_file(
    dir: &Path,
    name: &str,
    submitter: &str,
    consignments: &[Consignment],
) -> std::io::Result<Option<FileEntry>> {
    if consignments.is_empty() {
        return Ok(None);
    }
    let mut out = Out::csv(
        dir,
        name,
        Format::WasteTransfers,
        submitter,
        TRANSFER_COLUMNS,
    )?;
    for c in consignments {
        out.row(&[
            &c.id,
            c.code,
            c.description,
            &c.kg.to_string(),
            c.basis,
            c.producer,
            &c.from,
            c.carrier.code,
            licence(c.carrier),
            &c.to.site(),
            &iso(c.at),
            c.planned,
            c.previous.as_deref().unwrap_or(""),
        ])?;
    }
    out.finish().map(Some)
}

/// `Eastside Recycling` → `eastside-recycling`.
fn slug(name: &str) -> String {
    name.to_lowercase().replace(' ', "-")
}
