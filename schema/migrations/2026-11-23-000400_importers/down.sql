DROP VIEW lot_events;
DROP VIEW shipment_events;
ALTER TABLE shipment_lines DROP COLUMN shipped_offset, DROP COLUMN received_offset;
