//! The trace drawn as a graph on the lot page (server-rendered SVG), on a city of known shape
//! put in through the real importers:
//!
//! ```text
//!  layer −2        layer −1                 layer 0        layer +1
//!  CLK-1 ─KILN-1→  CEM-1 ─MIX-1→            RMX-1 ─PRE-1→  LIN-1
//!                  AGG-1 ─MIX-1→              │
//!                  LOT-<svg…> ─MIX-1→         └ DESADV-3 ┄→ SITE-NB (a site)
//! ```
//!
//! RMX-1's page at depth 2 draws 6 lots and a site: the lots made before it to its left, one
//! column per production step, in the trace's order (run, then input line) from the top; what
//! was made from it and where it was shipped to its right.

use crate::support::between;

use actix_web::http::StatusCode;

use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

use crate::support::import_as;

const HOSTILE_LOT: &str = "LOT-<svg onload=alert(1)>";
const HOSTILE_NAME: &str = "</text><script>alert(1)</script>";

const TO_PLANT: &str =
    "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    DESADV-1,1,CEM-1,Portland cement,2.6,TNE,WORKS,PLANT,2026-05-01T07:30:00+02:00\n\
    DESADV-2,1,AGG-1,Crushed granite 4/20,9.6,TNE,QUARRY,PLANT,2026-05-02T06:10:00+02:00\n";

fn production() -> String {
    format!(
        "production_id,input_line,output_lot,output_product,output_quantity,output_unit,input_lot,input_product,input_quantity,input_unit,site,produced_at\n\
         KILN-1,1,CEM-1,Portland cement,2.6,TNE,CLK-1,Clinker,2.4,TNE,WORKS,2026-04-30T06:00:00+02:00\n\
         MIX-1,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,CEM-1,,2.6,TNE,PLANT,2026-05-06T06:45:00+02:00\n\
         MIX-1,2,RMX-1,Ready-mix concrete C30/37,8,MTQ,AGG-1,,9.6,TNE,PLANT,2026-05-06T06:45:00+02:00\n\
         MIX-1,3,RMX-1,Ready-mix concrete C30/37,8,MTQ,\"{HOSTILE_LOT}\",\"{HOSTILE_NAME}\",0.5,TNE,PLANT,2026-05-06T06:45:00+02:00\n\
         PRE-1,1,LIN-1,,Precast lintel,2,H87,RMX-1,,1,MTQ,PLANT,2026-05-07T08:00:00+02:00\n"
    )
    .replace(",,Precast lintel,", ",Precast lintel,")
}

const TO_SITE: &str =
    "shipment_id,line,lot_id,product,quantity,unit,from_site,to_site,shipped_at\n\
    DESADV-3,1,RMX-1,Ready-mix concrete C30/37,8,MTQ,PLANT,SITE-NB,2026-05-06T09:00:00+02:00\n";

fn seed(pool: &PgPool) {
    import_as(pool, Format::Shipments, "HSM", "plant.csv", TO_PLANT);
    import_as(pool, Format::Production, "HSM", "runs.csv", &production());
    import_as(pool, Format::Shipments, "HSM", "site.csv", TO_SITE);
}

/// The graph's SVG on a lot page.
fn graph(body: &str) -> &str {
    between(body, r#"<svg class="trace-graph-svg""#, "</svg>")
}

/// The (x, y) of the box linking to `href` in the graph.
fn position(svg: &str, href: &str) -> (i64, i64) {
    let node = between(svg, &format!(r#"href="{href}">"#), "</a>");
    let rect = between(node, "<rect x=\"", "\" width");
    let (x, y) = rect["<rect x=\"".len()..].split_once("\" y=\"").unwrap();
    (x.parse().unwrap(), y.parse().unwrap())
}

/// The boxes' links in the order they are drawn.
fn hrefs(svg: &str) -> Vec<&str> {
    svg.split(r#"<a class="node"#)
        .skip(1)
        .map(|n| {
            n.split_once("href=\"")
                .unwrap()
                .1
                .split_once('"')
                .unwrap()
                .0
        })
        .collect()
}

#[actix_web::test]
async fn the_graph_lays_lots_out_by_distance_and_trace_order() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/lots/RMX-1");
    assert_eq!(status, StatusCode::OK);
    let svg = graph(&body);
    let hostile = "/lots/LOT-%3Csvg%20onload%3Dalert%281%29%3E";
    assert_eq!(
        hrefs(svg),
        vec![
            "/lots/RMX-1",
            "/lots/CEM-1",
            "/lots/AGG-1",
            hostile,
            "/lots/CLK-1",
            "/lots/LIN-1",
            "/sites/SITE-NB",
        ],
        "{svg}"
    );
    let (clinker, cement, aggregate, odd) = (
        position(svg, "/lots/CLK-1"),
        position(svg, "/lots/CEM-1"),
        position(svg, "/lots/AGG-1"),
        position(svg, hostile),
    );
    let (concrete, lintel, site) = (
        position(svg, "/lots/RMX-1"),
        position(svg, "/lots/LIN-1"),
        position(svg, "/sites/SITE-NB"),
    );
    // Columns: clinker, then the mix's inputs, then the lot, then what followed it.
    assert!(clinker.0 < cement.0 && cement.0 < concrete.0 && concrete.0 < lintel.0);
    assert_eq!((cement.0, cement.0), (aggregate.0, odd.0));
    assert_eq!(lintel.0, site.0);
    // Rows: the run's input lines in order, the lintel above the delivery site.
    assert!(cement.1 < aggregate.1 && aggregate.1 < odd.1, "{svg}");
    assert!(lintel.1 < site.1);

    // Arrows: four production links into or out of the mix, the kiln's, and the shipment.
    assert_eq!(svg.matches(r#"<g class="edge production">"#).count(), 5);
    assert_eq!(svg.matches(r#"<g class="edge shipment">"#).count(), 1);
    for title in [
        "<title>production run KILN-1: 2.4 t</title>",
        "<title>production run MIX-1: 2.6 t</title>",
        "<title>production run MIX-1: 9.6 t</title>",
        "<title>production run PRE-1: 1 m³</title>",
        "<title>shipment DESADV-3: 8 m³</title>",
    ] {
        assert!(svg.contains(title), "{title} in {svg}");
    }
    // The mix's three arrows into the concrete carry its code once; the others in tooltips.
    assert_eq!(svg.matches(">MIX-1</text>").count(), 1, "{svg}");
    assert!(svg.contains(
        "<desc id=\"trace-graph-desc\">6 lots, 5 production links, 1 shipment to 1 site, 2 production steps each way."
    ));
    assert!(svg.contains("<title>Ready-mix concrete C30/37 — this lot RMX-1</title>"));
    // A site named only by its code says it once.
    assert!(svg.contains("<title>site SITE-NB</title>"), "{svg}");
    // The nested list stays beside it.
    assert!(body.contains(r#"id="trace-back""#) && body.contains(r#"id="trace-forward""#));
}

#[actix_web::test]
async fn names_and_codes_in_the_graph_are_escaped() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (_, body) = get!(app, "/lots/RMX-1");
    let svg = graph(&body);
    assert!(
        !svg.contains("<script>") && !svg.contains("<svg onload"),
        "{svg}"
    );
    assert!(svg.contains(
        "<title>&#60;/text&#62;&#60;script&#62;alert(1)&#60;/script&#62; — lot LOT-&#60;svg onload=alert(1)&#62;</title>"
    ), "{svg}");
    // The box shows the first 23 characters and an ellipsis.
    assert!(
        svg.contains(">&#60;/text&#62;&#60;script&#62;alert(1)…</text>"),
        "{svg}"
    );
}

#[actix_web::test]
async fn the_depth_control_draws_that_many_steps_and_refuses_others_in_words() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    seed(&pool);
    let app = app!(pool);

    let (status, body) = get!(app, "/lots/RMX-1?depth=1");
    assert_eq!(status, StatusCode::OK);
    let svg = graph(&body);
    assert!(!svg.contains("/lots/CLK-1"), "clinker is two steps back");
    assert!(svg.contains(r#"href="/lots/CEM-1""#));
    let control = between(&body, r#"aria-label="Depth of the trace""#, "</nav>");
    assert!(control.contains(r##"<a href="/lots/RMX-1?depth=1#trace-graph" aria-current="true"><strong>1</strong></a>"##), "{control}");
    assert!(control.contains(r##"<a href="/lots/RMX-1?depth=5#trace-graph">5</a>"##));

    for bad in ["0", "abc", "99"] {
        let (status, body) = get!(app, &format!("/lots/RMX-1?depth={bad}"));
        assert_eq!(status, StatusCode::BAD_REQUEST, "depth={bad}");
        assert!(
            body.contains("depth must be a whole number from 1 to 8"),
            "{body}"
        );
    }
}
