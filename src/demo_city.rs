//! The demo city: a whole, coherent, deterministic city in every import format.
//!
//! The City of Example builds (a bridge, a school extension, a tram depot … more at larger
//! scales) with aggregates, cement, rebar and ready-mix concrete from four suppliers; recycles
//! the demolition waste into aggregate that goes back into the concrete; delivers vaccines,
//! insulin and school-kitchen food through a cold chain with loggers; budgets and procures all
//! of it (OCDS), and reports its emissions. The files come in dependency order, so importing
//! them one after the other through the real importers works, and the same seed always gives
//! byte-identical files.
//!
//! Areas, one file each under `demo_city/`: the world (parties, sites, products, projects),
//! the contracts, then one generator per format or flow. [`plan`] fixes every count from the
//! scale alone; the generators loop over exactly those counts, so `plan(scale)` tells what a
//! scale holds without writing it. Every generator streams rows to disk: memory holds the
//! world (a few hundred objects), never a file.

mod budget;
mod cold_chain;
mod concrete;
mod contracts;
mod emissions;
mod epcis;
mod import;
mod materials;
mod ocds;
mod out;
mod plan;
mod products;
mod time;
mod waste;
mod waste_cases;
mod world;

use std::path::Path;

use anyhow::Context;

use citytrace_importers::gs1::check_digit;

pub use budget::allocations;
pub use import::import_city;
pub use out::Manifest;
pub use plan::{Plan, PlanReport, Scale};
pub use world::World;

/// A delivered lot an inspector checks on site (recorded on the city ledger).
#[derive(Debug, Clone)]
pub struct Inspection {
    pub lot: String,
    pub site: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub conformant: bool,
}

/// What [`generate`] wrote, and what the ledger side needs to stay consistent with it.
pub struct GeneratedCity {
    pub manifest: Manifest,
    pub world: World,
    pub inspections: Vec<Inspection>,
}

/// Write the city of `scale` for `seed` into `dir` (created if needed), every format in
/// import order, and `manifest.json` beside the files.
pub fn generate(dir: &Path, seed: u64, scale: Scale) -> anyhow::Result<GeneratedCity> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let plan = Plan::for_scale(scale);
    let world = World::build(&plan, seed);
    let mut manifest = Manifest::new(seed, scale);
    let files = &mut manifest.files;
    let cases = &mut manifest.cases;
    let context = |area: &str| format!("writing the demo city's {area} into {}", dir.display());

    files.push(products::write(dir, &world).with_context(|| context("products"))?);
    files.push(budget::write(dir, &world, seed).with_context(|| context("budget"))?);
    files.push(ocds::write(dir, &world, cases).with_context(|| context("OCDS releases"))?);
    files.extend(materials::write(dir, &plan, &world, seed).with_context(|| context("materials"))?);
    files.extend(waste::write(dir, &plan, &world, seed, cases).with_context(|| context("waste"))?);
    let (concrete_files, inspections) =
        concrete::write(dir, &plan, &world, seed).with_context(|| context("concrete"))?;
    files.extend(concrete_files);
    files.extend(
        cold_chain::write(dir, &plan, &world, seed, cases)
            .with_context(|| context("cold chain"))?,
    );
    files.push(epcis::write(dir, &plan, &world, seed).with_context(|| context("EPCIS events"))?);
    files.push(emissions::write(dir, &plan, &world, seed).with_context(|| context("emissions"))?);
    manifest.write(dir).with_context(|| context("manifest"))?;
    Ok(GeneratedCity {
        manifest,
        world,
        inspections,
    })
}

/// GS1 code = data digits + check digit.
fn with_check(data: &str) -> String {
    format!("{data}{}", check_digit(data).unwrap_or(0))
}

/// GLN of location `location` under a 7-digit GS1 company prefix.
fn gln(prefix: &str, location: u32) -> String {
    with_check(&format!("{prefix}{location:05}"))
}

/// GTIN-14 of item `item` under a 7-digit company prefix (indicator digit 0).
fn gtin(prefix: &str, item: u32) -> String {
    with_check(&format!("0{prefix}{item:05}"))
}

/// SSCC of serial `serial` under a 7-digit company prefix (extension digit 0).
fn sscc(prefix: &str, serial: u64) -> String {
    with_check(&format!("0{prefix}{serial:09}"))
}

/// A small, stable pseudo-random sequence (xorshift64*), so output never depends on a crate's
/// RNG version. Each file draws from its own stream ([`Rng::stream`]), so adding rows to one
/// file never changes another.
struct Rng(u64);

impl Rng {
    /// The stream named `area` of the city with `seed`.
    fn stream(seed: u64, area: &str) -> Self {
        // FNV-1a of the area name, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in area.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut rng = Rng((seed ^ h).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A whole number in `low..=high`.
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }

    /// One of `items`.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }
}

/// `cents` as a decimal with two places (`123456.05`, `-3.10`).
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// A value with `places` implied decimals (`fixed(1234, 1)` = `123.4`), for quantities.
fn fixed(value: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let sign = if value < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        value.abs() / scale,
        value.abs() % scale,
        width = places as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use citytrace_importers::gs1;

    #[test]
    fn generated_identifiers_carry_valid_check_digits() {
        gs1::check_gln(&gln("8710412", 1)).unwrap();
        gs1::check_sscc(&sscc("8710412", 123_456_789)).unwrap();
        assert_eq!(gs1::gtin14(&gtin("8710412", 101)).unwrap().len(), 14);
    }

    #[test]
    fn numbers_are_written_as_plain_decimals() {
        assert_eq!(money(12_345_605), "123456.05");
        assert_eq!(money(-310), "-3.10");
        assert_eq!(fixed(-1805, 2), "-18.05");
        assert_eq!(fixed(75, 1), "7.5");
    }
}
