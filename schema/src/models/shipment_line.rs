use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{BatchAnchor, ImportBatch, Site, TrustState};
use crate::schema::{import_batches, shipment_lines, sites};

/// One line of a supplier's shipment, as imported.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = shipment_lines, primary_key(batch_id, line))]
pub struct ShipmentLine {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub shipment_code: String,
    pub line_no: i32,
    pub lot_code: String,
    pub lot_id: i64,
    pub gtin: Option<String>,
    pub product_name: String,
    pub quantity: BigDecimal,
    pub unit: String,
    pub from_site: String,
    pub from_site_id: i64,
    pub to_site: String,
    pub to_site_id: i64,
    pub shipped_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub shipped_offset: String,
    pub received_offset: Option<String>,
    pub carrier: Option<String>,
    pub purchase_order: Option<String>,
    pub contract_ocid: Option<String>,
    pub certificates: Vec<String>,
}

/// For binary COPY: every column given explicitly.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = shipment_lines, treat_none_as_default_value = false)]
pub struct NewShipmentLine {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub shipment_code: String,
    pub line_no: i32,
    pub lot_code: String,
    pub lot_id: i64,
    pub gtin: Option<String>,
    pub product_name: String,
    pub quantity: BigDecimal,
    pub unit: String,
    pub from_site: String,
    pub from_site_id: i64,
    pub to_site: String,
    pub to_site_id: i64,
    pub shipped_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub shipped_offset: String,
    pub received_offset: Option<String>,
    pub carrier: Option<String>,
    pub purchase_order: Option<String>,
    pub contract_ocid: Option<String>,
    pub certificates: Vec<String>,
}

/// A shipment line as the lot page shows it: with its sites, its batch and how far it can be
/// trusted.
#[derive(Debug, Clone, Serialize)]
pub struct ShipmentLineView {
    pub line: ShipmentLine,
    pub from_site: Site,
    pub to_site: Site,
    pub batch: ImportBatch,
    pub trust: TrustState,
}

impl ShipmentLine {
    /// Binary COPY of `rows` into shipment_lines (one round trip, no per-row statements).
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewShipmentLine]) -> QueryResult<usize> {
        diesel::copy_from(shipment_lines::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<ShipmentLine>> {
        shipment_lines::table
            .filter(shipment_lines::batch_id.eq(batch_id))
            .order(shipment_lines::line)
            .select(ShipmentLine::as_select())
            .load(conn)
    }

    /// Every shipment line of a lot, oldest shipment first, with sites, batch and trust.
    pub fn for_lot(conn: &mut PgConnection, lot_id: i64) -> QueryResult<Vec<ShipmentLineView>> {
        let rows: Vec<(ShipmentLine, ImportBatch)> = shipment_lines::table
            .inner_join(import_batches::table)
            .filter(shipment_lines::lot_id.eq(lot_id))
            .order((
                shipment_lines::shipped_at,
                shipment_lines::batch_id,
                shipment_lines::line,
            ))
            .select((ShipmentLine::as_select(), ImportBatch::as_select()))
            .load(conn)?;
        let site_ids: Vec<i64> = rows
            .iter()
            .flat_map(|(l, _)| [l.from_site_id, l.to_site_id])
            .collect();
        let sites: HashMap<i64, Site> = sites::table
            .filter(sites::id.eq_any(&site_ids))
            .select(Site::as_select())
            .load(conn)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut batches: Vec<ImportBatch> = rows.iter().map(|(_, b)| b.clone()).collect();
        batches.dedup_by_key(|b| b.id);
        let anchors: HashMap<i64, BatchAnchor> = BatchAnchor::for_batches(conn, &batches)?
            .into_iter()
            .filter_map(|a| Some((a.import_batch_id()?, a)))
            .collect();
        rows.into_iter()
            .map(|(line, batch)| {
                let site = |id: i64| {
                    sites
                        .get(&id)
                        .cloned()
                        .ok_or(diesel::result::Error::NotFound)
                };
                Ok(ShipmentLineView {
                    from_site: site(line.from_site_id)?,
                    to_site: site(line.to_site_id)?,
                    trust: TrustState::from_anchor(anchors.get(&batch.id)),
                    line,
                    batch,
                })
            })
            .collect()
    }
}
