//! The trace drawn as a graph on the lot page: a server-rendered SVG (no JavaScript) of
//! `citytrace_reads::lots::TraceGraph` — lots as boxes linked to their pages, production runs
//! and shipments as labelled arrows, layered by distance from the lot (made before it to the
//! left, made from it to the right). Every text in it comes from imports and is escaped by
//! askama; the nested list beside it says the same in words.

use std::str::FromStr;

use bigdecimal::BigDecimal;

use citytrace_reads::lots::{EdgeKind, NodeKind, TraceGraph, GRAPH_MAX_LOTS};

use crate::fmt;

/// Width of a layer's column, of a node, height of a node and of a row, margin.
const COLUMN: i64 = 290;
const NODE_W: i64 = 210;
const NODE_H: i64 = 46;
const ROW: i64 = 66;
const MARGIN: i64 = 16;
/// Characters of a name or code shown in a box (the whole text is in its tooltip).
const BOX_CHARS: usize = 24;
/// The depths the control offers.
pub const DEPTHS: [u32; 5] = [1, 2, 3, 4, 5];

pub struct GraphView {
    pub width: i64,
    pub height: i64,
    pub node_w: i64,
    pub node_h: i64,
    pub nodes: Vec<NodeView>,
    pub edges: Vec<EdgeView>,
    /// "4 lots, 3 production runs, 1 shipment".
    pub summary: String,
    pub lots_left_out: usize,
    pub max_lots: usize,
    /// The depth shown and the control's links: (depth, href, current).
    pub depth: u32,
    pub depth_links: Vec<(u32, String, bool)>,
}

pub struct NodeView {
    pub x: i64,
    pub y: i64,
    pub href: String,
    /// `lot`, `lot root` or `site`.
    pub class: &'static str,
    pub fill: &'static str,
    pub stroke: &'static str,
    pub name: String,
    pub code: String,
    pub title: String,
    pub text_x: i64,
    pub name_y: i64,
    pub code_y: i64,
}

pub struct EdgeView {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub label_x: i64,
    pub label_y: i64,
    /// `production` or `shipment`.
    pub class: &'static str,
    pub dash: &'static str,
    pub label: String,
    pub title: String,
}

impl GraphView {
    /// The drawing of `graph`, the lot `code`'s page at `depth`.
    pub fn new(graph: &TraceGraph, code: &str, depth: u32) -> Self {
        let first_layer = *graph.layers().start();
        let at = |layer: i32, row: usize| {
            let x = MARGIN + (i64::from(layer - first_layer)) * COLUMN;
            (x, MARGIN + row as i64 * ROW)
        };
        let nodes: Vec<NodeView> = graph
            .nodes
            .iter()
            .map(|n| {
                let (x, y) = at(n.layer, n.row);
                node_view(n.kind, n.layer == 0, &n.code, &n.name, x, y)
            })
            .collect();
        let mut labelled: Vec<(&str, usize)> = Vec::new();
        let edges = graph
            .edges
            .iter()
            .filter_map(|e| {
                let (from, to) = (graph.nodes.get(e.from)?, graph.nodes.get(e.to)?);
                let (fx, fy) = at(from.layer, from.row);
                let (tx, ty) = at(to.layer, to.row);
                let start = (fx + NODE_W, fy + NODE_H / 2);
                let mut view = edge_view(e, start, (tx, ty + NODE_H / 2));
                // One visible label per run into a lot (its other inputs' arrows say it in
                // their tooltips), so converging arrows stay readable.
                if labelled.contains(&(e.code.as_str(), e.to)) {
                    view.label.clear();
                } else {
                    labelled.push((e.code.as_str(), e.to));
                }
                Some(view)
            })
            .collect();
        let layers = i64::from(graph.layers().end() - first_layer) + 1;
        let path = fmt::path_segment(code);
        Self {
            width: 2 * MARGIN + (layers - 1) * COLUMN + NODE_W,
            height: 2 * MARGIN + (graph.tallest_layer().max(1) as i64 - 1) * ROW + NODE_H,
            node_w: NODE_W,
            node_h: NODE_H,
            summary: summary(graph),
            nodes,
            edges,
            lots_left_out: graph.lots_left_out,
            max_lots: GRAPH_MAX_LOTS,
            depth,
            depth_links: DEPTHS
                .iter()
                .map(|d| {
                    (
                        *d,
                        format!("/lots/{path}?depth={d}#trace-graph"),
                        *d == depth,
                    )
                })
                .collect(),
        }
    }
}

fn node_view(kind: NodeKind, root: bool, code: &str, name: &str, x: i64, y: i64) -> NodeView {
    let (class, fill, stroke, href, what) = match (kind, root) {
        (NodeKind::Lot, true) => ("lot root", "#0b5d4b", "#0b5d4b", "/lots/", "this lot"),
        (NodeKind::Lot, false) => ("lot", "#ffffff", "#0a58ca", "/lots/", "lot"),
        (NodeKind::Site, _) => ("site", "#f6f8fa", "#57606a", "/sites/", "site"),
    };
    NodeView {
        x,
        y,
        href: format!("{href}{}", fmt::path_segment(code)),
        class,
        fill,
        stroke,
        name: clipped(name),
        code: if name == code {
            String::new()
        } else {
            clipped(code)
        },
        title: if name == code {
            format!("{what} {code}")
        } else {
            format!("{name} — {what} {code}")
        },
        text_x: x + 10,
        name_y: y + 19,
        code_y: y + 36,
    }
}

fn edge_view(
    e: &citytrace_reads::lots::GraphEdge,
    (x1, y1): (i64, i64),
    (x2, y2): (i64, i64),
) -> EdgeView {
    let amount = match BigDecimal::from_str(&e.quantity) {
        Ok(q) => fmt::quantity(&q, &e.unit),
        Err(_) => format!("{} {}", e.quantity, fmt::unit(&e.unit)),
    };
    let (class, dash, what) = match e.kind {
        EdgeKind::Production => ("production", "", "production run"),
        EdgeKind::Shipment => ("shipment", "6 4", "shipment"),
    };
    EdgeView {
        x1,
        y1,
        x2: x2 - 2,
        y2,
        // Nearer the start: arrows converging on one box keep their labels apart.
        label_x: x1 + (x2 - x1) * 2 / 5,
        label_y: y1 + (y2 - y1) * 2 / 5 - 5,
        class,
        dash,
        label: fmt::short(&e.code, 10, 4),
        title: format!("{what} {}: {amount}", e.code),
    }
}

/// The first characters of `text`, with "…" when it is longer (cut between characters).
fn clipped(text: &str) -> String {
    if text.chars().count() <= BOX_CHARS {
        return text.to_string();
    }
    let mut out: String = text.chars().take(BOX_CHARS - 1).collect();
    out.push('…');
    out
}

fn summary(graph: &TraceGraph) -> String {
    let count = |kind: NodeKind| graph.nodes.iter().filter(|n| n.kind == kind).count();
    let edges = |kind: EdgeKind| graph.edges.iter().filter(|e| e.kind == kind).count();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {} to {}",
        plural(count(NodeKind::Lot), "lot", "lots"),
        plural(
            edges(EdgeKind::Production),
            "production link",
            "production links"
        ),
        plural(edges(EdgeKind::Shipment), "shipment", "shipments"),
        plural(count(NodeKind::Site), "site", "sites"),
    )
}
