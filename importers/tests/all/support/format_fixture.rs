//! A fresh database and a scratch folder for the tests of one CSV format: write a file, import
//! it as a given submitter, and get the batch or the row errors. Each test file wraps it in its
//! own `Fixture` (with the table counts of its format) and dereferences to it.

use std::path::{Path, PathBuf};

use citytrace_importers::{
    import_file, BatchSummary, Format, ImportError, ImportOptions, ImportOutcome,
};
use citytrace_schema::testing::TestDatabase;

pub struct FormatFixture {
    pub db: TestDatabase,
    pub dir: tempfile::TempDir,
    format: Format,
    submitter: &'static str,
}

impl FormatFixture {
    pub fn new(format: Format, submitter: &'static str) -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
            format,
            submitter,
        }
    }

    /// Write `content` as `name` in the scratch folder.
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn import_with(
        &self,
        path: &Path,
        options: ImportOptions,
    ) -> Result<ImportOutcome, ImportError> {
        import_file(&mut self.db.conn(), self.format, path, &options)
    }

    /// Import `content` as `name`, from this fixture's submitter.
    pub fn import(&self, name: &str, content: &str) -> Result<ImportOutcome, ImportError> {
        let path = self.file(name, content);
        self.import_with(
            &path,
            ImportOptions {
                submitter: self.submitter.into(),
                ..Default::default()
            },
        )
    }

    pub fn imported(&self, name: &str, content: &str) -> BatchSummary {
        match self.import(name, content) {
            Ok(ImportOutcome::Imported { batch, .. }) => batch,
            other => panic!("expected an import, got {other:?}"),
        }
    }

    /// The row errors of a file that must be refused: (line, column, reason).
    pub fn invalid(&self, name: &str, content: &str) -> Vec<(u64, Option<String>, String)> {
        match self.import(name, content) {
            Err(ImportError::Invalid(e)) => e
                .errors
                .into_iter()
                .map(|e| (e.line, e.column, e.reason))
                .collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }
}

/// A row error as `FormatFixture::invalid` lists it.
pub fn error(line: u64, column: &str, reason: &str) -> (u64, Option<String>, String) {
    (line, Some(column.to_string()), reason.to_string())
}
