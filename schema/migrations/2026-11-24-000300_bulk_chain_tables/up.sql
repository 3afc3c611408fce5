-- The indexer's bulk tables, `token_transfers` and `ledger_events` (every event of a busy token
-- or contract: millions of rows), lose what cost the backfill most (docs/benchmarks.md,
-- "Indexer backfill"; measured by COPY of 400,000 transfers: 2.30 s as they were, 1.26 s
-- without the foreign key, 0.61 s with the key below and no second index):
--
-- - the foreign key to `chains`, a trigger per row: the indexer writes only rows of the chain it
--   is following, which it registered in `chains` before its first range, and nothing deletes
--   a chain (docs/architecture.md, "Bulk tables");
-- - the primary key on (chain_id, block_hash, log_index), whose block hashes are random, so
--   every row went to a random page of the index, and the second index on (chain_id,
--   block_number) that reorgs and finality need. One key, (chain_id, block_number, block_hash,
--   log_index), serves both: unique exactly when (chain_id, block_hash, log_index) is (a block
--   hash names one block number), and appended to in block order. Lookups by a log's natural key
--   now give its block number too; `blocks` gets an index by hash for those that start from the
--   hash alone (`citytrace verify log`).
ALTER TABLE token_transfers
    DROP CONSTRAINT token_transfers_chain_id_fkey,
    DROP CONSTRAINT token_transfers_pkey,
    ADD PRIMARY KEY (chain_id, block_number, block_hash, log_index);
DROP INDEX token_transfers_chain_block_idx;

ALTER TABLE ledger_events
    DROP CONSTRAINT ledger_events_chain_id_fkey,
    DROP CONSTRAINT ledger_events_pkey,
    ADD PRIMARY KEY (chain_id, block_number, block_hash, log_index);
DROP INDEX ledger_events_chain_block_idx;

CREATE INDEX blocks_hash_idx ON blocks (chain_id, hash);
