-- CityTreasury payments whose contractRef names no known contracting process, put on the
-- department their `department` text names: the party with that code, else with that name
-- (case-insensitive, trimmed). $1: department party id (NULL: any).
SELECT d.id AS department_id,
       l.contract_ref AS ocid,
       NULL::text AS contract_id,
       'ledger'::text AS source,
       encode(l.payment_id, 'hex') AS reference,
       NULL::bigint AS batch_id,
       NULL::integer AS line,
       l.chain_id,
       l.block_number,
       l.tx_hash,
       l.log_index,
       l.finality,
       l.block_time AS paid_at,
       l.amount_minor AS amount,
       l.currency,
       l.payee_name AS payee,
       l.budget_line_id,
       NULL::text AS explicit_transaction_id
  FROM treasury_payments l
  JOIN LATERAL (
        SELECT p.id FROM parties p
         WHERE lower(p.code) = lower(btrim(l.department))
            OR lower(p.name) = lower(btrim(l.department))
         ORDER BY (lower(p.code) = lower(btrim(l.department))) DESC, p.id
         LIMIT 1) d ON true
 WHERE NOT EXISTS (SELECT 1 FROM procurement_processes pp WHERE pp.ocid = l.contract_ref)
   AND ($1::bigint IS NULL OR d.id = $1)
 ORDER BY l.block_time, l.id
