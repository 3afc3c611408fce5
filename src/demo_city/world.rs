//! Who and where: the City of Example's departments, the companies it deals with, their sites,
//! the construction projects, clinics and school kitchens.
//!
//! Party codes follow the org-id form `{scheme}-{identifier}` that the OCDS importer derives
//! from a party's identifier, so the supplier who imports a shipments file is the same party
//! the procurement releases award the contract to: companies by their (fictional) Dutch
//! Chamber of Commerce number (`NL-KVK-…`), departments in the city's own register
//! (`CITY-…`). Each company has its own GS1 company prefix; its first site is location 1.

use super::contracts::{self, Process};
use super::plan::Plan;
use super::{gln, Rng};

pub struct Company {
    pub code: &'static str,
    pub name: &'static str,
    /// Party kind: supplier, carrier, recycler or other.
    pub kind: &'static str,
    /// GS1 company prefix (7 digits).
    pub prefix: &'static str,
}

impl Company {
    /// The OCDS identifier: (scheme, id).
    pub fn identifier(&self) -> (&'static str, &'static str) {
        split_code(self.code)
    }

    /// The company's main site (location 1 under its prefix).
    pub fn site(&self) -> String {
        gln(self.prefix, 1)
    }
}

pub struct Department {
    pub code: &'static str,
    pub name: &'static str,
}

impl Department {
    pub fn identifier(&self) -> (&'static str, &'static str) {
        split_code(self.code)
    }

    /// The short name used in budget line ids: `WORKS` of `CITY-WORKS`.
    pub fn short(&self) -> &'static str {
        self.identifier().1
    }
}

/// `NL-KVK-30412563` → (`NL-KVK`, `30412563`).
fn split_code(code: &'static str) -> (&'static str, &'static str) {
    code.rsplit_once('-').unwrap_or((code, code))
}

macro_rules! company {
    ($name:ident, $code:literal, $display:literal, $kind:literal, $prefix:literal) => {
        pub const $name: Company = Company {
            code: $code,
            name: $display,
            kind: $kind,
            prefix: $prefix,
        };
    };
}

company!(
    NGA,
    "NL-KVK-30412563",
    "Northgate Aggregates",
    "supplier",
    "8710412"
);
company!(
    RCW,
    "NL-KVK-30587214",
    "Riverside Cement Works",
    "supplier",
    "8710587"
);
company!(
    HSM,
    "NL-KVK-31266490",
    "Harbour Steel Mill",
    "supplier",
    "8711266"
);
company!(
    MRM,
    "NL-KVK-32104875",
    "Metro Ready-Mix",
    "supplier",
    "8712104"
);
company!(
    ESR,
    "NL-KVK-33950218",
    "Eastside Recycling",
    "recycler",
    "8713950"
);
company!(
    HMR,
    "NL-KVK-34718822",
    "Harbour Metal Recovery",
    "recycler",
    "8714718"
);
company!(
    ELF,
    "NL-KVK-35062911",
    "East Landfill Company",
    "other",
    "8715062"
);
company!(
    DHT,
    "NL-KVK-35877340",
    "Delta Hazardous Waste Treatment",
    "other",
    "8715877"
);
company!(
    NTS,
    "NL-KVK-36120457",
    "Northside Transfer Services",
    "other",
    "8716120"
);
company!(
    CANAL,
    "NL-KVK-36794013",
    "Canal Haulage",
    "carrier",
    "8716794"
);
company!(
    COLD,
    "NL-KVK-37305589",
    "Coldline Transport",
    "carrier",
    "8717305"
);
company!(
    PPL,
    "NL-KVK-38016642",
    "Polar Pharma Logistics",
    "supplier",
    "8718016"
);
company!(
    GSC,
    "NL-KVK-38850176",
    "Greenleaf School Catering",
    "supplier",
    "8718850"
);
company!(
    FRIGO,
    "NL-KVK-39471208",
    "Frigo Medical Equipment",
    "supplier",
    "8719471"
);
company!(
    CCB,
    "NL-KVK-40233619",
    "Canalside Construction",
    "supplier",
    "8710233"
);
// Bidders who lose their tenders: they appear in the procurement releases only.
company!(
    WPC,
    "NL-KVK-41005872",
    "Westport Concrete",
    "supplier",
    "8711005"
);
company!(
    LST,
    "NL-KVK-41678934",
    "Lowland Steel Trading",
    "supplier",
    "8711678"
);
company!(
    MHS,
    "NL-KVK-42290541",
    "Meridian Health Supplies",
    "supplier",
    "8712290"
);
company!(
    BFC,
    "NL-KVK-42981306",
    "Brightfield Catering",
    "supplier",
    "8712981"
);
company!(
    PRC,
    "NL-KVK-43517720",
    "Polder Recycling",
    "recycler",
    "8713517"
);
company!(
    DHC,
    "NL-KVK-44102985",
    "Dyke Haulage Cooperative",
    "carrier",
    "8714102"
);

pub const COMPANIES: &[&Company] = &[
    &NGA, &RCW, &HSM, &MRM, &ESR, &HMR, &ELF, &DHT, &NTS, &CANAL, &COLD, &PPL, &GSC, &FRIGO, &CCB,
    &WPC, &LST, &MHS, &BFC, &PRC, &DHC,
];

pub const WORKS: Department = Department {
    code: "CITY-WORKS",
    name: "Public Works Department",
};
pub const EDU: Department = Department {
    code: "CITY-EDU",
    name: "Education Department",
};
pub const HEALTH: Department = Department {
    code: "CITY-HEALTH",
    name: "Public Health Department",
};
pub const ENV: Department = Department {
    code: "CITY-ENV",
    name: "Environment and Waste Department",
};
pub const TRANSPORT: Department = Department {
    code: "CITY-TRANSPORT",
    name: "Transport Department",
};
pub const FIN: Department = Department {
    code: "CITY-FIN",
    name: "Finance Department",
};
pub const PROC: Department = Department {
    code: "CITY-PROC",
    name: "Central Procurement Office",
};

pub const DEPARTMENTS: &[&Department] = &[&WORKS, &EDU, &HEALTH, &ENV, &TRANSPORT, &FIN, &PROC];

/// The city's own GS1 company prefix (clinics and school kitchens are city sites).
pub const CITY_PREFIX: &str = "8719900";

pub struct Site {
    pub code: String,
    pub name: String,
    /// Site kind (the `sites.kind` values).
    pub kind: &'static str,
    /// The owner's party code.
    pub owner: &'static str,
    pub position: (f64, f64),
}

/// A construction project: a site, the department it is built for, its COFOG function.
pub struct Project {
    pub site: String,
    pub name: String,
    pub department: &'static Department,
    pub cofog: &'static str,
}

pub struct World {
    pub sites: Vec<Site>,
    pub projects: Vec<Project>,
    /// Site codes (GLNs) of the clinics and school kitchens.
    pub clinics: Vec<String>,
    pub kitchens: Vec<String>,
    /// The city's procurement processes, with their payments.
    pub processes: Vec<Process>,
}

const STREETS: &[&str] = &[
    "Linden Avenue",
    "Canal Street",
    "Mill Lane",
    "Station Road",
    "Harbour Quay",
    "Orchard Way",
    "Market Square",
    "Beacon Hill",
    "Willow Park",
    "Foundry Road",
    "Meadow Lane",
    "Castle Street",
    "Riverside Drive",
    "Church Walk",
    "Dock Street",
    "Windmill Road",
    "Elm Grove",
    "Parkside",
    "Kingsway",
    "Union Street",
    "Lock Gate Road",
    "Tannery Lane",
    "Ropewalk",
    "Cooper Street",
];

/// Project kinds beyond the first three: name, department, COFOG group.
const PROJECT_KINDS: &[(&str, &Department, &str)] = &[
    ("housing block", &WORKS, "06.1"),
    ("primary school", &EDU, "09.1"),
    ("health centre", &HEALTH, "07.2"),
    ("cycle bridge", &TRANSPORT, "04.5"),
    ("sports hall", &WORKS, "08.1"),
    ("public library", &WORKS, "08.2"),
    ("bus depot", &TRANSPORT, "04.5"),
    ("recycling centre", &ENV, "05.1"),
];

impl World {
    pub fn build(plan: &Plan, seed: u64) -> Self {
        let mut sites = Vec::new();
        let facilities: &[(&Company, &str, &str)] = &[
            (&NGA, "Northgate granite quarry", "quarry"),
            (&RCW, "Riverside cement plant", "plant"),
            (&HSM, "Harbour rolling mill", "mill"),
            (&MRM, "Metro concrete plant East", "plant"),
            (&ESR, "Eastside recycling yard", "treatment_facility"),
            (&HMR, "Harbour metal recovery yard", "treatment_facility"),
            (&ELF, "East landfill", "treatment_facility"),
            (
                &DHT,
                "Delta hazardous waste treatment plant",
                "treatment_facility",
            ),
            (&NTS, "Northside waste transfer station", "transfer_station"),
            (&PPL, "Polar Pharma distribution centre", "warehouse"),
            (&GSC, "Greenleaf central kitchen", "plant"),
        ];
        for (i, (company, name, kind)) in facilities.iter().enumerate() {
            sites.push(Site {
                code: company.site(),
                name: name.to_string(),
                kind,
                owner: company.code,
                position: position(i),
            });
        }
        let mut projects = vec![
            Project {
                site: "SITE-NORTH-BRIDGE".into(),
                name: "North Bridge renewal".into(),
                department: &WORKS,
                cofog: "04.5",
            },
            Project {
                site: "SITE-ELM-SCHOOL".into(),
                name: "Elm Street School extension".into(),
                department: &EDU,
                cofog: "09.1",
            },
            Project {
                site: "SITE-TRAM-DEPOT".into(),
                name: "Harbour tram depot".into(),
                department: &TRANSPORT,
                cofog: "04.5",
            },
        ];
        for n in 3..plan.projects {
            let street = STREETS[n % STREETS.len()];
            let (kind, department, cofog) =
                PROJECT_KINDS[(n * 7 + n / STREETS.len()) % PROJECT_KINDS.len()];
            let name = format!("{street} {kind}");
            projects.push(Project {
                site: format!("SITE-{}", name.to_uppercase().replace(' ', "-")),
                name,
                department,
                cofog,
            });
        }
        projects.truncate(plan.projects);
        for (i, p) in projects.iter().enumerate() {
            sites.push(Site {
                code: p.site.clone(),
                name: p.name.clone(),
                kind: "construction_site",
                owner: p.department.code,
                position: position(20 + i),
            });
        }
        let mut clinics = Vec::new();
        for n in 0..plan.clinics {
            let code = gln(CITY_PREFIX, 100 + n as u32);
            sites.push(Site {
                code: code.clone(),
                name: numbered(STREETS[(n * 5 + 3) % STREETS.len()], "health clinic", n),
                kind: "other",
                owner: HEALTH.code,
                position: position(100 + n),
            });
            clinics.push(code);
        }
        let mut kitchens = Vec::new();
        for n in 0..plan.school_kitchens {
            let code = gln(CITY_PREFIX, 300 + n as u32);
            sites.push(Site {
                code: code.clone(),
                name: numbered(STREETS[(n * 7 + 1) % STREETS.len()], "school kitchen", n),
                kind: "other",
                owner: EDU.code,
                position: position(300 + n),
            });
            kitchens.push(code);
        }
        let mut world = Self {
            sites,
            projects,
            clinics,
            kitchens,
            processes: Vec::new(),
        };
        world.processes = contracts::build(&world, &mut Rng::stream(seed, "contracts"));
        world
    }

    /// The name of the site with `code`.
    pub fn site_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.sites
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.name.as_str())
            .unwrap_or(code)
    }
}

/// `Mill Lane health clinic`, and `Mill Lane health clinic 2` once the streets are used up.
fn numbered(street: &str, what: &str, n: usize) -> String {
    match n / STREETS.len() {
        0 => format!("{street} {what}"),
        round => format!("{street} {what} {}", round + 1),
    }
}

/// A stable position in and around the city for the `i`-th site.
fn position(i: usize) -> (f64, f64) {
    let mut rng = Rng::stream(i as u64, "site position");
    let lat = 52.33 + rng.range(0, 900) as f64 / 10_000.0;
    let lon = 4.80 + rng.range(0, 2_000) as f64 / 10_000.0;
    (lat, lon)
}
