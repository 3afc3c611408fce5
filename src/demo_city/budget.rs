//! The city budget (`budget` format) for fiscal years 2025 and 2026: every department's
//! programs by phase — proposed, approved, adjusted for some, executed — and a capital line
//! per construction project. Executed amounts of the lines that pay contracts are at least
//! what the contracts' payments add up to, and a project's line executes exactly its
//! contracts' payments; the ledger's allocations are the 2026 approved (or adjusted) lines.

use std::collections::BTreeMap;
use std::path::Path;

use citytrace_importers::Format;

use super::out::{FileEntry, Out};
use super::world::{Department, World, EDU, ENV, FIN, HEALTH, PROC, TRANSPORT, WORKS};
use super::{money, Rng};

struct Program {
    key: &'static str,
    department: &'static Department,
    program: &'static str,
    cofog: &'static str,
    economic_class: &'static str,
    description: &'static str,
    euros: i64,
    revenue: bool,
}

const fn program(
    key: &'static str,
    department: &'static Department,
    program: &'static str,
    cofog: &'static str,
    economic_class: &'static str,
    description: &'static str,
    euros: i64,
) -> Program {
    Program {
        key,
        department,
        program,
        cofog,
        economic_class,
        description,
        euros,
        revenue: false,
    }
}

const PROGRAMS: &[Program] = &[
    program(
        "roads",
        &WORKS,
        "Roads and bridges maintenance",
        "04.5",
        "22",
        "Resurfacing, bridge inspections and repairs",
        3_400_000,
    ),
    program(
        "lighting",
        &WORKS,
        "Street lighting",
        "06.4",
        "22",
        "Energy and maintenance of street lighting",
        1_150_000,
    ),
    program(
        "school-buildings",
        &EDU,
        "School buildings maintenance",
        "09.1",
        "22",
        "Repairs and upkeep of the city's schools",
        2_600_000,
    ),
    program(
        "school-meals",
        &EDU,
        "School meals",
        "09.6",
        "22",
        "Ingredients and kitchen operations for school meals",
        1_900_000,
    ),
    program(
        "vaccination",
        &HEALTH,
        "Vaccination programme",
        "07.4",
        "22",
        "Vaccines, insulin and their cold chain for the city's clinics",
        1_450_000,
    ),
    program(
        "clinics",
        &HEALTH,
        "Community clinics",
        "07.2",
        "21",
        "Running costs of the city's health clinics",
        5_200_000,
    ),
    program(
        "clinic-equipment",
        &HEALTH,
        "Clinic equipment",
        "07.2",
        "31",
        "Medical refrigerators and clinic equipment",
        500_000,
    ),
    program(
        "waste-collection",
        &ENV,
        "Waste collection",
        "05.1",
        "22",
        "Collection rounds and recycling centres",
        4_300_000,
    ),
    program(
        "waste-treatment",
        &ENV,
        "Waste treatment and recycling",
        "05.1",
        "22",
        "Recycling, haulage and disposal contracts",
        1_250_000,
    ),
    Program {
        revenue: true,
        ..program(
            "waste-fees",
            &ENV,
            "Waste collection",
            "05.1",
            "14",
            "Waste collection fees",
            3_100_000,
        )
    },
    program(
        "depots",
        &TRANSPORT,
        "Tram and bus depots",
        "04.5",
        "22",
        "Upkeep of the tram and bus depots",
        2_200_000,
    ),
    Program {
        revenue: true,
        ..program(
            "parking",
            &TRANSPORT,
            "Parking",
            "04.5",
            "14",
            "Parking fees",
            2_800_000,
        )
    },
    program(
        "finance",
        &FIN,
        "Financial administration",
        "01.1",
        "21",
        "Accounting, audit and treasury",
        1_700_000,
    ),
    program(
        "procurement",
        &PROC,
        "Central procurement",
        "01.3",
        "21",
        "Tendering and contract management",
        900_000,
    ),
];

pub const COLUMNS: &[&str] = &[
    "budget_line_id",
    "fiscal_year",
    "phase",
    "direction",
    "department",
    "program",
    "cofog",
    "economic_class",
    "description",
    "amount",
    "currency",
];

/// The id of program `key`'s line in `year`.
pub fn program_line(year: i32, key: &str) -> String {
    let (n, p) = PROGRAMS
        .iter()
        .enumerate()
        .find(|(_, p)| p.key == key)
        .map(|(n, p)| (n, p.department.short()))
        .unwrap_or((0, "CITY"));
    format!("{year}-{p}-{:04}", n + 1)
}

/// The id of project `p`'s capital line (fiscal year 2026).
pub fn project_line(world: &World, p: usize) -> String {
    format!(
        "2026-{}-P{:03}",
        world.projects[p].department.short(),
        p + 1
    )
}

/// One row of the budget file.
pub struct BudgetRow {
    pub line_id: String,
    pub year: i32,
    pub phase: &'static str,
    pub revenue: bool,
    pub department: &'static Department,
    pub program: String,
    pub cofog: &'static str,
    pub economic_class: &'static str,
    pub description: String,
    pub cents: i64,
}

/// Every budget row, in file order.
pub fn rows(world: &World, seed: u64) -> Vec<BudgetRow> {
    let mut rng = Rng::stream(seed, "budget");
    let mut paid: BTreeMap<&str, i64> = BTreeMap::new();
    for p in &world.processes {
        *paid.entry(p.budget_line.as_str()).or_insert(0) += p.paid_cents();
    }
    let mut rows = Vec::new();
    for year in [2025, 2026] {
        for (n, program) in PROGRAMS.iter().enumerate() {
            let line_id = program_line(year, program.key);
            let growth = if year == 2025 { 100 } else { 104 };
            let approved = program.euros * growth / 100 * 100;
            let mut phases = vec![
                ("proposed", approved / 100 * rng.range(96, 103)),
                ("approved", approved),
            ];
            let mut current = approved;
            if n % 3 == 0 {
                current = approved / 100 * rng.range(102, 112);
                phases.push(("adjusted", current));
            }
            // 2025 is closed; 2026 is executed up to the end of October.
            let share = if year == 2025 {
                rng.range(90, 103)
            } else {
                rng.range(70, 84)
            };
            let executed =
                (current / 100 * share).max(paid.get(line_id.as_str()).map_or(0, |c| c + c / 20));
            phases.push(("executed", executed));
            for (phase, cents) in phases {
                rows.push(BudgetRow {
                    line_id: line_id.clone(),
                    year,
                    phase,
                    revenue: program.revenue,
                    department: program.department,
                    program: program.program.to_string(),
                    cofog: program.cofog,
                    economic_class: program.economic_class,
                    description: program.description.to_string(),
                    cents,
                });
            }
        }
    }
    for (p, project) in world.projects.iter().enumerate() {
        let line_id = project_line(world, p);
        let on_line = || world.processes.iter().filter(|c| c.budget_line == line_id);
        let awarded: i64 = on_line().map(|c| c.award_cents).sum();
        let contracted: i64 = on_line().map(|c| c.contract_cents()).sum();
        let approved = awarded / 100_000 * 112 * 1000;
        let mut phases = vec![
            ("proposed", approved / 100 * rng.range(93, 99)),
            ("approved", approved),
        ];
        if contracted > awarded {
            phases.push(("adjusted", approved + (contracted - awarded)));
        }
        phases.push(("executed", paid.get(line_id.as_str()).copied().unwrap_or(0)));
        for (phase, cents) in phases {
            rows.push(BudgetRow {
                line_id: line_id.clone(),
                year: 2026,
                phase,
                revenue: false,
                department: project.department,
                program: "Capital projects".into(),
                cofog: project.cofog,
                economic_class: "31",
                description: project.name.clone(),
                cents,
            });
        }
    }
    rows
}

pub fn planned_rows(world: &World) -> u64 {
    rows(world, 0).len() as u64
}

/// A 2026 expenditure line as the treasury allocates it on the ledger: its adjusted amount
/// when it has one, else its approved amount.
pub struct Allocation {
    pub line_id: String,
    pub department: &'static str,
    pub program: String,
    pub cofog: &'static str,
    pub cents: i64,
}

pub fn allocations(world: &World, seed: u64) -> Vec<Allocation> {
    let mut by_line: BTreeMap<String, Allocation> = BTreeMap::new();
    for r in rows(world, seed) {
        if r.year != 2026 || r.revenue || !matches!(r.phase, "approved" | "adjusted") {
            continue;
        }
        by_line.insert(
            r.line_id.clone(),
            Allocation {
                line_id: r.line_id,
                department: r.department.code,
                program: r.program,
                cofog: r.cofog,
                cents: r.cents,
            },
        );
    }
    by_line.into_values().collect()
}

/// The budget as the finance department publishes it.
pub fn write(dir: &Path, world: &World, seed: u64) -> std::io::Result<FileEntry> {
    let mut out = Out::csv(
        dir,
        "budget-2025-2026.csv",
        Format::Budget,
        FIN.code,
        COLUMNS,
    )?;
    for r in rows(world, seed) {
        out.row(&[
            &r.line_id,
            &r.year.to_string(),
            r.phase,
            if r.revenue { "revenue" } else { "expenditure" },
            r.department.code,
            &r.program,
            r.cofog,
            r.economic_class,
            &r.description,
            &money(r.cents),
            "EUR",
        ])?;
    }
    out.finish()
}
