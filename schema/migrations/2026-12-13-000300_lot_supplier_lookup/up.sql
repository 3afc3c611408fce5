-- The lots list names each lot's supplier as the lot page does: the lot's own supplier, else
-- who submitted the production run that made it, else who submitted its first shipment. The
-- run is found by its output lot: without this index, one sequential scan of the runs per row.
CREATE INDEX production_runs_output_lot_idx ON production_runs (output_lot_id);
