DROP INDEX blocks_hash_idx;

CREATE INDEX ledger_events_chain_block_idx ON ledger_events (chain_id, block_number);
ALTER TABLE ledger_events
    DROP CONSTRAINT ledger_events_pkey,
    ADD PRIMARY KEY (chain_id, block_hash, log_index),
    ADD CONSTRAINT ledger_events_chain_id_fkey FOREIGN KEY (chain_id) REFERENCES chains (chain_id);

CREATE INDEX token_transfers_chain_block_idx ON token_transfers (chain_id, block_number);
ALTER TABLE token_transfers
    DROP CONSTRAINT token_transfers_pkey,
    ADD PRIMARY KEY (chain_id, block_hash, log_index),
    ADD CONSTRAINT token_transfers_chain_id_fkey FOREIGN KEY (chain_id) REFERENCES chains (chain_id);
