-- What was paid under each of the contracts $1 (OCDS transactions), per currency; a contract
-- without transactions gives one row with no amount.
SELECT p.ocid, p.title, sum(t.value)::text AS paid, t.currency
  FROM procurement_processes p
  LEFT JOIN procurement_transactions t ON t.ocid = p.ocid
 WHERE p.ocid = ANY ($1)
 GROUP BY p.ocid, p.title, t.currency
 ORDER BY p.ocid, t.currency
