//! The maps of the lot, site and materials pages: server-rendered SVG, no tile server. The
//! frame is the placed sites' own extent (with a margin), projected equirectangularly — east
//! to the right, north up, a kilometre the same length both ways at the extent's middle
//! latitude — with a scale bar. Sites are labelled points linked to their pages, flows arrows
//! from origin to destination; sites without a position are listed under the map in words.
//! Every text comes from imports and is escaped by askama (`templates/materials/_map.html`).

use citytrace_reads::map::{CityMap, MapSite};

use crate::fmt;
use crate::routes::provenance::site_href;

/// Kilometres per degree of latitude, and of longitude at the equator (WGS 84, mean).
const KM_PER_DEGREE_LAT: f64 = 110.574;
const KM_PER_DEGREE_LON: f64 = 111.320;
/// Drawing width, the most height, the margin inside the frame (px).
const WIDTH: f64 = 760.0;
const MAX_HEIGHT: f64 = 520.0;
const MIN_HEIGHT: f64 = 160.0;
const MARGIN: f64 = 36.0;
/// The smallest extent drawn, in km (one site alone, or sites a few metres apart).
const MIN_EXTENT_KM: f64 = 1.0;
/// Characters of a site's name in its label.
const LABEL_CHARS: usize = 28;

pub struct MapView {
    /// `lot-map`, `site-map`, `city-map`: the SVG's id prefix.
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub width: i64,
    pub height: i64,
    pub points: Vec<PointView>,
    pub arrows: Vec<ArrowView>,
    /// The scale bar: its length in px and what it measures.
    pub scale_px: i64,
    pub scale_label: String,
    /// Sites with no reported location: (name, page).
    pub unplaced: Vec<(String, String)>,
    /// Arrows not drawn because one of their sites has no location.
    pub arrows_not_drawn: usize,
    pub sites_left_out: i64,
}

pub struct PointView {
    pub x: i64,
    pub y: i64,
    pub r: i64,
    pub fill: &'static str,
    pub href: String,
    pub label: String,
    pub title: String,
    /// Labels of points in the right third go to their left.
    pub label_x: i64,
    pub anchor: &'static str,
}

pub struct ArrowView {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub label: String,
    pub title: String,
    pub label_x: i64,
    pub label_y: i64,
}

/// Where the placed sites are, as a projection onto the drawing.
struct Projection {
    min_lon: f64,
    max_lat: f64,
    km_per_lon: f64,
    px_per_km: f64,
}

impl Projection {
    fn of(placed: &[(f64, f64)]) -> Option<(Self, f64, f64)> {
        let lat = |f: fn(f64, f64) -> f64| placed.iter().map(|p| p.0).reduce(f);
        let lon = |f: fn(f64, f64) -> f64| placed.iter().map(|p| p.1).reduce(f);
        let (min_lat, max_lat) = (lat(f64::min)?, lat(f64::max)?);
        let (min_lon, max_lon) = (lon(f64::min)?, lon(f64::max)?);
        let km_per_lon = KM_PER_DEGREE_LON * ((min_lat + max_lat) / 2.0).to_radians().cos();
        let (real_w, real_h) = (
            (max_lon - min_lon) * km_per_lon,
            (max_lat - min_lat) * KM_PER_DEGREE_LAT,
        );
        let km_w = real_w.max(MIN_EXTENT_KM);
        let km_h = real_h.max(MIN_EXTENT_KM);
        // Sites all within the smallest extent (one site alone): a low strip, not a square.
        let most_height = if real_w.max(real_h) < MIN_EXTENT_KM {
            MIN_HEIGHT
        } else {
            MAX_HEIGHT
        };
        let inner_w = WIDTH - 2.0 * MARGIN;
        let px_per_km = (inner_w / km_w).min((most_height - 2.0 * MARGIN) / km_h);
        // Centre the sites in the frame when the extent was widened or the width is spare.
        let spare_w = inner_w / px_per_km - (max_lon - min_lon) * km_per_lon;
        let height = (km_h * px_per_km + 2.0 * MARGIN).max(MIN_HEIGHT);
        let spare_h = (height - 2.0 * MARGIN) / px_per_km - (max_lat - min_lat) * KM_PER_DEGREE_LAT;
        let projection = Self {
            min_lon: min_lon - spare_w / 2.0 / km_per_lon.max(1e-9),
            max_lat: max_lat + spare_h / 2.0 / KM_PER_DEGREE_LAT,
            km_per_lon,
            px_per_km,
        };
        Some((projection, WIDTH, height))
    }

    fn at(&self, (lat, lon): (f64, f64)) -> (i64, i64) {
        let x = MARGIN + (lon - self.min_lon) * self.km_per_lon * self.px_per_km;
        let y = MARGIN + (self.max_lat - lat) * KM_PER_DEGREE_LAT * self.px_per_km;
        (x.round() as i64, y.round() as i64)
    }
}

impl MapView {
    pub fn new(map: &CityMap, id: &'static str, title: &str) -> Self {
        let placed: Vec<(f64, f64)> = map.sites.iter().filter_map(MapSite::position).collect();
        let unplaced = map
            .sites
            .iter()
            .filter(|s| s.position().is_none())
            .map(|s| (s.name.clone(), site_href(&s.code)))
            .collect();
        let mut view = Self {
            id,
            title: title.to_string(),
            description: String::new(),
            width: 0,
            height: 0,
            points: Vec::new(),
            arrows: Vec::new(),
            scale_px: 0,
            scale_label: String::new(),
            unplaced,
            arrows_not_drawn: 0,
            sites_left_out: map.sites_left_out,
        };
        if let Some((projection, width, height)) = Projection::of(&placed) {
            view.width = width as i64;
            view.height = height as i64;
            view.draw(map, &projection);
        }
        view.description = description(map, placed.len(), view.arrows.len());
        view
    }

    fn draw(&mut self, map: &CityMap, projection: &Projection) {
        let place = |code: &str| {
            let site = map.sites.iter().find(|s| s.code == code)?;
            Some(projection.at(site.position()?))
        };
        for f in &map.flows {
            match (place(&f.from), place(&f.to)) {
                (Some(a), Some(b)) if a != b => self.arrows.push(arrow(map, f, a, b)),
                (Some(_), Some(_)) => {}
                _ => self.arrows_not_drawn += 1,
            }
        }
        for s in &map.sites {
            let Some(position) = s.position() else {
                continue;
            };
            let (x, y) = projection.at(position);
            let focus = map.focus.as_deref() == Some(s.code.as_str());
            let right_third = x as f64 > WIDTH * 2.0 / 3.0;
            self.points.push(PointView {
                x,
                y,
                r: if focus { 7 } else { 5 },
                fill: if focus { "#0b5d4b" } else { "#0a58ca" },
                href: site_href(&s.code),
                label: fmt::short(&s.name, LABEL_CHARS - 6, 4),
                title: format!("{} ({}): {}", s.name, s.code, degrees(position)),
                label_x: if right_third { x - 9 } else { x + 9 },
                anchor: if right_third { "end" } else { "start" },
            });
        }
        let km = nice_km((WIDTH - 2.0 * MARGIN) / projection.px_per_km / 4.0);
        self.scale_px = (km * projection.px_per_km).round() as i64;
        self.scale_label = if km < 1.0 {
            format!("{} m", (km * 1000.0).round())
        } else {
            format!("{km} km")
        };
    }
}

fn arrow(map: &CityMap, f: &citytrace_reads::map::Flow, a: (i64, i64), b: (i64, i64)) -> ArrowView {
    let name = |code: &str| {
        map.sites
            .iter()
            .find(|s| s.code == code)
            .map_or(code.to_string(), |s| s.name.clone())
    };
    // Stop short of the destination's point, so the arrowhead shows.
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let length = dx.hypot(dy).max(1.0);
    let back = 8.0_f64.min(length / 2.0);
    ArrowView {
        x1: a.0,
        y1: a.1,
        x2: (b.0 as f64 - dx / length * back).round() as i64,
        y2: (b.1 as f64 - dy / length * back).round() as i64,
        label: fmt::short(&f.label, 10, 4),
        title: format!("{} → {}: {}", name(&f.from), name(&f.to), f.label),
        label_x: (a.0 + b.0) / 2,
        label_y: (a.1 + b.1) / 2 - 4,
    }
}

/// "52.3912° N, 4.9321° E".
fn degrees((lat, lon): (f64, f64)) -> String {
    let ns = if lat < 0.0 { "S" } else { "N" };
    let ew = if lon < 0.0 { "W" } else { "E" };
    format!("{:.4}° {ns}, {:.4}° {ew}", lat.abs(), lon.abs())
}

/// The longest of 1, 2, 5 × 10ⁿ km not over `km`.
fn nice_km(km: f64) -> f64 {
    let mut best = 0.01;
    for exponent in -2..5 {
        for step in [1.0, 2.0, 5.0] {
            let candidate = step * 10f64.powi(exponent);
            if candidate <= km {
                best = candidate;
            }
        }
    }
    best
}

fn description(map: &CityMap, placed: usize, arrows: usize) -> String {
    let unplaced = map.sites.len() - placed;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = match placed {
        1 => "1 site drawn where it is, north up".to_string(),
        n => format!("{n} sites drawn where they are, north up"),
    };
    if arrows > 0 {
        text.push_str(&format!(
            ", {} from origin to destination",
            plural(arrows, "arrow", "arrows")
        ));
    }
    if unplaced > 0 {
        text.push_str(&format!(
            "; {} with no reported location, listed below the map",
            plural(unplaced, "site", "sites")
        ));
    }
    text.push('.');
    text
}
