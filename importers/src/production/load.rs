//! Checking a chunk of production rows against the database and writing it: runs agree with
//! themselves and with what is stored, input lines are new, lots resolve, an output lot is
//! made by one run only; then the new runs are inserted and the input rows COPied.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};

use citytrace_schema::models::{
    Lot, NewLot, NewProduct, NewProductionInput, NewProductionRun, Product, ProductionInput,
    ProductionRun, Site,
};

use super::{Output, ProductionRecord};
use crate::csv_format::BatchContext;
use crate::error::RowError;
use crate::site_position;

/// Rows kept so far, and the problems of the others.
struct Verdicts<'a> {
    chunk: &'a [ProductionRecord],
    ok: Vec<bool>,
    errors: &'a mut Vec<RowError>,
}

impl<'a> Verdicts<'a> {
    fn fail(&mut self, i: usize, column: &str, value: Option<&str>, reason: String) {
        if self.ok[i] {
            self.ok[i] = false;
            self.errors.push(RowError::new(
                self.chunk[i].line,
                Some(column),
                value,
                reason,
            ));
        }
    }

    /// The rows still kept; they borrow the chunk, not the verdicts.
    fn kept(&self) -> impl Iterator<Item = (usize, &'a ProductionRecord)> + '_ {
        let chunk: &'a [ProductionRecord] = self.chunk;
        chunk.iter().enumerate().filter(|(i, _)| self.ok[*i])
    }
}

pub(super) fn load_chunk(
    conn: &mut PgConnection,
    batch: &BatchContext,
    chunk: &[ProductionRecord],
    errors: &mut Vec<RowError>,
) -> QueryResult<Vec<bool>> {
    let mut v = Verdicts {
        chunk,
        ok: vec![true; chunk.len()],
        errors,
    };
    let mut codes: Vec<&str> = chunk.iter().map(|r| r.production.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let stored: HashMap<String, ProductionRun> =
        ProductionRun::by_codes(conn, &batch.submitter, &codes)?
            .into_iter()
            .map(|run| (run.production_code.clone(), run))
            .collect();
    check_runs_agree(batch, &stored, &mut v);
    reject_repeated_inputs(conn, batch, &mut v)?;
    let sites = {
        let mut refs: Vec<&str> = v.kept().map(|(_, r)| r.output.site.as_str()).collect();
        refs.sort_unstable();
        refs.dedup();
        Site::resolve_or_register(conn, &refs, "plant")?
    };
    site_position::place(
        conn,
        v.kept()
            .filter_map(|(_, r)| Some((*sites.get(&r.output.site)?, r.site_position))),
    )?;
    let lots = register_lots(conn, &sites, &mut v)?;
    check_single_maker(conn, batch, &lots, &mut v)?;

    let mut new_runs: BTreeMap<&str, NewProductionRun> = BTreeMap::new();
    for (_, r) in v
        .kept()
        .filter(|(_, r)| !stored.contains_key(&r.production))
    {
        new_runs
            .entry(r.production.as_str())
            .or_insert_with(|| NewProductionRun {
                batch_id: batch.batch_id,
                line: r.line as i32,
                submitter: batch.submitter.clone(),
                production_code: r.production.clone(),
                output_lot_code: r.output.lot.clone(),
                output_lot_id: lots[r.output.lot.as_str()].0,
                output_gtin: r.output.gtin.clone(),
                output_product: r.output.product.clone(),
                output_quantity: r.output.quantity.clone(),
                output_unit: r.output.unit.clone(),
                site: r.output.site.clone(),
                site_id: sites[r.output.site.as_str()],
                produced_at: r.output.produced_at,
                produced_offset: r.output.produced_offset.clone(),
                epd_reference: r.output.epd_reference.clone(),
                gwp_factor: r.output.gwp_factor.clone(),
                declared_unit: r.output.declared_unit.clone(),
            });
    }
    let new_runs: Vec<NewProductionRun> = new_runs.into_values().collect();
    ProductionRun::ensure_all(conn, &new_runs)?;
    let run_ids: HashMap<String, i64> = ProductionRun::by_codes(conn, &batch.submitter, &codes)?
        .into_iter()
        .map(|run| (run.production_code, run.id))
        .collect();
    let rows: Vec<NewProductionInput> = v
        .kept()
        .map(|(_, r)| NewProductionInput {
            batch_id: batch.batch_id,
            line: r.line as i32,
            run_id: run_ids[r.production.as_str()],
            input_line: r.input_line,
            input_lot_code: r.input_lot.clone(),
            input_lot_id: lots[r.input_lot.as_str()].0,
            input_product: r.input_product.clone(),
            quantity: r.input_quantity.clone(),
            unit: r.input_unit.clone(),
        })
        .collect();
    ProductionInput::copy_in(conn, &rows)?;
    Ok(v.ok)
}

/// Every row of a run describes the same output: as the run's first row in this chunk does,
/// and as the stored run (an earlier chunk or file) does.
fn check_runs_agree(
    batch: &BatchContext,
    stored: &HashMap<String, ProductionRun>,
    v: &mut Verdicts<'_>,
) {
    let stored: HashMap<&str, (Output, &ProductionRun)> = stored
        .iter()
        .map(|(code, run)| (code.as_str(), (Output::from_stored(run), run)))
        .collect();
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, r) in v.chunk.iter().enumerate() {
        let problem = if let Some((output, run)) = stored.get(r.production.as_str()) {
            r.output.differing_column(output).map(|column| {
                let place = if run.batch_id == batch.batch_id {
                    format!("line {}", run.line)
                } else {
                    format!("batch {} (line {})", run.batch_id, run.line)
                };
                (column, format!("production {} has another {column} at {place}; every row of a run describes the same output", r.production))
            })
        } else if let Some(&j) = first.get(r.production.as_str()) {
            r.output.differing_column(&v.chunk[j].output).map(|column| {
                (column, format!("production {} has another {column} at line {}; every row of a run describes the same output", r.production, v.chunk[j].line))
            })
        } else {
            first.insert(r.production.as_str(), i);
            None
        };
        if let Some((column, reason)) = problem {
            v.fail(i, column, None, reason);
        }
    }
}

/// A run's input line is imported once: twice in the file, or already stored, is a problem.
fn reject_repeated_inputs(
    conn: &mut PgConnection,
    batch: &BatchContext,
    v: &mut Verdicts<'_>,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Existing {
        #[diesel(sql_type = Text)]
        production_code: String,
        #[diesel(sql_type = Integer)]
        input_line: i32,
        #[diesel(sql_type = BigInt)]
        batch_id: i64,
        #[diesel(sql_type = Integer)]
        line: i32,
    }
    let existing: Vec<Existing> = diesel::sql_query(
        "SELECT r.production_code, i.input_line, i.batch_id, i.line FROM production_inputs i \
         JOIN production_runs r ON r.id = i.run_id \
         JOIN unnest($2::text[], $3::int4[]) AS k(code, no) ON r.production_code = k.code AND i.input_line = k.no \
         WHERE r.submitter = $1",
    )
    .bind::<Text, _>(&batch.submitter)
    .bind::<Array<Text>, _>(v.chunk.iter().map(|r| r.production.as_str()).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(v.chunk.iter().map(|r| r.input_line).collect::<Vec<_>>())
    .load(conn)?;
    let stored: HashMap<(&str, i32), (i64, i32)> = existing
        .iter()
        .map(|e| {
            (
                (e.production_code.as_str(), e.input_line),
                (e.batch_id, e.line),
            )
        })
        .collect();
    let mut seen: HashMap<(&str, i32), u64> = HashMap::new();
    for i in 0..v.chunk.len() {
        let r = &v.chunk[i];
        let key = (r.production.as_str(), r.input_line);
        let reason = match stored.get(&key) {
            Some((batch_id, line)) if *batch_id != batch.batch_id => Some(format!(
                "this input line was already imported in batch {batch_id} (line {line})"
            )),
            Some((_, line)) => Some(repeated(r, *line as u64)),
            None => seen.insert(key, r.line).map(|first| repeated(r, first)),
        };
        if let Some(reason) = reason {
            let value = r.input_line.to_string();
            v.fail(i, "input_line", Some(&value), reason);
        }
    }
    Ok(())
}

fn repeated(r: &ProductionRecord, first: u64) -> String {
    format!(
        "production {} input line {} already appears at line {first}",
        r.production, r.input_line
    )
}

/// Register output lots (with their product, made at the run's site) and the input lots the
/// rows introduce (with input_product); refuse an output lot registered as another product and
/// an unknown input lot without a product. Each lot's id and registered product code.
fn register_lots(
    conn: &mut PgConnection,
    sites: &HashMap<String, i64>,
    v: &mut Verdicts<'_>,
) -> QueryResult<HashMap<String, (i64, String)>> {
    let mut inputs: Vec<&str> = v.kept().map(|(_, r)| r.input_lot.as_str()).collect();
    inputs.sort_unstable();
    inputs.dedup();
    let known = Lot::ids_and_products_by_code(conn, &inputs)?;
    // An input lot is known, made by a kept row of this chunk, or registered from its row;
    // refusing a row can orphan an input made by it, so repeat until nothing changes.
    loop {
        let made: HashSet<&str> = v.kept().map(|(_, r)| r.output.lot.as_str()).collect();
        let orphans: Vec<usize> = v
            .kept()
            .filter(|(_, r)| {
                r.input_product.is_none()
                    && !known.contains_key(&r.input_lot)
                    && !made.contains(r.input_lot.as_str())
            })
            .map(|(i, _)| i)
            .collect();
        if orphans.is_empty() {
            break;
        }
        for i in orphans {
            let lot = v.chunk[i].input_lot.clone();
            let reason = format!(
                "lot {lot} is not registered: ship or produce it first, or give input_product to register it"
            );
            v.fail(i, "input_lot", Some(&lot), reason);
        }
    }
    let mut products: BTreeMap<&str, NewProduct> = BTreeMap::new();
    let mut outputs: BTreeMap<&str, &ProductionRecord> = BTreeMap::new();
    for (_, r) in v.kept() {
        let o = &r.output;
        products.entry(o.product_code()).or_insert(NewProduct {
            code: o.product_code(),
            gtin: o.gtin.as_deref(),
            name: &o.product,
            material_class: None,
            unit: &o.unit,
        });
        outputs.entry(o.lot.as_str()).or_insert(r);
    }
    let mut new_inputs: BTreeMap<&str, &ProductionRecord> = BTreeMap::new();
    for (_, r) in v.kept() {
        if !known.contains_key(&r.input_lot) && !outputs.contains_key(r.input_lot.as_str()) {
            if let Some(name) = &r.input_product {
                products.entry(name).or_insert(NewProduct {
                    code: name,
                    gtin: None,
                    name,
                    material_class: None,
                    unit: &r.input_unit,
                });
                new_inputs.entry(r.input_lot.as_str()).or_insert(r);
            }
        }
    }
    let products: Vec<NewProduct> = products.into_values().collect();
    Product::ensure_all(conn, &products)?;
    let codes: Vec<&str> = products.iter().map(|p| p.code).collect();
    let product_ids = Product::ids_by_code(conn, &codes)?;
    let mut lots: Vec<NewLot> = outputs
        .values()
        .map(|r| NewLot {
            code: &r.output.lot,
            product_id: product_ids[r.output.product_code()],
            supplier_id: None,
            origin_site_id: Some(sites[r.output.site.as_str()]),
        })
        .collect();
    lots.extend(new_inputs.values().filter_map(|r| {
        let product = r.input_product.as_deref()?;
        Some(NewLot {
            code: &r.input_lot,
            product_id: product_ids[product],
            supplier_id: None,
            origin_site_id: None,
        })
    }));
    Lot::ensure_all(conn, &lots)?;
    let mut all: Vec<&str> = lots
        .iter()
        .map(|l| l.code)
        .chain(inputs.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    let registered = Lot::ids_and_products_by_code(conn, &all)?;
    for i in 0..v.chunk.len() {
        let r = &v.chunk[i];
        if !v.ok[i] {
            continue;
        }
        match registered.get(&r.output.lot) {
            Some((_, product)) if product != r.output.product_code() => {
                let reason = format!(
                    "lot is registered as product {product}, this row says {}",
                    r.output.product_code()
                );
                v.fail(i, "output_lot", Some(&r.output.lot), reason);
            }
            _ => {}
        }
        if !registered.contains_key(&r.input_lot) {
            let reason = format!(
                "lot {} is not registered: ship or produce it first, or give input_product to register it",
                r.input_lot
            );
            v.fail(i, "input_lot", Some(&r.input_lot), reason);
        }
    }
    Ok(registered)
}

/// A lot is made by one run: the output of another run (stored, or earlier in this chunk) is a
/// problem.
fn check_single_maker(
    conn: &mut PgConnection,
    batch: &BatchContext,
    lots: &HashMap<String, (i64, String)>,
    v: &mut Verdicts<'_>,
) -> QueryResult<()> {
    let ids: Vec<i64> = v
        .kept()
        .map(|(_, r)| lots[r.output.lot.as_str()].0)
        .collect();
    let makers: HashMap<i64, ProductionRun> = ProductionRun::by_output_lots(conn, &ids)?
        .into_iter()
        .map(|run| (run.output_lot_id, run))
        .collect();
    let mut first: HashMap<&str, (&str, u64)> = HashMap::new();
    for i in 0..v.chunk.len() {
        let r = &v.chunk[i];
        if !v.ok[i] {
            continue;
        }
        let lot_id = lots[r.output.lot.as_str()].0;
        let reason = match makers.get(&lot_id) {
            Some(run)
                if run.submitter != batch.submitter || run.production_code != r.production =>
            {
                Some(format!(
                    "lot {} is already the output of production {} (batch {}, line {})",
                    r.output.lot, run.production_code, run.batch_id, run.line
                ))
            }
            Some(_) => None,
            None => match first.get(r.output.lot.as_str()) {
                Some((production, line)) if *production != r.production => Some(format!(
                    "lot {} is also the output of production {production} at line {line}",
                    r.output.lot
                )),
                Some(_) => None,
                None => {
                    first.insert(r.output.lot.as_str(), (r.production.as_str(), r.line));
                    None
                }
            },
        };
        if let Some(reason) = reason {
            v.fail(i, "output_lot", Some(&r.output.lot), reason);
        }
    }
    Ok(())
}
