-- Where shipment $1 went and under which contract, by its first line (line order, then
-- batch): the sites by name with their operators, the contracting process and its title.
SELECT fs.code AS from_code, fs.name AS from_name, fo.name AS from_operator,
       ts.code AS to_code, ts.name AS to_name, tp.name AS to_operator,
       l.contract_ocid, pp.title AS contract_title,
       l.shipped_at, l.shipped_offset, l.received_at, l.received_offset
  FROM shipment_lines l
  JOIN sites fs ON fs.id = l.from_site_id
  LEFT JOIN parties fo ON fo.id = fs.party_id
  JOIN sites ts ON ts.id = l.to_site_id
  LEFT JOIN parties tp ON tp.id = ts.party_id
  LEFT JOIN procurement_processes pp ON pp.ocid = l.contract_ocid
 WHERE l.shipment_code = $1
 ORDER BY l.line_no, l.batch_id
 LIMIT 1
