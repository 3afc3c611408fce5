-- The explorer's read models: how far each batch can be trusted, and every indexed chain event
-- in one place (the ledger pages list them; each row links to its domain page).

-- imported: stored, not anchored yet; anchored: its Merkle root is in a BatchAnchored event;
-- final: and that event's block is final.
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

-- Every event citytrace indexed, whatever table it is stored in.
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

-- Search (the Postgres backend, the default): trigram indexes for substring and typo-tolerant
-- matches, full-text indexes on names. pg_trgm is a trusted extension (no superuser needed).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX lots_code_trgm ON lots USING gin (code gin_trgm_ops);
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_name_fts ON products USING gin (to_tsvector('simple', name));
CREATE INDEX parties_name_trgm ON parties USING gin ((code || ' ' || name) gin_trgm_ops);
CREATE INDEX parties_name_fts ON parties USING gin (to_tsvector('simple', name));
CREATE INDEX sites_name_trgm ON sites USING gin ((code || ' ' || name) gin_trgm_ops);
CREATE INDEX sites_name_fts ON sites USING gin (to_tsvector('simple', name));
CREATE INDEX procurement_title_trgm ON procurement_processes USING gin ((ocid || ' ' || coalesce(title, '')) gin_trgm_ops);
CREATE INDEX procurement_title_fts ON procurement_processes USING gin (to_tsvector('simple', coalesce(title, '')));
CREATE INDEX waste_consignment_trgm ON waste_transfers USING gin (consignment_id gin_trgm_ops);
CREATE INDEX treasury_payments_ref_trgm ON treasury_payments USING gin ((contract_ref || ' ' || payee_name) gin_trgm_ops);

-- What search finds, one row per thing, for both backends: the Postgres backend queries the
-- tables behind it through their indexes (explorer/src/search/postgres.sql); the Meilisearch
-- backend copies these rows into its index.
CREATE VIEW search_documents AS
SELECT 'lot:' || l.code AS id, 'lot' AS kind, 'materials' AS area, l.code AS title,
       p.name || coalesce(' · GTIN ' || p.gtin, '') AS subtitle, '/lots/' AS href_prefix, l.code AS key
  FROM lots l JOIN products p ON p.id = l.product_id
UNION ALL
SELECT 'product:' || code, 'product', 'materials', name, coalesce('GTIN ' || gtin, code) || coalesce(' · ' || material_class, ''),
       '/products/', code
  FROM products
UNION ALL
SELECT 'party:' || code, 'party', 'spending', name, kind || ' · ' || code, '/parties/', code
  FROM parties
UNION ALL
SELECT 'site:' || code, 'site', 'materials', name, replace(kind, '_', ' ') || ' · ' || code, '/sites/', code
  FROM sites
UNION ALL
SELECT 'contract:' || ocid, 'contract', 'spending', coalesce(title, ocid), ocid || coalesce(' · ' || procurement_method, ''),
       '/spending/contracts/', ocid
  FROM procurement_processes
UNION ALL
SELECT 'consignment:' || consignment_id, 'consignment', 'waste', consignment_id,
       'EWC ' || ewc_code || CASE WHEN hazardous THEN '* (hazardous)' ELSE '' END || ' · ' || mass_kg::text || ' kg',
       '/waste/consignments/', consignment_id
  FROM waste_transfers
UNION ALL
SELECT 'payment:' || chain_id || ':0x' || encode(tx_hash, 'hex') || ':' || log_index, 'transaction', 'ledger',
       payee_name || ' · ' || (amount_minor / 100)::text || ' ' || currency,
       department || ' · ' || contract_ref || ' · 0x' || encode(tx_hash, 'hex'),
       '/ledger/chains/' || chain_id || '/tx/', '0x' || encode(tx_hash, 'hex')
  FROM treasury_payments;
