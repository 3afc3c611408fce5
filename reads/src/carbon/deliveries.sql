-- Shipment lines (deliveries) matching the filter, with their lot's product, sites, and the
-- contracting process they are under. shipped_on is the local date the line was shipped on
-- (its UTC time shifted by the offset it was written with). A NULL filter value matches all.
SELECT l.batch_id, l.line, l.submitter, l.shipment_code, l.line_no, l.lot_id, l.lot_code,
       p.code AS product_code, p.name AS product_name, p.material_class,
       l.quantity, l.unit,
       l.from_site_id, fs.code AS from_site, l.to_site_id, ts.code AS to_site,
       l.contract_ocid, pp.buyer_id, pp.main_procurement_category,
       (l.shipped_at AT TIME ZONE 'UTC' + l.shipped_offset::interval)::date AS shipped_on
  FROM shipment_lines l
  JOIN lots lo ON lo.id = l.lot_id
  JOIN products p ON p.id = lo.product_id
  JOIN sites fs ON fs.id = l.from_site_id
  JOIN sites ts ON ts.id = l.to_site_id
  LEFT JOIN procurement_processes pp ON pp.ocid = l.contract_ocid
 WHERE ($1::bigint IS NULL OR l.to_site_id = $1)
   AND ($2::text IS NULL OR l.contract_ocid = $2)
   AND ($3::text IS NULL OR l.submitter = $3)
   AND ($4::bigint IS NULL OR pp.buyer_id = $4)
   AND (NOT $5::boolean OR pp.buyer_id IS NOT NULL)
   AND ($6::date IS NULL OR (l.shipped_at AT TIME ZONE 'UTC' + l.shipped_offset::interval)::date >= $6)
   AND ($7::date IS NULL OR (l.shipped_at AT TIME ZONE 'UTC' + l.shipped_offset::interval)::date <= $7)
 ORDER BY l.shipped_at, l.batch_id, l.line
