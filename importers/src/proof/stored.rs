//! A batch's stored rows, read back a page at a time in line order and encoded canonically —
//! the one place that knows, for every format, which tables hold a batch's rows and how a
//! stored row becomes the text its leaf is the hash of. Proofs (`row_proof`) and the audit
//! (`crate::audit`) both read through here, so they can never disagree on a row's encoding.
//!
//! Reading (on the connection's thread) and encoding (on any thread: a page is `Sync`) are
//! separate steps, so the audit can hash one page on every core while the next is read.

use std::ops::ControlFlow;

use diesel::pg::PgConnection;
use diesel::prelude::*;

use citytrace_schema::models::{
    BudgetLine, EmissionReport, EpcisEvent, OcdsRelease, ProductionInput, ProductionRun,
    ShipmentLine, SupplyEvent, WasteReceipt, WasteTransfer,
};
use citytrace_schema::schema::{
    budget_lines, emission_reports, epcis_events, lots, ocds_releases, product_versions,
    production_inputs, production_runs, sensor_readings, shipment_lines, supply_events,
    waste_receipts, waste_transfers,
};

use crate::budget::BudgetRecord;
use crate::emissions::EmissionRecord;
use crate::epcis::EventRecord;
use crate::ocds::ReleaseRow;
use crate::production::ProductionRecord;
use crate::products::{ProductRecord, ProductVersion};
use crate::sensor_readings::{ReadingRecord, StoredReading};
use crate::shipments::ShipmentRecord;
use crate::waste::receipts::ReceiptRecord;
use crate::waste::transfers::TransferRecord;
use crate::Format;

/// Rows of one batch as the database returned them, decoded but not yet encoded.
pub enum StoredPage {
    Products(Vec<ProductVersion>),
    SensorReadings(Vec<(StoredReading, Option<String>)>),
    Shipments(Vec<ShipmentLine>),
    Production(Vec<(ProductionInput, ProductionRun)>),
    WasteTransfers(Vec<WasteTransfer>),
    WasteReceipts(Vec<WasteReceipt>),
    Emissions(Vec<EmissionReport>),
    Budget(Vec<BudgetLine>),
    Ocds(Vec<OcdsRelease>),
    Epcis(Vec<EventRecord>),
}

impl StoredPage {
    pub fn len(&self) -> usize {
        match self {
            Self::Products(rows) => rows.len(),
            Self::SensorReadings(rows) => rows.len(),
            Self::Shipments(rows) => rows.len(),
            Self::Production(rows) => rows.len(),
            Self::WasteTransfers(rows) => rows.len(),
            Self::WasteReceipts(rows) => rows.len(),
            Self::Emissions(rows) => rows.len(),
            Self::Budget(rows) => rows.len(),
            Self::Ocds(rows) => rows.len(),
            Self::Epcis(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The line of row `i` as stored: the physical line of the file, or the position of a
    /// JSON format's release or event.
    pub fn line(&self, i: usize) -> i64 {
        match self {
            Self::Products(rows) => i64::from(rows[i].line),
            Self::SensorReadings(rows) => i64::from(rows[i].0.line),
            Self::Shipments(rows) => i64::from(rows[i].line),
            Self::Production(rows) => i64::from(rows[i].0.line),
            Self::WasteTransfers(rows) => i64::from(rows[i].line),
            Self::WasteReceipts(rows) => i64::from(rows[i].line),
            Self::Emissions(rows) => i64::from(rows[i].line),
            Self::Budget(rows) => i64::from(rows[i].line),
            Self::Ocds(rows) => i64::from(rows[i].line),
            // Stored as an INT4 like the others; the record widened it.
            Self::Epcis(rows) => rows[i].line as i64,
        }
    }

    /// The canonical encoding of row `i` (docs/verification.md): exactly what the importer
    /// hashed, when the row is as it was imported.
    pub fn canonical(&self, i: usize) -> Vec<u8> {
        match self {
            Self::Products(rows) => ProductRecord::from(&rows[i]).canonical(),
            Self::SensorReadings(rows) => reading(&rows[i]).canonical(),
            Self::Shipments(rows) => ShipmentRecord::from_stored(&rows[i]).canonical(),
            Self::Production(rows) => {
                let (input, run) = &rows[i];
                ProductionRecord::from_stored(input, run).canonical()
            }
            Self::WasteTransfers(rows) => TransferRecord::from_stored(&rows[i]).canonical(),
            Self::WasteReceipts(rows) => ReceiptRecord::from_stored(&rows[i]).canonical(),
            Self::Emissions(rows) => EmissionRecord::from_stored(&rows[i]).canonical(),
            Self::Budget(rows) => BudgetRecord::from_stored(&rows[i]).canonical(),
            Self::Ocds(rows) => ReleaseRow::from_stored(&rows[i]).canonical(),
            Self::Epcis(rows) => rows[i].canonical(),
        }
    }
}

fn reading((row, lot): &(StoredReading, Option<String>)) -> ReadingRecord {
    ReadingRecord {
        line: row.line as u64,
        device_id: row.device_id.clone(),
        shipment: row.shipment_code.clone(),
        lot: lot.clone(),
        recorded_at: row.recorded_at,
        recorded_offset: row.recorded_offset.clone(),
        temperature_c: row.temperature_c.clone(),
        humidity_pct: row.humidity_pct.clone(),
    }
}

/// The format a batch's `kind` names (None for a kind this citytrace does not know).
pub fn format_of(kind: &str) -> Option<Format> {
    Format::ALL.iter().copied().find(|f| f.name() == kind)
}

/// Up to `limit` stored rows of batch `batch_id` of `format` from line `from` on, in line
/// order. One indexed range scan on `(batch_id, line)`.
pub fn read_page(
    conn: &mut PgConnection,
    format: Format,
    batch_id: i64,
    from: i32,
    limit: i64,
) -> QueryResult<StoredPage> {
    macro_rules! page {
        ($table:ident, $select:expr) => {
            $table::table
                .filter($table::batch_id.eq(batch_id))
                .filter($table::line.ge(from))
                .order($table::line)
                .limit(limit)
                .select($select)
                .load(conn)?
        };
    }
    Ok(match format {
        Format::Products => {
            StoredPage::Products(page!(product_versions, ProductVersion::as_select()))
        }
        Format::SensorReadings => StoredPage::SensorReadings(
            sensor_readings::table
                .left_join(lots::table)
                .filter(sensor_readings::batch_id.eq(batch_id))
                .filter(sensor_readings::line.ge(from))
                .order(sensor_readings::line)
                .limit(limit)
                .select((StoredReading::as_select(), lots::code.nullable()))
                .load(conn)?,
        ),
        Format::Shipments => {
            StoredPage::Shipments(page!(shipment_lines, ShipmentLine::as_select()))
        }
        Format::Production => StoredPage::Production(
            production_inputs::table
                .inner_join(production_runs::table)
                .filter(production_inputs::batch_id.eq(batch_id))
                .filter(production_inputs::line.ge(from))
                .order(production_inputs::line)
                .limit(limit)
                .select((ProductionInput::as_select(), ProductionRun::as_select()))
                .load(conn)?,
        ),
        Format::WasteTransfers => {
            StoredPage::WasteTransfers(page!(waste_transfers, WasteTransfer::as_select()))
        }
        Format::WasteReceipts => {
            StoredPage::WasteReceipts(page!(waste_receipts, WasteReceipt::as_select()))
        }
        Format::Emissions => {
            StoredPage::Emissions(page!(emission_reports, EmissionReport::as_select()))
        }
        Format::Budget => StoredPage::Budget(page!(budget_lines, BudgetLine::as_select())),
        Format::Ocds => StoredPage::Ocds(page!(ocds_releases, OcdsRelease::as_select())),
        Format::Epcis => {
            let events: Vec<(SupplyEvent, EpcisEvent)> = epcis_events::table
                .inner_join(supply_events::table)
                .filter(epcis_events::batch_id.eq(batch_id))
                .filter(epcis_events::line.ge(from))
                .order(epcis_events::line)
                .limit(limit)
                .select((SupplyEvent::as_select(), EpcisEvent::as_select()))
                .load(conn)?;
            StoredPage::Epcis(crate::epcis::records_of_events(conn, events)?)
        }
    })
}

/// A batch's stored rows a page at a time, in line order. Each page starts after the last
/// line of the one before, so memory holds one page whatever the batch's size — and a row
/// moved to any line, even a negative one, is read.
pub struct StoredPages {
    format: Format,
    batch_id: i64,
    page_rows: i64,
    /// The first line of the next page; None once the last page was read.
    from: Option<i32>,
}

impl StoredPages {
    pub fn new(format: Format, batch_id: i64, page_rows: i64) -> Self {
        Self {
            format,
            batch_id,
            page_rows: page_rows.max(1),
            from: Some(i32::MIN),
        }
    }

    /// The next page, None after the last.
    pub fn next(&mut self, conn: &mut PgConnection) -> QueryResult<Option<StoredPage>> {
        let Some(from) = self.from else {
            return Ok(None);
        };
        let page = read_page(conn, self.format, self.batch_id, from, self.page_rows)?;
        let Some(last) = page.len().checked_sub(1) else {
            self.from = None;
            return Ok(None);
        };
        self.from = i32::try_from(page.line(last))
            .ok()
            .and_then(|l| l.checked_add(1))
            .filter(|_| page.len() as i64 >= self.page_rows);
        Ok(Some(page))
    }
}

/// Every stored row of a batch of `format` in line order, in pages of `page_rows`, from ONE
/// query whose rows stream in as PostgreSQL produces them (libpq's single-row mode), so reading
/// a page overlaps with the server producing the next. For reading whole batches fast (the
/// audit); EPCIS events, assembled from several tables, are read page by page instead.
pub fn for_each_streamed_page(
    conn: &mut PgConnection,
    format: Format,
    batch_id: i64,
    page_rows: usize,
    mut each: impl FnMut(StoredPage) -> ControlFlow<()>,
) -> QueryResult<()> {
    use diesel::pg::PgRowByRowLoadingMode;
    let page_rows = page_rows.max(1);
    macro_rules! stream {
        ($variant:ident, $query:expr) => {{
            let mut page = Vec::with_capacity(page_rows);
            for row in $query.load_iter::<_, PgRowByRowLoadingMode>(conn)? {
                page.push(row?);
                if page.len() == page_rows {
                    let full = std::mem::replace(&mut page, Vec::with_capacity(page_rows));
                    if each(StoredPage::$variant(full)).is_break() {
                        return Ok(());
                    }
                }
            }
            if !page.is_empty() {
                let _ = each(StoredPage::$variant(page));
            }
            Ok(())
        }};
    }
    macro_rules! table {
        ($variant:ident, $table:ident, $select:expr) => {
            stream!(
                $variant,
                $table::table
                    .filter($table::batch_id.eq(batch_id))
                    .order($table::line)
                    .select($select)
            )
        };
    }
    match format {
        Format::Products => table!(Products, product_versions, ProductVersion::as_select()),
        Format::SensorReadings => stream!(
            SensorReadings,
            sensor_readings::table
                .left_join(lots::table)
                .filter(sensor_readings::batch_id.eq(batch_id))
                .order(sensor_readings::line)
                .select((StoredReading::as_select(), lots::code.nullable()))
        ),
        Format::Shipments => table!(Shipments, shipment_lines, ShipmentLine::as_select()),
        Format::Production => stream!(
            Production,
            production_inputs::table
                .inner_join(production_runs::table)
                .filter(production_inputs::batch_id.eq(batch_id))
                .order(production_inputs::line)
                .select((ProductionInput::as_select(), ProductionRun::as_select()))
        ),
        Format::WasteTransfers => {
            table!(WasteTransfers, waste_transfers, WasteTransfer::as_select())
        }
        Format::WasteReceipts => table!(WasteReceipts, waste_receipts, WasteReceipt::as_select()),
        Format::Emissions => table!(Emissions, emission_reports, EmissionReport::as_select()),
        Format::Budget => table!(Budget, budget_lines, BudgetLine::as_select()),
        Format::Ocds => table!(Ocds, ocds_releases, OcdsRelease::as_select()),
        Format::Epcis => for_each_page(conn, format, batch_id, page_rows as i64, each),
    }
}

/// Every stored row of a batch of `format`, page by page ([`StoredPages`]): `each` gets each
/// page in line order, and says whether to go on.
pub fn for_each_page(
    conn: &mut PgConnection,
    format: Format,
    batch_id: i64,
    page_rows: i64,
    mut each: impl FnMut(StoredPage) -> ControlFlow<()>,
) -> QueryResult<()> {
    let mut pages = StoredPages::new(format, batch_id, page_rows);
    while let Some(page) = pages.next(conn)? {
        if each(page).is_break() {
            break;
        }
    }
    Ok(())
}
