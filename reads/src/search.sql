-- Search, Postgres backend. $1: the text; $2: results per kind and in all; $3: area or ''.
-- Each kind is its own indexed query (trigram GIN for substrings and typos, full-text GIN for
-- words), ranked by the best of prefix match, trigram similarity and full-text rank.
WITH q AS (SELECT $1::text AS text, websearch_to_tsquery('simple', $1::text) AS ts)
SELECT kind, area, title, subtitle, href_prefix, key, score FROM (
  (SELECT 'lot'::text AS kind, 'materials'::text AS area, l.code AS title,
          p.name || coalesce(' · GTIN ' || p.gtin, '') AS subtitle, '/lots/'::text AS href_prefix, l.code AS key,
          greatest(similarity(l.code, q.text), CASE WHEN l.code ILIKE q.text || '%' THEN 1.0 ELSE 0 END)::float8 AS score
     FROM q, lots l JOIN products p ON p.id = l.product_id
    WHERE lower(l.code) ILIKE '%' || q.text || '%' OR lower(l.code) % q.text
    ORDER BY score DESC, l.code LIMIT $2)
  UNION ALL
  (SELECT 'product', 'materials', p.name, coalesce('GTIN ' || p.gtin, p.code) || coalesce(' · ' || p.material_class, ''),
          '/products/', p.code,
          greatest(similarity(p.name, q.text), ts_rank(to_tsvector('simple', p.name), q.ts),
                   CASE WHEN p.gtin = q.text OR p.code = q.text THEN 1.0 ELSE 0 END)::float8
     FROM q, products p
    WHERE to_tsvector('simple', p.name) @@ q.ts OR lower(p.name) % q.text OR lower(p.name) ILIKE '%' || q.text || '%'
       OR p.gtin = q.text OR p.code = q.text
    ORDER BY 7 DESC, p.name LIMIT $2)
  UNION ALL
  (SELECT 'party', 'spending', p.name, p.kind || ' · ' || p.code, '/parties/', p.code,
          greatest(similarity(p.code || ' ' || p.name, q.text), ts_rank(to_tsvector('simple', p.name), q.ts),
                   CASE WHEN p.code = q.text OR p.gln = q.text THEN 1.0 ELSE 0 END)::float8
     FROM q, parties p
    WHERE to_tsvector('simple', p.name) @@ q.ts OR (p.code || ' ' || p.name) % q.text
       OR (p.code || ' ' || p.name) ILIKE '%' || q.text || '%' OR p.gln = q.text
    ORDER BY 7 DESC, p.name LIMIT $2)
  UNION ALL
  (SELECT 'site', 'materials', s.name, replace(s.kind, '_', ' ') || ' · ' || s.code, '/sites/', s.code,
          greatest(similarity(s.code || ' ' || s.name, q.text), ts_rank(to_tsvector('simple', s.name), q.ts),
                   CASE WHEN s.code = q.text OR s.gln = q.text THEN 1.0 ELSE 0 END)::float8
     FROM q, sites s
    WHERE to_tsvector('simple', s.name) @@ q.ts OR (s.code || ' ' || s.name) % q.text
       OR (s.code || ' ' || s.name) ILIKE '%' || q.text || '%' OR s.gln = q.text
    ORDER BY 7 DESC, s.name LIMIT $2)
  UNION ALL
  (SELECT 'contract', 'spending', coalesce(c.title, c.ocid), c.ocid || coalesce(' · ' || c.procurement_method, ''),
          '/spending/contracts/', c.ocid,
          greatest(similarity(c.ocid || ' ' || coalesce(c.title, ''), q.text),
                   ts_rank(to_tsvector('simple', coalesce(c.title, '')), q.ts),
                   CASE WHEN c.ocid = q.text THEN 1.0 ELSE 0 END)::float8
     FROM q, procurement_processes c
    WHERE to_tsvector('simple', coalesce(c.title, '')) @@ q.ts
       OR (c.ocid || ' ' || coalesce(c.title, '')) % q.text
       OR (c.ocid || ' ' || coalesce(c.title, '')) ILIKE '%' || q.text || '%'
    ORDER BY 7 DESC, c.ocid LIMIT $2)
  UNION ALL
  (SELECT 'consignment', 'waste', w.consignment_id,
          'EWC ' || w.ewc_code || CASE WHEN w.hazardous THEN '* (hazardous)' ELSE '' END || ' · ' || w.mass_kg::text || ' kg',
          '/waste/consignments/', w.consignment_id,
          greatest(similarity(w.consignment_id, q.text), CASE WHEN w.consignment_id ILIKE q.text || '%' THEN 1.0 ELSE 0 END)::float8
     FROM q, waste_transfers w
    WHERE lower(w.consignment_id) ILIKE '%' || q.text || '%' OR lower(w.consignment_id) % q.text
    ORDER BY 7 DESC, w.consignment_id LIMIT $2)
  UNION ALL
  (SELECT 'transaction', 'ledger', t.payee_name || ' · ' || (t.amount_minor / 100)::text || ' ' || t.currency,
          t.department || ' · ' || t.contract_ref || ' · 0x' || encode(t.tx_hash, 'hex'),
          '/ledger/chains/' || t.chain_id || '/tx/', '0x' || encode(t.tx_hash, 'hex'),
          greatest(similarity(t.contract_ref || ' ' || t.payee_name, q.text),
                   CASE WHEN '0x' || encode(t.tx_hash, 'hex') = lower(q.text) THEN 1.0 ELSE 0 END)::float8
     FROM q, treasury_payments t
    WHERE (t.contract_ref || ' ' || t.payee_name) ILIKE '%' || q.text || '%'
       OR (t.contract_ref || ' ' || t.payee_name) % q.text
       OR '0x' || encode(t.tx_hash, 'hex') = lower(q.text)
    ORDER BY 7 DESC LIMIT $2)
) found
WHERE $3::text = '' OR area = $3::text
ORDER BY score DESC, title
LIMIT $2
