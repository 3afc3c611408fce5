-- Every event citytrace indexed on chain $1 in one transaction ($2, bytes) or one block ($3),
-- with its decoded parameters: the typed tables' own columns (less the provenance columns
-- every row has), or the generic ledger_events params.
WITH picked AS (
    SELECT * FROM chain_events
     WHERE chain_id = $1 AND (tx_hash = $2 OR block_number = $3)
)
SELECT p.log_index, p.event, p.summary, p.href, p.finality, p.block_number,
       p.block_time, p.block_hash, p.tx_hash, p.contract,
       (SELECT x.params::text FROM (
            SELECT to_jsonb(a) - ARRAY['id','chain_id','block_number','block_hash','block_time','tx_hash','log_index','contract','finality'] AS params
              FROM batch_anchors a WHERE a.chain_id = $1 AND a.block_hash = p.block_hash AND a.log_index = p.log_index AND p.event = 'BatchAnchored'
            UNION ALL
            SELECT to_jsonb(t) - ARRAY['chain_id','block_number','block_hash','block_time','tx_hash','log_index','finality']
              FROM token_transfers t WHERE t.chain_id = $1 AND t.block_number = p.block_number AND t.block_hash = p.block_hash AND t.log_index = p.log_index AND p.event = 'Transfer'
            UNION ALL
            SELECT to_jsonb(r) - ARRAY['id','chain_id','block_number','block_hash','block_time','tx_hash','log_index','contract','finality']
              FROM carbon_retirements r WHERE r.chain_id = $1 AND r.block_hash = p.block_hash AND r.log_index = p.log_index AND p.event LIKE 'Retirement%'
            UNION ALL
            SELECT to_jsonb(b) - ARRAY['id','chain_id','block_number','block_hash','block_time','tx_hash','log_index','contract','finality']
              FROM treasury_allocations b WHERE b.chain_id = $1 AND b.block_hash = p.block_hash AND b.log_index = p.log_index AND p.event = 'BudgetAllocated'
            UNION ALL
            SELECT to_jsonb(m) - ARRAY['id','chain_id','block_number','block_hash','block_time','tx_hash','log_index','contract','finality']
              FROM treasury_payments m WHERE m.chain_id = $1 AND m.block_hash = p.block_hash AND m.log_index = p.log_index AND p.event = 'PaymentMade'
            UNION ALL
            SELECT to_jsonb(s) - ARRAY['id','chain_id','block_number','block_hash','tx_hash','log_index','finality','batch_id','line']
              FROM supply_events s WHERE s.chain_id = $1 AND s.block_hash = p.block_hash AND s.log_index = p.log_index AND p.event = 'TraceEvent'
            UNION ALL
            SELECT l.params
              FROM ledger_events l WHERE l.chain_id = $1 AND l.block_number = p.block_number AND l.block_hash = p.block_hash AND l.log_index = p.log_index AND l.event_name = p.event
        ) x LIMIT 1) AS params
  FROM picked p
 ORDER BY p.block_number, p.log_index
 LIMIT 1000
