//! Shipments in breach, a page at a time, from [`load_breaches`]: each shipment is
//! assessed alone (only shipments with a reading outside a range are), so memory holds one
//! shipment's readings whatever the number of readings — the list cannot be a SQL `ListDef`.
//! Pages are keyset-paged by shipment code (`?after=`); exports walk the same pages and
//! stream each to the response, so memory stays bounded whatever the number of breaches.

use chrono::TimeDelta;
use serde::Serialize;

use citytrace_reads::cold_chain::{
    load_breaches, ColdChainSettings, ShipmentInBreach, ShipmentsInBreach, Verdict,
};

use super::names::{ContractView, SiteView};
use super::shipment::reason_text;
use crate::error::AppError;
use crate::fmt;
use crate::listing::{stream_download, Download, RowChunks};
use crate::routes::evidence::{duration, minutes, SourceRow, Trust};

/// Shipments per page of the breach list.
pub const PER_PAGE: usize = 25;

/// One shipment in breach, summed up: the products and loggers in breach and why.
#[derive(Debug, Serialize)]
pub struct BreachRow {
    pub shipment_code: String,
    pub href: String,
    /// Products in breach, by name.
    pub products: Vec<String>,
    /// Loggers in breach.
    pub devices: Vec<String>,
    pub reasons: Vec<&'static str>,
    pub excursions: usize,
    /// The most time out of range of one logger against one product.
    pub time_out_of_range: String,
    pub time_out_of_range_minutes: f64,
    pub longest_excursion: String,
    pub longest_excursion_minutes: f64,
    /// The first reading of the first excursion in breach.
    pub source: Option<SourceRow>,
    /// How far that reading's batch can be trusted.
    pub trust: Option<Trust>,
    /// Where it was delivered (the clinic, the school kitchen), by name.
    pub delivered_to: Option<SiteView>,
    /// The contract it was bought under.
    pub contract: Option<ContractView>,
}

impl BreachRow {
    pub fn new(breach: &ShipmentInBreach) -> Self {
        let shipment = &breach.shipment;
        let mut products = Vec::new();
        let mut devices: Vec<String> = Vec::new();
        let mut reasons: Vec<&'static str> = Vec::new();
        let mut excursions = 0;
        let mut out = TimeDelta::zero();
        let mut longest = TimeDelta::zero();
        for p in shipment
            .products
            .iter()
            .filter(|p| p.verdict == Verdict::Breach)
        {
            products.push(p.product.name.clone());
            for d in p
                .devices
                .iter()
                .filter(|d| d.report.verdict == Verdict::Breach)
            {
                if !devices.contains(&d.device_id) {
                    devices.push(d.device_id.clone());
                }
                for r in &d.report.breach_reasons {
                    let text = reason_text(*r);
                    if !reasons.contains(&text) {
                        reasons.push(text);
                    }
                }
                excursions += d.report.excursions.len();
                out = out.max(d.report.time_out_of_range);
                longest = longest.max(d.report.longest_excursion);
            }
        }
        Self {
            href: format!(
                "/cold-chain/shipments/{}",
                fmt::path_segment(&shipment.shipment_code)
            ),
            shipment_code: shipment.shipment_code.clone(),
            products,
            devices,
            reasons,
            excursions,
            time_out_of_range: duration(out),
            time_out_of_range_minutes: minutes(out),
            longest_excursion: duration(longest),
            longest_excursion_minutes: minutes(longest),
            source: breach.source.map(|r| SourceRow::new(r.batch_id, r.line)),
            trust: breach.trust.as_ref().map(Trust::of),
            delivered_to: breach.route.as_ref().map(|r| SiteView::new(&r.to)),
            contract: breach
                .route
                .as_ref()
                .and_then(|r| r.contract.as_ref())
                .map(ContractView::new),
        }
    }
}

/// A page of the breach list and the cursor of the next.
pub struct BreachRows {
    pub rows: Vec<BreachRow>,
    pub next_after: Option<String>,
}

impl From<ShipmentsInBreach> for BreachRows {
    fn from(page: ShipmentsInBreach) -> Self {
        Self {
            rows: page.shipments.iter().map(BreachRow::new).collect(),
            next_after: page.next_after,
        }
    }
}

/// Shipments in breach assessed per chunk of an export.
const EXPORT_CHUNK: usize = 100;

const CSV_HEADER: [&str; 13] = [
    "shipment_code",
    "products",
    "devices",
    "reasons",
    "excursions",
    "time_out_of_range_minutes",
    "longest_excursion_minutes",
    "source_batch_id",
    "source_line",
    "delivered_to",
    "delivered_to_code",
    "contract_ocid",
    "contract_title",
];

/// A row's CSV cells.
fn csv_cells(r: &BreachRow) -> Vec<String> {
    let (batch, line) = r
        .source
        .as_ref()
        .map(|s| (s.batch_id.to_string(), s.line.to_string()))
        .unwrap_or_default();
    vec![
        r.shipment_code.clone(),
        r.products.join("; "),
        r.devices.join("; "),
        r.reasons.join("; "),
        r.excursions.to_string(),
        r.time_out_of_range_minutes.to_string(),
        r.longest_excursion_minutes.to_string(),
        batch,
        line,
        r.delivered_to
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        r.delivered_to
            .as_ref()
            .map(|s| s.code.clone())
            .unwrap_or_default(),
        r.contract
            .as_ref()
            .map(|c| c.ocid.clone())
            .unwrap_or_default(),
        r.contract
            .as_ref()
            .and_then(|c| c.title.clone())
            .unwrap_or_default(),
    ]
}

/// Every shipment in breach as CSV or JSON (`format`), in code order, streamed: walked
/// [`EXPORT_CHUNK`] shipments in breach at a time in one snapshot (one shipment's readings in
/// memory at once), each chunk written to the response before the next is assessed.
pub async fn export(
    pool: citytrace_schema::PgPool,
    settings: ColdChainSettings,
    format: String,
) -> Result<actix_web::HttpResponse, AppError> {
    let download = Download::csv_or_json(&format, "cold-chain-breaches");
    stream_download(pool, "cold-chain-breaches", download, move |conn, sink| {
        conn.build_transaction()
            .read_only()
            .repeatable_read()
            .run(|conn| {
                let Some(mut out) = RowChunks::start(&format, &CSV_HEADER, csv_cells, sink)? else {
                    return Ok(());
                };
                let mut after: Option<String> = None;
                loop {
                    let rows = BreachRows::from(load_breaches(
                        conn,
                        &settings,
                        after.as_deref(),
                        EXPORT_CHUNK,
                    )?);
                    if !out.send(sink, &rows.rows)? {
                        return Ok(()); // the client went away
                    }
                    match rows.next_after {
                        Some(next) => after = Some(next),
                        None => {
                            out.finish(sink);
                            return Ok(());
                        }
                    }
                }
            })
    })
    .await
}
