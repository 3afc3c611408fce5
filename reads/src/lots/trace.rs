//! Trace back (what a lot was made from) and forward (what was made from it) through production
//! runs, as a depth-limited tree of links. A link at the limit that has more below it says so
//! (`has_more`), for the page to offer the next level.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text};
use serde::Serialize;

/// Levels loaded when the caller does not say.
pub const DEFAULT_DEPTH: u32 = 2;
/// The most levels one read loads.
pub const MAX_DEPTH: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Back,
    Forward,
}

impl Direction {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "back" => Some(Self::Back),
            "forward" => Some(Self::Forward),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Back => "back",
            Self::Forward => "forward",
        }
    }
}

/// One lot in the tree, with the production input line that links it to its parent.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceLink {
    pub lot_code: String,
    pub product: String,
    pub origin_code: Option<String>,
    pub origin_name: Option<String>,
    /// The quantity of the input lot the run consumed.
    pub quantity: String,
    pub unit: String,
    pub production_code: String,
    /// The `production_inputs` row: batch and line.
    pub batch_id: i64,
    pub line: i32,
    /// The sites shipments took this lot to (site codes).
    pub delivered_to: Vec<String>,
    /// Level below the lot the walk started from (1: direct inputs or outputs).
    pub depth: u32,
    pub children: Vec<TraceLink>,
    /// The tree stops here but the lot has more links below it.
    pub has_more: bool,
}

#[derive(QueryableByName)]
struct Edge {
    #[diesel(sql_type = BigInt)]
    parent_id: i64,
    #[diesel(sql_type = BigInt)]
    lot_id: i64,
    #[diesel(sql_type = Integer)]
    depth: i32,
    #[diesel(sql_type = Text)]
    quantity: String,
    #[diesel(sql_type = Text)]
    unit: String,
    #[diesel(sql_type = Text)]
    production_code: String,
    #[diesel(sql_type = BigInt)]
    batch_id: i64,
    #[diesel(sql_type = Integer)]
    line: i32,
    #[diesel(sql_type = Text)]
    lot_code: String,
    #[diesel(sql_type = Text)]
    product: String,
    #[diesel(sql_type = Nullable<Text>)]
    origin_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    origin_name: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    delivered_to: Vec<String>,
    #[diesel(sql_type = Bool)]
    has_more: bool,
}

/// The tree below `lot_id` in `direction`, `depth` levels deep (clamped to 1..=`MAX_DEPTH`).
pub fn load_trace(
    conn: &mut PgConnection,
    lot_id: i64,
    direction: Direction,
    depth: u32,
) -> QueryResult<Vec<TraceLink>> {
    let sql = match direction {
        Direction::Back => include_str!("trace_back.sql"),
        Direction::Forward => include_str!("trace_forward.sql"),
    };
    let max_depth = depth.clamp(1, MAX_DEPTH);
    let edges: Vec<Edge> = diesel::sql_query(sql)
        .bind::<BigInt, _>(lot_id)
        .bind::<Integer, _>(max_depth as i32)
        .load(conn)?;
    Ok(children(&edges, lot_id, 1, max_depth))
}

fn children(edges: &[Edge], parent: i64, depth: u32, max_depth: u32) -> Vec<TraceLink> {
    let mut seen: Vec<(i64, i64, i32)> = Vec::new();
    let mut links = Vec::new();
    for e in edges
        .iter()
        .filter(|e| e.parent_id == parent && e.depth as u32 == depth)
    {
        // A lot reached by two paths appears once per path in the walk: show each link once.
        let key = (e.lot_id, e.batch_id, e.line);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let below = if depth < max_depth {
            children(edges, e.lot_id, depth + 1, max_depth)
        } else {
            Vec::new()
        };
        links.push(TraceLink {
            lot_code: e.lot_code.clone(),
            product: e.product.clone(),
            origin_code: e.origin_code.clone(),
            origin_name: e.origin_name.clone(),
            quantity: e.quantity.clone(),
            unit: e.unit.clone(),
            production_code: e.production_code.clone(),
            batch_id: e.batch_id,
            line: e.line,
            delivered_to: e.delivered_to.clone(),
            depth,
            has_more: below.is_empty() && e.has_more,
            children: below,
        });
    }
    links
}
