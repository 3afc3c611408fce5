//! The demo city: a deterministic set of suppliers, sites and shipment files.
//!
//! Four suppliers move aggregates, cement, rebar and ready-mix concrete to three city
//! construction projects. Identifiers are valid GS1 codes (GLN, GTIN, SSCC with correct check
//! digits) under the example company prefix 5412345. Dates lie in a fixed window, so the same
//! seed always gives byte-identical files.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, TimeZone, Utc};
use citytrace_importers::gs1::check_digit;
use citytrace_schema::models::{NewParty, NewSite, Party, Site};
use diesel::PgConnection;

const PREFIX: &str = "5412345";

pub struct PartySpec {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
}

pub struct SiteSpec {
    pub code: String,
    pub name: &'static str,
    pub kind: &'static str,
    pub party: &'static str,
    pub position: (f64, f64),
}

struct ProductSpec {
    gtin: String,
    name: &'static str,
    unit: &'static str,
    /// Typical quantity per shipment line (min, max).
    quantity: (u32, u32),
}

/// What one supplier delivers, from where, to where, how often.
struct SupplyPlan<'a> {
    supplier: &'static str,
    product: &'a ProductSpec,
    lot_prefix: &'static str,
    from: String,
    destinations: Vec<String>,
    shipments: u32,
}

/// One supplier's shipments file.
pub struct DemoFile {
    pub supplier: &'static str,
    pub file_name: String,
    pub csv: String,
}

pub struct DemoCity {
    pub parties: Vec<PartySpec>,
    pub sites: Vec<SiteSpec>,
    pub files: Vec<DemoFile>,
}

/// GS1 code = data digits + check digit.
fn with_check(data: &str) -> String {
    format!("{data}{}", check_digit(data).unwrap_or(0))
}

fn gln(location: u32) -> String {
    with_check(&format!("{PREFIX}{location:05}"))
}

fn gtin(item: u32) -> String {
    with_check(&format!("0{PREFIX}{item:05}"))
}

fn sscc(serial: u64) -> String {
    with_check(&format!("0{PREFIX}{serial:09}"))
}

/// A small, stable pseudo-random sequence (xorshift64*), so output never depends on a crate's
/// RNG version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn range(&mut self, low: u32, high: u32) -> u32 {
        low + (self.next() % u64::from(high - low + 1)) as u32
    }
}

pub fn generate(seed: u64) -> DemoCity {
    let parties = vec![
        PartySpec {
            code: "PW",
            name: "City Public Works Department",
            kind: "department",
        },
        PartySpec {
            code: "NGA",
            name: "Northgate Aggregates",
            kind: "supplier",
        },
        PartySpec {
            code: "RCW",
            name: "Riverside Cement Works",
            kind: "supplier",
        },
        PartySpec {
            code: "HSM",
            name: "Harbour Steel Mill",
            kind: "supplier",
        },
        PartySpec {
            code: "MRM",
            name: "Metro Ready-Mix",
            kind: "supplier",
        },
    ];
    let sites = vec![
        SiteSpec {
            code: gln(1),
            name: "Northgate granite quarry",
            kind: "quarry",
            party: "NGA",
            position: (52.4312, 4.8021),
        },
        SiteSpec {
            code: gln(2),
            name: "Riverside cement plant",
            kind: "plant",
            party: "RCW",
            position: (52.3521, 4.9870),
        },
        SiteSpec {
            code: gln(3),
            name: "Harbour rolling mill",
            kind: "mill",
            party: "HSM",
            position: (52.4010, 4.8650),
        },
        SiteSpec {
            code: gln(4),
            name: "Metro concrete plant East",
            kind: "plant",
            party: "MRM",
            position: (52.3600, 4.9400),
        },
        SiteSpec {
            code: "SITE-NORTH-BRIDGE".into(),
            name: "North Bridge renewal",
            kind: "construction_site",
            party: "PW",
            position: (52.3890, 4.9010),
        },
        SiteSpec {
            code: "SITE-ELM-SCHOOL".into(),
            name: "Elm Street School extension",
            kind: "construction_site",
            party: "PW",
            position: (52.3702, 4.8805),
        },
        SiteSpec {
            code: "SITE-TRAM-DEPOT".into(),
            name: "Harbour tram depot",
            kind: "construction_site",
            party: "PW",
            position: (52.3950, 4.8450),
        },
    ];
    let aggregate = ProductSpec {
        gtin: gtin(101),
        name: "Crushed granite aggregate 4/20 mm",
        unit: "TNE",
        quantity: (18, 28),
    };
    let cement = ProductSpec {
        gtin: gtin(201),
        name: "Portland cement CEM I 42.5 R",
        unit: "TNE",
        quantity: (20, 30),
    };
    let rebar = ProductSpec {
        gtin: gtin(301),
        name: "Reinforcing steel B500B, 16 mm bars",
        unit: "TNE",
        quantity: (4, 12),
    };
    let concrete = ProductSpec {
        gtin: gtin(401),
        name: "Ready-mix concrete C30/37",
        unit: "MTQ",
        quantity: (6, 9),
    };
    let projects = ["SITE-NORTH-BRIDGE", "SITE-ELM-SCHOOL", "SITE-TRAM-DEPOT"];
    let site = |i: usize| sites[i].code.clone();

    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let start = Utc
        .with_ymd_and_hms(2026, 9, 1, 6, 0, 0)
        .single()
        .unwrap_or_default();
    let mut serial = 1_000u64 + seed % 1000 * 10_000;
    let mut files = Vec::new();
    let plans = [
        SupplyPlan {
            supplier: "NGA",
            product: &aggregate,
            lot_prefix: "NGA-AGG",
            from: site(0),
            destinations: vec![site(3)],
            shipments: 8,
        },
        SupplyPlan {
            supplier: "RCW",
            product: &cement,
            lot_prefix: "RCW-CEM",
            from: site(1),
            destinations: vec![site(3)],
            shipments: 6,
        },
        SupplyPlan {
            supplier: "HSM",
            product: &rebar,
            lot_prefix: "HSM-B500",
            from: site(2),
            destinations: projects.map(String::from).to_vec(),
            shipments: 7,
        },
        SupplyPlan {
            supplier: "MRM",
            product: &concrete,
            lot_prefix: "MRM-C3037",
            from: site(3),
            destinations: projects.map(String::from).to_vec(),
            shipments: 12,
        },
    ];
    for SupplyPlan {
        supplier,
        product,
        lot_prefix,
        from,
        destinations,
        shipments,
    } in plans
    {
        let mut csv = String::from("shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at\n");
        for n in 0..shipments {
            serial += 1;
            let shipped: DateTime<Utc> =
                start + Duration::hours(i64::from(n) * 150 + i64::from(rng.range(0, 40)));
            let to = &destinations[rng.range(0, destinations.len() as u32 - 1) as usize];
            let lines = rng.range(1, 3);
            // The last shipment of each supplier is still on its way.
            let received = (n + 1 < shipments)
                .then(|| shipped + Duration::minutes(i64::from(rng.range(35, 240))));
            for line in 1..=lines {
                let lot = format!("{lot_prefix}-{}-{:02}", shipped.format("%y%m%d"), line);
                let quantity = rng.range(product.quantity.0 * 10, product.quantity.1 * 10);
                let _ = writeln!(
                    csv,
                    "{},{line},{lot},{},\"{}\",{}.{},{},{from},{to},{},{}",
                    sscc(serial),
                    product.gtin,
                    product.name,
                    quantity / 10,
                    quantity % 10,
                    product.unit,
                    shipped.format("%Y-%m-%dT%H:%M:%S+00:00"),
                    received
                        .map(|r| r.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
                        .unwrap_or_default(),
                );
            }
        }
        files.push(DemoFile {
            supplier,
            file_name: format!("{}-shipments.csv", supplier.to_lowercase()),
            csv,
        });
    }
    DemoCity {
        parties,
        sites,
        files,
    }
}

/// Register the city's parties and sites with their names (the importer only knows codes).
pub fn register(conn: &mut PgConnection, city: &DemoCity) -> diesel::QueryResult<()> {
    for p in &city.parties {
        Party::ensure(
            conn,
            &NewParty {
                code: p.code,
                name: p.name,
                kind: p.kind,
                gln: None,
            },
        )?;
    }
    let mut new_sites = Vec::new();
    let mut owners = Vec::new();
    for s in &city.sites {
        owners.push(Party::find_by_code(conn, s.party)?.map(|p| p.id));
    }
    for (s, owner) in city.sites.iter().zip(owners) {
        new_sites.push(NewSite {
            code: &s.code,
            name: s.name,
            kind: s.kind,
            gln: (s.code.len() == 13).then_some(s.code.as_str()),
            party_id: owner,
            latitude: Some(s.position.0),
            longitude: Some(s.position.1),
        });
    }
    Site::ensure_all(conn, &new_sites)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use citytrace_importers::gs1;
    use citytrace_importers::shipments;

    #[test]
    fn the_same_seed_gives_the_same_files() {
        let a = generate(7);
        let b = generate(7);
        let c = generate(8);
        assert_eq!(
            a.files.iter().map(|f| &f.csv).collect::<Vec<_>>(),
            b.files.iter().map(|f| &f.csv).collect::<Vec<_>>()
        );
        assert_ne!(a.files[0].csv, c.files[0].csv);
    }

    #[test]
    fn every_generated_file_passes_the_real_validator() {
        let city = generate(2026);
        assert_eq!(city.files.len(), 4);
        for file in &city.files {
            let records = shipments::parse_all(file.csv.as_bytes(), Default::default())
                .unwrap_or_else(|e| panic!("{}:\n{}", file.file_name, e.table()));
            assert_eq!(records.len(), file.csv.lines().count() - 1);
            assert!(
                records.iter().any(|r| r.received_at.is_none()),
                "some shipments are in transit"
            );
        }
        for site in city.sites.iter().filter(|s| s.code.len() == 13) {
            gs1::check_gln(&site.code).unwrap();
        }
    }
}
