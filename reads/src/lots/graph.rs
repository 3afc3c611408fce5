//! The trace as a graph: the lot page's lot, the lots it was made from (to its left, one layer
//! per production step) and the lots made from it (to its right), joined by their production
//! runs, and the sites the lot's shipments took it to. Built from what `load_lot` read — no
//! query of its own — and laid out deterministically: a node's layer is its distance from the
//! lot (negative backward), its row the order in which a walk of the trace, level by level in
//! the trace's own order (run, then input line), first meets it.

use std::collections::HashMap;

use super::{LotData, TraceLink};

/// The most lot nodes one graph draws; the nested list beside it shows every link.
pub const MAX_LOTS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Lot,
    Site,
}

/// A lot, or a site a shipment took the lot to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    pub kind: NodeKind,
    /// The lot's or the site's code.
    pub code: String,
    /// The product's name (a lot) or the site's name.
    pub name: String,
    /// Distance from the page's lot: −n made n steps before it, +n n steps after, 0 the lot.
    pub layer: i32,
    /// Position within the layer, from 0.
    pub row: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A production run consumed `from` to make `to`.
    Production,
    /// A shipment took the lot `from` to the site `to`.
    Shipment,
}

/// An arrow between two nodes (indices into [`TraceGraph::nodes`]), in the direction the
/// material went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    pub kind: EdgeKind,
    pub from: usize,
    pub to: usize,
    /// The production run's or the shipment's code.
    pub code: String,
    pub quantity: String,
    pub unit: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Lots of the trace left out to keep the drawing readable (beyond [`MAX_LOTS`]).
    pub lots_left_out: usize,
}

impl TraceGraph {
    /// The graph of a lot page's read.
    pub fn of(data: &LotData) -> Self {
        let mut graph = Builder::default();
        let root = graph.node(NodeKind::Lot, &data.lot.code, &data.product.name, 0);
        if let Some(root) = root {
            graph.walk(root, &data.trace_back, -1);
            graph.walk(root, &data.trace_forward, 1);
            for s in &data.shipments {
                let site = &s.to_site;
                if let Some(to) = graph.node(NodeKind::Site, &site.code, &site.name, 1) {
                    graph.edge(GraphEdge {
                        kind: EdgeKind::Shipment,
                        from: root,
                        to,
                        code: s.line.shipment_code.clone(),
                        quantity: s.line.quantity.normalized().to_plain_string(),
                        unit: s.line.unit.clone(),
                    });
                }
            }
        }
        graph.graph
    }

    /// The layers present, from the leftmost.
    pub fn layers(&self) -> std::ops::RangeInclusive<i32> {
        let min = self.nodes.iter().map(|n| n.layer).min().unwrap_or(0);
        let max = self.nodes.iter().map(|n| n.layer).max().unwrap_or(0);
        min..=max
    }

    /// How many nodes the fullest layer holds.
    pub fn tallest_layer(&self) -> usize {
        self.nodes.iter().map(|n| n.row + 1).max().unwrap_or(0)
    }
}

#[derive(Default)]
struct Builder {
    graph: TraceGraph,
    index: HashMap<(bool, String), usize>,
    rows: HashMap<i32, usize>,
    lots: usize,
}

impl Builder {
    /// The node of `code` (one per lot, one per site), added in `layer` when new; `None` for
    /// a lot beyond [`MAX_LOTS`].
    fn node(&mut self, kind: NodeKind, code: &str, name: &str, layer: i32) -> Option<usize> {
        let key = (kind == NodeKind::Lot, code.to_string());
        if let Some(i) = self.index.get(&key) {
            return Some(*i);
        }
        if kind == NodeKind::Lot {
            if self.lots == MAX_LOTS {
                self.graph.lots_left_out += 1;
                return None;
            }
            self.lots += 1;
        }
        let row = self.rows.entry(layer).or_insert(0);
        self.graph.nodes.push(GraphNode {
            kind,
            code: code.to_string(),
            name: name.to_string(),
            layer,
            row: *row,
        });
        *row += 1;
        self.index.insert(key, self.graph.nodes.len() - 1);
        Some(self.graph.nodes.len() - 1)
    }

    fn edge(&mut self, edge: GraphEdge) {
        if !self.graph.edges.contains(&edge) {
            self.graph.edges.push(edge);
        }
    }

    /// The links below `parent` level by level (`step` −1 backward, +1 forward), so a layer's
    /// rows follow the trace's order of the layer before.
    fn walk(&mut self, parent: usize, links: &[TraceLink], step: i32) {
        let mut level: Vec<(usize, &TraceLink)> = links.iter().map(|l| (parent, l)).collect();
        let mut layer = step;
        while !level.is_empty() {
            let mut next = Vec::new();
            for (parent, link) in level {
                let Some(lot) = self.node(NodeKind::Lot, &link.lot_code, &link.product, layer)
                else {
                    continue;
                };
                let (from, to) = if step < 0 {
                    (lot, parent)
                } else {
                    (parent, lot)
                };
                self.edge(GraphEdge {
                    kind: EdgeKind::Production,
                    from,
                    to,
                    code: link.production_code.clone(),
                    quantity: link.quantity.clone(),
                    unit: link.unit.clone(),
                });
                next.extend(link.children.iter().map(|c| (lot, c)));
            }
            level = next;
            layer += step;
        }
    }
}
