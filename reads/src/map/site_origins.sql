-- Where the deliveries into site $1 came from: each origin site with its position and its
-- number of deliveries, most first, then by code; at most $2 origins.
SELECT s.code, s.name, s.latitude, s.longitude, count(*) AS deliveries
  FROM shipment_lines d
  JOIN sites s ON s.id = d.from_site_id
 WHERE d.to_site_id = $1
 GROUP BY s.id, s.code, s.name, s.latitude, s.longitude
 ORDER BY count(*) DESC, s.code
 LIMIT $2
