-- The lots $1 names and every lot they were made from, directly or not (trace back through
-- lot_transformations; UNION stops at lots already seen, so a cycle ends), each with its
-- product's EPD factor and the production run that made it.
WITH RECURSIVE closure(lot_id) AS (
    SELECT unnest($1::bigint[])
    UNION
    SELECT t.input_lot_id
      FROM lot_transformations t
      JOIN closure c ON t.output_lot_id = c.lot_id
)
SELECT l.id AS lot_id, l.code AS lot_code, l.origin_site_id,
       p.id AS product_id, p.code AS product_code, p.name AS product_name, p.material_class,
       p.unit AS product_unit, p.epd_ref, p.gwp_per_unit, p.version_batch_id, p.version_line,
       r.id AS run_id, r.batch_id AS run_batch_id, r.line AS run_line, r.production_code,
       r.output_quantity, r.output_unit, r.epd_reference, r.gwp_factor, r.declared_unit
  FROM closure c
  JOIN lots l ON l.id = c.lot_id
  JOIN products p ON p.id = l.product_id
  LEFT JOIN production_runs r ON r.output_lot_id = l.id
