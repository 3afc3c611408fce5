//! Where a site is: optional WGS 84 coordinates in decimal degrees, read from the columns of
//! the formats that register sites (shipments' `from_*`/`to_*`, production's `site_*`) and
//! stored on the site. A position is the site's master data, like its name: it is not part of
//! the row's canonical encoding (so not of the batch's Merkle root), and a site keeps the
//! first position it was given.

use std::collections::BTreeMap;

use bigdecimal::ToPrimitive;
use diesel::prelude::*;

use citytrace_schema::models::Site;

use crate::cells::Cells;
use crate::csv_input::{Column, CsvRow};

/// Most decimals of a coordinate (1e-7 degree is about a centimetre).
pub const DECIMALS: usize = 7;

/// A site's position in WGS 84 decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SitePosition {
    pub latitude: f64,
    pub longitude: f64,
}

/// The position in columns `latitude` and `longitude` of a row: both in range (−90 to 90,
/// −180 to 180), or both empty. One without the other is a problem of the empty one.
pub fn read(
    cells: &mut Cells<'_>,
    row: &CsvRow,
    columns: &[Column],
    (latitude, longitude): (usize, usize),
) -> Option<SitePosition> {
    let present = (row.get(latitude).is_some(), row.get(longitude).is_some());
    let name = |c: usize| columns.get(c).map_or("", |column| column.name);
    let lat = cells.decimal(latitude, DECIMALS, -90.0, 90.0);
    let lon = cells.decimal(longitude, DECIMALS, -180.0, 180.0);
    match present {
        (true, false) if lat.is_some() => cells.fail(
            longitude,
            None,
            format!(
                "required with {}: give both coordinates of the site, or neither",
                name(latitude)
            ),
        ),
        (false, true) if lon.is_some() => cells.fail(
            latitude,
            None,
            format!(
                "required with {}: give both coordinates of the site, or neither",
                name(longitude)
            ),
        ),
        _ => {}
    }
    Some(SitePosition {
        latitude: lat?.to_f64()?,
        longitude: lon?.to_f64()?,
    })
}

/// Store the positions rows gave for the sites they name (by id), on the sites that have none
/// yet; the first position given for a site in `placed` wins.
pub fn place(
    conn: &mut PgConnection,
    placed: impl Iterator<Item = (i64, Option<SitePosition>)>,
) -> QueryResult<usize> {
    let mut first: BTreeMap<i64, SitePosition> = BTreeMap::new();
    for (site, position) in placed {
        if let Some(p) = position {
            first.entry(site).or_insert(p);
        }
    }
    if first.is_empty() {
        return Ok(0);
    }
    let (mut ids, mut latitudes, mut longitudes) = (Vec::new(), Vec::new(), Vec::new());
    for (id, p) in first {
        ids.push(id);
        latitudes.push(p.latitude);
        longitudes.push(p.longitude);
    }
    Site::place_unplaced(conn, &ids, &latitudes, &longitudes)
}
