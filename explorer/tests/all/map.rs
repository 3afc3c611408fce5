//! The maps of the lot, site and materials pages (server-rendered SVG), on sites placed by the
//! shipments' position columns at hand-chosen coordinates:
//!
//! ```text
//!   QUARRY  52.44 N 4.81 E   (north-west)
//!   PLANT   52.39 N 4.90 E   (middle)
//!   WORKS   52.35 N 4.95 E   (south-east)
//!   SITE-NB no position; `<b>x</b>` no position
//! ```
//!
//! Shipments: CEM-1 WORKS → PLANT, AGG-1 QUARRY → PLANT, RMX-1 PLANT → SITE-NB and
//! PLANT → `<b>x</b>`.

use crate::support::{between, import_as};

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

const SHIPMENTS: &str = "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at,from_latitude,from_longitude,to_latitude,to_longitude\n\
    DESADV-1,1,CEM-1,Portland cement,2.6,TNE,WORKS,PLANT,2026-05-01T07:30:00+02:00,52.35,4.95,52.39,4.90\n\
    DESADV-2,1,AGG-1,Crushed granite 4/20,9.6,TNE,QUARRY,PLANT,2026-05-02T06:10:00+02:00,52.44,4.81,,\n\
    DESADV-3,1,RMX-1,Ready-mix concrete,8,MTQ,PLANT,SITE-NB,2026-05-06T09:00:00+02:00,,,,\n\
    DESADV-3,2,RMX-2,Ready-mix concrete,8,MTQ,PLANT,<b>x</b>,2026-05-06T09:00:00+02:00,,,,\n";

fn seed(pool: &PgPool) {
    import_as(pool, Format::Shipments, "HSM", "deliveries.csv", SHIPMENTS);
}

/// A page's map (its SVG).
fn map(body: &str) -> &str {
    between(body, r#"<svg class="map-svg""#, "</svg>")
}

/// The (x, y) of the point linking to `href` on a map.
fn point(svg: &str, href: &str) -> (i64, i64) {
    let place = between(svg, &format!(r#"<a class="place" href="{href}">"#), "</a>");
    let circle = between(place, "<circle cx=\"", "\" r=");
    let (x, y) = circle["<circle cx=\"".len()..]
        .split_once("\" cy=\"")
        .unwrap();
    (x.parse().unwrap(), y.parse().unwrap())
}

#[actix_web::test]
async fn a_site_map_puts_origins_where_they_are_north_up() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/sites/PLANT");
    assert_eq!(status, StatusCode::OK);
    let svg = map(&body);
    let (quarry, plant, works) = (
        point(svg, "/sites/QUARRY"),
        point(svg, "/sites/PLANT"),
        point(svg, "/sites/WORKS"),
    );
    // West to east, left to right; north to south, top to bottom.
    assert!(quarry.0 < plant.0 && plant.0 < works.0, "{svg}");
    assert!(quarry.1 < plant.1 && plant.1 < works.1, "{svg}");
    // Equal kilometres both ways: 0.04° of latitude (0.04 × 110.574 = 4.423 km) against 0.05°
    // of longitude at the extent's middle, 52.395° N (0.05 × 111.320 × cos 52.395° = 3.397
    // km), so PLANT → WORKS is drawn 1.30 times taller than wide.
    let (dx, dy) = ((works.0 - plant.0) as f64, (works.1 - plant.1) as f64);
    assert!((dy / dx - 4.423 / 3.397).abs() < 0.03, "{dx} × {dy}");
    // The page's site is drawn stronger; each origin's arrow says how many deliveries.
    assert!(svg.contains(r##"r="7" fill="#0b5d4b""##));
    assert!(
        svg.contains("<title>QUARRY → PLANT: 1 delivery</title>"),
        "{svg}"
    );
    assert!(svg.contains("<title>WORKS → PLANT: 1 delivery</title>"));
    assert!(svg.contains("<title>QUARRY (QUARRY): 52.4400° N, 4.8100° E</title>"));
    assert!(
        svg.contains(
            ">3 sites drawn where they are, north up, 2 arrows from origin to destination.</desc>"
        ),
        "{svg}"
    );
    assert!(
        svg.contains(r##"font-size="11" fill="#1b1f23">2 km</text>"##),
        "{svg}"
    );
}

#[actix_web::test]
async fn sites_without_a_position_are_said_in_words() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    // The lot went from a placed plant to an unplaced site: its arrow cannot be drawn.
    let (_, body) = get!(app, "/lots/RMX-1");
    let section = between(
        &body,
        r#"<section aria-labelledby="lot-map-h""#,
        "</section>",
    );
    assert!(section.contains(r#"<a class="place" href="/sites/PLANT">"#));
    assert!(
        section
            .contains("1 arrow is not drawn: a site at one of its ends has no reported location."),
        "{section}"
    );
    assert!(section.contains(r#"Location not reported: <a href="/sites/SITE-NB">SITE-NB</a>."#));

    // A site with no position and an origin with none either: no drawing, words.
    let (status, body) = get!(app, "/sites/%3Cb%3Ex%3C%2Fb%3E");
    assert_eq!(status, StatusCode::OK);
    let section = between(
        &body,
        r#"<section aria-labelledby="site-map-h""#,
        "</section>",
    );
    assert!(section.contains("<svg"), "PLANT is placed: {section}");
    assert!(section.contains(r#"Location not reported: <a href="/sites/%3Cb%3Ex%3C%2Fb%3E">&#60;b&#62;x&#60;/b&#62;</a>."#), "{section}");
    assert!(!body.contains("<b>x</b>"));

    // The materials page: every site, the unplaced ones listed by name.
    let (status, body) = get!(app, "/materials");
    assert_eq!(status, StatusCode::OK);
    let section = between(
        &body,
        r#"<section aria-labelledby="city-map-h""#,
        "</section>",
    );
    let svg = map(section);
    assert_eq!(svg.matches(r#"<a class="place""#).count(), 3);
    assert!(
        !svg.contains("<g class=\"flow\">"),
        "the city map draws no arrows"
    );
    assert!(section.contains(r#"Location not reported: <a href="/sites/%3Cb%3Ex%3C%2Fb%3E">&#60;b&#62;x&#60;/b&#62;</a>, <a href="/sites/SITE-NB">SITE-NB</a>."#), "{section}");
}

#[actix_web::test]
async fn a_city_without_positions_says_so_instead_of_drawing() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    import_as(
        &pool,
        Format::Shipments,
        "HSM",
        "old.csv",
        "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
         S-1,1,L-1,Sand,1,TNE,PIT,YARD,2026-05-01T07:30:00Z\n",
    );
    let app = app!(pool);
    let (_, body) = get!(app, "/lots/L-1");
    let section = between(
        &body,
        r#"<section aria-labelledby="lot-map-h""#,
        "</section>",
    );
    assert!(!section.contains("<svg"));
    assert!(section
        .contains("No site on this map has a reported location: the sites are listed below."));
    assert!(section.contains(r#"Location not reported: <a href="/sites/PIT">PIT</a>, <a href="/sites/YARD">YARD</a>."#), "{section}");
}
