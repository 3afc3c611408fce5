//! The documented example of each CSV format (docs/formats/<format>-example.csv), and what must
//! be imported before it: the lots its sensor readings name, the consignments its receipts name.

use std::path::{Path, PathBuf};

use citytrace_importers::{import_file, Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::schema::waste_transfers;
use citytrace_schema::testing::TestDatabase;

/// The CSV formats, each after the formats its example refers to.
pub const CSV_FORMATS: [Format; 8] = [
    Format::Shipments,
    Format::Products,
    Format::SensorReadings,
    Format::Production,
    Format::WasteTransfers,
    Format::WasteReceipts,
    Format::Emissions,
    Format::Budget,
];

pub const SUBMITTER: &str = "SUPPLIER";

pub fn example(format: Format) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/formats")
        .join(format!("{}-example.csv", format.name()));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn options() -> ImportOptions {
    ImportOptions {
        submitter: SUBMITTER.into(),
        ..Default::default()
    }
}

/// Write `content` as `name` in `dir`.
pub fn file(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// The shipment of the lot of insulin the sensor readings example names.
const INSULIN: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    376123450000000016,9,INS-2026-0412,05412345003014,Insulin glargine,10,H87,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T04:30:00Z,\n";

/// Import what `format`'s example refers to and is not imported yet (the shipment and lots its
/// sensor readings name, the consignments its receipts name), as another submitter.
pub fn import_prerequisites(db: &TestDatabase, dir: &Path, format: Format) {
    let transfers: i64 = waste_transfers::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    let files = match format {
        Format::SensorReadings => vec![
            (Format::Shipments, example(Format::Shipments)),
            (Format::Shipments, INSULIN.to_string()),
        ],
        Format::WasteReceipts if transfers == 0 => {
            vec![(Format::WasteTransfers, example(Format::WasteTransfers))]
        }
        _ => Vec::new(),
    };
    let options = ImportOptions {
        submitter: "EARLIER".into(),
        ..Default::default()
    };
    for (i, (before, content)) in files.into_iter().enumerate() {
        let path = file(dir, &format!("before-{i}-{}.csv", before.name()), content);
        let outcome = import_file(&mut db.conn(), before, &path, &options);
        assert!(
            matches!(
                outcome,
                Ok(ImportOutcome::Imported { .. } | ImportOutcome::AlreadyImported { .. })
            ),
            "{outcome:?}"
        );
    }
}

/// The problems of an import that must be refused: (line, column, reason).
pub fn problems(result: Result<ImportOutcome, ImportError>) -> Vec<(u64, Option<String>, String)> {
    match result {
        Err(ImportError::Invalid(e)) => e
            .errors
            .into_iter()
            .map(|e| (e.line, e.column, e.reason))
            .collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}
