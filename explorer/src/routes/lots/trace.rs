//! Trace back (what a lot was made from) and forward (what was made from it) as the lot page
//! shows it: the links read by `citytrace_reads::lots` with their pages. Deeper levels load on
//! demand: a node at the limit that has more below it says so, and its "show more" link fetches
//! the next level as a fragment (htmx) or, without JavaScript, reloads the page one level
//! deeper (`?depth=`).

use askama::Template;
use serde::Serialize;

use citytrace_reads::lots::TraceLink;
pub use citytrace_reads::lots::{Direction, DEFAULT_DEPTH, MAX_DEPTH};

use crate::fmt;

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
    /// The unit as people write it (`MTQ` → `m³`).
    #[serde(skip)]
    pub unit_shown: String,
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

/// Where a subtree hangs in the page: the page's lot and the level of the subtree's parent
/// below it (for the no-JavaScript "show more" links).
pub struct Placement<'a> {
    pub direction: Direction,
    pub root_code: &'a str,
    pub root_depth: u32,
}

/// The links as the page shows them, with their pages and "show more" links.
pub fn nodes(links: &[TraceLink], at: &Placement) -> Vec<TraceNode> {
    links.iter().map(|link| node(link, at)).collect()
}

fn node(e: &TraceLink, at: &Placement) -> TraceNode {
    let code = fmt::path_segment(&e.lot_code);
    let dir = at.direction.as_str();
    let depth = at.root_depth + e.depth;
    TraceNode {
        href: format!("/lots/{code}"),
        lot_code: e.lot_code.clone(),
        product: e.product.clone(),
        origin_href: e
            .origin_code
            .as_deref()
            .map(crate::routes::provenance::site_href)
            .unwrap_or_default(),
        origin_name: e.origin_name.clone().unwrap_or_default(),
        origin_site: e.origin_code.clone(),
        quantity: e.quantity.clone(),
        unit: e.unit.clone(),
        unit_shown: fmt::unit(&e.unit),
        production_code: e.production_code.clone(),
        batch_id: e.batch_id,
        line: e.line,
        source_href: super::super::provenance::batch_line_href(e.batch_id, e.line),
        delivered_links: e
            .delivered_to
            .iter()
            .map(|c| (c.clone(), crate::routes::provenance::site_href(c)))
            .collect(),
        delivered_to: e.delivered_to.clone(),
        depth,
        children: nodes(&e.children, at),
        has_more: e.has_more,
        more_fragment: format!(
            "/lots/{code}?trace={dir}&level={depth}&root={}",
            fmt::path_segment(at.root_code)
        ),
        more_page: format!(
            "/lots/{}?depth={}#trace-{dir}",
            fmt::path_segment(at.root_code),
            depth + 1
        ),
    }
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
