-- Search as people type (issue 12, docs/search.md): a phonetic key for every word of a name, so
-- that "Polar Farma" finds Polar Pharma and "Canal Hualage" Canal Haulage. Double Metaphone
-- (fuzzystrmatch, a trusted contrib extension like pg_trgm) codes each word of three letters or
-- more; a name matches when the codes of every word searched for are among its own, through a
-- GIN index on the array of codes.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE FUNCTION search_sounds(name text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path FROM CURRENT
AS $$
  SELECT coalesce(array_agg(DISTINCT code), '{}')
    FROM (SELECT dmetaphone(word) AS code
            FROM regexp_split_to_table(lower(name), '[^[:alpha:]]+') AS word
           WHERE length(word) >= 3) words
   WHERE code <> ''
$$;

CREATE INDEX parties_name_sounds ON parties USING gin (search_sounds(name));
CREATE INDEX sites_name_sounds ON sites USING gin (search_sounds(name));
CREATE INDEX products_name_sounds ON products USING gin (search_sounds(name));
CREATE INDEX procurement_title_sounds ON procurement_processes USING gin (search_sounds(coalesce(title, '')));

-- Parties and sites name their GLN in the documents Meilisearch indexes, so that a GLN finds them
-- there too (as the PostgreSQL backend's subtitles do); payments show their amount with two
-- decimals and grouped thousands (1,500.00 EUR, not 1500.0000000000000000 EUR).
CREATE OR REPLACE VIEW search_documents AS
SELECT 'lot:' || l.code AS id, 'lot' AS kind, 'materials' AS area, l.code AS title,
       p.name || coalesce(' · GTIN ' || p.gtin, '') AS subtitle, '/lots/' AS href_prefix, l.code AS key
  FROM lots l JOIN products p ON p.id = l.product_id
UNION ALL
SELECT 'product:' || code, 'product', 'materials', name, coalesce('GTIN ' || gtin, code) || coalesce(' · ' || material_class, ''),
       '/products/', code
  FROM products
UNION ALL
SELECT 'party:' || code, 'party', 'spending', name, kind || ' · ' || code || coalesce(' · GLN ' || gln, ''), '/parties/', code
  FROM parties
UNION ALL
SELECT 'site:' || code, 'site', 'materials', name, replace(kind, '_', ' ') || ' · ' || code || coalesce(' · GLN ' || gln, ''), '/sites/', code
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
       payee_name || ' · ' || to_char(amount_minor / 100, 'FM999,999,999,999,990.00') || ' ' || currency,
       department || ' · ' || contract_ref || ' · 0x' || encode(tx_hash, 'hex'),
       '/ledger/chains/' || chain_id || '/tx/', '0x' || encode(tx_hash, 'hex')
  FROM treasury_payments;
