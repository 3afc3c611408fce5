-- Trace forward from lot $1: the lots made from it (production outputs), level by level, up to
-- $2 levels; a lot already on the path is not followed again (cycles). One row per edge.
WITH RECURSIVE walk AS (
    SELECT t.input_lot_id AS parent_id, t.output_lot_id AS lot_id, 1 AS depth,
           ARRAY[t.input_lot_id, t.output_lot_id] AS path,
           t.input_quantity AS quantity, t.input_unit AS unit, t.production_code,
           t.batch_id, t.line
      FROM lot_transformations t
     WHERE t.input_lot_id = $1
    UNION ALL
    SELECT t.input_lot_id, t.output_lot_id, w.depth + 1, w.path || t.output_lot_id,
           t.input_quantity, t.input_unit, t.production_code, t.batch_id, t.line
      FROM walk w
      JOIN lot_transformations t ON t.input_lot_id = w.lot_id
     WHERE w.depth < $2 AND NOT t.output_lot_id = ANY (w.path)
)
SELECT w.parent_id, w.lot_id, w.depth, w.quantity::text AS quantity, w.unit,
       w.production_code, w.batch_id, w.line,
       l.code AS lot_code, p.name AS product, s.code AS origin_code, s.name AS origin_name,
       ARRAY(SELECT DISTINCT t.code FROM shipment_lines d JOIN sites t ON t.id = d.to_site_id
              WHERE d.lot_id = w.lot_id ORDER BY t.code LIMIT 20) AS delivered_to,
       EXISTS (SELECT 1 FROM lot_transformations n WHERE n.input_lot_id = w.lot_id) AS has_more
  FROM walk w
  JOIN lots l ON l.id = w.lot_id
  JOIN products p ON p.id = l.product_id
  LEFT JOIN sites s ON s.id = l.origin_site_id
 ORDER BY w.depth, w.parent_id, w.batch_id, w.line
 LIMIT 2000
