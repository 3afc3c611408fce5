-- Exact identifiers (docs/search.md): $1 a whole number (block number, batch id) or NULL; $2 the
-- bytes of a 32-byte hash (transaction, block, Merkle root) or a 20-byte address, or NULL;
-- $3 results per kind. Score 2: above every match by name.
SELECT kind, area, title, subtitle, href_prefix, key, score, total FROM (
  (SELECT 'block'::text AS kind, 'ledger'::text AS area, 'Block ' || b.block_number AS title,
          ch.name || coalesce(' · 0x' || encode(b.block_hash, 'hex'), '') AS subtitle,
          '/ledger/chains/' || b.chain_id || '/blocks/' AS href_prefix, b.block_number::text AS key,
          2.0::float8 AS score, count(*) OVER () AS total
     FROM (SELECT chain_id, number AS block_number, hash AS block_hash FROM blocks
            WHERE number = $1 OR hash = $2
           UNION
           SELECT DISTINCT chain_id, block_number, block_hash FROM chain_events
            WHERE block_number = $1 OR block_hash = $2) b
     JOIN chains ch ON ch.chain_id = b.chain_id
    ORDER BY b.chain_id, b.block_number LIMIT $3)
  UNION ALL
  (SELECT 'batch', 'ledger', 'Batch ' || ib.id,
          ib.kind || ' from ' || ib.submitter || ' · ' || ib.row_count || ' rows · Merkle root 0x' || encode(ib.merkle_root, 'hex'),
          '/batches/', ib.id::text, 2.0::float8, count(*) OVER ()
     FROM import_batches ib
    WHERE ib.id = $1 OR ib.merkle_root = $2
    ORDER BY ib.id LIMIT $3)
  UNION ALL
  (SELECT 'transaction', 'ledger', 'Transaction 0x' || encode(e.tx_hash, 'hex'),
          'block ' || min(e.block_number) || ' · ' || string_agg(DISTINCT e.event, ', '),
          '/ledger/chains/' || e.chain_id || '/tx/', '0x' || encode(e.tx_hash, 'hex'), 2.0::float8, count(*) OVER ()
     FROM chain_events e
    WHERE e.tx_hash = $2
    GROUP BY e.chain_id, e.tx_hash
    ORDER BY e.chain_id LIMIT $3)
  UNION ALL
  (SELECT 'address', 'ledger', k.name, k.kind || ' contract on ' || ch.name || ' · 0x' || encode(k.address, 'hex'),
          '/ledger/chains/', k.chain_id::text, 2.0::float8, count(*) OVER ()
     FROM contracts k JOIN chains ch ON ch.chain_id = k.chain_id
    WHERE k.address = $2
    ORDER BY k.chain_id LIMIT $3)
  UNION ALL
  (SELECT 'transaction', 'ledger', t.payee_name || ' · ' || to_char(t.amount_minor / 100, 'FM999,999,999,999,990.00') || ' ' || t.currency,
          'paid to 0x' || encode(t.payee, 'hex') || ' · ' || t.department || ' · ' || t.contract_ref,
          '/ledger/chains/' || t.chain_id || '/tx/', '0x' || encode(t.tx_hash, 'hex'), 2.0::float8, count(*) OVER ()
     FROM treasury_payments t
    WHERE t.payee = $2
    ORDER BY t.block_number DESC, t.log_index LIMIT $3)
) found
