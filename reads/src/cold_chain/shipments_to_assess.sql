-- Shipments after $1 (in code order; '' for the first page) whose verdict can be anything but
-- compliant: at least one reading outside the range of one of their products, or a gap in a
-- logger's readings longer than that product's logging interval (else $3, the settings'
-- default, in minutes) × $4 (the tolerance factor). Each range EXISTS is one probe of
-- sensor_readings_shipment_temperature_idx, so the readings of shipments that stayed in range
-- are not read for it; the gap EXISTS reads each candidate's readings once (a window over the
-- same index's shipment_code prefix). A bound or an interval that is NULL compares to nothing.
SELECT ranged.shipment_code
  FROM (SELECT DISTINCT l.shipment_code, p.min_temp_c, p.max_temp_c, p.logging_interval_minutes
          FROM shipment_lines l
          JOIN lots ON lots.id = l.lot_id
          JOIN products p ON p.id = lots.product_id
         WHERE (p.min_temp_c IS NOT NULL OR p.max_temp_c IS NOT NULL)
           AND l.shipment_code > $1) ranged
 WHERE EXISTS (SELECT 1 FROM sensor_readings r
                WHERE r.shipment_code = ranged.shipment_code AND r.temperature_c > ranged.max_temp_c)
    OR EXISTS (SELECT 1 FROM sensor_readings r
                WHERE r.shipment_code = ranged.shipment_code AND r.temperature_c < ranged.min_temp_c)
    OR EXISTS (SELECT 1
                 FROM (SELECT r.recorded_at - lag(r.recorded_at)
                                OVER (PARTITION BY r.submitter, r.device_id ORDER BY r.recorded_at) AS step
                         FROM sensor_readings r
                        WHERE r.shipment_code = ranged.shipment_code) steps
                WHERE steps.step > make_interval(mins => COALESCE(NULLIF(ranged.logging_interval_minutes, 0),
                                                                  NULLIF($3, 0)))
                                   * (CASE WHEN $4 > 0 THEN $4 ELSE 1 END))
 GROUP BY ranged.shipment_code
 ORDER BY ranged.shipment_code
 LIMIT $2
