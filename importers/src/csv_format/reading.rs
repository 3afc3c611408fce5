//! The reading side of a CSV import: rows read and checked on their own thread, one chunk
//! ahead of the database, sent to the loading side in chunks — and, after the last one, an
//! explicit end. A channel that closes without it means the reader stopped (it panicked), never
//! that the file ended: the loading side refuses to commit then, and joins the thread to learn
//! why.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;

use super::{CsvFormat, RowContext, CHUNK_ROWS};
use crate::csv_input::CsvFile;
use crate::error::RowError;
use crate::merkle::leaf_hash;

/// Rows read and checked on the reader thread, sent to the loading thread together.
pub(super) struct Parsed<F: CsvFormat> {
    pub records: Vec<F::Record>,
    /// Each record's Merkle leaf (computed while reading, off the database's critical path).
    pub leaves: Vec<[u8; 32]>,
    pub errors: Vec<RowError>,
    /// The line of the chunk's first row.
    pub first_line: u64,
    /// Rows read so far in the whole file, and the byte position reached.
    pub rows: u64,
    pub bytes: u64,
    /// The file's last chunk: the reader read to the end of the file.
    pub end: bool,
}

impl<F: CsvFormat> Parsed<F> {
    fn empty() -> Self {
        Self {
            records: Vec::with_capacity(CHUNK_ROWS),
            leaves: Vec::with_capacity(CHUNK_ROWS),
            errors: Vec::new(),
            first_line: 0,
            rows: 0,
            bytes: 0,
            end: false,
        }
    }
}

/// Read and check the file, sending chunks of at most [`CHUNK_ROWS`] rows (read, valid or not —
/// so memory stays bounded when every row is wrong), the last one marked `end`. Stops early when
/// the loading side hangs up. `reading` follows the line being read, for the report of a panic.
pub(super) fn read_chunks<F: CsvFormat, R: Read>(
    mut file: CsvFile<R>,
    context: RowContext,
    chunks: SyncSender<Parsed<F>>,
    reading: &AtomicU64,
) {
    let (mut chunk, mut read, mut in_chunk) = (Parsed::<F>::empty(), 0u64, 0usize);
    while let Some(row) = file.next_row() {
        read += 1;
        in_chunk += 1;
        let line = match &row {
            Ok(row) => row.line,
            Err(e) => e.line,
        };
        reading.store(line, Ordering::Relaxed);
        if in_chunk == 1 {
            chunk.first_line = line;
        }
        match row {
            Err(e) => chunk.errors.push(e),
            Ok(row) => {
                if let Some(record) = F::parse(&row, &context, &mut chunk.errors) {
                    chunk.leaves.push(leaf_hash(&F::canonical(&record)));
                    chunk.records.push(record);
                }
            }
        }
        if in_chunk >= CHUNK_ROWS {
            (chunk.rows, chunk.bytes) = (read, file.position());
            if chunks
                .send(std::mem::replace(&mut chunk, Parsed::empty()))
                .is_err()
            {
                return;
            }
            in_chunk = 0;
        }
    }
    (chunk.rows, chunk.bytes, chunk.end) = (read, file.position(), true);
    let _ = chunks.send(chunk);
}
