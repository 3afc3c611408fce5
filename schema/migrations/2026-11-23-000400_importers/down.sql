DROP TABLE sensor_readings;
DROP TABLE product_versions;
ALTER TABLE products DROP CONSTRAINT products_temperature_range,
    DROP COLUMN epd_ref, DROP COLUMN gwp_per_unit, DROP COLUMN min_temp_c, DROP COLUMN max_temp_c,
    DROP COLUMN max_excursion_minutes, DROP COLUMN max_single_excursion_minutes,
    DROP COLUMN logging_interval_minutes, DROP COLUMN version_batch_id, DROP COLUMN version_line;
DROP VIEW lot_events;
DROP VIEW shipment_events;
DROP INDEX IF EXISTS shipment_lines_contract_idx;
ALTER TABLE shipment_lines DROP COLUMN shipped_offset, DROP COLUMN received_offset,
    DROP COLUMN carrier, DROP COLUMN purchase_order, DROP COLUMN contract_ocid, DROP COLUMN certificates;
