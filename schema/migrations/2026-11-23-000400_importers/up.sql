-- Importers: shipment lines keep the UTC offsets they were written with, and their EPCIS
-- events are a view over them (derived, not stored twice).

ALTER TABLE shipment_lines
    ADD COLUMN shipped_offset TEXT NOT NULL DEFAULT '+00:00' CHECK (shipped_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    ADD COLUMN received_offset TEXT CHECK (received_offset ~ '^[+-][0-9]{2}:[0-9]{2}$');
ALTER TABLE shipment_lines ALTER COLUMN shipped_offset DROP DEFAULT;

-- The ObjectEvents a shipment line stands for: shipping at the origin, and receiving at the
-- destination once received.
CREATE VIEW shipment_events AS
SELECT 'ObjectEvent'::text AS event_type, 'OBSERVE'::text AS action, 'shipping'::text AS biz_step,
       'in_transit'::text AS disposition, l.shipped_at AS event_time, l.shipped_offset AS event_tz_offset,
       l.from_site_id AS biz_location_id, l.from_site_id AS source_site_id, l.to_site_id AS destination_site_id,
       l.shipment_code, l.batch_id, l.line, l.lot_id, l.quantity, l.unit
  FROM shipment_lines l
UNION ALL
SELECT 'ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', l.received_at, l.received_offset,
       l.to_site_id, l.from_site_id, l.to_site_id, l.shipment_code, l.batch_id, l.line, l.lot_id, l.quantity, l.unit
  FROM shipment_lines l
 WHERE l.received_at IS NOT NULL;

-- Every event naming a lot, stored or derived, with its provenance: the lot timeline.
CREATE VIEW lot_events AS
SELECT el.lot_id, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.event_tz_offset,
       e.biz_location_id, el.role, el.quantity, el.unit, e.batch_id, e.line,
       e.chain_id, e.block_number, e.tx_hash, e.log_index
  FROM supply_events e JOIN supply_event_lots el ON el.event_id = e.id
UNION ALL
SELECT s.lot_id, s.event_type, s.action, s.biz_step, s.disposition, s.event_time, s.event_tz_offset,
       s.biz_location_id, 'object', s.quantity, s.unit, s.batch_id, s.line,
       NULL::bigint, NULL::bigint, NULL::bytea, NULL::integer
  FROM shipment_events s;
