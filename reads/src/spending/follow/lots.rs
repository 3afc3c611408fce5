//! The lots delivered under a process, with their origin site and, level by level through
//! `lot_transformations`, the input lots they were made from.

use std::collections::{BTreeMap, HashMap, HashSet};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Numeric, Text, Timestamptz};

use super::load::sites_by_id;
use super::{LotInput, LotTrail, MoneyTrailLimits, PartyRef, ShipmentTrail, SiteRef};
use citytrace_schema::schema::{lots, parties, products};

#[derive(QueryableByName, Clone)]
struct Edge {
    #[diesel(sql_type = BigInt)]
    input_lot_id: i64,
    #[diesel(sql_type = BigInt)]
    output_lot_id: i64,
    #[diesel(sql_type = Numeric)]
    input_quantity: BigDecimal,
    #[diesel(sql_type = Text)]
    input_unit: String,
    #[diesel(sql_type = Text)]
    production_code: String,
    #[diesel(sql_type = Timestamptz)]
    produced_at: DateTime<Utc>,
}

fn edges_into(conn: &mut PgConnection, outputs: &[i64]) -> QueryResult<Vec<Edge>> {
    diesel::sql_query(
        "SELECT input_lot_id, output_lot_id, input_quantity, input_unit, production_code, produced_at \
           FROM lot_transformations WHERE output_lot_id = ANY($1) \
          ORDER BY output_lot_id, produced_at, run_id, batch_id, line",
    )
    .bind::<Array<BigInt>, _>(outputs)
    .load(conn)
}

struct LotInfo {
    code: String,
    product: String,
    product_unit: String,
    supplier: Option<PartyRef>,
    origin_site_id: Option<i64>,
}

fn lot_infos(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<HashMap<i64, LotInfo>> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = lots::table
        .inner_join(products::table.on(products::id.eq(lots::product_id)))
        .left_join(parties::table.on(lots::supplier_id.eq(parties::id.nullable())))
        .filter(lots::id.eq_any(ids))
        .select((
            lots::id,
            lots::code,
            products::name,
            products::unit,
            parties::id.nullable(),
            parties::code.nullable(),
            parties::name.nullable(),
            lots::origin_site_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let supplier = match (r.4, r.5, r.6) {
                (Some(id), Some(code), Some(name)) => Some(PartyRef { id, code, name }),
                _ => None,
            };
            let info = LotInfo {
                code: r.1,
                product: r.2,
                product_unit: r.3,
                supplier,
                origin_site_id: r.7,
            };
            (r.0, info)
        })
        .collect())
}

struct Tree<'a> {
    infos: &'a HashMap<i64, LotInfo>,
    sites: &'a HashMap<i64, SiteRef>,
    edges: &'a HashMap<i64, Vec<Edge>>,
    limits: &'a MoneyTrailLimits,
}

impl Tree<'_> {
    fn lot(&self, lot_id: i64, depth: usize, path: &mut Vec<i64>) -> LotTrail {
        let info = self.infos.get(&lot_id);
        let edges = self.edges.get(&lot_id).map_or(&[][..], Vec::as_slice);
        let mut inputs = Vec::new();
        let mut inputs_truncated = false;
        if depth >= self.limits.max_input_depth {
            inputs_truncated = !edges.is_empty();
        } else {
            path.push(lot_id);
            for edge in edges {
                // A lot made (indirectly) from itself would never end: stop the cycle there.
                if path.contains(&edge.input_lot_id) {
                    continue;
                }
                if inputs.len() == self.limits.max_inputs_per_lot {
                    inputs_truncated = true;
                    break;
                }
                inputs.push(LotInput {
                    quantity: edge.input_quantity.clone(),
                    unit: edge.input_unit.clone(),
                    production_code: edge.production_code.clone(),
                    produced_at: edge.produced_at,
                    lot: self.lot(edge.input_lot_id, depth + 1, path),
                });
            }
            path.pop();
        }
        LotTrail {
            lot_id,
            code: info.map(|i| i.code.clone()).unwrap_or_default(),
            product: info.map(|i| i.product.clone()).unwrap_or_default(),
            product_unit: info.map(|i| i.product_unit.clone()).unwrap_or_default(),
            supplier: info.and_then(|i| i.supplier.clone()),
            origin_site: info
                .and_then(|i| i.origin_site_id)
                .and_then(|id| self.sites.get(&id).cloned()),
            delivered: Vec::new(),
            inputs,
            inputs_truncated,
        }
    }
}

/// The distinct lots of `shipments` (at most `max_lots`, in delivery order; true when more),
/// each with the quantities delivered per unit and its inputs.
pub(super) fn delivered_lots(
    conn: &mut PgConnection,
    shipments: &[ShipmentTrail],
    limits: &MoneyTrailLimits,
) -> QueryResult<(Vec<LotTrail>, bool)> {
    let mut order: Vec<i64> = Vec::new();
    let mut delivered: HashMap<i64, BTreeMap<String, BigDecimal>> = HashMap::new();
    for line in shipments.iter().flat_map(|s| s.lines.iter()) {
        let per_unit = delivered.entry(line.lot_id).or_insert_with(|| {
            order.push(line.lot_id);
            BTreeMap::new()
        });
        *per_unit.entry(line.unit.clone()).or_default() += &line.quantity;
    }
    let truncated = order.len() > limits.max_lots;
    order.truncate(limits.max_lots);
    if order.is_empty() {
        return Ok((Vec::new(), truncated));
    }
    // Inputs level by level; one level more than shown, to know whether the tree was cut.
    let mut edges: HashMap<i64, Vec<Edge>> = HashMap::new();
    let mut seen: HashSet<i64> = order.iter().copied().collect();
    let mut frontier = order.clone();
    for _ in 0..=limits.max_input_depth {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for edge in edges_into(conn, &frontier)? {
            if seen.insert(edge.input_lot_id) {
                next.push(edge.input_lot_id);
            }
            edges.entry(edge.output_lot_id).or_default().push(edge);
        }
        frontier = next;
    }
    let all: Vec<i64> = seen.into_iter().collect();
    let infos = lot_infos(conn, &all)?;
    let mut site_ids: Vec<i64> = infos.values().filter_map(|i| i.origin_site_id).collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    let sites = sites_by_id(conn, &site_ids)?;
    let tree = Tree {
        infos: &infos,
        sites: &sites,
        edges: &edges,
        limits,
    };
    let lots = order
        .into_iter()
        .map(|lot_id| {
            let mut lot = tree.lot(lot_id, 0, &mut Vec::new());
            lot.delivered = delivered
                .remove(&lot_id)
                .unwrap_or_default()
                .into_iter()
                .map(|(unit, quantity)| (quantity, unit))
                .collect();
            lot
        })
        .collect();
    Ok((lots, truncated))
}
