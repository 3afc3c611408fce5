//! Lists of the cold-chain area: shipments with temperature readings.
//!
//! The `gaps` column counts, per shipment, consecutive readings of one logger further apart
//! than the smallest logging interval of its products with a range × 1.5: the gaps
//! `citytrace_reads::cold_chain` finds with the default `[methods.cold_chain]` settings
//! ([`GAP_RULE_FACTOR`]; a list is SQL declared once, so it cannot read the settings — see
//! docs/methods/cold-chain.md, "The shipments list").

/// The tolerance factor written into the `gaps` column's SQL: the settings' default.
pub const GAP_RULE_FACTOR: f64 = 1.5;

use super::materials::{LOTS_FROM, LOT_COLUMNS, LOT_FILTERS};
use super::ColumnKind::{Count, Time, Trust};
use super::FilterKind::{Date, Text};
use super::{ListColumn as C, ListDef, ListFilter as F};
use crate::cold_chain::goods::cold_chain_product_sql;

/// The lots of food and medicine ([`crate::cold_chain::is_cold_chain_goods`]); the materials'
/// lots are [`super::materials::LOTS`].
pub static LOTS: ListDef = ListDef {
    name: "cold-chain-lots",
    path: "/cold-chain/lots",
    area: "/cold-chain",
    title: "Lots of food and medicine",
    description: "Every lot of food or medicine citytrace knows (a product classed food or pharmaceutical, or kept in a temperature range), with its product, supplier and where it came from.",
    from: LOTS_FROM,
    condition: cold_chain_product_sql!(),
    columns: LOT_COLUMNS,
    filters: LOT_FILTERS,
    default_sort: ("registered_at", true),
    tie_break: "l.id",
};

pub static SHIPMENTS: ListDef = ListDef {
    name: "cold-chain-shipments",
    path: "/cold-chain/shipments",
    area: "/cold-chain",
    title: "Shipments with temperature readings",
    description: "Every shipment a logger recorded temperatures for, with what it carried. Open one for its chart, excursions and verdict.",
    from: "(SELECT l.shipment_code, min(l.shipped_at) AS shipped_at, min(l.from_site) AS from_site, \
                   min(l.to_site) AS to_site, count(*) AS lines, \
                   min(l.from_site_id) AS from_site_id, min(l.to_site_id) AS to_site_id, \
                   string_agg(DISTINCT p.name, ', ' ORDER BY p.name) AS products, \
                   (array_agg(l.batch_id ORDER BY l.batch_id, l.line))[1] AS batch_id, \
                   (array_agg(l.line ORDER BY l.batch_id, l.line))[1] AS line, \
                   min(p.logging_interval_minutes) FILTER (WHERE p.min_temp_c IS NOT NULL OR p.max_temp_c IS NOT NULL) AS interval_minutes \
              FROM shipment_lines l JOIN lots ON lots.id = l.lot_id JOIN products p ON p.id = lots.product_id \
             WHERE EXISTS (SELECT 1 FROM sensor_readings r WHERE r.shipment_code = l.shipment_code) \
             GROUP BY l.shipment_code) s \
          JOIN batch_trust t ON t.batch_id = s.batch_id \
          LEFT JOIN sites fs ON fs.id = s.from_site_id LEFT JOIN sites ts ON ts.id = s.to_site_id \
          CROSS JOIN LATERAL (SELECT count(*) AS gaps FROM \
                (SELECT r.recorded_at - lag(r.recorded_at) OVER (PARTITION BY r.submitter, r.device_id ORDER BY r.recorded_at) AS step \
                   FROM sensor_readings r WHERE r.shipment_code = s.shipment_code) steps \
               WHERE steps.step > make_interval(mins => s.interval_minutes) * 1.5) g",
    condition: "",
    columns: &[
        C::new("shipment_code", "Shipment", "s.shipment_code").sortable().link("/cold-chain/shipments/{shipment_code}"),
        C::new("products", "Products", "s.products"),
        C::new("lines", "Lines", "s.lines").kind(Count).sortable(),
        C::new("from_site_name", "From", "coalesce(fs.name, s.from_site)").sortable().link("/sites/{from_site}"),
        C::new("from_site", "From (code)", "s.from_site").hidden(),
        C::new("to_site_name", "To", "coalesce(ts.name, s.to_site)").sortable().link("/sites/{to_site}"),
        C::new("to_site", "To (code)", "s.to_site").hidden(),
        C::new("shipped_at", "Shipped", "s.shipped_at").kind(Time).sortable(),
        C::new("gaps", "Gaps in the log", "g.gaps").kind(Count).sortable(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cold_chain::ColdChainSettings;

    #[test]
    fn the_gaps_column_follows_the_default_gap_rule() {
        let defaults = ColdChainSettings::default();
        assert_eq!(GAP_RULE_FACTOR, defaults.gap_tolerance_factor);
        assert_eq!(defaults.default_logging_interval_minutes, None);
        let gaps = SHIPMENTS.from;
        assert!(gaps.contains(&format!("* {GAP_RULE_FACTOR}) g")), "{gaps}");
    }
}
