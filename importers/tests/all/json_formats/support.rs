//! A fresh database and a scratch folder for JSON files, and a snapshot of every table the
//! JSON importers write to (to show that a refused file left the database as it was).

use std::path::{Path, PathBuf};

use citytrace_importers::{import_file, Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::diesel::sql_query;
use citytrace_schema::diesel::sql_types::Text;
use citytrace_schema::testing::TestDatabase;

/// Tables the OCDS and EPCIS imports write to.
const TABLES: &[&str] = &[
    "import_batches",
    "ocds_releases",
    "data_quality_notes",
    "procurement_processes",
    "procurement_parties",
    "procurement_awards",
    "procurement_award_suppliers",
    "procurement_contracts",
    "procurement_amendments",
    "procurement_transactions",
    "procurement_bids",
    "procurement_bid_tenderers",
    "parties",
    "supply_events",
    "supply_event_lots",
    "epcis_events",
    "epcis_epcs",
    "epcis_biz_transactions",
    "epcis_source_destinations",
    "epcis_sensor_reports",
    "products",
    "lots",
    "sites",
];

/// A row error as tests compare them: line, column, value, reason.
pub type Problem = (u64, Option<String>, Option<String>, String);

pub struct Fixture {
    pub db: TestDatabase,
    pub dir: tempfile::TempDir,
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    digest: String,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn import(&self, format: Format, path: &Path) -> Result<ImportOutcome, ImportError> {
        let options = ImportOptions {
            submitter: "city".into(),
            ..Default::default()
        };
        import_file(&mut self.db.conn(), format, path, &options)
    }

    /// Import `content` as `name`; the batch id.
    pub fn imported(&self, format: Format, name: &str, content: &[u8]) -> i64 {
        match self.import(format, &self.write(name, content)) {
            Ok(ImportOutcome::Imported { batch, .. }) => batch.id,
            other => panic!("{name} was not imported: {other:?}"),
        }
    }

    /// The row errors of a file that must be refused.
    pub fn invalid(&self, format: Format, name: &str, content: &[u8]) -> Vec<Problem> {
        match self.import(format, &self.write(name, content)) {
            Err(ImportError::Invalid(errors)) => errors
                .errors
                .into_iter()
                .map(|e| (e.line, e.column, e.value, e.reason))
                .collect(),
            other => panic!("expected row errors for {name}, got {other:?}"),
        }
    }

    /// Every row of every table the JSON imports write to, digested table by table.
    pub fn snapshot(&self) -> Vec<(&'static str, String)> {
        let c = &mut self.db.conn();
        TABLES
            .iter()
            .map(|table| {
                let digest: Digest = sql_query(format!(
                    "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM {table} t"
                ))
                .get_result(c)
                .unwrap();
                (*table, digest.digest)
            })
            .collect()
    }

    pub fn count(&self, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = citytrace_schema::diesel::sql_types::BigInt)]
            n: i64,
        }
        let c: Count = sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(&mut self.db.conn())
            .unwrap();
        c.n
    }
}
