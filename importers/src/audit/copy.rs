//! Reading a binary COPY stream (`COPY (SELECT …) TO STDOUT (FORMAT binary)`): the fastest
//! way PostgreSQL hands over rows, streamed as the server produces them. Rows land in a
//! [`RawPage`]: one buffer of field bytes and their offsets, reused, with no allocation per row
//! or per field.
//!
//! The format (PostgreSQL's `COPY` documentation, "Binary Format"): an 11-byte signature,
//! 32-bit flags and a header extension; then per row a 16-bit field count (-1 ends the data)
//! and per field a 32-bit length (-1 for NULL) and that many bytes. Numbers are big-endian.

use std::io::{self, BufRead, Read};

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// Rows of one binary COPY stream.
pub struct CopyReader<R> {
    input: R,
    header_read: bool,
    done: bool,
}

/// Rows read from a COPY stream: `width` fields each.
#[derive(Debug, Default)]
pub struct RawPage {
    data: Vec<u8>,
    /// (start, length) of each field in `data`; length `u32::MAX` for NULL.
    fields: Vec<(u32, u32)>,
    width: usize,
}

const NULL: u32 = u32::MAX;

impl RawPage {
    pub fn new(width: usize) -> Self {
        Self {
            data: Vec::new(),
            fields: Vec::new(),
            width: width.max(1),
        }
    }

    /// A page with room for `rows` rows of about `row_bytes` bytes.
    pub fn with_capacity(width: usize, rows: usize, row_bytes: usize) -> Self {
        let width = width.max(1);
        Self {
            data: Vec::with_capacity(rows * row_bytes),
            fields: Vec::with_capacity(rows * width),
            width,
        }
    }

    pub fn len(&self) -> usize {
        self.fields.len() / self.width
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.fields.clear();
    }

    /// Field `col` of row `row`: None for NULL.
    pub fn field(&self, row: usize, col: usize) -> Option<&[u8]> {
        let (start, len) = *self.fields.get(row * self.width + col)?;
        if len == NULL {
            return None;
        }
        self.data.get(start as usize..start as usize + len as usize)
    }

    /// Remove the last row (it belongs to the next batch); its fields are returned as a page of
    /// one row.
    pub fn split_last(&mut self) -> RawPage {
        let mut last = RawPage::new(self.width);
        let Some(row) = self.len().checked_sub(1) else {
            return last;
        };
        for col in 0..self.width {
            match self.field(row, col) {
                Some(bytes) => last.push_field(Some(bytes)),
                None => last.push_field(None),
            }
        }
        let first = self.fields[row * self.width].0 as usize;
        self.fields.truncate(row * self.width);
        self.data.truncate(first.min(self.data.len()));
        last
    }

    fn push_field(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            Some(b) => {
                self.fields.push((self.data.len() as u32, b.len() as u32));
                self.data.extend_from_slice(b);
            }
            None => self.fields.push((self.data.len() as u32, NULL)),
        }
    }

    /// Append the fields of `other` (same width).
    pub fn append(&mut self, other: &RawPage) {
        for row in 0..other.len() {
            for col in 0..other.width {
                self.push_field(other.field(row, col));
            }
        }
    }
}

fn bad(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

impl<R: BufRead> CopyReader<R> {
    pub fn new(input: R) -> Self {
        Self {
            input,
            header_read: false,
            done: false,
        }
    }

    fn read_header(&mut self) -> io::Result<()> {
        let mut signature = [0u8; 11];
        self.input.read_exact(&mut signature)?;
        if &signature != SIGNATURE {
            return Err(bad("not a binary COPY stream (no PGCOPY signature)".into()));
        }
        let mut word = [0u8; 4];
        self.input.read_exact(&mut word)?; // flags: no OIDs are asked for
        self.input.read_exact(&mut word)?;
        let extension = u32::from_be_bytes(word) as u64;
        io::copy(&mut (&mut self.input).take(extension), &mut io::sink())?;
        self.header_read = true;
        Ok(())
    }

    /// Read what follows the end of the data, to the end of the stream (so the connection is
    /// free for the next statement).
    pub fn finish(mut self) -> io::Result<()> {
        io::copy(&mut self.input, &mut io::sink())?;
        Ok(())
    }

    /// Append the next row to `page`; false at the end of the data. A row with another number
    /// of fields than the page's width is an error.
    pub fn next_into(&mut self, page: &mut RawPage) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        if !self.header_read {
            self.read_header()?;
        }
        // Usually the whole row is in the stream's buffer (libpq hands over a row at a time):
        // read it there; else field by field.
        let available = self.input.fill_buf()?;
        if let Some((used, more)) = parse_row(available, page)? {
            self.input.consume(used);
            if !more {
                self.done = true;
            }
            return Ok(more);
        }
        self.next_piecewise(page)
    }

    fn next_piecewise(&mut self, page: &mut RawPage) -> io::Result<bool> {
        let mut count = [0u8; 2];
        self.input.read_exact(&mut count)?;
        let count = i16::from_be_bytes(count);
        if count == -1 {
            self.done = true;
            return Ok(false);
        }
        check_width(count, page.width)?;
        for _ in 0..page.width {
            let mut len = [0u8; 4];
            self.input.read_exact(&mut len)?;
            let len = i32::from_be_bytes(len);
            if len < 0 {
                page.fields.push((page.data.len() as u32, NULL));
                continue;
            }
            let start = page.data.len();
            page.data.resize(start + len as usize, 0);
            self.input.read_exact(&mut page.data[start..])?;
            page.fields.push((start as u32, len as u32));
        }
        Ok(true)
    }
}

fn check_width(count: i16, width: usize) -> io::Result<()> {
    if usize::try_from(count).ok() == Some(width) {
        Ok(())
    } else {
        Err(bad(format!(
            "a row of {count} fields where {width} were asked for"
        )))
    }
}

/// A whole row (or the end marker) at the start of `bytes`, appended to `page`: the bytes it
/// took and whether it was a row. None when `bytes` holds less than a whole row.
fn parse_row(bytes: &[u8], page: &mut RawPage) -> io::Result<Option<(usize, bool)>> {
    let Some(count) = bytes.get(..2) else {
        return Ok(None);
    };
    let count = i16::from_be_bytes([count[0], count[1]]);
    if count == -1 {
        return Ok(Some((2, false)));
    }
    check_width(count, page.width)?;
    // Find the fields first, so that a row cut short leaves the page as it was.
    let mut at = 2;
    let mut spans = [(0usize, -1i32); MAX_WIDTH];
    let spans = spans
        .get_mut(..page.width)
        .ok_or_else(|| bad("too wide a row".into()))?;
    for span in spans.iter_mut() {
        let Some(len) = bytes.get(at..at + 4) else {
            return Ok(None);
        };
        let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        at += 4;
        *span = (at, len);
        if len > 0 {
            at += len as usize;
        }
    }
    if at > bytes.len() {
        return Ok(None);
    }
    for &(start, len) in spans.iter() {
        if len < 0 {
            page.fields.push((page.data.len() as u32, NULL));
        } else {
            let field = &bytes[start..start + len as usize];
            page.fields.push((page.data.len() as u32, len as u32));
            page.data.extend_from_slice(field);
        }
    }
    Ok(Some((at, true)))
}

/// The widest row read (the production inputs' 18 fields, with room).
const MAX_WIDTH: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary COPY stream of `rows`, as PostgreSQL writes it.
    pub fn stream(rows: &[Vec<Option<&[u8]>>]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend(0u32.to_be_bytes());
        out.extend(0u32.to_be_bytes());
        for row in rows {
            out.extend((row.len() as i16).to_be_bytes());
            for field in row {
                match field {
                    Some(b) => {
                        out.extend((b.len() as i32).to_be_bytes());
                        out.extend_from_slice(b);
                    }
                    None => out.extend((-1i32).to_be_bytes()),
                }
            }
        }
        out.extend((-1i16).to_be_bytes());
        out
    }

    #[test]
    fn rows_fields_and_nulls_read_back_and_the_last_row_splits_off() {
        let bytes = stream(&[
            vec![Some(b"a"), None, Some(b"")],
            vec![Some(b"bc"), Some(b"d"), None],
        ]);
        let mut reader = CopyReader::new(bytes.as_slice());
        let mut page = RawPage::new(3);
        assert!(reader.next_into(&mut page).unwrap());
        assert!(reader.next_into(&mut page).unwrap());
        assert!(!reader.next_into(&mut page).unwrap());
        assert_eq!(page.len(), 2);
        assert_eq!(
            (page.field(0, 0), page.field(0, 1), page.field(0, 2)),
            (Some(&b"a"[..]), None, Some(&b""[..]))
        );
        let last = page.split_last();
        assert_eq!((page.len(), last.len()), (1, 1));
        assert_eq!(last.field(0, 0), Some(&b"bc"[..]));
        assert_eq!(last.field(0, 2), None);
        page.append(&last);
        assert_eq!(page.field(1, 1), Some(&b"d"[..]));
    }

    #[test]
    fn a_stream_cut_short_or_of_another_width_is_an_error_not_a_panic() {
        let bytes = stream(&[vec![Some(b"abc"), None]]);
        for cut in 0..bytes.len() - 2 {
            let mut reader = CopyReader::new(&bytes[..cut]);
            let mut page = RawPage::new(2);
            assert!(reader.next_into(&mut page).is_err(), "cut at {cut}");
        }
        let mut reader = CopyReader::new(bytes.as_slice());
        assert!(reader.next_into(&mut RawPage::new(3)).is_err());
        let mut reader = CopyReader::new(&b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0"[..]);
        assert!(reader.next_into(&mut RawPage::new(1)).is_err());
    }
}
