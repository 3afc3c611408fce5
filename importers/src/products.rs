//! The products format (docs/formats/products.md): product master data — what a product is,
//! its declared unit, its EPD carbon factor, and for refrigerated goods the allowed temperature
//! range, the excursion budget and the logging interval the cold-chain checks use.
//!
//! Every row is kept as a version (product_versions: what the batch's root commits to); the
//! products table takes the latest values. A product is identified as in the shipments format:
//! by its GTIN when given, else by its name.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};

use citytrace_schema::models::{NewProduct, Product};
use citytrace_schema::schema::{product_versions, products};

use crate::canonical::Canonical;
use crate::cells::Cells;
use crate::csv_format::{new_rows, BatchContext, CsvFormat};
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::values::canonical_decimal;

pub const ENCODING: &str = "citytrace/products/1";

pub const COLUMNS: &[Column] = &[
    Column { name: "gtin", required: false, description: "GTIN-8/12/13/14 (check digit verified, stored as GTIN-14). When given it identifies the product; otherwise the name does (as in the shipments format).", example: "04012345111118" },
    Column { name: "product", required: true, description: "Product name.", example: "Insulin glargine 100 U/ml, 10 ml vial" },
    Column { name: "material_class", required: false, description: "Material class, free text (e.g. concrete, cement, steel, aggregate, timber, vaccine).", example: "pharmaceutical" },
    Column { name: "unit", required: true, description: "The declared unit, a UN/CEFACT Rec 20 code (KGM, TNE, MTQ, LTR, H87 …): quantities and the GWP factor refer to it.", example: "H87" },
    Column { name: "epd_ref", required: false, description: "The Environmental Product Declaration the carbon factor comes from (registration number or URL). Required with gwp_kg_co2e_per_unit.", example: "EPD-IES-0012345" },
    Column { name: "gwp_kg_co2e_per_unit", required: false, description: "GWP-total for modules A1–A3 in kg CO2e per declared unit, a decimal ≥ 0 (at most 6 decimals).", example: "312.5" },
    Column { name: "min_temp_c", required: false, description: "Lowest allowed temperature in °C (-100 to 100, at most 2 decimals). With max_temp_c, the cold-chain range.", example: "2" },
    Column { name: "max_temp_c", required: false, description: "Highest allowed temperature in °C; not below min_temp_c.", example: "8" },
    Column { name: "max_excursion_minutes", required: false, description: "Excursion budget: the most minutes in all the product may spend outside its range.", example: "60" },
    Column { name: "max_single_excursion_minutes", required: false, description: "The longest single excursion allowed, in minutes.", example: "30" },
    Column { name: "logging_interval_minutes", required: false, description: "The expected time between sensor readings; a longer gap is flagged.", example: "5" },
];

const C_GTIN: usize = 0;
const C_PRODUCT: usize = 1;
const C_MATERIAL: usize = 2;
const C_UNIT: usize = 3;
const C_EPD: usize = 4;
const C_GWP: usize = 5;
const C_MIN: usize = 6;
const C_MAX: usize = 7;
const C_BUDGET: usize = 8;
const C_SINGLE: usize = 9;
const C_INTERVAL: usize = 10;

/// A validated row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecord {
    pub line: u64,
    pub gtin: Option<String>,
    pub name: String,
    pub material_class: Option<String>,
    pub unit: String,
    pub epd_ref: Option<String>,
    pub gwp_per_unit: Option<BigDecimal>,
    pub min_temp_c: Option<BigDecimal>,
    pub max_temp_c: Option<BigDecimal>,
    pub max_excursion_minutes: Option<i32>,
    pub max_single_excursion_minutes: Option<i32>,
    pub logging_interval_minutes: Option<i32>,
}

impl ProductRecord {
    /// The product's key: its GTIN-14 when given, else its name.
    pub fn code(&self) -> &str {
        self.gtin.as_deref().unwrap_or(&self.name)
    }

    pub fn canonical(&self) -> Vec<u8> {
        let decimal = |d: &Option<BigDecimal>| d.as_ref().map(canonical_decimal);
        let int = |n: Option<i32>| n.map(|n| n.to_string());
        Canonical::new()
            .str("encoding", ENCODING)
            .opt("epd_ref", self.epd_ref.as_deref())
            .opt("gtin", self.gtin.as_deref())
            .opt(
                "gwp_kg_co2e_per_unit",
                decimal(&self.gwp_per_unit).as_deref(),
            )
            .int("line", self.line as i64)
            .opt(
                "logging_interval_minutes",
                int(self.logging_interval_minutes).as_deref(),
            )
            .opt("material_class", self.material_class.as_deref())
            .opt(
                "max_excursion_minutes",
                int(self.max_excursion_minutes).as_deref(),
            )
            .opt(
                "max_single_excursion_minutes",
                int(self.max_single_excursion_minutes).as_deref(),
            )
            .opt("max_temp_c", decimal(&self.max_temp_c).as_deref())
            .opt("min_temp_c", decimal(&self.min_temp_c).as_deref())
            .str("product", &self.name)
            .str("unit", &self.unit)
            .finish()
    }
}

/// A stored version, as the batch recorded it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = product_versions, treat_none_as_default_value = false)]
pub struct ProductVersion {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub code: String,
    pub gtin: Option<String>,
    pub name: String,
    pub material_class: Option<String>,
    pub unit: String,
    pub epd_ref: Option<String>,
    pub gwp_per_unit: Option<BigDecimal>,
    pub min_temp_c: Option<BigDecimal>,
    pub max_temp_c: Option<BigDecimal>,
    pub max_excursion_minutes: Option<i32>,
    pub max_single_excursion_minutes: Option<i32>,
    pub logging_interval_minutes: Option<i32>,
}

impl From<&ProductVersion> for ProductRecord {
    fn from(v: &ProductVersion) -> Self {
        Self {
            line: v.line as u64,
            gtin: v.gtin.clone(),
            name: v.name.clone(),
            material_class: v.material_class.clone(),
            unit: v.unit.clone(),
            epd_ref: v.epd_ref.clone(),
            gwp_per_unit: v.gwp_per_unit.clone(),
            min_temp_c: v.min_temp_c.clone(),
            max_temp_c: v.max_temp_c.clone(),
            max_excursion_minutes: v.max_excursion_minutes,
            max_single_excursion_minutes: v.max_single_excursion_minutes,
            logging_interval_minutes: v.logging_interval_minutes,
        }
    }
}

/// The products format.
pub struct Products;

impl CsvFormat for Products {
    type Record = ProductRecord;
    const KIND: &'static str = "products";
    const COLUMNS: &'static [Column] = COLUMNS;

    fn read(c: &mut Cells<'_>, row: &CsvRow) -> Option<ProductRecord> {
        let gtin = c.gtin(C_GTIN);
        let name = c.name(C_PRODUCT);
        let material_class = c.name(C_MATERIAL);
        let unit = c.unit(C_UNIT);
        let epd_ref = c.name(C_EPD);
        let gwp = c.decimal(C_GWP, 6, 0.0, 1e12);
        if gwp.is_some() && epd_ref.is_none() {
            c.fail(C_EPD, None, "a carbon factor needs the EPD it comes from");
        }
        let min = c.decimal(C_MIN, 2, -100.0, 100.0);
        let max = c.decimal(C_MAX, 2, -100.0, 100.0);
        if let (Some(low), Some(high)) = (&min, &max) {
            if low > high {
                c.fail(C_MAX, row.get(C_MAX), "below min_temp_c");
            }
        }
        let minutes = |c: &mut Cells, col| c.int(col, 0, 525_600).map(|n| n as i32);
        let budget = minutes(c, C_BUDGET);
        let single = minutes(c, C_SINGLE);
        let interval = c.int(C_INTERVAL, 1, 1440).map(|n| n as i32);
        let cold_chain = budget.is_some() || single.is_some() || interval.is_some();
        if cold_chain && (min.is_none() && max.is_none()) {
            c.fail(C_MIN, None, "excursion budgets and logging intervals need a temperature range (min_temp_c and/or max_temp_c)");
        }
        Some(ProductRecord {
            line: row.line,
            gtin,
            name: name?,
            material_class,
            unit: unit?.to_string(),
            epd_ref,
            gwp_per_unit: gwp,
            min_temp_c: min,
            max_temp_c: max,
            max_excursion_minutes: budget,
            max_single_excursion_minutes: single,
            logging_interval_minutes: interval,
        })
    }

    fn load_chunk(
        conn: &mut PgConnection,
        batch: &BatchContext,
        chunk: &[ProductRecord],
        errors: &mut Vec<RowError>,
    ) -> QueryResult<Vec<bool>> {
        let mut ok = vec![true; chunk.len()];
        // A product once per file: twice in this chunk, or already in this batch.
        let mut seen = std::collections::HashMap::new();
        for (i, r) in chunk.iter().enumerate() {
            if let Some(first) = seen.insert(r.code(), r.line) {
                ok[i] = false;
                errors.push(twice(r, first));
            }
        }
        #[derive(QueryableByName)]
        struct Earlier {
            #[diesel(sql_type = Text)]
            code: String,
            #[diesel(sql_type = Integer)]
            line: i32,
        }
        let codes: Vec<&str> = chunk.iter().map(ProductRecord::code).collect();
        let earlier: Vec<Earlier> = diesel::sql_query(
            "SELECT code, line FROM product_versions WHERE batch_id = $1 AND code = ANY($2)",
        )
        .bind::<BigInt, _>(batch.batch_id)
        .bind::<Array<Text>, _>(&codes)
        .load(conn)?;
        for e in &earlier {
            for (i, r) in chunk.iter().enumerate() {
                if ok[i] && r.code() == e.code {
                    ok[i] = false;
                    errors.push(twice(r, e.line as u64));
                }
            }
        }
        let versions = new_rows(chunk, &ok, |r| ProductVersion {
            batch_id: batch.batch_id,
            line: r.line as i32,
            submitter: batch.submitter.clone(),
            code: r.code().to_string(),
            gtin: r.gtin.clone(),
            name: r.name.clone(),
            material_class: r.material_class.clone(),
            unit: r.unit.clone(),
            epd_ref: r.epd_ref.clone(),
            gwp_per_unit: r.gwp_per_unit.clone(),
            min_temp_c: r.min_temp_c.clone(),
            max_temp_c: r.max_temp_c.clone(),
            max_excursion_minutes: r.max_excursion_minutes,
            max_single_excursion_minutes: r.max_single_excursion_minutes,
            logging_interval_minutes: r.logging_interval_minutes,
        });
        diesel::copy_from(product_versions::table)
            .from_insertable(&versions)
            .execute(conn)?;
        // The products table takes the latest values.
        for v in &versions {
            let new = NewProduct {
                code: &v.code,
                gtin: v.gtin.as_deref(),
                name: &v.name,
                material_class: v.material_class.as_deref(),
                unit: &v.unit,
            };
            Product::ensure_all(conn, std::slice::from_ref(&new))?;
            diesel::update(products::table.filter(products::code.eq(&v.code)))
                .set((
                    products::name.eq(&v.name),
                    products::gtin.eq(&v.gtin),
                    products::material_class.eq(&v.material_class),
                    products::unit.eq(&v.unit),
                    products::epd_ref.eq(&v.epd_ref),
                    products::gwp_per_unit.eq(&v.gwp_per_unit),
                    products::min_temp_c.eq(&v.min_temp_c),
                    products::max_temp_c.eq(&v.max_temp_c),
                    products::max_excursion_minutes.eq(v.max_excursion_minutes),
                    products::max_single_excursion_minutes.eq(v.max_single_excursion_minutes),
                    products::logging_interval_minutes.eq(v.logging_interval_minutes),
                    products::version_batch_id.eq(v.batch_id),
                    products::version_line.eq(v.line),
                ))
                .execute(conn)?;
        }
        Ok(ok)
    }
}

fn twice(r: &ProductRecord, first: u64) -> RowError {
    RowError::new(
        r.line,
        Some(if r.gtin.is_some() { "gtin" } else { "product" }),
        Some(r.code()),
        format!("the same product is already at line {first}"),
    )
}

/// The stored versions of a batch, in line order (for proofs).
pub fn stored(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<ProductVersion>> {
    product_versions::table
        .filter(product_versions::batch_id.eq(batch_id))
        .order(product_versions::line)
        .select(ProductVersion::as_select())
        .load(conn)
}
