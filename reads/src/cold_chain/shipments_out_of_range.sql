-- Shipments after $1 (in code order; '' for the first page) with at least one reading outside
-- the range of one of their products: the only shipments whose verdict can be anything but
-- compliant. Each EXISTS is one probe of sensor_readings_shipment_temperature_idx, so the
-- readings of shipments that stayed in range are never read. A bound that is NULL (an open
-- range) compares to nothing.
SELECT ranged.shipment_code
  FROM (SELECT DISTINCT l.shipment_code, p.min_temp_c, p.max_temp_c
          FROM shipment_lines l
          JOIN lots ON lots.id = l.lot_id
          JOIN products p ON p.id = lots.product_id
         WHERE (p.min_temp_c IS NOT NULL OR p.max_temp_c IS NOT NULL)
           AND l.shipment_code > $1) ranged
 WHERE EXISTS (SELECT 1 FROM sensor_readings r
                WHERE r.shipment_code = ranged.shipment_code AND r.temperature_c > ranged.max_temp_c)
    OR EXISTS (SELECT 1 FROM sensor_readings r
                WHERE r.shipment_code = ranged.shipment_code AND r.temperature_c < ranged.min_temp_c)
 GROUP BY ranged.shipment_code
 ORDER BY ranged.shipment_code
 LIMIT $2
