-- Shipments with readings and at least one product with a temperature range: the ones that
-- get a verdict, the compliance rate's denominator. One index probe per shipment.
SELECT count(*) AS shipments
  FROM (SELECT DISTINCT l.shipment_code
          FROM shipment_lines l
          JOIN lots ON lots.id = l.lot_id
          JOIN products p ON p.id = lots.product_id
         WHERE p.min_temp_c IS NOT NULL OR p.max_temp_c IS NOT NULL) ranged
 WHERE EXISTS (SELECT 1 FROM sensor_readings r WHERE r.shipment_code = ranged.shipment_code)
