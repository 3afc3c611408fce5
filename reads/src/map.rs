//! What the explorer's maps draw: sites with their positions (WGS 84, when a file or the city's
//! register gave one) and the flows between them — a lot's shipments (built from the lot's
//! read, [`CityMap::of_lot`]), the deliveries into one site grouped by origin
//! ([`load_site_map`]), every site of the city ([`load_city_map`]). Plain data; the explorer
//! projects it (`explorer/src/map.rs`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};

use crate::lots::LotData;
use citytrace_schema::models::Site;

/// The most sites the city map reads (by code); the page says how many more there are.
pub const CITY_SITES: i64 = 400;
/// The most origins a site's map draws (most deliveries first).
pub const SITE_ORIGINS: i64 = 100;

#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct MapSite {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub longitude: Option<f64>,
}

impl MapSite {
    pub fn of(site: &Site) -> Self {
        Self {
            code: site.code.clone(),
            name: site.name.clone(),
            latitude: site.latitude,
            longitude: site.longitude,
        }
    }

    /// (latitude, longitude), when both are known.
    pub fn position(&self) -> Option<(f64, f64)> {
        Some((self.latitude?, self.longitude?))
    }
}

/// Material that went from one site to another: one shipment, or `count` deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub from: String,
    pub to: String,
    /// A shipment's code, or "12 deliveries".
    pub label: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CityMap {
    /// Each site once, in the order first named.
    pub sites: Vec<MapSite>,
    pub flows: Vec<Flow>,
    /// The site the page is about, drawn stronger.
    pub focus: Option<String>,
    /// Sites not read (beyond the map's limit).
    pub sites_left_out: i64,
}

impl CityMap {
    fn add(&mut self, site: MapSite) {
        if !self.sites.iter().any(|s| s.code == site.code) {
            self.sites.push(site);
        }
    }

    /// A lot's map: its origin and the sites its shipments went from and to, with an arrow per
    /// shipment.
    pub fn of_lot(data: &LotData) -> Self {
        let mut map = Self::default();
        if let Some(origin) = &data.origin {
            map.add(MapSite::of(origin));
        }
        for s in &data.shipments {
            map.add(MapSite::of(&s.from_site));
            map.add(MapSite::of(&s.to_site));
            let flow = Flow {
                from: s.from_site.code.clone(),
                to: s.to_site.code.clone(),
                label: s.line.shipment_code.clone(),
            };
            if !map.flows.contains(&flow) {
                map.flows.push(flow);
            }
        }
        map
    }
}

#[derive(QueryableByName)]
struct OriginRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Double>)]
    latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    longitude: Option<f64>,
    #[diesel(sql_type = BigInt)]
    deliveries: i64,
}

/// The map of `site`: the site and where its deliveries came from, an arrow per origin
/// labelled with its number of deliveries (the [`SITE_ORIGINS`] origins with most). Not where
/// it shipped to: `shipment_lines` has no index on the origin site (a bulk table: each index
/// costs every import), and a scan per page view of a large city is too slow.
pub fn load_site_map(conn: &mut PgConnection, site: &Site) -> QueryResult<CityMap> {
    let origins: Vec<OriginRow> = diesel::sql_query(include_str!("map/site_origins.sql"))
        .bind::<BigInt, _>(site.id)
        .bind::<BigInt, _>(SITE_ORIGINS)
        .load(conn)?;
    let mut map = CityMap {
        focus: Some(site.code.clone()),
        ..CityMap::default()
    };
    map.add(MapSite::of(site));
    for o in origins {
        let plural = if o.deliveries == 1 { "y" } else { "ies" };
        map.flows.push(Flow {
            from: o.code.clone(),
            to: site.code.clone(),
            label: format!("{} deliver{plural}", o.deliveries),
        });
        map.add(MapSite {
            code: o.code,
            name: o.name,
            latitude: o.latitude,
            longitude: o.longitude,
        });
    }
    Ok(map)
}

/// The map of the site with `code`; `None` when no site has it.
pub fn load_site_map_by_code(conn: &mut PgConnection, code: &str) -> QueryResult<Option<CityMap>> {
    match Site::find_by_code(conn, code)? {
        Some(site) => load_site_map(conn, &site).map(Some),
        None => Ok(None),
    }
}

/// Every site of the city (the first [`CITY_SITES`] by code), without arrows.
pub fn load_city_map(conn: &mut PgConnection) -> QueryResult<CityMap> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sites: Vec<MapSite> = diesel::sql_query(
        "SELECT code, name, latitude, longitude FROM sites ORDER BY code LIMIT $1",
    )
    .bind::<BigInt, _>(CITY_SITES)
    .load(conn)?;
    let total = diesel::sql_query("SELECT count(*) AS n FROM sites").get_result::<Count>(conn)?;
    Ok(CityMap {
        sites_left_out: (total.n - sites.len() as i64).max(0),
        sites,
        ..CityMap::default()
    })
}
