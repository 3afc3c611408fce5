DROP TABLE quarantined_logs;

DROP VIEW chain_events;
DROP VIEW batch_trust;

-- Fails when an anchor's batch id or row count does not fit the old columns: such rows cannot
-- go back without losing them.
ALTER TABLE batch_anchors
    DROP CONSTRAINT batch_anchors_batch_id_uint64,
    DROP CONSTRAINT batch_anchors_row_count_uint32,
    ALTER COLUMN batch_id TYPE BIGINT,
    ALTER COLUMN row_count TYPE INTEGER;
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

