//! Line breaks and line numbers, which the csv reader alone gets wrong in two cases.
//!
//! - **CR-only line endings** (classic Mac OS; Excel's "CSV (Macintosh)" still writes them).
//!   The csv reader splits records and counts lines on LF, so such a file read as it is would be
//!   one long header line — every column name "unknown". They are recognised from the file's
//!   first line break instead, and the file is then read with each CR as a line break:
//!   records, line numbers and the values of quoted cells spanning lines come out as in an LF
//!   file.
//! - **Blank lines.** The csv reader skips them, but a record's position is where reading
//!   started — before the blank lines — so every line number after a blank line was short by
//!   one. [`LineEndings`] notes the runs of line breaks it passes on, and
//!   [`LineEndings::blank_lines_at`] says how many blank lines a record's reading skipped.

use std::collections::VecDeque;
use std::io::{self, Read};

/// Whether the file's first line break (outside quotes) is a CR not followed by LF.
pub(super) fn cr_only(prefix: &[u8]) -> bool {
    let mut quoted = false;
    for (i, &b) in prefix.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return false,
            b'\r' if !quoted => return prefix.get(i + 1) != Some(&b'\n'),
            _ => {}
        }
    }
    false
}

/// The file as the csv reader sees it: unchanged, or — for a CR-only file — with each CR read
/// as LF (and a CR LF, should one appear, as a single LF, so line numbers stay right); with the
/// runs of consecutive LFs it passed on, by byte offset, until the reader is past them.
pub(crate) struct LineEndings<R> {
    inner: R,
    cr_only: bool,
    /// The last byte given out was a CR turned into LF: an LF right after it is dropped.
    after_cr: bool,
    /// Bytes given out so far.
    offset: u64,
    /// The run of LFs being passed on: its first byte's offset and its length.
    run: (u64, u64),
    /// Finished runs that can hold blank lines (two LFs or more, or at the very start).
    runs: VecDeque<(u64, u64)>,
}

impl<R: Read> LineEndings<R> {
    pub(super) fn new(inner: R, cr_only: bool) -> Self {
        Self {
            inner,
            cr_only,
            after_cr: false,
            offset: 0,
            run: (0, 0),
            runs: VecDeque::new(),
        }
    }

    /// How many blank lines a record read from byte `offset` on skipped before its first byte.
    /// Offsets must be asked in increasing order (runs before `offset` are forgotten).
    pub(super) fn blank_lines_at(&mut self, offset: u64) -> u64 {
        while let Some(&(start, len)) = self.runs.front() {
            if start + len <= offset {
                self.runs.pop_front();
            } else if start <= offset {
                return start + len - offset;
            } else {
                return 0;
            }
        }
        0
    }

    /// Note the LFs among the bytes just given out.
    fn note_runs(&mut self, out: &[u8]) {
        for (i, &b) in out.iter().enumerate() {
            if b == b'\n' {
                if self.run.1 == 0 {
                    self.run.0 = self.offset + i as u64;
                }
                self.run.1 += 1;
            } else if self.run.1 > 0 {
                self.finish_run();
            }
        }
        self.offset += out.len() as u64;
    }

    fn finish_run(&mut self) {
        let (start, len) = std::mem::take(&mut self.run);
        if len >= 2 || (start == 0 && len > 0) {
            self.runs.push_back((start, len));
        }
    }

    /// Turn each CR into LF, and drop an LF right after one; the length kept.
    fn translate_crs(&mut self, buf: &mut [u8]) -> usize {
        let mut out = 0;
        for i in 0..buf.len() {
            let b = buf[i];
            if self.after_cr && b == b'\n' {
                self.after_cr = false;
                continue;
            }
            self.after_cr = b == b'\r';
            buf[out] = if b == b'\r' { b'\n' } else { b };
            out += 1;
        }
        out
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let out = match self.cr_only {
                true => self.translate_crs(&mut buf[..n]),
                false => n,
            };
            // Everything read was the LF of a CR LF: read on rather than report the end.
            if out > 0 {
                self.note_runs(&buf[..out]);
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            let (now, later) = self.0.split_at(n);
            buf[..n].copy_from_slice(now);
            self.0 = later;
            Ok(n)
        }
    }

    fn read_all(input: &[u8], chunk: usize, cr_only: bool) -> (Vec<u8>, LineEndings<Trickle<'_>>) {
        let mut out = Vec::new();
        let mut lines = LineEndings::new(Trickle(input, chunk), cr_only);
        lines.read_to_end(&mut out).unwrap();
        (out, lines)
    }

    #[test]
    fn the_first_line_break_decides() {
        assert!(cr_only(b"a,b\r1,2\r"));
        assert!(cr_only(b"a,b\r"));
        assert!(!cr_only(b"a,b\r\n1,2\r\n"));
        assert!(!cr_only(b"a,b\n1,2\r3,4"));
        assert!(!cr_only(b"a,b"));
        assert!(
            !cr_only(b"\"a\rb\",c\n1,2\n"),
            "a CR inside a quoted header name is not a line break"
        );
    }

    #[test]
    fn each_cr_is_a_line_break_whatever_the_read_sizes() {
        for chunk in [1, 2, 3, 64] {
            assert_eq!(
                read_all(b"a,b\r1,\"x\ry\"\r\r2,3\r\n4,5\r", chunk, true).0,
                b"a,b\n1,\"x\ny\"\n\n2,3\n4,5\n",
                "reads of {chunk} bytes"
            );
        }
    }

    #[test]
    fn blank_lines_are_counted_from_where_a_record_starts() {
        // Offsets: "h\n" 0-1, blank lines at 2 and 3, "a\n" 4-5, "b\n" 6-7, blank 8, "c" 9.
        for chunk in [1, 3, 64] {
            let (_, mut lines) = read_all(b"h\n\n\na\nb\n\nc", chunk, false);
            assert_eq!(
                [2, 6, 8, 9].map(|offset| lines.blank_lines_at(offset)),
                [2, 0, 1, 0],
                "reads of {chunk} bytes"
            );
        }
        let (_, mut lines) = read_all(b"\n\nh\na\n", 64, false);
        assert_eq!(lines.blank_lines_at(0), 2, "blank lines before the header");
    }
}
