//! Loading what the factor rules need: the lots asked for and everything they were made from.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Numeric, Text};

use super::rollup::{LotCarbonBook, LotFacts, ProductFacts, RunEpd, RunFacts, RunInput};

#[derive(QueryableByName)]
struct LotRow {
    #[diesel(sql_type = BigInt)]
    lot_id: i64,
    #[diesel(sql_type = Text)]
    lot_code: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    origin_site_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    product_id: i64,
    #[diesel(sql_type = Text)]
    product_code: String,
    #[diesel(sql_type = Text)]
    product_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    material_class: Option<String>,
    #[diesel(sql_type = Text)]
    product_unit: String,
    #[diesel(sql_type = Nullable<Text>)]
    epd_ref: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    gwp_per_unit: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<BigInt>)]
    version_batch_id: Option<i64>,
    #[diesel(sql_type = Nullable<Integer>)]
    version_line: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    run_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    run_batch_id: Option<i64>,
    #[diesel(sql_type = Nullable<Integer>)]
    run_line: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    production_code: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    output_quantity: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Text>)]
    output_unit: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    epd_reference: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    gwp_factor: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Text>)]
    declared_unit: Option<String>,
}

#[derive(QueryableByName)]
struct InputRow {
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = Integer)]
    input_line: i32,
    #[diesel(sql_type = BigInt)]
    input_lot_id: i64,
    #[diesel(sql_type = Text)]
    lot_code: String,
    #[diesel(sql_type = Numeric)]
    quantity: BigDecimal,
    #[diesel(sql_type = Text)]
    unit: String,
    #[diesel(sql_type = BigInt)]
    batch_id: i64,
    #[diesel(sql_type = Integer)]
    line: i32,
}

/// A [`LotCarbonBook`] holding `lot_ids` and every lot they were made from, directly or not:
/// two queries whatever the depth.
pub fn load_lot_carbon_book(
    conn: &mut PgConnection,
    lot_ids: &[i64],
) -> QueryResult<LotCarbonBook> {
    let rows: Vec<LotRow> = diesel::sql_query(include_str!("lot_facts.sql"))
        .bind::<Array<BigInt>, _>(lot_ids)
        .load(conn)?;
    let run_ids: Vec<i64> = rows.iter().filter_map(|r| r.run_id).collect();
    let inputs: Vec<InputRow> = diesel::sql_query(
        "SELECT i.run_id, i.input_line, i.input_lot_id, l.code AS lot_code, i.quantity, i.unit, \
                i.batch_id, i.line \
           FROM production_inputs i JOIN lots l ON l.id = i.input_lot_id \
          WHERE i.run_id = ANY($1) \
          ORDER BY i.run_id, i.input_line",
    )
    .bind::<Array<BigInt>, _>(&run_ids)
    .load(conn)?;
    let mut inputs_by_run: HashMap<i64, Vec<RunInput>> = HashMap::new();
    for i in inputs {
        inputs_by_run.entry(i.run_id).or_default().push(RunInput {
            input_line: i.input_line,
            lot_id: i.input_lot_id,
            lot_code: i.lot_code,
            quantity: i.quantity,
            unit: i.unit,
            batch_id: i.batch_id,
            line: i.line,
        });
    }
    Ok(LotCarbonBook::new(
        rows.into_iter().map(|r| lot_facts(r, &mut inputs_by_run)),
    ))
}

fn lot_facts(r: LotRow, inputs_by_run: &mut HashMap<i64, Vec<RunInput>>) -> LotFacts {
    let run = match (
        r.run_id,
        r.run_batch_id,
        r.run_line,
        r.production_code,
        r.output_quantity,
        r.output_unit,
    ) {
        (
            Some(id),
            Some(batch_id),
            Some(line),
            Some(production_code),
            Some(output_quantity),
            Some(output_unit),
        ) => {
            let epd = match (r.epd_reference, r.gwp_factor, r.declared_unit) {
                (Some(reference), Some(gwp_factor), Some(declared_unit)) => Some(RunEpd {
                    reference,
                    gwp_factor,
                    declared_unit,
                }),
                _ => None,
            };
            Some(RunFacts {
                id,
                batch_id,
                line,
                production_code,
                output_quantity,
                output_unit,
                epd,
                inputs: inputs_by_run.remove(&id).unwrap_or_default(),
            })
        }
        _ => None,
    };
    LotFacts {
        lot_id: r.lot_id,
        lot_code: r.lot_code,
        origin_site_id: r.origin_site_id,
        product: ProductFacts {
            id: r.product_id,
            code: r.product_code,
            name: r.product_name,
            material_class: r.material_class,
            unit: r.product_unit,
            epd_ref: r.epd_ref,
            gwp_per_unit: r.gwp_per_unit,
            version_batch_id: r.version_batch_id,
            version_line: r.version_line,
        },
        run,
    }
}
