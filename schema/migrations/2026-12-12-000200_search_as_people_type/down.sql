CREATE OR REPLACE VIEW search_documents AS
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

DROP INDEX procurement_title_sounds;
DROP INDEX products_name_sounds;
DROP INDEX sites_name_sounds;
DROP INDEX parties_name_sounds;
DROP FUNCTION search_sounds(text);
