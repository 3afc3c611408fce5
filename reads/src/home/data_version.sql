-- What the home page's headline figures are computed from changes when this text does. Each
-- table they read that can grow or shrink gives its row count and largest id: ids come from a
-- sequence, so a row added raises the largest id and a row deleted (a reorg rewinding the
-- indexed ledger tables) lowers the count. The tables: the import batches (every import adds
-- one; everything imported belongs to a batch), the parties (`citytrace party` adds them), and
-- the indexed rows the figures read — treasury allocations and payments, carbon retirements.
-- Not the indexer's checkpoints: on a live ledger they move with every block, most of which
-- change no figure. And the UTC date (the figures are this year's). Small tables and index
-- scans: cheap per request.
SELECT concat_ws(' ',
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM import_batches),
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM parties),
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM treasury_allocations),
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM treasury_payments),
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM carbon_retirements),
         (now() AT TIME ZONE 'UTC')::date) AS version
