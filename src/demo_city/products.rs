//! The product catalogue (`products` format): declared units, EPD carbon factors for the
//! building materials, cold-chain ranges, excursion budgets and logging intervals for the
//! vaccines, insulin and school food. Imported first: the other files name these products.

use std::path::Path;

use citytrace_importers::Format;

use super::out::{FileEntry, Out};
use super::world::{Company, World, ESR, GSC, HSM, MRM, NGA, PPL, PROC, RCW};

/// A cold-chain product's range (centi-degrees) and budgets (minutes).
pub struct Cold {
    pub min_centi: i64,
    pub max_centi: i64,
    pub budget_minutes: i64,
    pub single_minutes: i64,
    pub interval_minutes: i64,
}

pub struct Product {
    pub maker: &'static Company,
    /// Item reference under the maker's GS1 prefix; 0 = no GTIN (named by its name).
    pub item: u32,
    pub name: &'static str,
    pub class: &'static str,
    pub unit: &'static str,
    /// (EPD registration, GWP A1–A3 per declared unit in kg CO2e).
    pub epd: Option<(&'static str, &'static str)>,
    pub cold: Option<Cold>,
}

impl Product {
    pub fn gtin(&self) -> Option<String> {
        (self.item > 0).then(|| super::gtin(self.maker.prefix, self.item))
    }

    /// The GTIN, or the empty cell.
    pub fn gtin_cell(&self) -> String {
        self.gtin().unwrap_or_default()
    }

    /// The lot code as a GS1 Digital Link (LGTIN): how the cold-chain lots are written, so
    /// the EPCIS events name the same lots as the shipments.
    pub fn lot_link(&self, lot: &str) -> String {
        format!("https://id.gs1.org/01/{}/10/{lot}", self.gtin_cell())
    }
}

macro_rules! product {
    ($id:ident, $maker:expr, $item:literal, $name:literal, $class:literal, $unit:literal, $epd:expr, $cold:expr) => {
        pub const $id: Product = Product {
            maker: &$maker,
            item: $item,
            name: $name,
            class: $class,
            unit: $unit,
            epd: $epd,
            cold: $cold,
        };
    };
}

const fn cold(min: i64, max: i64, budget: i64, single: i64, interval: i64) -> Option<Cold> {
    Some(Cold {
        min_centi: min * 100,
        max_centi: max * 100,
        budget_minutes: budget,
        single_minutes: single,
        interval_minutes: interval,
    })
}

product!(
    AGGREGATE,
    NGA,
    101,
    "Crushed granite aggregate 4/20 mm",
    "aggregate",
    "TNE",
    Some(("EPD-NGA-AGG420-2024", "4.8")),
    None
);
product!(
    SAND,
    NGA,
    102,
    "Washed sand 0/4 mm",
    "aggregate",
    "TNE",
    Some(("EPD-NGA-SAND04-2024", "3.2")),
    None
);
product!(
    CEMENT,
    RCW,
    201,
    "Portland cement CEM I 42.5 R",
    "cement",
    "TNE",
    Some(("EPD-RCW-CEMI425-2025", "912")),
    None
);
product!(
    REBAR,
    HSM,
    301,
    "Reinforcing steel B500B, 16 mm bars",
    "steel",
    "TNE",
    Some(("EPD-HSM-B500B-2025", "1190")),
    None
);
product!(
    CONCRETE,
    MRM,
    401,
    "Ready-mix concrete C30/37",
    "concrete",
    "MTQ",
    Some(("EPD-MRM-C3037-2025", "312.5")),
    None
);
product!(
    PRECAST,
    MRM,
    402,
    "Precast reinforced concrete beam, 8 m",
    "concrete",
    "H87",
    Some(("EPD-MRM-PCB8-2025", "1850")),
    None
);
product!(
    RECYCLED,
    ESR,
    501,
    "Recycled concrete aggregate 0/31.5 mm",
    "aggregate",
    "TNE",
    Some(("EPD-ESR-RCA-2025", "2.9")),
    None
);
product!(
    DEMOLITION,
    ESR,
    0,
    "Crushed concrete from demolition (LoW 17 01 01)",
    "waste",
    "TNE",
    None,
    None
);
product!(
    FLU_VACCINE,
    PPL,
    601,
    "Influenza vaccine, 10-dose vial",
    "pharmaceutical",
    "H87",
    None,
    cold(2, 8, 60, 30, 5)
);
product!(
    INSULIN,
    PPL,
    602,
    "Insulin glargine 100 U/ml, 10 ml vial",
    "pharmaceutical",
    "H87",
    None,
    cold(2, 8, 60, 30, 5)
);
product!(
    MMR_VACCINE,
    PPL,
    603,
    "Measles, mumps and rubella vaccine, single-dose vial",
    "pharmaceutical",
    "H87",
    None,
    cold(2, 8, 60, 30, 5)
);
product!(
    CHICKEN,
    GSC,
    701,
    "Chilled chicken fillet, 2 kg pack",
    "food",
    "KGM",
    None,
    cold(0, 4, 120, 60, 10)
);
product!(
    YOGHURT,
    GSC,
    702,
    "Natural yoghurt, 1 kg tub",
    "food",
    "KGM",
    None,
    cold(0, 5, 120, 60, 10)
);
product!(
    FROZEN_VEG,
    GSC,
    703,
    "Frozen mixed vegetables, 2.5 kg bag",
    "food",
    "KGM",
    None,
    cold(-25, -18, 120, 60, 10)
);

pub const CATALOGUE: &[&Product] = &[
    &AGGREGATE,
    &SAND,
    &CEMENT,
    &REBAR,
    &CONCRETE,
    &PRECAST,
    &RECYCLED,
    &DEMOLITION,
    &FLU_VACCINE,
    &INSULIN,
    &MMR_VACCINE,
    &CHICKEN,
    &YOGHURT,
    &FROZEN_VEG,
];

pub const PHARMA: &[&Product] = &[&FLU_VACCINE, &INSULIN, &MMR_VACCINE];

pub const COLUMNS: &[&str] = &[
    "gtin",
    "product",
    "material_class",
    "unit",
    "epd_ref",
    "gwp_kg_co2e_per_unit",
    "min_temp_c",
    "max_temp_c",
    "max_excursion_minutes",
    "max_single_excursion_minutes",
    "logging_interval_minutes",
];

pub fn planned_rows(_world: &World) -> u64 {
    CATALOGUE.len() as u64
}

/// The catalogue as the city's procurement office keeps it.
pub fn write(dir: &Path, _world: &World) -> std::io::Result<FileEntry> {
    let mut out = Out::csv(dir, "products.csv", Format::Products, PROC.code, COLUMNS)?;
    for p in CATALOGUE {
        let (epd, gwp) = p.epd.unwrap_or(("", ""));
        let number = |n: i64| n.to_string();
        let temp = |c: i64| super::fixed(c, 2);
        let cold = p.cold.as_ref();
        out.row(&[
            &p.gtin_cell(),
            p.name,
            p.class,
            p.unit,
            epd,
            gwp,
            &cold.map(|c| temp(c.min_centi)).unwrap_or_default(),
            &cold.map(|c| temp(c.max_centi)).unwrap_or_default(),
            &cold.map(|c| number(c.budget_minutes)).unwrap_or_default(),
            &cold.map(|c| number(c.single_minutes)).unwrap_or_default(),
            &cold.map(|c| number(c.interval_minutes)).unwrap_or_default(),
        ])?;
    }
    out.finish()
}
