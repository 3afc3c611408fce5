//! Writing the city's files: streamed through a buffer to disk, hashed and counted on the way
//! (so a 600 MB file never sits in memory), and the manifest that lists them.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use citytrace_importers::Format;

use super::plan::Scale;

/// One generated file, as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub name: String,
    /// The import format's name (`citytrace import <format>`).
    pub format: &'static str,
    /// The party that hands it over (`--party`).
    pub submitter: String,
    /// Rows for CSV formats, releases for OCDS, events for EPCIS: the batch's row count.
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

impl FileEntry {
    pub fn format(&self) -> Format {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name() == self.format)
            .unwrap_or(Format::Shipments)
    }
}

/// A case the story puts into the data on purpose (a red flag, a breach, a mismatch), and
/// where to find it.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub kind: &'static str,
    /// The identifier to look for: an ocid, a shipment id, a consignment id.
    pub reference: String,
    pub detail: String,
}

/// What was generated: every file in import order, and the cases planted in them.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub seed: u64,
    pub scale: Scale,
    pub files: Vec<FileEntry>,
    pub cases: Vec<Case>,
}

pub const MANIFEST_FILE: &str = "manifest.json";

impl Manifest {
    pub fn new(seed: u64, scale: Scale) -> Self {
        Self {
            seed,
            scale,
            files: Vec::new(),
            cases: Vec::new(),
        }
    }

    /// Rows per format, summed over the files.
    pub fn rows_by_format(&self) -> BTreeMap<&'static str, u64> {
        let mut rows = BTreeMap::new();
        for f in &self.files {
            *rows.entry(f.format).or_insert(0) += f.rows;
        }
        rows
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let mut json = serde_json::to_string_pretty(self)?;
        json.push('\n');
        std::fs::write(dir.join(MANIFEST_FILE), json)
    }
}

/// A file being written: buffered, hashed and counted as the bytes go out.
pub struct Out {
    file: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    rows: u64,
    name: String,
    format: Format,
    submitter: String,
    /// A reusable line buffer for callers that build rows by hand.
    pub line: String,
}

impl Out {
    /// Create `dir/name`, for `submitter` to import as `format`.
    pub fn create(dir: &Path, name: &str, format: Format, submitter: &str) -> io::Result<Self> {
        Ok(Self {
            file: BufWriter::with_capacity(1 << 20, File::create(dir.join(name))?),
            hasher: Sha256::new(),
            bytes: 0,
            rows: 0,
            name: name.to_string(),
            format,
            submitter: submitter.to_string(),
            line: String::with_capacity(256),
        })
    }

    /// A CSV file that starts with its header line.
    pub fn csv(
        dir: &Path,
        name: &str,
        format: Format,
        submitter: &str,
        header: &[&str],
    ) -> io::Result<Self> {
        let mut out = Self::create(dir, name, format, submitter)?;
        out.write_all(header.join(",").as_bytes())?;
        out.write_all(b"\n")?;
        Ok(out)
    }

    /// One CSV row; fields are quoted where they need it.
    pub fn row(&mut self, fields: &[&str]) -> io::Result<()> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            push_field(&mut line, f);
        }
        line.push('\n');
        let result = self.write_all(line.as_bytes());
        self.line = line;
        self.rows += 1;
        result
    }

    /// Write `self.line` (built by the caller, CSV-safe, ending in a newline) as one row.
    pub fn line_row(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let result = self.write_all(line.as_bytes());
        self.line = line;
        self.line.clear();
        self.rows += 1;
        result
    }

    /// Count a row written as raw bytes (a JSON release or event).
    pub fn count_row(&mut self) {
        self.rows += 1;
    }

    pub fn finish(mut self) -> io::Result<FileEntry> {
        self.file.flush()?;
        Ok(FileEntry {
            name: self.name,
            format: self.format.name(),
            submitter: self.submitter,
            rows: self.rows,
            bytes: self.bytes,
            sha256: self
                .hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Append a CSV field, quoted when it holds a delimiter, a quote, a line break or edge spaces.
pub fn push_field(line: &mut String, field: &str) {
    let needs_quotes =
        field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ');
    if needs_quotes {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        for f in ["plain", "a, b", "say \"hi\"", ""] {
            push_field(&mut line, f);
            line.push('|');
        }
        assert_eq!(line, "plain|\"a, b\"|\"say \"\"hi\"\"\"||");
    }
}
