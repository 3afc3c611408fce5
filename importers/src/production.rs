//! The production format (docs/formats/production.md): material transformations. One row per
//! input line of a production run — the output lot made, at which site and when, with the
//! output product's EPD factor, and one input lot consumed with its quantity. The run is
//! stored once (`production_runs`), its inputs once each (`production_inputs`); its EPCIS
//! TransformationEvent is the `production_events` view over them.

mod load;

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use citytrace_schema::models::{ProductionInput, ProductionRun};

use crate::cells::Cells;
use crate::csv_format::{count_for_batch, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::site_position::{self, SitePosition};
use crate::values::{canonical_decimal, canonical_time};

/// Identifies the canonical row encoding; a new version gets a new name.
pub const ENCODING: &str = "citytrace/production/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "production_id", required: true, description: "The production run (batch ticket, mix number): one output lot. Unique per submitter.", example: "MIX-2026-0412-07" },
    Column { name: "input_line", required: true, description: "Number of the input within the run, a whole number from 1. (production_id, input_line) is unique per submitter.", example: "1" },
    Column { name: "output_lot", required: true, description: "The lot made: LGTIN/SGTIN or the producer's lot code. Made by one run only; the same on every row of the run.", example: "RMX-0412-07" },
    Column { name: "output_gtin", required: false, description: "GTIN of the output product (check digit verified). When given it identifies the product; otherwise output_product does.", example: "04012345222221" },
    Column { name: "output_product", required: true, description: "The output product's name.", example: "Ready-mix concrete C30/37" },
    Column { name: "output_quantity", required: true, description: "Quantity made: a positive decimal, at most 6 decimals.", example: "8" },
    Column { name: "output_unit", required: true, description: "Its UN/CEFACT Rec 20 unit code (MTQ, TNE, KGM, …).", example: "MTQ" },
    Column { name: "input_lot", required: true, description: "A lot consumed: registered before (shipped, produced, EPCIS) or registered now with input_product. Not the output lot.", example: "LOT-A" },
    Column { name: "input_product", required: false, description: "The input's product name; needed only to register an input lot citytrace does not know yet.", example: "Portland cement" },
    Column { name: "input_quantity", required: true, description: "Quantity of the input lot consumed: a positive decimal, at most 6 decimals.", example: "2.6" },
    Column { name: "input_unit", required: true, description: "Its UN/CEFACT Rec 20 unit code.", example: "TNE" },
    Column { name: "site", required: true, description: "Where the run took place (plant): a site code or GLN; registered when new.", example: "4012345000139" },
    Column { name: "produced_at", required: true, description: "When the output was made: ISO 8601 date-time with UTC offset.", example: "2026-04-12T06:45:00+02:00" },
    Column { name: "epd_reference", required: false, description: "The output product's Environmental Product Declaration (EN 15804 / ISO 21930): registration number or URL. With gwp_factor and declared_unit, or none of them.", example: "EPD-RMX-C3037-2025" },
    Column { name: "gwp_factor", required: false, description: "GWP-total, modules A1–A3, in kg CO2e per declared unit, from that EPD: a decimal, at most 6 decimals (negative for net biogenic storage).", example: "265.4" },
    Column { name: "declared_unit", required: false, description: "The EPD's declared unit as a Rec 20 unit code (one of it: MTQ for 1 m³, TNE for 1 t).", example: "MTQ" },
    Column { name: "site_latitude", required: false, description: "Where the site is: latitude in WGS 84 decimal degrees (-90 to 90, at most 7 decimals), with site_longitude. Stored on the site when it has no position yet.", example: "52.3912" },
    Column { name: "site_longitude", required: false, description: "Longitude of the site in WGS 84 decimal degrees (-180 to 180, east positive), with site_latitude.", example: "4.9321" },
];

const C_PRODUCTION: usize = 0;
const C_INPUT_LINE: usize = 1;
const C_OUTPUT_LOT: usize = 2;
const C_OUTPUT_GTIN: usize = 3;
const C_OUTPUT_PRODUCT: usize = 4;
const C_OUTPUT_QUANTITY: usize = 5;
const C_OUTPUT_UNIT: usize = 6;
const C_INPUT_LOT: usize = 7;
const C_INPUT_PRODUCT: usize = 8;
const C_INPUT_QUANTITY: usize = 9;
const C_INPUT_UNIT: usize = 10;
const C_SITE: usize = 11;
const C_PRODUCED: usize = 12;
const C_EPD: usize = 13;
const C_GWP: usize = 14;
const C_DECLARED_UNIT: usize = 15;
const C_SITE_POSITION: (usize, usize) = (16, 17);

/// What a run makes, where and when, and its carbon factor: the same on every row of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub lot: String,
    pub gtin: Option<String>,
    pub product: String,
    pub quantity: BigDecimal,
    pub unit: String,
    pub site: String,
    pub produced_at: DateTime<Utc>,
    /// The UTC offset as written (for the EPCIS event; not part of the row encoding).
    pub produced_offset: String,
    pub epd_reference: Option<String>,
    pub gwp_factor: Option<BigDecimal>,
    pub declared_unit: Option<String>,
}

impl Output {
    /// The product's key: its GTIN-14 when given, else its name.
    pub fn product_code(&self) -> &str {
        self.gtin.as_deref().unwrap_or(&self.product)
    }

    /// The first column in which `other` describes a different output, if any.
    pub fn differing_column(&self, other: &Output) -> Option<&'static str> {
        [
            ("output_lot", self.lot == other.lot),
            ("output_gtin", self.gtin == other.gtin),
            ("output_product", self.product == other.product),
            ("output_quantity", self.quantity == other.quantity),
            ("output_unit", self.unit == other.unit),
            ("site", self.site == other.site),
            ("produced_at", self.produced_at == other.produced_at),
            ("epd_reference", self.epd_reference == other.epd_reference),
            ("gwp_factor", self.gwp_factor == other.gwp_factor),
            ("declared_unit", self.declared_unit == other.declared_unit),
        ]
        .into_iter()
        .find(|(_, same)| !same)
        .map(|(column, _)| column)
    }

    fn from_stored(run: &ProductionRun) -> Self {
        Self {
            lot: run.output_lot_code.clone(),
            gtin: run.output_gtin.clone(),
            product: run.output_product.clone(),
            quantity: run.output_quantity.clone(),
            unit: run.output_unit.clone(),
            site: run.site.clone(),
            produced_at: run.produced_at,
            produced_offset: run.produced_offset.clone(),
            epd_reference: run.epd_reference.clone(),
            gwp_factor: run.gwp_factor.clone(),
            declared_unit: run.declared_unit.clone(),
        }
    }
}

/// A validated, normalised row: one input of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductionRecord {
    pub line: u64,
    pub production: String,
    pub input_line: i32,
    pub output: Output,
    pub input_lot: String,
    pub input_product: Option<String>,
    pub input_quantity: BigDecimal,
    pub input_unit: String,
    /// Where the run's site is, when the row says (the site's data: not part of the row
    /// encoding, and not compared between a run's rows).
    pub site_position: Option<SitePosition>,
}

impl ProductionRecord {
    /// The canonical encoding the batch's Merkle leaf is computed from (docs/verification.md).
    pub fn canonical(&self) -> Vec<u8> {
        let o = &self.output;
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        map.insert("encoding", ENCODING.into());
        map.insert("line", self.line.into());
        map.insert("production_id", self.production.clone().into());
        map.insert("input_line", self.input_line.into());
        map.insert("output_lot", o.lot.clone().into());
        map.insert("output_gtin", o.gtin.clone().into());
        map.insert("output_product", o.product.clone().into());
        map.insert("output_quantity", canonical_decimal(&o.quantity).into());
        map.insert("output_unit", o.unit.clone().into());
        map.insert("input_lot", self.input_lot.clone().into());
        map.insert("input_product", self.input_product.clone().into());
        map.insert(
            "input_quantity",
            canonical_decimal(&self.input_quantity).into(),
        );
        map.insert("input_unit", self.input_unit.clone().into());
        map.insert("site", o.site.clone().into());
        map.insert("produced_at", canonical_time(&o.produced_at).into());
        map.insert("epd_reference", o.epd_reference.clone().into());
        map.insert(
            "gwp_factor",
            o.gwp_factor.as_ref().map(canonical_decimal).into(),
        );
        map.insert("declared_unit", o.declared_unit.clone().into());
        serde_json::to_vec(&map).unwrap_or_default()
    }

    /// The record as stored — the input row with its run — for recomputing its leaf.
    pub fn from_stored(input: &ProductionInput, run: &ProductionRun) -> Self {
        Self {
            line: input.line as u64,
            production: run.production_code.clone(),
            input_line: input.input_line,
            output: Output::from_stored(run),
            input_lot: input.input_lot_code.clone(),
            input_product: input.input_product.clone(),
            input_quantity: input.quantity.clone(),
            input_unit: input.unit.clone(),
            site_position: None,
        }
    }
}

/// The production format.
pub struct Production;

impl CsvFormat for Production {
    type Record = ProductionRecord;
    const KIND: &'static str = "production";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(cells: &mut Cells<'_>, row: &CsvRow) -> Option<ProductionRecord> {
        let production = cells.name(C_PRODUCTION);
        let input_line = cells.int(C_INPUT_LINE, 1, i32::MAX.into());
        let output_lot = cells.name(C_OUTPUT_LOT);
        let output_gtin = cells.gtin(C_OUTPUT_GTIN);
        let output_product = cells.name(C_OUTPUT_PRODUCT);
        let output_quantity = cells.quantity(C_OUTPUT_QUANTITY);
        let output_unit = cells.unit(C_OUTPUT_UNIT);
        let input_lot = cells.name(C_INPUT_LOT);
        if input_lot.is_some() && input_lot == output_lot {
            cells.fail(
                C_INPUT_LOT,
                input_lot.as_deref(),
                "the same as output_lot: a lot cannot be made from itself",
            );
        }
        let input_product = cells.name(C_INPUT_PRODUCT);
        let input_quantity = cells.quantity(C_INPUT_QUANTITY);
        let input_unit = cells.unit(C_INPUT_UNIT);
        let site = cells.site(C_SITE);
        let produced = cells.timestamp(C_PRODUCED);
        let epd_reference = cells.name(C_EPD);
        let gwp_factor = cells.decimal(C_GWP, 6, -1e9, 1e9);
        let declared_unit = cells.unit(C_DECLARED_UNIT);
        let epd = [
            (C_EPD, row.get(C_EPD)),
            (C_GWP, row.get(C_GWP)),
            (C_DECLARED_UNIT, row.get(C_DECLARED_UNIT)),
        ];
        if epd.iter().any(|(_, v)| v.is_some()) {
            for (c, value) in epd {
                if value.is_none() {
                    cells.fail(c, None, "epd_reference, gwp_factor and declared_unit go together: give all three or none");
                }
            }
        }
        let site_position = site_position::read(cells, row, COLUMNS, C_SITE_POSITION);
        let produced = produced?;
        Some(ProductionRecord {
            line: row.line,
            production: production?,
            input_line: input_line? as i32,
            output: Output {
                lot: output_lot?,
                gtin: output_gtin,
                product: output_product?,
                quantity: output_quantity?,
                unit: output_unit?.to_string(),
                site: site?,
                produced_at: produced.utc,
                produced_offset: produced.offset_text(),
                epd_reference,
                gwp_factor,
                declared_unit: declared_unit.map(str::to_string),
            },
            input_lot: input_lot?,
            input_product,
            input_quantity: input_quantity?,
            input_unit: input_unit?.to_string(),
            site_position,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[ProductionRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        load::load_chunk(conn, batch, chunk, errors)
    }

    /// One TransformationEvent per run the batch created.
    fn events(conn: &mut PgConnection, batch_id: i64) -> QueryResult<usize> {
        count_for_batch(
            conn,
            "SELECT count(*) AS n FROM production_runs WHERE batch_id = $1",
            batch_id,
        )
    }
}
