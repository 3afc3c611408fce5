//! The bulk formats read back fast: sensor readings, shipment lines and production inputs —
//! nearly every stored row — each kind by ONE binary COPY over all its batches in
//! (batch, line) order, each row encoded canonically straight from the binary fields.
//!
//! The encodings are the formats' own (`ReadingRecord::canonical`, `ShipmentRecord::canonical`,
//! `ProductionRecord::canonical`), written without building the records: the tests hold every
//! byte to those functions on random rows, and `importers/tests/all/audit.rs` holds the roots to the
//! importers' on real ones. A format whose encoding changes must change here too; a test fails
//! until it does.

use std::io::Write;

use diesel::pg::{CopyFormat, CopyTarget, Pg, PgConnection};
use diesel::query_builder::AstPass;
use diesel::QueryResult;

use citytrace_schema::schema::{production_inputs, sensor_readings, shipment_lines};

use super::binary::{self, Unreadable};
use super::copy::RawPage;
use crate::Format;

/// A bulk format read by one COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastKind {
    SensorReadings,
    Shipments,
    Production,
}

impl FastKind {
    pub const ALL: [FastKind; 3] = [Self::SensorReadings, Self::Shipments, Self::Production];

    pub fn of(format: Format) -> Option<Self> {
        match format {
            Format::SensorReadings => Some(Self::SensorReadings),
            Format::Shipments => Some(Self::Shipments),
            Format::Production => Some(Self::Production),
            _ => None,
        }
    }

    pub fn format(self) -> Format {
        match self {
            Self::SensorReadings => Format::SensorReadings,
            Self::Shipments => Format::Shipments,
            Self::Production => Format::Production,
        }
    }

    /// Fields per row: the batch id and the line first, then the encoding's.
    pub fn width(self) -> usize {
        match self {
            Self::SensorReadings => 8,
            Self::Shipments => 17,
            Self::Production => 18,
        }
    }

    /// Start the kind's COPY on `conn`: its rows, in (batch, line) order, as a byte stream.
    pub fn copy(self, conn: &mut PgConnection) -> QueryResult<impl std::io::BufRead + '_> {
        match self {
            Self::SensorReadings => {
                let copy = diesel::copy_to(ReadingsCopy).with_format(CopyFormat::Binary);
                copy.load_raw(conn).map(Stream::A)
            }
            Self::Shipments => {
                let copy = diesel::copy_to(ShipmentsCopy).with_format(CopyFormat::Binary);
                copy.load_raw(conn).map(Stream::B)
            }
            Self::Production => {
                let copy = diesel::copy_to(ProductionCopy).with_format(CopyFormat::Binary);
                copy.load_raw(conn).map(Stream::C)
            }
        }
    }

    /// Write the canonical encoding of row `row` of `page` (rows of this kind) to `out`.
    pub fn encode(self, page: &RawPage, row: usize, out: &mut Vec<u8>) -> Result<(), Unreadable> {
        let fields = Fields { page, row };
        match self {
            Self::SensorReadings => reading(&fields, out),
            Self::Shipments => shipment(&fields, out),
            Self::Production => production(&fields, out),
        }
    }
}

/// One of three readers (the three COPY statements have three types).
enum Stream<A, B, C> {
    A(A),
    B(B),
    C(C),
}

impl<A: std::io::Read, B: std::io::Read, C: std::io::Read> std::io::Read for Stream<A, B, C> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::A(r) => r.read(buf),
            Self::B(r) => r.read(buf),
            Self::C(r) => r.read(buf),
        }
    }
}

impl<A: std::io::BufRead, B: std::io::BufRead, C: std::io::BufRead> std::io::BufRead
    for Stream<A, B, C>
{
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        match self {
            Self::A(r) => r.fill_buf(),
            Self::B(r) => r.fill_buf(),
            Self::C(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Self::A(r) => r.consume(amt),
            Self::B(r) => r.consume(amt),
            Self::C(r) => r.consume(amt),
        }
    }
}

/// A `COPY (SELECT …) TO STDOUT`: diesel copies tables, so each query is a target of its own,
/// its SQL a constant (COPY takes no parameters).
macro_rules! copy_query {
    ($name:ident, $table:ty, $sql:expr) => {
        struct $name;

        impl CopyTarget for $name {
            type Table = $table;
            type SqlType = diesel::sql_types::Integer;

            fn walk_target(mut pass: AstPass<'_, '_, Pg>) -> QueryResult<()> {
                pass.push_sql($sql);
                Ok(())
            }
        }
    };
}

copy_query!(
    ReadingsCopy,
    sensor_readings::table,
    // The lot's code looked up for the few readings that name a lot: the scan stays one index
    // scan in (batch, line) order, with no join to plan around and no sort.
    "(SELECT r.batch_id, r.line, r.device_id, r.humidity_pct, \
     CASE WHEN r.lot_id IS NOT NULL THEN (SELECT l.code FROM lots l WHERE l.id = r.lot_id) END, \
     r.recorded_at, r.shipment_code, r.temperature_c \
     FROM sensor_readings r ORDER BY r.batch_id, r.line)"
);

copy_query!(
    ShipmentsCopy,
    shipment_lines::table,
    "(SELECT batch_id, line, carrier, certificates, contract_ocid, from_site, gtin, lot_code, \
     product_name, purchase_order, quantity, received_at, shipment_code, line_no, shipped_at, \
     to_site, unit FROM shipment_lines ORDER BY batch_id, line)"
);

copy_query!(
    ProductionCopy,
    production_inputs::table,
    "(SELECT i.batch_id, i.line, r.declared_unit, r.epd_reference, r.gwp_factor, i.input_line, \
     i.input_lot_code, i.input_product, i.quantity, i.unit, r.output_gtin, r.output_lot_code, \
     r.output_product, r.output_quantity, r.output_unit, r.produced_at, r.production_code, r.site \
     FROM production_inputs i JOIN production_runs r ON r.id = i.run_id ORDER BY i.batch_id, i.line)"
);

/// The fields of one row.
struct Fields<'a> {
    page: &'a RawPage,
    row: usize,
}

impl Fields<'_> {
    fn get(&self, col: usize) -> Option<&[u8]> {
        self.page.field(self.row, col)
    }

    fn required(&self, col: usize, name: &str) -> Result<&[u8], Unreadable> {
        self.get(col)
            .ok_or_else(|| format!("{name} is NULL, which no row holds"))
    }

    /// The stored line (INT4).
    pub fn line(&self) -> Result<i32, Unreadable> {
        binary::int4(self.required(1, "line")?)
    }
}

/// The line of row `row` of `page` (any kind: the second field).
pub fn line_of(page: &RawPage, row: usize) -> Result<i64, Unreadable> {
    Fields { page, row }.line().map(i64::from)
}

/// The batch id of row `row` of `page` (any kind: the first field).
pub fn batch_of(page: &RawPage, row: usize) -> Result<i64, Unreadable> {
    binary::int8(Fields { page, row }.required(0, "batch_id")?)
}

/// A canonical JSON object written in place: keys given in byte order by the caller.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn string(&mut self, value: &str) {
        // Escaped as serde_json escapes, like every canonical string.
        let _ = serde_json::to_writer(&mut *self.out, value);
    }

    fn text(&mut self, key: &str, field: Option<&[u8]>, name: &str) -> Result<(), Unreadable> {
        self.key(key);
        self.string(binary::text(
            field.ok_or_else(|| format!("{name} is NULL, which no row holds"))?,
        )?);
        Ok(())
    }

    fn text_or_null(&mut self, key: &str, field: Option<&[u8]>) -> Result<(), Unreadable> {
        self.key(key);
        match field {
            Some(bytes) => self.string(binary::text(bytes)?),
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    /// A key present only when the column is not NULL.
    fn text_if_given(&mut self, key: &str, field: Option<&[u8]>) -> Result<(), Unreadable> {
        if let Some(bytes) = field {
            self.key(key);
            self.string(binary::text(bytes)?);
        }
        Ok(())
    }

    fn quoted(
        &mut self,
        key: &str,
        field: Option<&[u8]>,
        name: &str,
        write: Writer,
    ) -> Result<(), Unreadable> {
        self.key(key);
        match field {
            Some(bytes) => {
                self.out.push(b'"');
                write(bytes, self.out)?;
                self.out.push(b'"');
            }
            None if name.is_empty() => self.out.extend_from_slice(b"null"),
            None => return Err(format!("{name} is NULL, which no row holds")),
        }
        Ok(())
    }

    fn number(&mut self, key: &str, value: impl std::fmt::Display) {
        self.key(key);
        let _ = write!(self.out, "{value}");
    }

    fn encoding(&mut self, encoding: &str) {
        self.key("encoding");
        self.string(encoding);
    }

    fn finish(self) {
        self.out.push(b'}');
    }
}

type Writer = fn(&[u8], &mut Vec<u8>) -> Result<(), Unreadable>;

const DECIMAL: Writer = binary::numeric;
const TIME: Writer = binary::timestamptz;
/// For `quoted`: a NULL column is written as null.
const NULLABLE: &str = "";

/// `ReadingRecord::canonical`: fields batch_id, line, device_id, humidity_pct, lot code,
/// recorded_at, shipment_code, temperature_c.
fn reading(f: &Fields, out: &mut Vec<u8>) -> Result<(), Unreadable> {
    let line = f.line()?;
    let mut o = Object::new(out);
    o.text("device_id", f.get(2), "device_id")?;
    o.encoding(crate::sensor_readings::ENCODING);
    o.quoted("humidity_pct", f.get(3), NULLABLE, DECIMAL)?;
    // The record keeps the line as u64 and writes it back as i64: the stored INT4.
    o.number("line", line);
    o.text_or_null("lot_id", f.get(4))?;
    o.quoted("recorded_at", f.get(5), "recorded_at", TIME)?;
    o.text_or_null("shipment_id", f.get(6))?;
    o.quoted("temperature_c", f.get(7), "temperature_c", DECIMAL)?;
    o.finish();
    Ok(())
}

/// `ShipmentRecord::canonical`: fields batch_id, line, carrier, certificates, contract_ocid,
/// from_site, gtin, lot_code, product_name, purchase_order, quantity, received_at,
/// shipment_code, line_no, shipped_at, to_site, unit.
fn shipment(f: &Fields, out: &mut Vec<u8>) -> Result<(), Unreadable> {
    let line = f.line()?;
    let mut o = Object::new(out);
    o.text_if_given("carrier", f.get(2))?;
    if let Some(array) = f.get(3) {
        // The record joins its references with `|`, and writes the key only when it has any.
        let (mut joined, mut count) = (String::new(), 0);
        binary::text_array(array, |c| {
            if count > 0 {
                joined.push('|');
            }
            joined.push_str(c);
            count += 1;
        })?;
        if count > 0 {
            o.key("certificates");
            o.string(&joined);
        }
    }
    o.text_if_given("contract_ocid", f.get(4))?;
    o.encoding(crate::shipments::ENCODING);
    o.text("from_site", f.get(5), "from_site")?;
    o.text_or_null("gtin", f.get(6))?;
    // The record keeps the line as u64: a negative INT4 reads as its two's complement.
    o.number("line", i64::from(line) as u64);
    o.text("lot_id", f.get(7), "lot_code")?;
    o.text("product", f.get(8), "product_name")?;
    o.text_if_given("purchase_order", f.get(9))?;
    o.quoted("quantity", f.get(10), "quantity", DECIMAL)?;
    o.quoted("received_at", f.get(11), NULLABLE, TIME)?;
    o.text("shipment_id", f.get(12), "shipment_code")?;
    o.number("shipment_line", binary::int4(f.required(13, "line_no")?)?);
    o.quoted("shipped_at", f.get(14), "shipped_at", TIME)?;
    o.text("to_site", f.get(15), "to_site")?;
    o.text("unit", f.get(16), "unit")?;
    o.finish();
    Ok(())
}

/// `ProductionRecord::canonical`: fields batch_id, line, declared_unit, epd_reference,
/// gwp_factor, input_line, input_lot_code, input_product, quantity, unit, output_gtin,
/// output_lot_code, output_product, output_quantity, output_unit, produced_at,
/// production_code, site.
fn production(f: &Fields, out: &mut Vec<u8>) -> Result<(), Unreadable> {
    let line = f.line()?;
    let mut o = Object::new(out);
    o.text_or_null("declared_unit", f.get(2))?;
    o.encoding(crate::production::ENCODING);
    o.text_or_null("epd_reference", f.get(3))?;
    o.quoted("gwp_factor", f.get(4), NULLABLE, DECIMAL)?;
    o.number("input_line", binary::int4(f.required(5, "input_line")?)?);
    o.text("input_lot", f.get(6), "input_lot_code")?;
    o.text_or_null("input_product", f.get(7))?;
    o.quoted("input_quantity", f.get(8), "quantity", DECIMAL)?;
    o.text("input_unit", f.get(9), "unit")?;
    o.number("line", i64::from(line) as u64);
    o.text_or_null("output_gtin", f.get(10))?;
    o.text("output_lot", f.get(11), "output_lot_code")?;
    o.text("output_product", f.get(12), "output_product")?;
    o.quoted("output_quantity", f.get(13), "output_quantity", DECIMAL)?;
    o.text("output_unit", f.get(14), "output_unit")?;
    o.quoted("produced_at", f.get(15), "produced_at", TIME)?;
    o.text("production_id", f.get(16), "production_code")?;
    o.text("site", f.get(17), "site")?;
    o.finish();
    Ok(())
}

#[cfg(test)]
mod tests;
