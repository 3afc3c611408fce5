//! A lot's embodied carbon as pages show it: the figure, the factor with its source row, or why
//! it cannot be computed (from `citytrace_reads::carbon`, docs/methods/carbon.md).

use serde::Serialize;

use citytrace_reads::carbon::{CarbonFactor, FactorSource, LotCarbon};

use crate::routes::provenance::RowSource;

#[derive(Debug, Clone, Serialize)]
pub struct CarbonView {
    /// kg CO2e of the whole lot, exact; `None` when not computable.
    pub kg_co2e: Option<String>,
    /// The same as people read it: "2.12 t CO2e".
    #[serde(skip)]
    pub shown: Option<String>,
    /// The lot's quantity ("8 MTQ"), when known.
    pub quantity: Option<String>,
    /// The same as people write it: "8 m³".
    #[serde(skip)]
    pub quantity_shown: Option<String>,
    /// "265.4 kg CO2e per MTQ", when a factor is known.
    pub factor: Option<String>,
    /// What the factor is: "EPD EPD-RMX-C3037-2025 of production run MIX-1".
    pub factor_source: Option<String>,
    pub epd_reference: Option<String>,
    /// The row that set the factor (production run, product version).
    pub source: Option<RowSource>,
    /// Why the figure is missing.
    pub not_computable: Option<String>,
}

pub fn factor_text(f: &CarbonFactor) -> String {
    let per = f.per_quantity.normalized().to_plain_string();
    let kg = f.kg_co2e.normalized().to_plain_string();
    let unit = crate::fmt::unit(&f.per_unit);
    if per == "1" {
        format!("{kg} kg CO2e per {unit}")
    } else {
        format!("{kg} kg CO2e per {per} {unit}")
    }
}

/// (what the factor is, its EPD, the row it comes from).
pub fn source_text(source: &FactorSource) -> (String, Option<String>, Option<RowSource>) {
    match source {
        FactorSource::ProductionRun {
            epd_reference,
            production_code,
            batch_id,
            line,
            ..
        } => (
            format!("EPD {epd_reference} of production run {production_code}"),
            Some(epd_reference.clone()),
            Some(RowSource::new(*batch_id, *line)),
        ),
        FactorSource::Product {
            epd_reference,
            product_code,
            batch_id,
            line,
        } => (
            match epd_reference {
                Some(epd) => format!("EPD {epd} of product {product_code}"),
                None => format!("factor of product {product_code}"),
            },
            epd_reference.clone(),
            batch_id.zip(*line).map(|(b, l)| RowSource::new(b, l)),
        ),
        FactorSource::Inputs {
            production_code,
            batch_id,
            line,
            inputs,
            ..
        } => (
            format!(
                "no EPD: the sum of the {} input{} of production run {production_code}",
                inputs.len(),
                if inputs.len() == 1 { "" } else { "s" }
            ),
            None,
            Some(RowSource::new(*batch_id, *line)),
        ),
    }
}

impl CarbonView {
    pub fn new(c: &LotCarbon) -> Self {
        let (factor, (factor_source, epd_reference, source)) = match &c.factor {
            Ok(f) => (Some(factor_text(f)), {
                let (t, e, s) = source_text(&f.source);
                (Some(t), e, s)
            }),
            Err(_) => (None, (None, None, None)),
        };
        let not_computable = match (&c.carbon, &c.factor, &c.quantity) {
            (Ok(_), _, _) => None,
            (Err(e), _, _) => Some(e.to_string()),
        };
        Self {
            kg_co2e: c
                .carbon
                .as_ref()
                .ok()
                .map(|e| e.kg_co2e.normalized().to_plain_string()),
            shown: c.carbon.as_ref().ok().map(|e| crate::fmt::co2e(&e.kg_co2e)),
            quantity_shown: c
                .quantity
                .as_ref()
                .ok()
                .map(|q| crate::fmt::quantity(&q.quantity, &q.unit)),
            quantity: c
                .quantity
                .as_ref()
                .ok()
                .map(|q| format!("{} {}", q.quantity.normalized().to_plain_string(), q.unit)),
            factor,
            factor_source,
            epd_reference,
            source,
            not_computable,
        }
    }
}
