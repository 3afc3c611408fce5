-- Embodied carbon and emissions (docs/methods/carbon.md).
--
-- What was delivered to a construction site is read by destination: without this index the
-- per-site figure scans every shipment line. (One more index on a bulk table: it costs the
-- COPY a little; the per-site page is one of the explorer's main views.)
CREATE INDEX shipment_lines_to_site_idx ON shipment_lines (to_site_id);

-- Credits retired in a period are read by block time.
CREATE INDEX carbon_retirements_block_time_idx ON carbon_retirements (block_time);
