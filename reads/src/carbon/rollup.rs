//! Which factor a lot has, and the roll-up through transformations without double counting.
//!
//! In order: (1) the EPD of the production run that made the lot; (2) its product's EPD;
//! (3) for a lot made by a run without either, the sum of its inputs' shares — each input
//! line's consumed quantity × that input lot's own factor (found by the same rules), per the
//! run's whole output; (4) otherwise not computable. An EPD's A1–A3 value is cradle-to-gate
//! and already contains the raw materials, so a lot with one never adds its inputs' carbon.
//! A lot used partly in two outputs gives each the share of the quantity it consumed.

use std::collections::{HashMap, HashSet};

use bigdecimal::BigDecimal;
use serde::Serialize;

use super::factor::{CarbonFactor, EmbodiedCarbon, FactorSource, InputShare, NotComputable};

/// What the factor rules need to know about one lot.
#[derive(Debug, Clone, Serialize)]
pub struct LotFacts {
    pub lot_id: i64,
    pub lot_code: String,
    pub origin_site_id: Option<i64>,
    pub product: ProductFacts,
    /// The production run that made the lot, if one did.
    pub run: Option<RunFacts>,
}

/// The lot's product: its declared unit and EPD factor, with the version that set them.
#[derive(Debug, Clone, Serialize)]
pub struct ProductFacts {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub material_class: Option<String>,
    pub unit: String,
    pub epd_ref: Option<String>,
    pub gwp_per_unit: Option<BigDecimal>,
    pub version_batch_id: Option<i64>,
    pub version_line: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunFacts {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub production_code: String,
    pub output_quantity: BigDecimal,
    pub output_unit: String,
    pub epd: Option<RunEpd>,
    pub inputs: Vec<RunInput>,
}

/// The run's EPD columns: GWP A1–A3 in kg CO2e per one `declared_unit`.
#[derive(Debug, Clone, Serialize)]
pub struct RunEpd {
    pub reference: String,
    pub gwp_factor: BigDecimal,
    pub declared_unit: String,
}

/// One input line of a run (a `production_inputs` row).
#[derive(Debug, Clone, Serialize)]
pub struct RunInput {
    pub input_line: i32,
    pub lot_id: i64,
    pub lot_code: String,
    pub quantity: BigDecimal,
    pub unit: String,
    pub batch_id: i64,
    pub line: i32,
}

/// The lots a computation needs, with each lot's factor worked out once.
#[derive(Debug, Default)]
pub struct LotCarbonBook {
    lots: HashMap<i64, LotFacts>,
    factors: HashMap<i64, Result<CarbonFactor, NotComputable>>,
}

impl LotCarbonBook {
    /// A book over `lots`: every lot a factor may depend on (inputs, their inputs, ...).
    pub fn new(lots: impl IntoIterator<Item = LotFacts>) -> Self {
        Self {
            lots: lots.into_iter().map(|l| (l.lot_id, l)).collect(),
            factors: HashMap::new(),
        }
    }

    pub fn lot(&self, lot_id: i64) -> Option<&LotFacts> {
        self.lots.get(&lot_id)
    }

    /// The lot's factor by the rules above.
    pub fn factor(&mut self, lot_id: i64) -> Result<CarbonFactor, NotComputable> {
        let mut in_progress = HashSet::new();
        factor_of(&self.lots, &mut self.factors, &mut in_progress, lot_id)
    }

    /// The embodied carbon of `quantity` `unit` of the lot.
    pub fn embodied_carbon(
        &mut self,
        lot_id: i64,
        quantity: &BigDecimal,
        unit: &str,
    ) -> Result<EmbodiedCarbon, NotComputable> {
        self.factor(lot_id)?.apply(quantity, unit)
    }
}

fn factor_of(
    lots: &HashMap<i64, LotFacts>,
    memo: &mut HashMap<i64, Result<CarbonFactor, NotComputable>>,
    in_progress: &mut HashSet<i64>,
    lot_id: i64,
) -> Result<CarbonFactor, NotComputable> {
    if let Some(known) = memo.get(&lot_id) {
        return known.clone();
    }
    let Some(lot) = lots.get(&lot_id) else {
        return Err(NotComputable::UnknownLot { lot_id });
    };
    if !in_progress.insert(lot_id) {
        // Not memoised: the lot whose computation is under way records its own result.
        return Err(NotComputable::Cycle {
            lot_code: lot.lot_code.clone(),
        });
    }
    let result = own_factor(lot).map_or_else(|| rolled_up(lots, memo, in_progress, lot), Ok);
    in_progress.remove(&lot_id);
    memo.insert(lot_id, result.clone());
    result
}

/// Rules 1 and 2: the run's EPD, else the product's.
fn own_factor(lot: &LotFacts) -> Option<CarbonFactor> {
    if let Some((run, epd)) = lot.run.as_ref().and_then(|r| Some((r, r.epd.as_ref()?))) {
        return Some(CarbonFactor::per_one(
            epd.gwp_factor.clone(),
            &epd.declared_unit,
            FactorSource::ProductionRun {
                epd_reference: epd.reference.clone(),
                run_id: run.id,
                production_code: run.production_code.clone(),
                batch_id: run.batch_id,
                line: run.line,
            },
        ));
    }
    let p = &lot.product;
    let gwp = p.gwp_per_unit.as_ref()?;
    Some(CarbonFactor::per_one(
        gwp.clone(),
        &p.unit,
        FactorSource::Product {
            epd_reference: p.epd_ref.clone(),
            product_code: p.code.clone(),
            batch_id: p.version_batch_id,
            line: p.version_line,
        },
    ))
}

/// Rule 3: the sum of the inputs' shares, per the run's whole output; rule 4 otherwise.
fn rolled_up(
    lots: &HashMap<i64, LotFacts>,
    memo: &mut HashMap<i64, Result<CarbonFactor, NotComputable>>,
    in_progress: &mut HashSet<i64>,
    lot: &LotFacts,
) -> Result<CarbonFactor, NotComputable> {
    let no_factor = || NotComputable::NoFactor {
        lot_code: lot.lot_code.clone(),
        product_code: lot.product.code.clone(),
        product: lot.product.name.clone(),
    };
    let Some(run) = lot.run.as_ref().filter(|r| !r.inputs.is_empty()) else {
        return Err(no_factor());
    };
    let mut total = BigDecimal::from(0);
    let mut shares = Vec::with_capacity(run.inputs.len());
    for input in &run.inputs {
        let carbon = factor_of(lots, memo, in_progress, input.lot_id)
            .and_then(|f| f.apply(&input.quantity, &input.unit))
            .map_err(|reason| NotComputable::Input {
                lot_code: lot.lot_code.clone(),
                input_lot_code: input.lot_code.clone(),
                reason: Box::new(reason),
            })?;
        total += &carbon.kg_co2e;
        shares.push(InputShare {
            input_line: input.input_line,
            lot_id: input.lot_id,
            lot_code: input.lot_code.clone(),
            quantity: input.quantity.clone(),
            unit: input.unit.clone(),
            batch_id: input.batch_id,
            line: input.line,
            kg_co2e: carbon.kg_co2e,
            factor: Box::new(carbon.factor),
        });
    }
    Ok(CarbonFactor {
        kg_co2e: total.normalized(),
        per_quantity: run.output_quantity.clone(),
        per_unit: run.output_unit.clone(),
        source: FactorSource::Inputs {
            run_id: run.id,
            production_code: run.production_code.clone(),
            batch_id: run.batch_id,
            line: run.line,
            inputs: shares,
        },
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn bought(id: i64, code: &str, unit: &str, gwp: Option<&str>) -> LotFacts {
        LotFacts {
            lot_id: id,
            lot_code: code.into(),
            origin_site_id: None,
            product: ProductFacts {
                id,
                code: format!("product-{code}"),
                name: format!("Product of {code}"),
                material_class: None,
                unit: unit.into(),
                epd_ref: gwp.map(|_| format!("EPD-{code}")),
                gwp_per_unit: gwp.map(dec),
                version_batch_id: gwp.map(|_| 1),
                version_line: gwp.map(|_| 2),
            },
            run: None,
        }
    }

    /// A lot made by a run from `inputs` (lot id, lot code, quantity, unit).
    fn made(
        id: i64,
        code: &str,
        output: (&str, &str),
        epd: Option<(&str, &str)>,
        inputs: &[(i64, &str, &str, &str)],
    ) -> LotFacts {
        let mut lot = bought(id, code, output.1, None);
        lot.run = Some(RunFacts {
            id: id * 10,
            batch_id: 9,
            line: id as i32,
            production_code: format!("RUN-{code}"),
            output_quantity: dec(output.0),
            output_unit: output.1.into(),
            epd: epd.map(|(gwp, unit)| RunEpd {
                reference: format!("EPD-RUN-{code}"),
                gwp_factor: dec(gwp),
                declared_unit: unit.into(),
            }),
            inputs: inputs
                .iter()
                .enumerate()
                .map(|(i, (lot_id, lot_code, q, u))| RunInput {
                    input_line: i as i32 + 1,
                    lot_id: *lot_id,
                    lot_code: (*lot_code).into(),
                    quantity: dec(q),
                    unit: (*u).into(),
                    batch_id: 9,
                    line: 100 + i as i32,
                })
                .collect(),
        });
        lot
    }

    #[test]
    fn a_run_with_its_own_epd_counts_that_epd_and_not_its_inputs() {
        // Cement 912 kg/t, aggregate 5 kg/t; concrete made from 2.6 t + 14.2 t with its own
        // EPD 265.4 kg/m³: 8 m³ × 265.4 = 2 123.2 kg, not 2 123.2 + 2 371.2 + 71.
        let mut book = LotCarbonBook::new([
            bought(1, "CEM", "TNE", Some("912")),
            bought(2, "AGG", "TNE", Some("5")),
            made(
                3,
                "RMX",
                ("8", "MTQ"),
                Some(("265.4", "MTQ")),
                &[(1, "CEM", "2.6", "TNE"), (2, "AGG", "14.2", "TNE")],
            ),
        ]);
        let carbon = book.embodied_carbon(3, &dec("8"), "MTQ").unwrap();
        assert_eq!(carbon.kg_co2e, dec("2123.2"));
        assert!(matches!(
            carbon.factor.source,
            FactorSource::ProductionRun { ref epd_reference, line: 3, .. } if epd_reference == "EPD-RUN-RMX"
        ));
    }

    #[test]
    fn a_run_without_epd_sums_its_inputs_shares() {
        // Inputs: 2.6 t cement × 912 = 2 371.2; 14 200 kg aggregate at 5 kg/t = 14.2 t × 5 =
        // 71. Output 8 m³ carries 2 371.2 + 71 = 2 442.2 kg CO2e; 2 m³ of it 2 442.2 × 2/8 =
        // 610.55.
        let mut book = LotCarbonBook::new([
            bought(1, "CEM", "TNE", Some("912")),
            bought(2, "AGG", "TNE", Some("5")),
            made(
                3,
                "RMX",
                ("8", "MTQ"),
                None,
                &[(1, "CEM", "2.6", "TNE"), (2, "AGG", "14200", "KGM")],
            ),
        ]);
        let whole = book.embodied_carbon(3, &dec("8"), "MTQ").unwrap();
        assert_eq!(whole.kg_co2e, dec("2442.2"));
        let FactorSource::Inputs { inputs, .. } = &whole.factor.source else {
            panic!("expected a roll-up, got {:?}", whole.factor.source);
        };
        let shares: Vec<_> = inputs
            .iter()
            .map(|s| (s.lot_code.as_str(), s.kg_co2e.clone()))
            .collect();
        assert_eq!(shares, vec![("CEM", dec("2371.2")), ("AGG", dec("71"))]);
        assert_eq!(
            book.embodied_carbon(3, &dec("2"), "MTQ").unwrap().kg_co2e,
            dec("610.55")
        );
    }

    #[test]
    fn two_levels_of_roll_up_and_a_lot_shared_by_two_outputs_count_each_share_once() {
        // Cement lot CEM (912 kg/t) goes 2 t into premix PRE (no EPD, 4 t made from 2 t CEM +
        // 2 t SAND at 3 kg/t: 1 824 + 6 = 1 830 kg) and 1 t into mortar MOR (no EPD, 1.5 t made
        // from 1 t CEM + 1 t of PRE). MOR = 912 + PRE's share 1 830 × 1/4 = 457.5 → 1 369.5.
        // The cement counted: 2 t via PRE (of which ¼ reaches MOR) + 1 t in MOR — never the
        // whole lot twice.
        let mut book = LotCarbonBook::new([
            bought(1, "CEM", "TNE", Some("912")),
            bought(2, "SAND", "TNE", Some("3")),
            made(
                3,
                "PRE",
                ("4", "TNE"),
                None,
                &[(1, "CEM", "2", "TNE"), (2, "SAND", "2", "TNE")],
            ),
            made(
                4,
                "MOR",
                ("1.5", "TNE"),
                None,
                &[(1, "CEM", "1", "TNE"), (3, "PRE", "1000", "KGM")],
            ),
        ]);
        assert_eq!(
            book.embodied_carbon(3, &dec("4"), "TNE").unwrap().kg_co2e,
            dec("1830")
        );
        let mortar = book.embodied_carbon(4, &dec("1.5"), "TNE").unwrap();
        assert_eq!(mortar.kg_co2e, dec("1369.5"));
        // The 3 t of PRE not used in MOR still carry 1 830 × 3/4 = 1 372.5: with MOR's 457.5
        // share that is PRE's 1 830 exactly.
        assert_eq!(
            book.embodied_carbon(3, &dec("3"), "TNE").unwrap().kg_co2e,
            dec("1372.5")
        );
    }

    #[test]
    fn the_product_epd_is_used_when_the_run_has_none() {
        // The run has no EPD columns but the output product has 300 kg/m³: 2 m³ × 300 = 600.
        let mut lot = made(3, "RMX", ("2", "MTQ"), None, &[(1, "CEM", "1", "TNE")]);
        lot.product.gwp_per_unit = Some(dec("300"));
        lot.product.epd_ref = Some("EPD-PRODUCT".into());
        let mut book = LotCarbonBook::new([bought(1, "CEM", "TNE", Some("912")), lot]);
        let carbon = book.embodied_carbon(3, &dec("2"), "MTQ").unwrap();
        assert_eq!(carbon.kg_co2e, dec("600"));
        assert!(matches!(carbon.factor.source, FactorSource::Product { .. }));
    }

    #[test]
    fn a_lot_without_factor_and_an_output_of_it_are_not_computable_with_the_reason() {
        let mut book = LotCarbonBook::new([
            bought(1, "CEM", "TNE", Some("912")),
            bought(2, "DEMO", "TNE", None),
            made(3, "RA", ("20", "TNE"), None, &[(2, "DEMO", "21", "TNE")]),
            made(
                4,
                "MIX",
                ("1", "MTQ"),
                None,
                &[(1, "CEM", "0.3", "TNE"), (3, "RA", "1", "TNE")],
            ),
        ]);
        let demo = book.factor(2).unwrap_err();
        assert_eq!(
            demo.to_string(),
            "Product of DEMO has no EPD factor, and lot DEMO was not made by a recorded production run"
        );
        let mix = book.factor(4).unwrap_err();
        assert_eq!(
            mix,
            NotComputable::Input {
                lot_code: "MIX".into(),
                input_lot_code: "RA".into(),
                reason: Box::new(NotComputable::Input {
                    lot_code: "RA".into(),
                    input_lot_code: "DEMO".into(),
                    reason: Box::new(demo),
                }),
            }
        );
    }

    #[test]
    fn an_input_in_a_unit_its_factor_cannot_take_makes_the_output_not_computable() {
        // 3 m³ of a cement lot whose factor is per tonne: no density, no figure.
        let mut book = LotCarbonBook::new([
            bought(1, "CEM", "TNE", Some("912")),
            made(2, "MIX", ("5", "MTQ"), None, &[(1, "CEM", "3", "MTQ")]),
        ]);
        let err = book.factor(2).unwrap_err();
        assert!(matches!(
            &err,
            NotComputable::Input { reason, .. } if **reason == NotComputable::IncompatibleUnits { from: "MTQ".into(), to: "TNE".into() }
        ));
    }

    #[test]
    fn a_cycle_is_reported_not_followed_forever() {
        let mut book = LotCarbonBook::new([
            made(1, "A", ("1", "TNE"), None, &[(2, "B", "1", "TNE")]),
            made(2, "B", ("1", "TNE"), None, &[(1, "A", "1", "TNE")]),
        ]);
        let err = book.factor(1).unwrap_err();
        assert!(
            err.to_string()
                .contains("lot A is made, through its inputs, from itself"),
            "{err}"
        );
        assert_eq!(
            book.factor(99).unwrap_err(),
            NotComputable::UnknownLot { lot_id: 99 }
        );
    }
}
