//! Sites placed on the map from the files that register them: `from_latitude`,
//! `from_longitude`, `to_latitude`, `to_longitude` in shipments, `site_latitude`,
//! `site_longitude` in production — WGS 84 decimal degrees, both or neither, in range.

use citytrace_importers::Format;
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::schema::{shipment_lines, sites};

use crate::support::format_fixture::{error, FormatFixture};

const SHIPMENTS: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,from_latitude,from_longitude,to_latitude,to_longitude\n";
const PRODUCTION: &str = "production_id,input_line,output_lot,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at,site_latitude,site_longitude\n";

fn shipment(line: u32, from: &str, to: &str, position: &str) -> String {
    format!("SHP-1,{line},LOT-{line},Portland cement,2,TNE,{from},{to},2026-04-12T07:30:00Z,{position}\n")
}

/// Every site as (code, latitude, longitude), by code.
fn positions(f: &FormatFixture) -> Vec<(String, Option<f64>, Option<f64>)> {
    sites::table
        .order(sites::code)
        .select((sites::code, sites::latitude, sites::longitude))
        .load(&mut f.db.conn())
        .unwrap()
}

fn site_count(f: &FormatFixture) -> i64 {
    sites::table.count().get_result(&mut f.db.conn()).unwrap()
}

#[test]
fn shipments_place_both_sites_in_decimal_degrees() {
    let f = FormatFixture::new(Format::Shipments, "RCW");
    let file = format!(
        "{SHIPMENTS}{}{}",
        shipment(1, "PLANT-1", "SITE-NORTH", "52.3676,4.9041,52.41,-0.5"),
        shipment(2, "QUARRY", "SITE-NORTH", ",,,"),
    );
    f.imported("placed.csv", &file);
    assert_eq!(
        positions(&f),
        vec![
            ("PLANT-1".into(), Some(52.3676), Some(4.9041)),
            ("QUARRY".into(), None, None),
            ("SITE-NORTH".into(), Some(52.41), Some(-0.5)),
        ]
    );
}

#[test]
fn a_file_without_the_columns_imports_as_before_and_leaves_sites_unplaced() {
    let f = FormatFixture::new(Format::Shipments, "RCW");
    let file = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
                SHP-1,1,LOT-1,Portland cement,2,TNE,PLANT-1,SITE-NORTH,2026-04-12T07:30:00Z\n";
    f.imported("old.csv", file);
    assert_eq!(
        positions(&f),
        vec![
            ("PLANT-1".into(), None, None),
            ("SITE-NORTH".into(), None, None),
        ]
    );
}

#[test]
fn out_of_range_and_lone_coordinates_are_refused_naming_line_and_column() {
    let f = FormatFixture::new(Format::Shipments, "RCW");
    let file = format!(
        "{SHIPMENTS}{}{}{}{}",
        shipment(1, "PLANT-1", "SITE-NORTH", "90.5,4.9,52.4,4.9"),
        shipment(2, "PLANT-1", "SITE-NORTH", "52.4,-180.01,52.4,4.9"),
        shipment(3, "PLANT-1", "SITE-NORTH", "52.4,,52.4,4.9"),
        shipment(4, "PLANT-1", "SITE-NORTH", "52.4,4.9,,4.9"),
    );
    assert_eq!(
        f.invalid("bad.csv", &file),
        vec![
            error(2, "from_latitude", "out of range: must be from -90 to 90"),
            error(
                3,
                "from_longitude",
                "out of range: must be from -180 to 180"
            ),
            error(
                4,
                "from_longitude",
                "required with from_latitude: give both coordinates of the site, or neither"
            ),
            error(
                5,
                "to_latitude",
                "required with to_longitude: give both coordinates of the site, or neither"
            ),
        ]
    );
    assert_eq!(site_count(&f), 0, "a refused file registers no site");
}

#[test]
fn hostile_text_in_a_coordinate_is_refused_as_not_a_number() {
    let f = FormatFixture::new(Format::Shipments, "RCW");
    let hostile = [
        "<script>alert(1)</script>",
        "52°22′N",
        "1e2",
        "NaN",
        "52.3676′",
        "٥٢.٣",
    ];
    let mut file = SHIPMENTS.to_string();
    for (i, text) in hostile.iter().enumerate() {
        file.push_str(&shipment(
            i as u32 + 1,
            "PLANT-1",
            "SITE-NORTH",
            &format!("\"{text}\",4.9,52.4,4.9"),
        ));
    }
    let errors = f.invalid("hostile.csv", &file);
    let expected: Vec<_> = (0..hostile.len() as u64)
        .map(|i| {
            error(
                i + 2,
                "from_latitude",
                "not a number: write digits with an optional decimal point, e.g. -3.5",
            )
        })
        .collect();
    assert_eq!(errors, expected);
    assert_eq!(site_count(&f), 0);
    let lines: i64 = shipment_lines::table
        .count()
        .get_result(&mut f.db.conn())
        .unwrap();
    assert_eq!(lines, 0);
}

#[test]
fn a_site_keeps_its_first_position_and_an_unplaced_site_gets_one_later() {
    let f = FormatFixture::new(Format::Shipments, "RCW");
    let first = format!(
        "{SHIPMENTS}{}",
        shipment(1, "PLANT-1", "SITE-NORTH", "52.1,4.1,,")
    );
    f.imported("first.csv", &first);
    let second = format!(
        "{SHIPMENTS}{}",
        shipment(2, "PLANT-1", "SITE-NORTH", "53.0,5.0,52.2,4.2")
    );
    f.imported("second.csv", &second);
    assert_eq!(
        positions(&f),
        vec![
            ("PLANT-1".into(), Some(52.1), Some(4.1)),
            ("SITE-NORTH".into(), Some(52.2), Some(4.2)),
        ]
    );
}

#[test]
fn production_places_its_site() {
    let f = FormatFixture::new(Format::Production, "MRM");
    let file = format!(
        "{PRODUCTION}MIX-1,1,RMX-1,Ready-mix concrete,8,MTQ,CEM-1,Portland cement,2.6,TNE,PLANT-1,2026-05-06T06:45:00+02:00,52.35,4.95\n"
    );
    f.imported("mix.csv", &file);
    assert_eq!(
        positions(&f),
        vec![("PLANT-1".into(), Some(52.35), Some(4.95))]
    );
    let bad = format!(
        "{PRODUCTION}MIX-2,1,RMX-2,Ready-mix concrete,8,MTQ,CEM-1,Portland cement,2.6,TNE,PLANT-2,2026-05-06T06:45:00+02:00,,181\n"
    );
    assert_eq!(
        f.invalid("bad.csv", &bad),
        vec![error(
            2,
            "site_longitude",
            "out of range: must be from -180 to 180"
        ),]
    );
}
