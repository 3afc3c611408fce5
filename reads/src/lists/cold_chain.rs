//! Lists of the cold-chain area: shipments with temperature readings.

use super::ColumnKind::{Count, Time, Trust};
use super::FilterKind::{Date, Text};
use super::{ListColumn as C, ListDef, ListFilter as F};

pub static SHIPMENTS: ListDef = ListDef {
    name: "cold-chain-shipments",
    path: "/cold-chain/shipments",
    area: "/cold-chain",
    title: "Shipments with temperature readings",
    description: "Every shipment a logger recorded temperatures for, with what it carried. Open one for its chart, excursions and verdict.",
    from: "(SELECT l.shipment_code, min(l.shipped_at) AS shipped_at, min(l.from_site) AS from_site, \
                   min(l.to_site) AS to_site, count(*) AS lines, \
                   string_agg(DISTINCT p.name, ', ' ORDER BY p.name) AS products, \
                   (array_agg(l.batch_id ORDER BY l.batch_id, l.line))[1] AS batch_id, \
                   (array_agg(l.line ORDER BY l.batch_id, l.line))[1] AS line \
              FROM shipment_lines l JOIN lots ON lots.id = l.lot_id JOIN products p ON p.id = lots.product_id \
             WHERE EXISTS (SELECT 1 FROM sensor_readings r WHERE r.shipment_code = l.shipment_code) \
             GROUP BY l.shipment_code) s \
          JOIN batch_trust t ON t.batch_id = s.batch_id",
    condition: "",
    columns: &[
        C::new("shipment_code", "Shipment", "s.shipment_code").sortable().link("/cold-chain/shipments/{shipment_code}"),
        C::new("products", "Products", "s.products"),
        C::new("lines", "Lines", "s.lines").kind(Count).sortable(),
        C::new("from_site", "From", "s.from_site").sortable(),
        C::new("to_site", "To", "s.to_site").sortable(),
        C::new("shipped_at", "Shipped", "s.shipped_at").kind(Time).sortable(),
        C::new("batch_id", "Batch", "s.batch_id").hidden(),
        C::new("line", "Line", "s.line").hidden(),
        C::new("source", "Source", "'batch ' || s.batch_id || ', line ' || s.line").link("/batches/{batch_id}#line-{line}"),
        C::new("trust", "Trust", "t.trust").kind(Trust).sortable(),
    ],
    filters: &[
        F::new("q", "Shipment contains", "s.shipment_code ILIKE '%' || ? || '%'", Text),
        F::new("product", "Product contains", "s.products ILIKE '%' || ? || '%'", Text),
        F::new("from", "Shipped from", "s.shipped_at >= ?::date", Date),
        F::new("to", "Shipped until", "s.shipped_at < ?::date + 1", Date),
    ],
    default_sort: ("shipped_at", true),
    tie_break: "s.shipment_code",
};
