//! The fast encoders against the formats' own, byte for byte, on random rows: any text (quotes,
//! backslashes, control characters, every plane of Unicode), NULLs where a column allows them,
//! boundary numbers, decimals of every scale, instants of every year, negative lines.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::FastKind;
use crate::audit::binary::write::{numeric_of, text_array, timestamptz};
use crate::audit::copy::{CopyReader, RawPage};
use crate::production::{Output, ProductionRecord};
use crate::sensor_readings::ReadingRecord;
use crate::shipments::ShipmentRecord;

/// A row of fields as PostgreSQL's binary COPY sends it, read back into a page of one row.
fn page(fields: Vec<Option<Vec<u8>>>) -> RawPage {
    let mut bytes = b"PGCOPY\n\xff\r\n\0".to_vec();
    bytes.extend([0u8; 8]);
    bytes.extend((fields.len() as i16).to_be_bytes());
    for f in &fields {
        match f {
            Some(b) => {
                bytes.extend((b.len() as i32).to_be_bytes());
                bytes.extend(b);
            }
            None => bytes.extend((-1i32).to_be_bytes()),
        }
    }
    bytes.extend((-1i16).to_be_bytes());
    let mut page = RawPage::new(fields.len());
    assert!(CopyReader::new(bytes.as_slice())
        .next_into(&mut page)
        .unwrap());
    page
}

fn encode(kind: FastKind, page: &RawPage) -> String {
    let mut out = Vec::new();
    kind.encode(page, 0, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn text(s: &str) -> Option<Vec<u8>> {
    Some(s.as_bytes().to_vec())
}

fn opt_text(s: &Option<String>) -> Option<Vec<u8>> {
    s.as_deref().and_then(text)
}

fn decimal(d: &BigDecimal) -> Option<Vec<u8>> {
    Some(numeric_of(&d.to_plain_string()))
}

fn int4(n: i32) -> Option<Vec<u8>> {
    Some(n.to_be_bytes().to_vec())
}

fn int8(n: i64) -> Option<Vec<u8>> {
    Some(n.to_be_bytes().to_vec())
}

fn time(t: &DateTime<Utc>) -> Option<Vec<u8>> {
    Some(timestamptz(t))
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        "[\"\\\\\\x00-\\x1f\\u{7f}-\\u{9f}é€𝄞]{0,8}",
        Just(String::new()),
    ]
}

fn any_decimal() -> impl Strategy<Value = BigDecimal> {
    (any::<i64>(), 0i64..10).prop_map(|(n, scale)| BigDecimal::new(n.into(), scale))
}

fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (-62_167_219_200_000_000i64..253_402_300_800_000_000)
        .prop_map(|m| DateTime::from_timestamp_micros(m).unwrap_or_default())
}

fn cases() -> Config {
    Config::with_cases(citytrace_schema::testing::fuzz_cases(10_000))
}

#[test]
fn sensor_readings_encode_as_reading_record_canonical() {
    let strategy = (
        any::<i32>(),
        any_text(),
        proptest::option::of(any_text()),
        proptest::option::of(any_text()),
        any_time(),
        any_decimal(),
        proptest::option::of(any_decimal()),
    );
    TestRunner::new(cases())
        .run(
            &strategy,
            |(line, device, shipment, lot, at, temp, humidity)| {
                let record = ReadingRecord {
                    line: line as u64,
                    device_id: device.clone(),
                    shipment: shipment.clone(),
                    lot: lot.clone(),
                    recorded_at: at,
                    recorded_offset: "+02:00".into(),
                    temperature_c: temp.clone(),
                    humidity_pct: humidity.clone(),
                };
                let row = page(vec![
                    int8(7),
                    int4(line),
                    text(&device),
                    humidity.as_ref().and_then(decimal),
                    opt_text(&lot),
                    time(&at),
                    opt_text(&shipment),
                    decimal(&temp),
                ]);
                prop_assert_eq!(
                    encode(FastKind::SensorReadings, &row),
                    String::from_utf8(record.canonical()).unwrap()
                );
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn shipment_lines_encode_as_shipment_record_canonical() {
    let optional = || proptest::option::of(any_text());
    let strategy = (
        (
            any::<i32>(),
            any_text(),
            any::<i32>(),
            any_text(),
            optional(),
            any_text(),
        ),
        (
            any_decimal(),
            any_text(),
            any_text(),
            any_text(),
            any_time(),
            proptest::option::of(any_time()),
        ),
        (
            optional(),
            optional(),
            optional(),
            proptest::collection::vec(any_text(), 0..3),
        ),
    );
    TestRunner::new(cases())
        .run(&strategy, |(a, b, c)| {
            let (line, shipment, line_no, lot, gtin, product) = a;
            let (quantity, unit, from, to, shipped, received) = b;
            let (carrier, po, ocid, certificates) = c;
            let record = ShipmentRecord {
                line: line as u64,
                shipment: shipment.clone(),
                line_no,
                lot: lot.clone(),
                gtin: gtin.clone(),
                product: product.clone(),
                quantity: quantity.clone(),
                unit: unit.clone(),
                from_site: from.clone(),
                to_site: to.clone(),
                shipped_at: shipped,
                received_at: received,
                shipped_offset: "Z".into(),
                received_offset: None,
                carrier: carrier.clone(),
                purchase_order: po.clone(),
                contract_ocid: ocid.clone(),
                certificates: certificates.clone(),
                from_position: None,
                to_position: None,
            };
            let row = page(vec![
                int8(7),
                int4(line),
                opt_text(&carrier),
                Some(text_array(&certificates)),
                opt_text(&ocid),
                text(&from),
                opt_text(&gtin),
                text(&lot),
                text(&product),
                opt_text(&po),
                decimal(&quantity),
                received.as_ref().and_then(time),
                text(&shipment),
                int4(line_no),
                time(&shipped),
                text(&to),
                text(&unit),
            ]);
            prop_assert_eq!(
                encode(FastKind::Shipments, &row),
                String::from_utf8(record.canonical()).unwrap()
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn production_inputs_encode_as_production_record_canonical() {
    let optional = || proptest::option::of(any_text());
    let strategy = (
        (
            any::<i32>(),
            any_text(),
            any::<i32>(),
            any_text(),
            optional(),
            any_decimal(),
            any_text(),
        ),
        (
            any_text(),
            optional(),
            any_text(),
            any_decimal(),
            any_text(),
            any_time(),
        ),
        (optional(), proptest::option::of(any_decimal()), optional()),
    );
    TestRunner::new(cases())
        .run(&strategy, |(a, b, c)| {
            let (
                line,
                production,
                input_line,
                input_lot,
                input_product,
                input_quantity,
                input_unit,
            ) = a;
            let (lot, gtin, product, quantity, unit, produced) = b;
            let (epd, gwp, declared) = c;
            let site = format!("{unit}-site");
            let record = ProductionRecord {
                line: line as u64,
                production: production.clone(),
                input_line,
                output: Output {
                    lot: lot.clone(),
                    gtin: gtin.clone(),
                    product: product.clone(),
                    quantity: quantity.clone(),
                    unit: unit.clone(),
                    site: site.clone(),
                    produced_at: produced,
                    produced_offset: "Z".into(),
                    epd_reference: epd.clone(),
                    gwp_factor: gwp.clone(),
                    declared_unit: declared.clone(),
                },
                input_lot: input_lot.clone(),
                input_product: input_product.clone(),
                input_quantity: input_quantity.clone(),
                input_unit: input_unit.clone(),
                site_position: None,
            };
            let row = page(vec![
                int8(7),
                int4(line),
                opt_text(&declared),
                opt_text(&epd),
                gwp.as_ref().and_then(decimal),
                int4(input_line),
                text(&input_lot),
                opt_text(&input_product),
                decimal(&input_quantity),
                text(&input_unit),
                opt_text(&gtin),
                text(&lot),
                text(&product),
                decimal(&quantity),
                text(&unit),
                time(&produced),
                text(&production),
                text(&site),
            ]);
            prop_assert_eq!(
                encode(FastKind::Production, &row),
                String::from_utf8(record.canonical()).unwrap()
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_null_where_no_row_has_one_is_unreadable_not_a_panic() {
    let row = page(vec![int8(7), int4(2), None, None, None, None, None, None]);
    let mut out = Vec::new();
    assert_eq!(
        FastKind::SensorReadings.encode(&row, 0, &mut out),
        Err("device_id is NULL, which no row holds".to_string())
    );
    let row = page(vec![int8(7), None, text("x"), None, None, None, None, None]);
    assert_eq!(
        FastKind::SensorReadings.encode(&row, 0, &mut Vec::new()),
        Err("line is NULL, which no row holds".to_string())
    );
    let row = page(vec![
        int8(7),
        int4(2),
        Some(vec![0xff]),
        None,
        None,
        None,
        None,
        None,
    ]);
    assert!(FastKind::SensorReadings
        .encode(&row, 0, &mut Vec::new())
        .unwrap_err()
        .starts_with("text that is not UTF-8"));
}
