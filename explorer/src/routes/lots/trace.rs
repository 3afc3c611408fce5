//! Trace back (what a lot was made from) and forward (what was made from it) through production
//! runs, as a depth-limited tree. Deeper levels load on demand: a node at the limit that has
//! more below it says so, and its "show more" link fetches the next level as a fragment (htmx)
//! or, without JavaScript, reloads the page one level deeper (`?depth=`).

use askama::Template;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text};
use serde::Serialize;

use crate::fmt;

/// Levels shown when the URL does not say.
pub const DEFAULT_DEPTH: u32 = 2;
/// The most levels one request loads.
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
#[derive(Debug, Clone, Serialize)]
pub struct TraceNode {
    pub lot_code: String,
    #[serde(skip)]
    pub href: String,
    pub product: String,
    pub origin_site: Option<String>,
    #[serde(skip)]
    pub origin_name: String,
    #[serde(skip)]
    pub origin_href: String,
    /// The quantity of the input lot the run consumed.
    pub quantity: String,
    pub unit: String,
    pub production_code: String,
    /// The `production_inputs` row: batch and line.
    pub batch_id: i64,
    pub line: i32,
    #[serde(skip)]
    pub source_href: String,
    /// The sites shipments took this lot to (site codes).
    pub delivered_to: Vec<String>,
    /// (code, page) of each.
    #[serde(skip)]
    pub delivered_links: Vec<(String, String)>,
    /// Level below the root (1: direct inputs or outputs).
    pub depth: u32,
    pub children: Vec<TraceNode>,
    /// The tree stops here but the lot has more links below it.
    pub has_more: bool,
    /// "show more": the fragment that loads this node's next level, and the page one level
    /// deeper for browsers without JavaScript.
    #[serde(skip)]
    pub more_fragment: String,
    #[serde(skip)]
    pub more_page: String,
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

/// The tree below `lot_id` in `direction`, `depth` levels deep. `root_code` and `root_depth`
/// say where this subtree hangs in the page (for the no-JavaScript "show more" links).
pub fn load(
    conn: &mut PgConnection,
    lot_id: i64,
    direction: Direction,
    depth: u32,
    root_code: &str,
    root_depth: u32,
) -> QueryResult<Vec<TraceNode>> {
    let sql = match direction {
        Direction::Back => include_str!("trace_back.sql"),
        Direction::Forward => include_str!("trace_forward.sql"),
    };
    let edges: Vec<Edge> = diesel::sql_query(sql)
        .bind::<BigInt, _>(lot_id)
        .bind::<Integer, _>(depth.clamp(1, MAX_DEPTH) as i32)
        .load(conn)?;
    let context = Context {
        direction,
        max_depth: depth.clamp(1, MAX_DEPTH),
        root_code,
        root_depth,
    };
    Ok(children(&edges, lot_id, 1, &context))
}

struct Context<'a> {
    direction: Direction,
    max_depth: u32,
    root_code: &'a str,
    /// The level of this subtree's parent below the page's lot.
    root_depth: u32,
}

fn children(edges: &[Edge], parent: i64, depth: u32, cx: &Context) -> Vec<TraceNode> {
    let mut seen: Vec<(i64, i64, i32)> = Vec::new();
    let mut nodes = Vec::new();
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
        let below = if depth < cx.max_depth {
            children(edges, e.lot_id, depth + 1, cx)
        } else {
            Vec::new()
        };
        let has_more = below.is_empty() && e.has_more;
        let code = fmt::path_segment(&e.lot_code);
        let dir = cx.direction.as_str();
        nodes.push(TraceNode {
            href: format!("/lots/{code}"),
            lot_code: e.lot_code.clone(),
            product: e.product.clone(),
            origin_href: e
                .origin_code
                .as_deref()
                .map(|c| format!("/sites/{}", fmt::path_segment(c)))
                .unwrap_or_default(),
            origin_name: e.origin_name.clone().unwrap_or_default(),
            origin_site: e.origin_code.clone(),
            quantity: e.quantity.clone(),
            unit: e.unit.clone(),
            production_code: e.production_code.clone(),
            batch_id: e.batch_id,
            line: e.line,
            source_href: super::super::provenance::batch_line_href(e.batch_id, e.line),
            delivered_links: e
                .delivered_to
                .iter()
                .map(|c| (c.clone(), format!("/sites/{}", fmt::path_segment(c))))
                .collect(),
            delivered_to: e.delivered_to.clone(),
            depth: cx.root_depth + depth,
            children: below,
            has_more,
            more_fragment: format!(
                "/lots/{code}?trace={dir}&level={}&root={}",
                cx.root_depth + depth,
                fmt::path_segment(cx.root_code)
            ),
            more_page: format!(
                "/lots/{}?depth={}#trace-{dir}",
                fmt::path_segment(cx.root_code),
                cx.root_depth + depth + 1
            ),
        });
    }
    nodes
}

/// A tree as a flat list in document order, for a template without recursion: each node opens
/// its `<li>`, then a `<ul>` when it has children; `closes` says how many `</ul></li>` follow it.
pub struct FlatNode {
    pub node: TraceNode,
    pub has_children: bool,
    pub closes: usize,
}

pub fn flatten(nodes: &[TraceNode]) -> Vec<FlatNode> {
    fn walk(nodes: &[TraceNode], out: &mut Vec<FlatNode>) {
        for n in nodes {
            out.push(FlatNode {
                node: TraceNode {
                    children: Vec::new(),
                    ..n.clone()
                },
                has_children: !n.children.is_empty(),
                closes: 0,
            });
            if !n.children.is_empty() {
                walk(&n.children, out);
                if let Some(last) = out.last_mut() {
                    last.closes += 1;
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(nodes, &mut out);
    out
}

/// The `<ul>` of one node's next level, for htmx's "show more".
#[derive(Template)]
#[template(path = "materials/_trace.html")]
pub struct TraceFragment {
    pub nodes: Vec<FlatNode>,
    pub direction: &'static str,
    pub empty: &'static str,
}
