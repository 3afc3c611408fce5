//! Reading a JSON file as a stream: bytes counted (for progress and chunk sizes), a byte
//! order mark skipped and UTF-16 recognised, problems of the text located by line and column;
//! the rows read handed to a [`ChunkWriter`], which sends them on in chunks.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use super::value::Position;
use super::{Chunk, Note, CHUNK_BYTES, CHUNK_ROWS};
use crate::error::RowError;

/// The read buffer's size.
pub(crate) const BUFFER_BYTES: usize = 1 << 16;

/// Counts the bytes read, and notes whether any of them is not white space.
pub(crate) struct CountingReader<R> {
    inner: R,
    position: Position,
    text_seen: Rc<Cell<bool>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position.advance(n);
        if !self.text_seen.get() {
            let read = buf.get(..n).unwrap_or_default();
            self.text_seen
                .set(read.iter().any(|b| !b.is_ascii_whitespace()));
        }
        Ok(n)
    }
}

/// A JSON file opened for streaming.
pub(crate) struct JsonInput<R> {
    reader: BufReader<CountingReader<R>>,
    /// Bytes read so far.
    pub position: Position,
    text_seen: Rc<Cell<bool>>,
}

/// Open a JSON file: skip a UTF-8 byte order mark, refuse UTF-16.
pub(crate) fn open<R: Read>(input: R) -> Result<JsonInput<R>, RowError> {
    let position = Position::default();
    let text_seen = Rc::new(Cell::new(false));
    let mut reader = BufReader::with_capacity(
        BUFFER_BYTES,
        CountingReader {
            inner: input,
            position: position.clone(),
            text_seen: text_seen.clone(),
        },
    );
    let head = reader
        .fill_buf()
        .map_err(|e| RowError::file(format!("could not read the file: {e}")))?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(RowError::file(
            "the file is UTF-16; save it as UTF-8 (JSON is exchanged as UTF-8)",
        ));
    }
    Ok(JsonInput {
        reader,
        position,
        text_seen,
    })
}

impl<R: Read> JsonInput<R> {
    /// A JSON reader over the file, with serde_json's nesting limit (128 levels).
    pub fn deserializer(
        &mut self,
    ) -> serde_json::Deserializer<serde_json::de::IoRead<&mut BufReader<CountingReader<R>>>> {
        serde_json::Deserializer::from_reader(&mut self.reader)
    }

    /// A problem the JSON reader met, as a row error at its line and column (a number of
    /// bytes from the start of the line).
    pub fn located(&self, e: &serde_json::Error) -> RowError {
        use serde_json::error::Category;
        let message = e.to_string();
        // serde_json appends " at line L column C"; the location goes in its own fields.
        let reason = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head);
        let reason = match e.classify() {
            Category::Eof if !self.text_seen.get() => return RowError::file("the file is empty"),
            Category::Eof => format!("the JSON ends too early: {reason}"),
            Category::Syntax => format!("not valid JSON: {reason}"),
            Category::Io => return RowError::file(format!("could not read the file: {reason}")),
            Category::Data => reason.to_string(),
        };
        RowError::new(
            e.line().max(1) as u64,
            Some(&e.column().to_string()),
            None,
            reason,
        )
    }
}

/// The loading side hung up: reading stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stopped;

/// Why a visitor stopped reading when the loading side hung up (never shown: that side
/// reports its own problem).
pub(crate) const STOPPED: &str = "the import stopped";

/// Whether rows are kept back instead of sent (see [`ChunkWriter::hold`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    No,
    /// Until the chunk is full; then they are sent.
    UntilFull,
    Always,
}

/// Gathers the rows read, with their problems and notes, into chunks of at most
/// [`CHUNK_ROWS`] rows or about [`CHUNK_BYTES`] of text, and sends each on.
pub(crate) struct ChunkWriter<'s, T> {
    send: Box<dyn FnMut(Chunk<T>) -> bool + 's>,
    chunk: Chunk<T>,
    in_chunk: usize,
    chunk_start: u64,
    rows: u64,
    position: Position,
    hold: Hold,
    stopped: bool,
}

impl<'s, T> ChunkWriter<'s, T> {
    /// `send` passes a chunk on; false when nobody takes it any more.
    pub fn new(position: Position, send: impl FnMut(Chunk<T>) -> bool + 's) -> Self {
        Self {
            send: Box::new(send),
            chunk: Chunk::default(),
            in_chunk: 0,
            chunk_start: position.get(),
            rows: 0,
            position,
            hold: Hold::No,
            stopped: false,
        }
    }

    pub fn position(&self) -> &Position {
        &self.position
    }

    pub fn push(&mut self, item: T) {
        self.chunk.items.push(item);
    }

    pub fn error(&mut self, error: RowError) {
        self.chunk.errors.push(error);
    }

    pub fn note(&mut self, note: Note) {
        self.chunk.notes.push(note);
    }

    /// Count one more row read (valid or not); send the chunk when it is full.
    pub fn row_read(&mut self) -> Result<(), Stopped> {
        self.rows += 1;
        self.in_chunk += 1;
        let full = self.in_chunk >= CHUNK_ROWS
            || self.position.get().saturating_sub(self.chunk_start) >= CHUNK_BYTES;
        match (full, self.hold) {
            (false, _) | (true, Hold::Always) => Ok(()),
            (true, Hold::No | Hold::UntilFull) => {
                self.hold = Hold::No;
                self.send_chunk(false)
            }
        }
    }

    /// Keep the rows read from now on instead of sending them: until a chunk is full
    /// (`always` false), or until [`Self::release`] (`always` true).
    pub fn hold(&mut self, always: bool) {
        self.hold = if always {
            Hold::Always
        } else {
            Hold::UntilFull
        };
    }

    /// Whether rows are still kept back.
    pub fn holding(&self) -> bool {
        self.hold != Hold::No
    }

    /// The rows kept back (none when not holding).
    pub fn held_mut(&mut self) -> &mut [T] {
        if self.holding() {
            &mut self.chunk.items
        } else {
            &mut []
        }
    }

    /// Send kept rows on as usual.
    pub fn release(&mut self) {
        self.hold = Hold::No;
    }

    /// Take back the rows kept since [`Self::hold`], with their problems and notes: they are
    /// no longer rows of the file (a bare record's releases).
    pub fn take_held(&mut self) -> Chunk<T> {
        self.hold = Hold::No;
        self.rows = self.rows.saturating_sub(self.in_chunk as u64);
        self.in_chunk = 0;
        std::mem::take(&mut self.chunk)
    }

    fn send_chunk(&mut self, last: bool) -> Result<(), Stopped> {
        if self.stopped {
            return Err(Stopped);
        }
        let mut chunk = std::mem::take(&mut self.chunk);
        (chunk.rows, chunk.bytes, chunk.last) = (self.rows, self.position.get(), last);
        self.in_chunk = 0;
        self.chunk_start = self.position.get();
        if (self.send)(chunk) {
            Ok(())
        } else {
            self.stopped = true;
            Err(Stopped)
        }
    }

    /// Send what is left, marked as the end of the file.
    pub fn finish(mut self) {
        let _ = self.send_chunk(true);
    }
}
