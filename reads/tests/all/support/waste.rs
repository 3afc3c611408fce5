//! What the waste computation tests import: a fixture that loads CSV text through the real
//! importers, and a small city's transfers and receipts.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::models::Site;
use citytrace_schema::testing::TestDatabase;

const TRANSFERS: &str = "consignment_id,ewc_code,description,mass_kg,mass_basis,producer,from_site,carrier,carrier_licence,to_site,transferred_at,planned_operation,previous_consignment_id\n";
const RECEIPTS: &str =
    "consignment_id,status,mass_received_kg,operation,refusal_reason,received_at\n";

pub struct Fixture {
    pub db: TestDatabase,
    dir: tempfile::TempDir,
    files: usize,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
            files: 0,
        }
    }

    /// Import `rows` (CSV text after the header) with the real importer.
    fn import(&mut self, format: Format, header: &str, rows: &str, submitter: &str) {
        self.files += 1;
        let path = self.dir.path().join(format!("file-{}.csv", self.files));
        std::fs::write(&path, format!("{header}{rows}")).unwrap();
        let options = ImportOptions {
            submitter: submitter.into(),
            ..Default::default()
        };
        match import_file(&mut self.db.conn(), format, &path, &options) {
            Ok(ImportOutcome::Imported { .. }) => {}
            other => panic!("expected an import, got {other:?}"),
        }
    }

    pub fn transfers(&mut self, rows: &str) {
        self.import(Format::WasteTransfers, TRANSFERS, rows, "DEPT-WORKS");
    }

    pub fn receipts(&mut self, rows: &str) {
        self.import(Format::WasteReceipts, RECEIPTS, rows, "RECYCLE-CO");
    }

    pub fn site_id(&self, code: &str) -> i64 {
        Site::find_by_code(&mut self.db.conn(), code)
            .unwrap()
            .unwrap()
            .id
    }
}

pub fn dec(s: &str) -> BigDecimal {
    BigDecimal::from_str(s).unwrap()
}

/// The demolition example of docs/formats, plus asbestos relabelled at a store, two loads
/// weighed exactly on and just above the tolerance, and mixed waste parked since January.
const CITY: &str = "\
WTN-0190,17 09 04,Mixed demolition waste,5000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-01-05T08:00:00+01:00,R13,
WTN-0184,17 01 01,Crushed concrete,12480,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-04T08:15:00+02:00,R5,
WTN-0185,17 04 05,Rebar offcuts,2140,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,METAL-YARD,2026-05-04T09:30:00+02:00,R4,
WTN-0186,17 03 01*,Coal-tar planings,3200,ESTIMATED,DEPT-WORKS,SITE-ELM,HAZ-HAUL,CBDU998877,HAZ-TREAT,2026-05-05T07:45:00+02:00,D9,
WTN-0187,17 06 05*,Asbestos sheets,900,REAL,DEPT-WORKS,SITE-ELM,HAZ-HAUL,CBDU998877,HAZ-STORE,2026-05-06T08:00:00+02:00,D15,
WTN-0188,17 02 01,Timber,2000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-07T08:00:00+02:00,R3,
WTN-0189,17 02 02,Glass,2000,REAL,DEPT-WORKS,SITE-NORTH,HAUL-CO,CBDU112233,RECYCLE-YARD,2026-05-07T09:00:00+02:00,R5,
WTN-0201,19 12 09,Screening fines,1850,REAL,RECYCLE-CO,RECYCLE-YARD,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-05-20T07:00:00+02:00,D1,WTN-0184
WTN-0204,19 12 07,Wood chips,1500,REAL,RECYCLE-CO,RECYCLE-YARD,HAUL-CO,CBDU112233,ENERGY-PLANT,2026-05-25T07:00:00+02:00,R1,WTN-0188
WTN-0202,17 06 04,Insulation,900,REAL,HAZ-STORE-CO,HAZ-STORE,HAZ-HAUL,CBDU998877,LANDFILL-EAST,2026-06-10T07:00:00+02:00,D1,WTN-0187
WTN-0203,19 12 12,Sorting residues,400,REAL,RECYCLE-CO,RECYCLE-YARD,HAUL-CO,CBDU112233,LANDFILL-EAST,2026-06-15T07:00:00+02:00,D1,
";
const CITY_RECEIPTS: &str = "\
WTN-0190,accepted,5000,R13,,2026-01-05T10:00:00+01:00
WTN-0184,accepted,12360,R13,,2026-05-04T09:40:00+02:00
WTN-0185,accepted,2138,R4,,2026-05-04T10:20:00+02:00
WTN-0186,refused,3180,,Load not sheeted,2026-05-05T09:05:00+02:00
WTN-0187,accepted,900,D15,,2026-05-06T10:00:00+02:00
WTN-0188,accepted,2100,R3,,2026-05-07T10:00:00+02:00
WTN-0189,accepted,2100.5,R5,,2026-05-07T11:00:00+02:00
WTN-0201,accepted,1872,D1,,2026-05-20T08:10:00+02:00
WTN-0202,accepted,905,D1,,2026-06-10T09:00:00+02:00
";

pub fn city() -> Fixture {
    let mut f = Fixture::new();
    f.transfers(CITY);
    f.receipts(CITY_RECEIPTS);
    f
}
