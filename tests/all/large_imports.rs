//! Valid files of any size for every CSV format, for the tests of large imports: row `n` of a
//! format has its own natural key, and one column can be given another value — one the row
//! checks refuse, or one that once panicked the reader.

use std::io::Write;
use std::path::Path;

use citytrace_importers::Format;

/// How to write a format's rows.
pub struct Sample {
    pub format: Format,
    header: &'static str,
    /// The column a test breaks, its usual value, a value the row checks refuse (with the
    /// start of the reason) and, for the formats that had one, a value that panicked the
    /// reader thread before issue 10.
    pub column: &'static str,
    usual: &'static str,
    pub bad: (&'static str, &'static str),
    pub panicked: Option<&'static str>,
    /// Row `n` with `value` in `column`.
    row: fn(usize, &str) -> String,
}

const SHIPMENTS_HEADER: &str =
    "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at";
const TRANSFERS_HEADER: &str = "consignment_id,ewc_code,mass_kg,mass_basis,producer,from_site,carrier,carrier_licence,to_site,transferred_at,planned_operation";

fn transfer(n: usize, ewc: &str) -> String {
    format!("WTN-{n:07},{ewc},1000,REAL,DEPT-WORKS,SITE-A,HAUL-CO,CBDU112233,FACILITY-B,2026-05-04T08:15:00+02:00,R5")
}

/// Every CSV format.
pub const SAMPLES: &[Sample] = &[
    Sample {
        format: Format::Shipments,
        header: SHIPMENTS_HEADER,
        column: "quantity",
        usual: "25.5",
        bad: ("-4", "not a number"),
        panicked: None,
        row: |n, v| format!("DESADV-{n:07},1,LOT-{n:07},04012345111118,Portland cement,{v},TNE,4012345000115,SITE-{:02},2026-03-{:02}T08:00:00+01:00,", n % 30, 1 + n % 28),
    },
    Sample {
        format: Format::Products,
        header: "product,unit,material_class",
        column: "unit",
        usual: "TNE",
        bad: ("tons", "not a UN/CEFACT Rec 20 unit code"),
        panicked: None,
        row: |n, v| format!("Product {n:06},{v},cement"),
    },
    Sample {
        format: Format::SensorReadings,
        header: "device_id,lot_id,recorded_at,temperature_c",
        column: "temperature_c",
        usual: "4.5",
        bad: ("warm", "not a number"),
        panicked: None,
        row: |n, v| {
            let at = chrono::DateTime::<chrono::Utc>::from_timestamp(1_775_000_000 + 60 * n as i64, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ");
            format!("TL-{},LOT-COLD,{at},{v}", n / 10_000)
        },
    },
    Sample {
        format: Format::Production,
        header: "production_id,input_line,output_lot,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at",
        column: "output_quantity",
        usual: "8",
        bad: ("0", "must be greater than zero"),
        panicked: None,
        row: |n, v| format!("RUN-{n:06},1,OUT-{n:06},Concrete,{v},MTQ,IN-{n:06},Cement,2.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00"),
    },
    Sample {
        format: Format::WasteTransfers,
        header: TRANSFERS_HEADER,
        column: "ewc_code",
        usual: "17 01 01",
        bad: ("17 01 98", "17 01 98 is not on the List of Waste"),
        panicked: None,
        row: transfer,
    },
    Sample {
        format: Format::WasteReceipts,
        header: "consignment_id,status,mass_received_kg,operation,received_at",
        column: "operation",
        usual: "R5",
        bad: ("R99", "not a waste operation code"),
        panicked: None,
        row: |n, v| format!("WTN-{n:07},accepted,1000,{v},2026-05-06T09:00:00+02:00"),
    },
    Sample {
        format: Format::Emissions,
        header: "party,scope,category,activity,period,kg_co2e,method,source_document",
        column: "period",
        usual: "2026",
        bad: ("2026-13", "not a period"),
        panicked: Some("2026-é"),
        row: |n, v| format!("DEPT-{},1,,Activity {n:06},{v},{n}.5,fuel-based,DOC-{n:06}", n % 10),
    },
    Sample {
        format: Format::Budget,
        header: "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency",
        column: "cofog",
        usual: "04.5",
        bad: ("11.1", "COFOG has no division 11"),
        panicked: Some("0é"),
        row: |n, v| format!("L-{n:06},2026,approved,,DEPT-WORKS,,{v},,,{n}.25,EUR"),
    },
];

impl Sample {
    pub fn of(format: Format) -> &'static Sample {
        SAMPLES.iter().find(|s| s.format == format).unwrap()
    }

    /// A file of `rows` rows in which data row `at` (from 1; its line is `at + 1`) has `value`
    /// in the sample's column.
    pub fn write(&self, path: &Path, rows: usize, at: Option<(usize, &str)>) {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        writeln!(out, "{}", self.header).unwrap();
        for n in 1..=rows {
            let value = match at {
                Some((at, value)) if at == n => value,
                _ => self.usual,
            };
            writeln!(out, "{}", (self.row)(n, value)).unwrap();
        }
        out.flush().unwrap();
    }

    /// What must be imported before a file of `rows` rows of this format (the lot the sensor
    /// readings name, the consignments the receipts name): (format, file contents).
    pub fn prerequisites(&self, rows: usize) -> Vec<(Format, String)> {
        match self.format {
            Format::SensorReadings => vec![(
                Format::Shipments,
                format!("{SHIPMENTS_HEADER}\nSHIP-COLD,1,LOT-COLD,,Insulin,10,H87,SITE-A,SITE-B,2026-03-31T08:00:00Z,\n"),
            )],
            Format::WasteReceipts => {
                let mut file = format!("{TRANSFERS_HEADER}\n");
                for n in 1..=rows {
                    file.push_str(&transfer(n, "17 01 01"));
                    file.push('\n');
                }
                vec![(Format::WasteTransfers, file)]
            }
            _ => Vec::new(),
        }
    }
}

mod every_format;
