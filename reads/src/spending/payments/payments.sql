-- The payments of contracting processes: OCDS implementation transactions, and CityTreasury
-- payments whose contractRef is the process's ocid. A ledger payment goes to the process's
-- contract when the process has exactly one, else it stays with the process (contract_id
-- NULL). explicit_transaction_id: the OCDS transaction of the process whose id's SHA-256 is
-- the ledger payment's payment_id (the explicit reference payments/evidence.rs links first).
-- $1: ocids (NULL: any), $2: buyer party id (NULL: any).
WITH scope AS (
    SELECT p.ocid
      FROM procurement_processes p
     WHERE ($1::text[] IS NULL OR p.ocid = ANY($1))
       AND ($2::bigint IS NULL OR p.buyer_id = $2)
)
SELECT t.ocid,
       t.contract_id,
       'ocds'::text AS source,
       t.transaction_id AS reference,
       t.batch_id,
       t.line,
       NULL::bigint AS chain_id,
       NULL::bigint AS block_number,
       NULL::bytea AS tx_hash,
       NULL::integer AS log_index,
       NULL::text AS finality,
       t.transaction_date AS paid_at,
       t.value AS amount,
       t.currency,
       payee.name AS payee,
       NULL::text AS budget_line_id,
       NULL::text AS explicit_transaction_id
  FROM procurement_transactions t
  JOIN scope ON scope.ocid = t.ocid
  LEFT JOIN parties payee ON payee.id = t.payee_id
 WHERE t.value IS NOT NULL
UNION ALL
SELECT l.contract_ref,
       (SELECT min(c.contract_id) FROM procurement_contracts c
         WHERE c.ocid = l.contract_ref HAVING count(*) = 1),
       'ledger',
       encode(l.payment_id, 'hex'),
       NULL,
       NULL,
       l.chain_id,
       l.block_number,
       l.tx_hash,
       l.log_index,
       l.finality,
       l.block_time,
       l.amount_minor,
       l.currency,
       l.payee_name,
       l.budget_line_id,
       (SELECT min(x.transaction_id) FROM procurement_transactions x
         WHERE x.ocid = l.contract_ref
           AND x.value IS NOT NULL
           AND sha256(convert_to(x.transaction_id, 'UTF8')) = l.payment_id)
  FROM treasury_payments l
  JOIN scope ON scope.ocid = l.contract_ref
 ORDER BY 1, 12 NULLS LAST, 3 DESC, 4, 10
