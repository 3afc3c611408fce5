-- Cold chain (docs/methods/cold-chain.md).
--
-- "Has this shipment a reading above x or below y?" in one index probe, without reading the
-- shipment's readings: how the breach list and the compliance rate skip every shipment that
-- stayed in range.
CREATE INDEX sensor_readings_shipment_temperature_idx ON sensor_readings (shipment_code, temperature_c)
    WHERE shipment_code IS NOT NULL;

-- A shipment's lines (hence its lots and products) by its code.
CREATE INDEX shipment_lines_shipment_code_idx ON shipment_lines (shipment_code);
