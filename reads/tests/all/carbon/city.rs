//! The city the embodied-carbon tests import, file by file, through the real importers.

use std::path::PathBuf;

use citytrace_importers::{import_file, Format, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::models::{Lot, Party};
use citytrace_schema::schema::{import_batches, parties, sites};
use citytrace_schema::testing::TestDatabase;

const PRODUCTS: &str = "\
gtin,product,material_class,unit,epd_ref,gwp_kg_co2e_per_unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
04012345111118,Portland cement CEM I 42.5 R,cement,TNE,EPD-IES-0009876,912,,,,,
,Ready-mix concrete C30/37,concrete,MTQ,EPD-IES-0012345,312.5,,,,,
,Reinforcing steel B500B,steel,TNE,https://epd.example.org/rebar-b500b,1190,,,,,
,Crushed granite 4/20,aggregate,TNE,EPD-AGG-2025,5,,,,,
,Site-mixed concrete C25/30,concrete,MTQ,,,,,,,
,Precast lintel,precast,H87,,,,,,,
,Recycled aggregate 0/31.5,aggregate,TNE,,,,,,,
";

const SHIPMENT_HEADER: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at,contract_ocid\n";

/// The cement works: CEM-1 to the plant, CEM-2 (2 000 kg) straight to the school site, shipped
/// at 00:30 local time on 1 April (22:30 UTC on 31 March).
const CEMENT: &str = "\
DES-1,1,CEM-1,04012345111118,Portland cement CEM I 42.5 R,25,TNE,CEMENT-WORKS,PLANT-1,2026-03-30T07:00:00+02:00,,
DES-1,2,CEM-2,04012345111118,Portland cement CEM I 42.5 R,2000,KGM,CEMENT-WORKS,SITE-ELM,2026-04-01T00:30:00+02:00,,ocds-abc123-elm
";
const QUARRY: &str = "\
Q-1,1,AGG-1,,Crushed granite 4/20,30,TNE,QUARRY-NORTH,PLANT-1,2026-03-30T08:00:00+02:00,,
";
const MILL: &str = "\
M-1,1,REB-1,,Reinforcing steel B500B,1.2,TNE,MILL-EAST,SITE-ELM,2026-04-02T08:00:00+02:00,,ocds-abc123-elm
M-1,2,REB-2,,Reinforcing steel B500B,0.5,TNE,MILL-EAST,PLANT-1,2026-04-02T08:00:00+02:00,,
";

/// The plant's runs: RMX-07 with its own EPD (265.4 kg/m³) from 2.6 t of CEM-1 and 14.2 t of
/// AGG-1; SMX-09 without EPD from 1.3 t of CEM-1 (the same cement lot, partly in two outputs)
/// and 7 100 kg of AGG-1; PRE-1 (2 lintels) from 1 m³ of SMX-09 and 0.1 t of REB-2; RA-1 from
/// demolition waste that has no factor.
const PRODUCTION: &str = "\
production_id,input_line,output_lot,output_gtin,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,epd_reference,gwp_factor,declared_unit
MIX-07,1,RMX-07,,Ready-mix concrete C30/37,8,MTQ,CEM-1,,2.6,TNE,PLANT-1,2026-04-03T06:45:00+02:00,EPD-RMX-C3037-2025,265.4,MTQ
MIX-07,2,RMX-07,,Ready-mix concrete C30/37,8,MTQ,AGG-1,,14.2,TNE,PLANT-1,2026-04-03T06:45:00+02:00,EPD-RMX-C3037-2025,265.4,MTQ
MIX-09,1,SMX-09,,Site-mixed concrete C25/30,4,MTQ,CEM-1,,1.3,TNE,PLANT-1,2026-04-04T06:45:00+02:00,,,
MIX-09,2,SMX-09,,Site-mixed concrete C25/30,4,MTQ,AGG-1,,7100,KGM,PLANT-1,2026-04-04T06:45:00+02:00,,,
PC-01,1,PRE-1,,Precast lintel,2,H87,SMX-09,,1,MTQ,PLANT-1,2026-04-05T06:45:00+02:00,,,
PC-01,2,PRE-1,,Precast lintel,2,H87,REB-2,,0.1,TNE,PLANT-1,2026-04-05T06:45:00+02:00,,,
RA-01,1,RA-1,,Recycled aggregate 0/31.5,20,TNE,DEMO-0184,Crushed concrete from demolition,21,TNE,PLANT-1,2026-04-02T10:00:00+02:00,,,
";

/// The plant's deliveries. RMX-B is bought-in concrete (factor per m³) shipped by mass.
const PLANT: &str = "\
DN-1,1,RMX-07,,Ready-mix concrete C30/37,8,MTQ,PLANT-1,SITE-ELM,2026-04-03T08:00:00+02:00,,ocds-abc123-elm
DN-1,2,SMX-09,,Site-mixed concrete C25/30,1,MTQ,PLANT-1,SITE-ELM,2026-04-04T08:00:00+02:00,,ocds-abc123-elm
DN-1,3,PRE-1,,Precast lintel,1,H87,PLANT-1,SITE-ELM,2026-04-05T08:00:00+02:00,,ocds-abc123-elm
DN-2,1,SMX-09,,Site-mixed concrete C25/30,2,MTQ,PLANT-1,SITE-BRIDGE,2026-04-04T09:00:00+02:00,,ocds-abc123-bridge
DN-2,2,RA-1,,Recycled aggregate 0/31.5,5,TNE,PLANT-1,SITE-BRIDGE,2026-04-04T09:00:00+02:00,,ocds-abc123-bridge
DN-2,3,RMX-B,,Ready-mix concrete C30/37,18,TNE,PLANT-1,SITE-BRIDGE,2026-04-04T09:00:00+02:00,,
";

/// Two contracting processes: the school (works) bought by the education department, the
/// bridge repairs (goods) by public works.
fn ocds() -> String {
    let release = |ocid: &str, dept: &str, name: &str, category: &str| {
        format!(
            r#"{{"ocid": "{ocid}", "id": "{ocid}-1", "date": "2026-03-01T00:00:00Z", "tag": ["contract"],
                "initiationType": "tender",
                "parties": [{{"id": "{dept}", "name": "{name}", "identifier": {{"scheme": "XX-CITY", "id": "{dept}"}}, "roles": ["buyer"]}}],
                "buyer": {{"id": "{dept}", "name": "{name}"}},
                "tender": {{"id": "{ocid}-t", "mainProcurementCategory": "{category}"}},
                "contracts": [{{"id": "{ocid}-c", "value": {{"amount": 100000, "currency": "EUR"}}}}]}}"#
        )
    };
    format!(
        r#"{{"releases": [{}, {}]}}"#,
        release("ocds-abc123-elm", "EDU", "Education department", "works"),
        release(
            "ocds-abc123-bridge",
            "WORKS",
            "Public works department",
            "goods"
        ),
    )
}

pub struct City {
    pub db: TestDatabase,
    dir: tempfile::TempDir,
}

impl City {
    pub fn empty() -> Self {
        Self {
            db: TestDatabase::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Everything above, imported file by file as each party would.
    pub fn new() -> Self {
        let city = Self::empty();
        city.import(Format::Products, "PW", "products.csv", PRODUCTS);
        city.import(Format::Ocds, "CITY", "contracts.json", &ocds());
        city.import(
            Format::Shipments,
            "RCW",
            "cement.csv",
            &format!("{SHIPMENT_HEADER}{CEMENT}"),
        );
        city.import(
            Format::Shipments,
            "QRY",
            "quarry.csv",
            &format!("{SHIPMENT_HEADER}{QUARRY}"),
        );
        city.import(
            Format::Shipments,
            "MILL",
            "mill.csv",
            &format!("{SHIPMENT_HEADER}{MILL}"),
        );
        city.import(Format::Production, "NGA", "production.csv", PRODUCTION);
        city.import(
            Format::Shipments,
            "NGA",
            "plant.csv",
            &format!("{SHIPMENT_HEADER}{PLANT}"),
        );
        city
    }

    pub fn import(&self, format: Format, submitter: &str, name: &str, content: &str) -> i64 {
        let path: PathBuf = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let options = ImportOptions {
            submitter: submitter.into(),
            ..Default::default()
        };
        match import_file(&mut self.db.conn(), format, &path, &options) {
            Ok(ImportOutcome::Imported { batch, .. }) => batch.id,
            other => panic!("{name} was not imported: {other:?}"),
        }
    }

    pub fn batch(&self, file_name: &str) -> i64 {
        import_batches::table
            .filter(import_batches::file_name.eq(file_name))
            .select(import_batches::id)
            .first(&mut self.db.conn())
            .unwrap()
    }

    pub fn lot(&self, code: &str) -> i64 {
        Lot::find_by_code(&mut self.db.conn(), code)
            .unwrap()
            .unwrap()
            .id
    }

    pub fn site(&self, code: &str) -> i64 {
        sites::table
            .filter(sites::code.eq(code))
            .select(sites::id)
            .first(&mut self.db.conn())
            .unwrap()
    }

    pub fn party(&self, code: &str) -> Party {
        parties::table
            .filter(parties::code.eq(code))
            .select(Party::as_select())
            .first(&mut self.db.conn())
            .unwrap()
    }
}
