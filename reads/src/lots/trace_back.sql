-- Trace back from lot $1: the lots it was made from (production inputs), level by level, up to
-- $2 levels; a lot already on the path is not followed again (cycles). One row per edge.
-- Each edge's lot, product, origin, deliveries and "has more" are looked up inside the walk, not
-- joined to it afterwards: the planner guesses hundreds of rows for a recursive CTE and would
-- hash-join the whole lots table to look up the few edges a lot really has.
WITH RECURSIVE walk AS (
    SELECT t.output_lot_id AS parent_id, t.input_lot_id AS lot_id, 1 AS depth,
           ARRAY[t.output_lot_id, t.input_lot_id] AS path,
           t.input_quantity AS quantity, t.input_unit AS unit, t.production_code,
           t.batch_id, t.line,
           l.code AS lot_code, p.name AS product, s.code AS origin_code, s.name AS origin_name,
           ARRAY(SELECT DISTINCT st.code FROM shipment_lines d JOIN sites st ON st.id = d.to_site_id
                  WHERE d.lot_id = t.input_lot_id ORDER BY st.code LIMIT 20) AS delivered_to,
           EXISTS (SELECT 1 FROM lot_transformations n WHERE n.output_lot_id = t.input_lot_id) AS has_more
      FROM lot_transformations t
      JOIN lots l ON l.id = t.input_lot_id
      JOIN products p ON p.id = l.product_id
      LEFT JOIN sites s ON s.id = l.origin_site_id
     WHERE t.output_lot_id = $1
    UNION ALL
    SELECT t.output_lot_id, t.input_lot_id, w.depth + 1, w.path || t.input_lot_id,
           t.input_quantity, t.input_unit, t.production_code, t.batch_id, t.line,
           l.code, p.name, s.code, s.name,
           ARRAY(SELECT DISTINCT st.code FROM shipment_lines d JOIN sites st ON st.id = d.to_site_id
                  WHERE d.lot_id = t.input_lot_id ORDER BY st.code LIMIT 20),
           EXISTS (SELECT 1 FROM lot_transformations n WHERE n.output_lot_id = t.input_lot_id)
      FROM walk w
      JOIN lot_transformations t ON t.output_lot_id = w.lot_id
      JOIN lots l ON l.id = t.input_lot_id
      JOIN products p ON p.id = l.product_id
      LEFT JOIN sites s ON s.id = l.origin_site_id
     WHERE w.depth < $2 AND NOT t.input_lot_id = ANY (w.path)
)
SELECT parent_id, lot_id, depth, quantity::text AS quantity, unit, production_code, batch_id,
       line, lot_code, product, origin_code, origin_name, delivered_to, has_more
  FROM walk
 ORDER BY depth, parent_id, batch_id, line
 LIMIT 2000
