//! The sensor readings format against a real PostgreSQL: references to imported shipments and
//! lots, natural keys per device and time, proofs.

use citytrace_importers::proof::row_proof;
use citytrace_importers::{import_file, Format, ImportError, ImportOptions, ImportOutcome};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::schema::sensor_readings;
use citytrace_schema::testing::TestDatabase;

const SHIPMENTS: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-COLD-1,1,INS-0412,Insulin glargine 10 ml,400,H87,DEPOT,HOSPITAL-NORTH,2026-04-12T06:00:00+02:00\n";
const HEADER: &str = "device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct\n";

fn import(
    db: &TestDatabase,
    format: Format,
    content: &str,
    submitter: &str,
) -> Result<ImportOutcome, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.csv");
    std::fs::write(&path, content).unwrap();
    import_file(
        &mut db.conn(),
        format,
        &path,
        &ImportOptions {
            submitter: submitter.into(),
            ..Default::default()
        },
    )
}

fn readings(n: usize, device: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{device},SHP-COLD-1,,2026-04-12T{:02}:{:02}:00+02:00,{}.{:02},55.0\n",
                6 + i / 60,
                i % 60,
                3 + i % 4,
                i % 100
            )
        })
        .collect()
}

#[test]
fn readings_of_an_imported_shipment_are_stored_with_their_offsets_and_prove_their_rows() {
    let db = TestDatabase::new();
    import(&db, Format::Shipments, SHIPMENTS, "MRM").unwrap();
    let content = format!(
        "{HEADER}{}TL-2,,INS-0412,2026-04-12T07:00:00Z,-1.5,\n",
        readings(3, "TL-1")
    );
    let ImportOutcome::Imported { batch, .. } =
        import(&db, Format::SensorReadings, &content, "COLDCO").unwrap()
    else {
        panic!()
    };
    assert_eq!(batch.rows, 4);
    /// Device, shipment, lot, offset and temperature of a stored reading.
    type Stored = (String, Option<String>, Option<i64>, String, String);
    let stored: Vec<Stored> = sensor_readings::table
        .order(sensor_readings::line)
        .select((
            sensor_readings::device_id,
            sensor_readings::shipment_code,
            sensor_readings::lot_id,
            sensor_readings::recorded_offset,
            sensor_readings::temperature_c,
        ))
        .load::<(
            String,
            Option<String>,
            Option<i64>,
            String,
            bigdecimal::BigDecimal,
        )>(&mut db.conn())
        .unwrap()
        .into_iter()
        .map(|(d, s, l, o, t)| (d, s, l, o, t.normalized().to_string()))
        .collect();
    assert_eq!(
        stored[0],
        (
            "TL-1".into(),
            Some("SHP-COLD-1".into()),
            None,
            "+02:00".into(),
            "3".into()
        )
    );
    assert_eq!(
        (stored[3].2.is_some(), stored[3].4.as_str()),
        (true, "-1.5")
    );
    for line in 2..=5u64 {
        let proof = row_proof(&mut db.conn(), batch.id, line).unwrap().unwrap();
        assert!(proof.is_consistent());
        assert_eq!(citytrace_schema::hex0x(&proof.root), batch.merkle_root);
    }
    let proof = row_proof(&mut db.conn(), batch.id, 5).unwrap().unwrap();
    assert_eq!(
        proof.canonical,
        r#"{"device_id":"TL-2","encoding":"citytrace/sensor-readings/1","humidity_pct":null,"line":5,"lot_id":"INS-0412","recorded_at":"2026-04-12T07:00:00.000000Z","shipment_id":null,"temperature_c":"-1.5"}"#
    );
}

#[test]
fn unknown_references_impossible_values_and_repeated_readings_are_refused() {
    let db = TestDatabase::new();
    import(&db, Format::Shipments, SHIPMENTS, "MRM").unwrap();
    let content = format!(
        "{HEADER}TL-1,SHP-NOPE,,2026-04-12T07:00:00Z,4,\nTL-1,,LOT-NOPE,2026-04-12T07:01:00Z,4,\nTL-1,,,2026-04-12T07:02:00Z,4,\nTL-1,SHP-COLD-1,,2026-04-12T07:03:00Z,140,\nTL-1,SHP-COLD-1,,2026-04-12T07:04:00Z,4,101\nTL-1,SHP-COLD-1,,2026-04-12T07:05:00Z,4,\nTL-1,SHP-COLD-1,,2026-04-12T07:05:00Z,5,\n"
    );
    let Err(ImportError::Invalid(e)) = import(&db, Format::SensorReadings, &content, "COLDCO")
    else {
        panic!()
    };
    let found: Vec<(u64, Option<&str>, &str)> = e
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, Some("shipment_id"), "no such shipment has been imported"),
            (3, Some("lot_id"), "no such lot has been imported"),
            (
                4,
                Some("shipment_id"),
                "name the shipment or the lot (shipment_id or lot_id)"
            ),
            (
                5,
                Some("temperature_c"),
                "out of range: must be from -100 to 100"
            ),
            (
                6,
                Some("humidity_pct"),
                "out of range: must be from 0 to 100"
            ),
            (
                8,
                Some("recorded_at"),
                "device TL-1 has a reading at this time at line 7"
            ),
        ]
    );
    let count: i64 = sensor_readings::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(count, 0);
}

#[test]
fn a_reading_already_imported_in_another_file_is_refused_naming_its_batch() {
    let db = TestDatabase::new();
    import(&db, Format::Shipments, SHIPMENTS, "MRM").unwrap();
    let ImportOutcome::Imported { batch, .. } = import(
        &db,
        Format::SensorReadings,
        &format!("{HEADER}{}", readings(2, "TL-1")),
        "COLDCO",
    )
    .unwrap() else {
        panic!()
    };
    let overlapping = format!(
        "{HEADER}{}",
        readings(3, "TL-1")
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    let Err(ImportError::Invalid(e)) = import(&db, Format::SensorReadings, &overlapping, "COLDCO")
    else {
        panic!()
    };
    assert_eq!(e.errors.len(), 1);
    assert_eq!(
        e.errors[0].reason,
        format!(
            "this reading was already imported in batch {} (line 3)",
            batch.id
        )
    );
}
