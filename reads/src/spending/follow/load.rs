//! Queries of the trail: the line's department, process titles, contract suppliers and the
//! shipments delivered under a process.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{PartyRef, ShipmentLineTrail, ShipmentTrail, SiteRef};
use citytrace_schema::schema::{
    budget_lines, parties, procurement_award_suppliers, procurement_contracts,
    procurement_processes, shipment_lines, sites,
};

/// The department of an expenditure budget line in a year (the lowest party id if, against the
/// format's rules, several departments use the same line id).
pub(super) fn department_of_line(
    conn: &mut PgConnection,
    fiscal_year: i32,
    budget_line_id: &str,
) -> QueryResult<Option<i64>> {
    budget_lines::table
        .filter(budget_lines::fiscal_year.eq(fiscal_year))
        .filter(budget_lines::budget_line_id.eq(budget_line_id))
        .filter(budget_lines::direction.eq("expenditure"))
        .select(budget_lines::department_id)
        .order(budget_lines::department_id)
        .first(conn)
        .optional()
}

pub(super) fn process_titles(
    conn: &mut PgConnection,
    ocids: &[String],
) -> QueryResult<HashMap<String, Option<String>>> {
    let rows: Vec<(String, Option<String>)> = procurement_processes::table
        .filter(procurement_processes::ocid.eq_any(ocids))
        .select((procurement_processes::ocid, procurement_processes::title))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The suppliers of a contract's award.
pub(super) fn contract_suppliers(
    conn: &mut PgConnection,
    ocid: &str,
    contract_id: &str,
) -> QueryResult<Vec<PartyRef>> {
    use procurement_award_suppliers as s;
    let award: Option<Option<String>> = procurement_contracts::table
        .find((ocid, contract_id))
        .select(procurement_contracts::award_id)
        .first(conn)
        .optional()?;
    let Some(Some(award_id)) = award else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, String, String)> = s::table
        .inner_join(parties::table.on(parties::id.eq(s::party_id)))
        .filter(s::ocid.eq(ocid))
        .filter(s::award_id.eq(award_id))
        .select((parties::id, parties::code, parties::name))
        .order(parties::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name)| PartyRef { id, code, name })
        .collect())
}

pub(super) fn sites_by_id(
    conn: &mut PgConnection,
    ids: &[i64],
) -> QueryResult<HashMap<i64, SiteRef>> {
    type Row = (i64, String, String, String, Option<f64>, Option<f64>);
    let rows: Vec<Row> = sites::table
        .filter(sites::id.eq_any(ids))
        .select((
            sites::id,
            sites::code,
            sites::name,
            sites::kind,
            sites::latitude,
            sites::longitude,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, kind, latitude, longitude)| {
            let site = SiteRef {
                id,
                code,
                name,
                kind,
                latitude,
                longitude,
            };
            (id, site)
        })
        .collect())
}

type LineRow = (
    i64,
    i32,
    String,
    String,
    i32,
    i64,
    String,
    String,
    BigDecimal,
    String,
    i64,
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
);

/// The shipments delivered under process `ocid` (`shipment_lines.contract_ocid`), in shipping
/// order, with at most `max_lines` lines in all; true when lines were left out.
pub(super) fn shipments_under(
    conn: &mut PgConnection,
    ocid: &str,
    max_lines: usize,
) -> QueryResult<(Vec<ShipmentTrail>, bool)> {
    use shipment_lines as l;
    let limit = i64::try_from(max_lines.saturating_add(1)).unwrap_or(i64::MAX);
    let mut rows: Vec<LineRow> = l::table
        .filter(l::contract_ocid.eq(ocid))
        .select((
            l::batch_id,
            l::line,
            l::submitter,
            l::shipment_code,
            l::line_no,
            l::lot_id,
            l::lot_code,
            l::product_name,
            l::quantity,
            l::unit,
            l::from_site_id,
            l::to_site_id,
            l::shipped_at,
            l::received_at,
            l::purchase_order,
        ))
        .order((l::shipped_at, l::batch_id, l::line))
        .limit(limit)
        .load(conn)?;
    let truncated = rows.len() > max_lines;
    rows.truncate(max_lines);
    let mut site_ids: Vec<i64> = rows.iter().flat_map(|r| [r.10, r.11]).collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    let sites = sites_by_id(conn, &site_ids)?;
    // One shipment per (batch, shipment id), in the order its first line was shipped.
    let mut order: Vec<(i64, String)> = Vec::new();
    let mut shipments: BTreeMap<(i64, String), ShipmentTrail> = BTreeMap::new();
    for r in rows {
        let key = (r.0, r.3.clone());
        let shipment = shipments.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            ShipmentTrail {
                batch_id: r.0,
                submitter: r.2.clone(),
                shipment_code: r.3.clone(),
                purchase_order: r.14.clone(),
                from_site: sites.get(&r.10).cloned(),
                to_site: sites.get(&r.11).cloned(),
                shipped_at: r.12,
                received_at: r.13,
                lines: Vec::new(),
            }
        });
        shipment.lines.push(ShipmentLineTrail {
            line: r.1,
            line_no: r.4,
            lot_id: r.5,
            lot_code: r.6,
            product_name: r.7,
            quantity: r.8,
            unit: r.9,
        });
    }
    let shipments = order
        .into_iter()
        .filter_map(|k| shipments.remove(&k))
        .collect();
    Ok((shipments, truncated))
}
