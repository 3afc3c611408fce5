-- What the home page's headline figures are computed from changes when this text does: the
-- import batches (every import adds one and nothing deletes one, so a batch committed late
-- still changes the count), the parties (`citytrace party` adds them), each indexer stream's
-- checkpoint (a new block written, a reorg rewound: data and checkpoint are written in one
-- transaction), each chain's safe and finalized blocks (finality moves), and the UTC date (the
-- figures are this year's). A handful of index probes and small tables: cheap per request.
SELECT concat_ws(' ',
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM import_batches),
         (SELECT count(*) || '/' || coalesce(max(id), 0) FROM parties),
         (SELECT coalesce(string_agg(chain_id || ':' || stream || ':' || block_number || ':'
                                     || encode(block_hash, 'hex'), ',' ORDER BY chain_id, stream), '')
            FROM checkpoints),
         (SELECT coalesce(string_agg(chain_id || ':' || coalesce(safe_number, -1) || ':'
                                     || coalesce(finalized_number, -1), ',' ORDER BY chain_id), '')
            FROM chains),
         (now() AT TIME ZONE 'UTC')::date) AS version
