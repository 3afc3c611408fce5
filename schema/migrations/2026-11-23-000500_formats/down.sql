DROP TABLE budget_lines;
DROP TABLE emission_reports;
DROP TABLE waste_receipts;
DROP TABLE waste_transfers;
DROP VIEW lot_events;
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
DROP VIEW production_events;
DROP VIEW lot_transformations;
DROP TABLE production_inputs;
DROP TABLE production_runs;
