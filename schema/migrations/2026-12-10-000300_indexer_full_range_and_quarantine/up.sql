-- Issue 10, "Integrity first": the indexer never loses a log.
--
-- 1. Columns fed from EVM integers hold the integers' full range. BatchAnchored carries a
--    uint64 batchId and a uint32 rowCount; BIGINT stops at 2^63 − 1 and INTEGER at 2^31 − 1,
--    so an anchor with batchId 2^64 − 1 or rowCount 2^31 was logged "out of range" and stored
--    nowhere. The other uint columns already fit: amounts are NUMERIC(78, 0) (uint256 has at
--    most 78 digits), fiscal_year (uint16) is an INTEGER; TraceRegistry's uint64 eventTime
--    becomes a timestamp, and a time PostgreSQL cannot hold is quarantined (below).
--    The two views that read batch_anchors are dropped and recreated unchanged around the
--    type change (PostgreSQL refuses to retype a column a view uses).
DROP VIEW chain_events;
DROP VIEW batch_trust;

ALTER TABLE batch_anchors
    ALTER COLUMN batch_id TYPE NUMERIC(20, 0),
    ALTER COLUMN row_count TYPE BIGINT,
    ADD CONSTRAINT batch_anchors_batch_id_uint64 CHECK (batch_id BETWEEN 0 AND 18446744073709551615),
    ADD CONSTRAINT batch_anchors_row_count_uint32 CHECK (row_count BETWEEN 0 AND 4294967295);

CREATE VIEW batch_trust AS
SELECT b.id AS batch_id,
       CASE WHEN a.finality = 'final' THEN 'final'
            WHEN a.batch_id IS NOT NULL THEN 'anchored'
            ELSE 'imported' END AS trust,
       a.chain_id AS anchor_chain_id, a.block_number AS anchor_block, a.tx_hash AS anchor_tx
  FROM import_batches b
  LEFT JOIN LATERAL (
        SELECT * FROM batch_anchors x WHERE x.batch_id = b.id
         ORDER BY (x.finality = 'final') DESC, x.block_number DESC LIMIT 1) a ON true;

CREATE VIEW chain_events AS
SELECT chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract,
       'BatchAnchored'::text AS event,
       'batch ' || batch_id || ', ' || row_count || ' rows, root 0x' || encode(merkle_root, 'hex') AS summary,
       '/batches/' || batch_id AS href, finality
  FROM batch_anchors
UNION ALL
SELECT chain_id, block_number, block_hash, block_time, tx_hash, log_index, token,
       'Transfer', amount::text || ' from 0x' || encode(from_address, 'hex') || ' to 0x' || encode(to_address, 'hex'),
       NULL, finality
  FROM token_transfers
UNION ALL
SELECT chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract,
       'Retirement (' || source || ')',
       tonnes::text || ' tCO2e for ' || coalesce(beneficiary_name, '0x' || encode(beneficiary, 'hex')),
       NULL, finality
  FROM carbon_retirements
UNION ALL
SELECT chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract,
       'BudgetAllocated',
       fiscal_year || ' ' || department || ' / ' || program || ' (COFOG ' || cofog || '): ' || (amount_minor / 100)::text || ' ' || currency,
       NULL, finality
  FROM treasury_allocations
UNION ALL
SELECT chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract,
       'PaymentMade',
       department || ' paid ' || payee_name || ' ' || (amount_minor / 100)::text || ' ' || currency || ' under ' || contract_ref,
       NULL, finality
  FROM treasury_payments
UNION ALL
SELECT e.chain_id, e.block_number, e.block_hash, b.timestamp, e.tx_hash, e.log_index, NULL::bytea,
       'TraceEvent',
       e.event_type || coalesce(' ' || e.biz_step, '') || coalesce(' of shipment ' || e.shipment_code, ''),
       NULL, e.finality
  FROM supply_events e
  LEFT JOIN blocks b ON b.chain_id = e.chain_id AND b.number = e.block_number
 WHERE e.chain_id IS NOT NULL
UNION ALL
SELECT chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract,
       event_name, left(params::text, 200), NULL, finality
  FROM ledger_events;

-- 2. Quarantine: a log of a followed contract that cannot be stored as what it is — its data
--    does not decode with the contract's ABI (undecodable), a decoded value breaks a rule of its
--    table or cannot be held by its column (invalid: an eventType that is not an EPCIS event
--    type, a NUL character, a time past year 262,142), or the database refused the row
--    (refused: a constraint only the database knows) — is kept here, raw, with its problem,
--    and indexing goes on. A sibling of ledger_events with the same key and provenance
--    columns (docs/indexing.md, "Quarantine", says why not new columns of ledger_events):
--    reorgs delete its rows above the fork and finality moves them forward like every other
--    indexed table's. event_name, signature and params are there when the ABI decoded the log
--    (params only when PostgreSQL can hold them: no NUL character).
CREATE TABLE quarantined_logs (
    chain_id      BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number  BIGINT NOT NULL,
    block_hash    BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time    TIMESTAMPTZ NOT NULL,
    tx_hash       BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index     INTEGER NOT NULL,
    contract      BYTEA NOT NULL CHECK (length(contract) = 20),
    topics        BYTEA[] NOT NULL,
    data          BYTEA NOT NULL,
    event_name    TEXT,
    signature     TEXT,
    params        JSONB,
    reason        TEXT NOT NULL CHECK (reason IN ('undecodable', 'invalid', 'refused')),
    problem       TEXT NOT NULL,
    finality      TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    PRIMARY KEY (chain_id, block_number, block_hash, log_index)
);
